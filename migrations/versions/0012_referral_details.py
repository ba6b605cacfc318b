"""The referral form the MARAC asks for: the victim's address, each party's relationship to her,
household members, the referrer's risk summary and contact details, what she wants from the MARAC,
other agencies involved, a draft kept as the referrer types, and when the referral last changed state
(told apart from a correction, which changes only updated_at).

state_changed_at starts as updated_at: before this revision only a change of state updated a referral.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 22:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


# Columns are added and dropped in place, never by copying a table: a copy of person or referral
# would be refused by the foreign keys that point at them.
REFERRAL_COLUMNS = (
    sa.Column('perpetrator_not_known', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column('risk_summary', sa.Text(), nullable=True),
    sa.Column('victim_wants', sa.Text(), nullable=True),
    sa.Column('referrer_phone', sa.String(length=30), nullable=True),
    sa.Column('referrer_email', sa.String(length=254), nullable=True),
    sa.Column('other_agency_ids', sa.JSON(), nullable=True),
    sa.Column('other_agencies_note', sa.String(length=500), nullable=True),
    sa.Column('state_changed_at', sa.DateTime(), nullable=True),
    sa.Column('corrected_at', sa.DateTime(), nullable=True),
)


def upgrade():
    op.add_column('person', sa.Column('address', sa.Text(), nullable=True))
    op.add_column('case_party', sa.Column('relationship_to_victim', sa.String(length=60), nullable=True))
    for column in REFERRAL_COLUMNS:
        op.add_column('referral', column)
    op.execute('UPDATE referral SET state_changed_at = updated_at')
    op.create_table('referral_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['marac_case.id'], name='fk_referral_draft_case_id_marac_case'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name='fk_referral_draft_user_id_user_account'),
    sa.PrimaryKeyConstraint('id', name='pk_referral_draft'),
    sa.UniqueConstraint('case_id', 'user_id', name='uq_referral_draft_case_id')
    )
    op.create_index('ix_referral_draft_case_id', 'referral_draft', ['case_id'], unique=False)


def downgrade():
    op.drop_index('ix_referral_draft_case_id', table_name='referral_draft')
    op.drop_table('referral_draft')
    for column in reversed(REFERRAL_COLUMNS):
        op.execute(f'ALTER TABLE referral DROP COLUMN {column.name}')
    op.execute('ALTER TABLE case_party DROP COLUMN relationship_to_victim')
    op.execute('ALTER TABLE person DROP COLUMN address')
