"""Reviewing a distribution-check decision: each change keeps the decision it replaced, who changed it,
when and why.

Revision ID: 0019
Revises: 0015
Create Date: 2026-12-08 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "clearance_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clearance_id", sa.Integer(), nullable=False),
        sa.Column("previous_decision", sa.String(length=20), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clearance_id"],
            ["distribution_clearance.id"],
            name="fk_clearance_review_clearance_id_distribution_clearance",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user_account.id"], name="fk_clearance_review_decided_by_id_user_account"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_clearance_review"),
    )
    op.create_index("ix_clearance_review_clearance_id", "clearance_review", ["clearance_id"], unique=False)


def downgrade():
    op.drop_index("ix_clearance_review_clearance_id", table_name="clearance_review")
    op.drop_table("clearance_review")
