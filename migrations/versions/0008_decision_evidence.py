"""No victim missed: who caused each incident, the perpetrator(s) each referral named, and what met
each criterion of a decision (with the unchecked rules it relied on).

Earlier referrals are given the perpetrators their case had when this runs; a referral with none
counts, safely, as naming nobody.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 15:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('incident') as batch:
        batch.add_column(sa.Column('perpetrator_id', sa.String(length=36), nullable=True))
        batch.create_foreign_key('fk_incident_perpetrator_id_person', 'person', ['perpetrator_id'], ['id'])
    op.add_column('referral', sa.Column('perpetrator_ids', sa.JSON(), nullable=True))
    # Decisions never change (database triggers), so new columns are added beside the old rows, not filled in.
    op.add_column('eligibility_decision', sa.Column('evidence', sa.JSON(), nullable=True))
    op.add_column('eligibility_decision', sa.Column('unverified', sa.JSON(), nullable=True))
    name_earlier_referrals_perpetrators()


def name_earlier_referrals_perpetrators():
    connection = op.get_bind()
    parties = connection.execute(sa.text(
        "SELECT referral.id, case_party.person_id FROM referral JOIN case_party ON case_party.case_id = referral.case_id "
        "WHERE case_party.role = 'perpetrator'"
    )).all()
    named = {}
    for referral_id, person_id in parties:
        named.setdefault(referral_id, []).append(person_id)
    referral = sa.table('referral', sa.column('id', sa.String), sa.column('perpetrator_ids', sa.JSON))
    for referral_id in connection.execute(sa.text("SELECT id FROM referral")).scalars():
        connection.execute(
            referral.update().where(referral.c.id == referral_id).values(perpetrator_ids=sorted(named.get(referral_id, [])))
        )


def downgrade():
    op.drop_column('eligibility_decision', 'unverified')
    op.drop_column('eligibility_decision', 'evidence')
    op.drop_column('referral', 'perpetrator_ids')
    with op.batch_alter_table('incident') as batch:
        batch.drop_constraint('fk_incident_perpetrator_id_person', type_='foreignkey')
        batch.drop_column('perpetrator_id')
