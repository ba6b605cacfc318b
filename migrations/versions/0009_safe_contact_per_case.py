"""Need to know, enforced on the person: safe-contact details belong to a case and the agency that
recorded them (they were held per person, so a new case for a known person reached them), and a
case can hold a proposed link to a known person (victim_link_proposal) that the coordinator confirms.

Details held per person are carried to the person's first case as a victim, as recorded by the agency
that opened that case: the case they were recorded on before anyone could start another. Details of a
person who is no case's victim have nowhere to belong and are dropped.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 17:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_safe_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('safe_to_call', sa.Boolean(), nullable=False),
    sa.Column('safe_address', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name='fk_case_safe_contact_agency_id_agency'),
    sa.ForeignKeyConstraint(['case_id'], ['marac_case.id'], name='fk_case_safe_contact_case_id_marac_case'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name='fk_case_safe_contact_updated_by_id_user_account'),
    sa.PrimaryKeyConstraint('id', name='pk_case_safe_contact'),
    sa.UniqueConstraint('case_id', 'agency_id', name='uq_case_safe_contact_case_id')
    )
    op.create_index('ix_case_safe_contact_case_id', 'case_safe_contact', ['case_id'], unique=False)
    carry_details_to_the_first_case()
    op.drop_table('safe_contact')
    op.create_table('victim_link_proposal',
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['marac_case.id'], name='fk_victim_link_proposal_case_id_marac_case'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name='fk_victim_link_proposal_person_id_person'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['user_account.id'], name='fk_victim_link_proposal_proposed_by_id_user_account'),
    sa.PrimaryKeyConstraint('case_id', name='pk_victim_link_proposal')
    )


def carry_details_to_the_first_case():
    op.execute(
        "INSERT INTO case_safe_contact (case_id, agency_id, phone, safe_to_call, safe_address, updated_at) "
        "SELECT first.id, first.created_by_agency_id, s.phone, s.safe_to_call, s.safe_address, s.updated_at "
        "FROM safe_contact s JOIN marac_case first ON first.victim_id = s.person_id "
        "WHERE first.id = (SELECT m.id FROM marac_case m WHERE m.victim_id = s.person_id ORDER BY m.created_at, m.id LIMIT 1)"
    )


def downgrade():
    op.create_table('safe_contact',
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('safe_to_call', sa.Boolean(), nullable=False),
    sa.Column('safe_address', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name='fk_safe_contact_person_id_person'),
    sa.PrimaryKeyConstraint('person_id', name='pk_safe_contact')
    )
    # Back to one set of details per person: the most recently changed case's, the nearest to the old meaning.
    op.execute(
        "INSERT INTO safe_contact (person_id, phone, safe_to_call, safe_address, updated_at) "
        "SELECT marac_case.victim_id, c.phone, c.safe_to_call, c.safe_address, c.updated_at FROM case_safe_contact c "
        "JOIN marac_case ON marac_case.id = c.case_id "
        "WHERE c.id = (SELECT c2.id FROM case_safe_contact c2 JOIN marac_case m2 ON m2.id = c2.case_id "
        "WHERE m2.victim_id = marac_case.victim_id ORDER BY c2.updated_at DESC, c2.id DESC LIMIT 1)"
    )
    op.drop_index('ix_case_safe_contact_case_id', table_name='case_safe_contact')
    op.drop_table('case_safe_contact')
    op.drop_table('victim_link_proposal')
