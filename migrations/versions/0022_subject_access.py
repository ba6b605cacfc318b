"""Subject access requests (SECURITY D6): who asked, what to look for, the items found with a sealed copy
of what each said, and the decision on each (disclose, redact or withhold, with the exemption relied on).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 04:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "subject_access_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requester_kind", sa.String(length=20), nullable=False),
        sa.Column("requester_name", sa.String(length=200), nullable=False),
        sa.Column("received_by", sa.String(length=20), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("search_names", sa.JSON(), nullable=False),
        sa.Column("search_dates_of_birth", sa.JSON(), nullable=False),
        sa.Column("search_postcodes", sa.JSON(), nullable=False),
        sa.Column("people_confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("extended_at", sa.DateTime(), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user_account.id"], name="fk_subject_access_request_recorded_by_id_user_account"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_subject_access_request"),
    )
    op.create_table(
        "subject_access_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("case_reference", sa.String(length=20), nullable=True),
        sa.Column("source_kind", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("about_requester", sa.Boolean(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("exemption", sa.String(length=40), nullable=True),
        sa.Column("redacted_text", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["marac_case.id"], name="fk_subject_access_item_case_id_marac_case"),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user_account.id"], name="fk_subject_access_item_decided_by_id_user_account"
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["subject_access_request.id"],
            name="fk_subject_access_item_request_id_subject_access_request",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_subject_access_item"),
    )
    op.create_index("ix_subject_access_item_request_id", "subject_access_item", ["request_id"], unique=False)


def downgrade():
    op.drop_index("ix_subject_access_item_request_id", table_name="subject_access_item")
    op.drop_table("subject_access_item")
    op.drop_table("subject_access_request")
