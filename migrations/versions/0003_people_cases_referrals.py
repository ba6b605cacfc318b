"""People, cases, incidents, assessments, professional judgement, eligibility decisions and referrals.

Decisions are immutable: database triggers refuse UPDATE and DELETE.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 14:23:56.136540

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('person',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('given_name', sa.String(length=100), nullable=False),
    sa.Column('family_name', sa.String(length=100), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('date_of_birth_variants', sa.JSON(), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('gender', sa.String(length=40), nullable=True),
    sa.Column('ethnicity', sa.String(length=60), nullable=True),
    sa.Column('disability', sa.String(length=40), nullable=True),
    sa.Column('sexuality', sa.String(length=40), nullable=True),
    sa.Column('language', sa.String(length=60), nullable=True),
    sa.Column('interpreter_needed', sa.Boolean(), nullable=False),
    sa.Column('created_by_agency_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_agency_id'], ['agency.id'], name='fk_person_created_by_agency_id_agency'),
    sa.PrimaryKeyConstraint('id', name='pk_person')
    )
    op.create_table('marac_case',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('victim_id', sa.String(length=36), nullable=False),
    sa.Column('marac_area', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('repeat_watch_ends', sa.Date(), nullable=True),
    sa.Column('created_by_agency_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_agency_id'], ['agency.id'], name='fk_marac_case_created_by_agency_id_agency'),
    sa.ForeignKeyConstraint(['victim_id'], ['person.id'], name='fk_marac_case_victim_id_person'),
    sa.PrimaryKeyConstraint('id', name='pk_marac_case')
    )
    op.create_index('ix_marac_case_victim_id', 'marac_case', ['victim_id'], unique=False)
    op.create_table('safe_contact',
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('safe_to_call', sa.Boolean(), nullable=False),
    sa.Column('safe_address', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name='fk_safe_contact_person_id_person'),
    sa.PrimaryKeyConstraint('person_id', name='pk_safe_contact')
    )
    op.create_table('assessment',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('tool_id', sa.String(length=40), nullable=False),
    sa.Column('tool_version', sa.String(length=60), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('comments', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('source_if_not_victim', sa.String(length=200), nullable=True),
    sa.Column('assessor_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name='fk_assessment_agency_id_agency'),
    sa.ForeignKeyConstraint(['assessor_id'], ['user_account.id'], name='fk_assessment_assessor_id_user_account'),
    sa.ForeignKeyConstraint(['case_id'], ['marac_case.id'], name='fk_assessment_case_id_marac_case'),
    sa.PrimaryKeyConstraint('id', name='pk_assessment')
    )
    op.create_index('ix_assessment_case_id', 'assessment', ['case_id'], unique=False)
    op.create_table('case_party',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['marac_case.id'], name='fk_case_party_case_id_marac_case'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name='fk_case_party_person_id_person'),
    sa.PrimaryKeyConstraint('id', name='pk_case_party'),
    sa.UniqueConstraint('case_id', 'person_id', name='uq_case_party_case_id')
    )
    op.create_index('ix_case_party_case_id', 'case_party', ['case_id'], unique=False)
    op.create_index('ix_case_party_person_id', 'case_party', ['person_id'], unique=False)
    op.create_table('eligibility_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('ruleset', sa.String(length=40), nullable=False),
    sa.Column('eligible', sa.Boolean(), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('tier_source', sa.String(length=60), nullable=False),
    sa.Column('prompts', sa.JSON(), nullable=False),
    sa.Column('routes', sa.JSON(), nullable=False),
    sa.Column('evaluated_on', sa.Date(), nullable=False),
    sa.Column('evaluated_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['marac_case.id'], name='fk_eligibility_decision_case_id_marac_case'),
    sa.ForeignKeyConstraint(['evaluated_by_id'], ['user_account.id'], name='fk_eligibility_decision_evaluated_by_id_user_account'),
    sa.PrimaryKeyConstraint('id', name='pk_eligibility_decision')
    )
    op.create_index('ix_eligibility_decision_case_id', 'eligibility_decision', ['case_id'], unique=False)
    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('reporting_agency_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['marac_case.id'], name='fk_incident_case_id_marac_case'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name='fk_incident_recorded_by_id_user_account'),
    sa.ForeignKeyConstraint(['reporting_agency_id'], ['agency.id'], name='fk_incident_reporting_agency_id_agency'),
    sa.PrimaryKeyConstraint('id', name='pk_incident')
    )
    op.create_index('ix_incident_case_id', 'incident', ['case_id'], unique=False)
    op.create_table('professional_judgement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name='fk_professional_judgement_author_id_user_account'),
    sa.ForeignKeyConstraint(['case_id'], ['marac_case.id'], name='fk_professional_judgement_case_id_marac_case'),
    sa.PrimaryKeyConstraint('id', name='pk_professional_judgement')
    )
    op.create_index('ix_professional_judgement_case_id', 'professional_judgement', ['case_id'], unique=False)
    op.create_table('referral',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('referrer_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('victim_informed', sa.Boolean(), nullable=False),
    sa.Column('consent_given', sa.Boolean(), nullable=False),
    sa.Column('no_consent_reason', sa.Text(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('state_reason', sa.Text(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=36), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name='fk_referral_agency_id_agency'),
    sa.ForeignKeyConstraint(['case_id'], ['marac_case.id'], name='fk_referral_case_id_marac_case'),
    sa.ForeignKeyConstraint(['decision_id'], ['eligibility_decision.id'], name='fk_referral_decision_id_eligibility_decision'),
    sa.ForeignKeyConstraint(['referrer_id'], ['user_account.id'], name='fk_referral_referrer_id_user_account'),
    sa.PrimaryKeyConstraint('id', name='pk_referral'),
    sa.UniqueConstraint('idempotency_key', name='uq_referral_idempotency_key')
    )
    op.create_index('ix_referral_case_id', 'referral', ['case_id'], unique=False)
    op.create_index('ix_referral_state', 'referral', ['state'], unique=False)
    make_decisions_immutable()


def make_decisions_immutable():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION eligibility_decision_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'eligibility_decision rows are never changed'; END $$"
        )
        op.execute(
            "CREATE TRIGGER eligibility_decision_no_change BEFORE UPDATE OR DELETE ON eligibility_decision "
            "FOR EACH ROW EXECUTE FUNCTION eligibility_decision_immutable()"
        )
        return
    op.execute(
        "CREATE TRIGGER eligibility_decision_no_update BEFORE UPDATE ON eligibility_decision "
        "BEGIN SELECT RAISE(ABORT, 'eligibility_decision rows are never changed'); END"
    )
    op.execute(
        "CREATE TRIGGER eligibility_decision_no_delete BEFORE DELETE ON eligibility_decision "
        "BEGIN SELECT RAISE(ABORT, 'eligibility_decision rows are never changed'); END"
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER eligibility_decision_no_change ON eligibility_decision")
        op.execute("DROP FUNCTION eligibility_decision_immutable()")
    op.drop_table('referral')
    op.drop_table('professional_judgement')
    op.drop_table('incident')
    op.drop_table('eligibility_decision')
    op.drop_table('case_party')
    op.drop_table('assessment')
    op.drop_table('safe_contact')
    op.drop_table('marac_case')
    op.drop_table('person')
