"""Matching at any size (issue 20): person_match_key holds each person's blocking keys (the sounds of her names
with her year of birth or postcode district, her date of birth), indexed, so a search reads only the people who
share one instead of a capped list of everyone. Keys are filled in for everyone already held, a batch at a time;
anonymised people (no name left) get none.

The keys are worked out by the app's own functions (cases.models), not a frozen copy: they must be exactly the
keys the running app looks up. Run `flask --app app db upgrade` with the MARAC_FIELD_KEYS the app uses, since
postcodes inside the sealed address give keys too.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 07:00:00

"""

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

BATCH = 5000
person = sa.table(
    "person",
    sa.column("id"),
    sa.column("given_name"),
    sa.column("family_name"),
    sa.column("aliases", sa.JSON()),
    sa.column("date_of_birth", sa.Date()),
    sa.column("date_of_birth_variants", sa.JSON()),
    sa.column("postcode"),
    sa.column("address"),
)
person_match_key = sa.table("person_match_key", sa.column("key"), sa.column("person_id"))


def upgrade():
    op.create_table(
        "person_match_key",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name="fk_person_match_key_person_id_person", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("key", "person_id", name="pk_person_match_key"),
    )
    op.create_index(op.f("ix_person_match_key_person_id"), "person_match_key", ["person_id"], unique=False)
    fill_in_keys(op.get_bind())


def fill_in_keys(connection) -> None:
    from access.field_crypto import open_sealed
    from cases.models import keys_of_columns

    ring = current_app.config["FIELD_KEYS"]
    after = ""
    while True:
        rows = (
            connection.execute(
                sa.select(person)
                .where(person.c.id > after, sa.or_(person.c.given_name != "", person.c.family_name != ""))
                .order_by(person.c.id)
                .limit(BATCH)
            )
            .mappings()
            .all()
        )
        if not rows:
            return
        values = []
        for row in rows:
            address = open_sealed(ring, "person.address", row["address"]) if row["address"] else None
            values += [{"key": key, "person_id": row["id"]} for key in keys_of_columns({**row, "address": address})]
        if values:
            connection.execute(sa.insert(person_match_key), values)
        after = rows[-1]["id"]


def downgrade():
    op.drop_index(op.f("ix_person_match_key_person_id"), table_name="person_match_key")
    op.drop_table("person_match_key")
