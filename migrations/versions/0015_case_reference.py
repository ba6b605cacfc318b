"""Case references: every case gets PREFIX-YEAR-NUMBER (like RIV-2026-0142), unique in the deployment,
and a counter per prefix and year holds the last number used.

Existing cases are numbered in the order they were opened within each year, in the prefix the
settings give (CASE_REFERENCE_PREFIX), and each year's counter starts after the last of them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 10:00:00

"""

from contextlib import contextmanager
from itertools import groupby

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

DEFAULT_PREFIX = "MARAC"


def upgrade():
    op.create_table(
        "case_reference_counter",
        sa.Column("prefix", sa.String(length=5), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "year", name="pk_case_reference_counter"),
    )
    op.add_column("marac_case", sa.Column("reference", sa.String(length=20), nullable=True))
    number_existing_cases(current_app.config.get("CASE_REFERENCE_PREFIX") or DEFAULT_PREFIX)
    if op.get_bind().dialect.name == "sqlite":
        with sqlite_foreign_keys_off():
            make_reference_required()
    else:
        make_reference_required()
    op.create_index("ix_marac_case_reference", "marac_case", ["reference"], unique=True)


def make_reference_required() -> None:
    with op.batch_alter_table("marac_case", schema=None) as batch_op:
        batch_op.alter_column("reference", existing_type=sa.String(length=20), nullable=False)


@contextmanager
def sqlite_foreign_keys_off():
    """SQLite makes a column NOT NULL only by copying the table, and cannot drop the old one while other
    tables' rows point at it unless foreign keys are off, which it allows only between transactions. So
    the work so far is committed, the copy made with them off, checked, and the transaction resumed."""
    raw = op.get_bind().connection.dbapi_connection
    raw.execute("COMMIT")
    raw.execute("PRAGMA foreign_keys = OFF")
    raw.execute("BEGIN IMMEDIATE")
    yield
    if raw.execute("PRAGMA foreign_key_check").fetchall():
        raise RuntimeError("Copying the cases table would leave rows pointing at no case, so it was undone.")
    raw.execute("COMMIT")
    raw.execute("PRAGMA foreign_keys = ON")
    raw.execute("BEGIN IMMEDIATE")


def number_existing_cases(prefix: str) -> None:
    connection = op.get_bind()
    cases = connection.execute(sa.text("SELECT id, created_at FROM marac_case ORDER BY created_at, id")).all()
    numbered, counters = [], []
    for year, in_year in groupby(cases, key=lambda case: year_of(case.created_at)):
        number = 0
        for number, case in enumerate(in_year, start=1):
            numbered.append({"id": case.id, "reference": f"{prefix}-{year}-{number:04d}"})
        counters.append({"prefix": prefix, "year": year, "last_number": number})
    if numbered:
        connection.execute(sa.text("UPDATE marac_case SET reference = :reference WHERE id = :id"), numbered)
        connection.execute(
            sa.text(
                "INSERT INTO case_reference_counter (prefix, year, last_number) VALUES (:prefix, :year, :last_number)"
            ),
            counters,
        )


def year_of(created_at) -> int:
    """SQLite hands back the stored text, PostgreSQL a datetime."""
    return int(str(created_at)[:4])


def downgrade():
    op.drop_index("ix_marac_case_reference", table_name="marac_case")
    # In place, not by copying the table (which SQLite would need to drop a NOT NULL column in batch mode).
    op.execute("ALTER TABLE marac_case DROP COLUMN reference")
    op.drop_table("case_reference_counter")
