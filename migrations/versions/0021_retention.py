"""Retention (SECURITY D5): legal holds on cases, when a case was anonymised, and the age figures the data
return keeps for an anonymised case's agenda items once the dates of birth they came from are removed.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05 04:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "legal_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.Column("lifted_reason", sa.Text(), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["marac_case.id"], name="fk_legal_hold_case_id_marac_case"),
        sa.ForeignKeyConstraint(["set_by_id"], ["user_account.id"], name="fk_legal_hold_set_by_id_user_account"),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"], ["user_account.id"], name="fk_legal_hold_lifted_by_id_user_account"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_legal_hold"),
    )
    op.create_index("ix_legal_hold_case_id", "legal_hold", ["case_id"], unique=False)
    op.add_column("marac_case", sa.Column("anonymised_at", sa.DateTime(), nullable=True))
    op.add_column("agenda_item", sa.Column("victim_age_band", sa.String(length=10), nullable=True))
    op.add_column("agenda_item", sa.Column("young_perpetrators_anonymised", sa.Integer(), nullable=True))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35 and later, and PostgreSQL): a batch copy of these tables would fail
    # while other tables' rows point at them.
    for table, column in (
        ("agenda_item", "young_perpetrators_anonymised"),
        ("agenda_item", "victim_age_band"),
        ("marac_case", "anonymised_at"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    op.drop_index("ix_legal_hold_case_id", table_name="legal_hold")
    op.drop_table("legal_hold")
