"""Each meeting's row of the quarterly data return, kept when its minutes are approved, so that a quarter's return
adds up these rows instead of counting every case heard again (issue 20).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 12:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "meeting_figures",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("kept_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("meeting_id"),
    )


def downgrade():
    op.drop_table("meeting_figures")
