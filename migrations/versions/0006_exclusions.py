"""Exclusion lists: people who must not receive information about a case (recorded at referral),
and the coordinator's decision on each near match between that list and a meeting's recipients.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('excluded_person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['marac_case.id'], name='fk_excluded_person_case_id_marac_case'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name='fk_excluded_person_recorded_by_id_user_account'),
    sa.PrimaryKeyConstraint('id', name='pk_excluded_person')
    )
    op.create_index('ix_excluded_person_case_id', 'excluded_person', ['case_id'], unique=False)
    op.create_table('distribution_clearance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('excluded_person_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name='fk_distribution_clearance_meeting_id_meeting'),
    sa.ForeignKeyConstraint(['excluded_person_id'], ['excluded_person.id'], name='fk_distribution_clearance_excluded_person_id_excluded_person'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name='fk_distribution_clearance_user_id_user_account'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name='fk_distribution_clearance_decided_by_id_user_account'),
    sa.PrimaryKeyConstraint('id', name='pk_distribution_clearance'),
    sa.UniqueConstraint('meeting_id', 'excluded_person_id', 'user_id', name='uq_distribution_clearance_meeting_id')
    )
    op.create_index('ix_distribution_clearance_meeting_id', 'distribution_clearance', ['meeting_id'], unique=False)


def downgrade():
    op.drop_index('ix_distribution_clearance_meeting_id', table_name='distribution_clearance')
    op.drop_table('distribution_clearance')
    op.drop_index('ix_excluded_person_case_id', table_name='excluded_person')
    op.drop_table('excluded_person')
