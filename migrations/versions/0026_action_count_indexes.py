"""The dashboard's counts at a force's scale (issue 20): the actions due in a quarter (and those done on time) and
the open actions overdue are counted from two indexes alone, without reading the actions themselves (the due-date
index gains the columns those counts read); on PostgreSQL, the quarter's heard referrals are counted by agency and
criteria from an index of their own, without reading the referrals' rows.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 09:00:00

"""

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_marac_action_due_on", table_name="marac_action")
    op.create_index("ix_marac_action_due_on", "marac_action", ["due_on", "owner_agency_id", "status", "completed_on"])
    op.create_index("ix_marac_action_status_due_on", "marac_action", ["status", "due_on", "owner_agency_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_referral_id_counted", "referral", ["id"], postgresql_include=["agency_id", "criteria"])


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_referral_id_counted", table_name="referral")
    op.drop_index("ix_marac_action_status_due_on", table_name="marac_action")
    op.drop_index("ix_marac_action_due_on", table_name="marac_action")
    op.create_index("ix_marac_action_due_on", "marac_action", ["due_on"])
