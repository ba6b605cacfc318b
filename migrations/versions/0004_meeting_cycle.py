"""The meeting cycle: agenda items, invitations, research returns, attendance, case minutes,
actions and transfers; meetings gain a kind, a research deadline and a version column.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 15:18:36.350332

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('attendee_name', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('information_sent', sa.Boolean(), nullable=False),
    sa.Column('confidentiality_confirmed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name='fk_attendance_agency_id_agency'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name='fk_attendance_meeting_id_meeting'),
    sa.PrimaryKeyConstraint('id', name='pk_attendance')
    )
    op.create_index('ix_attendance_meeting_id', 'attendance', ['meeting_id'], unique=False)
    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name='fk_invitation_agency_id_agency'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name='fk_invitation_meeting_id_meeting'),
    sa.PrimaryKeyConstraint('id', name='pk_invitation'),
    sa.UniqueConstraint('meeting_id', 'agency_id', name='uq_invitation_meeting_id')
    )
    op.create_index('ix_invitation_meeting_id', 'invitation', ['meeting_id'], unique=False)
    op.create_table('transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('incoming', sa.Boolean(), nullable=False),
    sa.Column('other_area', sa.String(length=120), nullable=False),
    sa.Column('transferred_on', sa.Date(), nullable=False),
    sa.Column('what_was_sent', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['marac_case.id'], name='fk_transfer_case_id_marac_case'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name='fk_transfer_recorded_by_id_user_account'),
    sa.PrimaryKeyConstraint('id', name='pk_transfer')
    )
    op.create_index('ix_transfer_case_id', 'transfer', ['case_id'], unique=False)
    op.create_table('agenda_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=20), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name='fk_agenda_item_meeting_id_meeting'),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name='fk_agenda_item_referral_id_referral'),
    sa.PrimaryKeyConstraint('id', name='pk_agenda_item'),
    sa.UniqueConstraint('meeting_id', 'referral_id', name='uq_agenda_item_meeting_id')
    )
    op.create_index('ix_agenda_item_meeting_id', 'agenda_item', ['meeting_id'], unique=False)
    op.create_index('ix_agenda_item_referral_id', 'agenda_item', ['referral_id'], unique=False)
    op.create_table('case_minutes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=False),
    sa.Column('victim_views', sa.Text(), nullable=False),
    sa.Column('information_shared', sa.Text(), nullable=False),
    sa.Column('risks_to_victim', sa.Text(), nullable=False),
    sa.Column('risks_to_children', sa.Text(), nullable=False),
    sa.Column('risks_to_others', sa.Text(), nullable=False),
    sa.Column('risks_to_professionals', sa.Text(), nullable=False),
    sa.Column('decisions', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_item.id'], name='fk_case_minutes_agenda_item_id_agenda_item'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name='fk_case_minutes_updated_by_id_user_account'),
    sa.PrimaryKeyConstraint('id', name='pk_case_minutes'),
    sa.UniqueConstraint('agenda_item_id', name='uq_case_minutes_agenda_item_id')
    )
    op.create_table('marac_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_agency_id', sa.Integer(), nullable=False),
    sa.Column('owner_name', sa.String(length=100), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('completion_note', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_item.id'], name='fk_marac_action_agenda_item_id_agenda_item'),
    sa.ForeignKeyConstraint(['case_id'], ['marac_case.id'], name='fk_marac_action_case_id_marac_case'),
    sa.ForeignKeyConstraint(['owner_agency_id'], ['agency.id'], name='fk_marac_action_owner_agency_id_agency'),
    sa.PrimaryKeyConstraint('id', name='pk_marac_action')
    )
    op.create_index('ix_marac_action_agenda_item_id', 'marac_action', ['agenda_item_id'], unique=False)
    op.create_index('ix_marac_action_case_id', 'marac_action', ['case_id'], unique=False)
    op.create_index('ix_marac_action_due_on', 'marac_action', ['due_on'], unique=False)
    op.create_index('ix_marac_action_owner_agency_id', 'marac_action', ['owner_agency_id'], unique=False)
    op.create_table('research_return',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('known', sa.Boolean(), nullable=True),
    sa.Column('involvement', sa.Text(), nullable=True),
    sa.Column('risks', sa.Text(), nullable=True),
    sa.Column('open_cases', sa.Text(), nullable=True),
    sa.Column('proposed_actions', sa.Text(), nullable=True),
    sa.Column('not_shareable', sa.Text(), nullable=True),
    sa.Column('not_shareable_reason', sa.Text(), nullable=True),
    sa.Column('returned_at', sa.DateTime(), nullable=True),
    sa.Column('returned_by_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name='fk_research_return_agency_id_agency'),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_item.id'], name='fk_research_return_agenda_item_id_agenda_item'),
    sa.ForeignKeyConstraint(['returned_by_id'], ['user_account.id'], name='fk_research_return_returned_by_id_user_account'),
    sa.PrimaryKeyConstraint('id', name='pk_research_return'),
    sa.UniqueConstraint('agenda_item_id', 'agency_id', name='uq_research_return_agenda_item_id')
    )
    op.create_index('ix_research_return_agenda_item_id', 'research_return', ['agenda_item_id'], unique=False)
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=False, server_default='scheduled'))
        batch_op.add_column(sa.Column('research_due_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('version_id', sa.Integer(), nullable=False, server_default='1'))



def downgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('version_id')
        batch_op.drop_column('research_due_at')
        batch_op.drop_column('kind')

    op.drop_table('research_return')
    op.drop_table('marac_action')
    op.drop_table('case_minutes')
    op.drop_table('agenda_item')
    op.drop_table('transfer')
    op.drop_table('invitation')
    op.drop_table('attendance')
