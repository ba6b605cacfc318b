"""The case's history: when a referral was triaged, when a case was placed on an agenda, when a
meeting's list went out and its minutes were distributed, and each update of an action.

Rows from before this revision keep these empty: their history shows what is known, and nothing is
dated by guesswork.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('referral', sa.Column('triaged_at', sa.DateTime(), nullable=True))
    op.add_column('agenda_item', sa.Column('placed_at', sa.DateTime(), nullable=True))
    op.add_column('meeting', sa.Column('list_issued_at', sa.DateTime(), nullable=True))
    op.add_column('meeting', sa.Column('distributed_at', sa.DateTime(), nullable=True))
    op.create_table(
        'action_update',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=40), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('reviewed_at_meeting_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['action_id'], ['marac_action.id'], name='fk_action_update_action_id_marac_action'),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name='fk_action_update_agency_id_agency'),
        sa.ForeignKeyConstraint(
            ['reviewed_at_meeting_id'], ['meeting.id'], name='fk_action_update_reviewed_at_meeting_id_meeting'
        ),
        sa.ForeignKeyConstraint(
            ['updated_by_id'], ['user_account.id'], name='fk_action_update_updated_by_id_user_account'
        ),
        sa.PrimaryKeyConstraint('id', name='pk_action_update'),
    )
    op.create_index('ix_action_update_action_id', 'action_update', ['action_id'], unique=False)


def downgrade():
    op.drop_index('ix_action_update_action_id', table_name='action_update')
    op.drop_table('action_update')
    op.drop_column('meeting', 'distributed_at')
    op.drop_column('meeting', 'list_issued_at')
    op.drop_column('agenda_item', 'placed_at')
    op.drop_column('referral', 'triaged_at')
