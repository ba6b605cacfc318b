"""Meeting cycle details: online meetings, information shared by each agency in the case minutes,
and for actions the completion date, the meeting that reviewed them and the last reminder.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 09:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('online', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('case_minutes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_information', sa.JSON(), nullable=True))
    with op.batch_alter_table('marac_action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at_meeting_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_reminded_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('created_at', sa.DateTime(), nullable=False, server_default=sa.func.current_timestamp()))
        batch_op.create_foreign_key('fk_marac_action_reviewed_at_meeting_id_meeting', 'meeting', ['reviewed_at_meeting_id'], ['id'])


def downgrade():
    with op.batch_alter_table('marac_action', schema=None) as batch_op:
        batch_op.drop_constraint('fk_marac_action_reviewed_at_meeting_id_meeting', type_='foreignkey')
        batch_op.drop_column('created_at')
        batch_op.drop_column('last_reminded_on')
        batch_op.drop_column('reviewed_at_meeting_id')
        batch_op.drop_column('completed_on')
    with op.batch_alter_table('case_minutes', schema=None) as batch_op:
        batch_op.drop_column('agency_information')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('online')
