"""Research chases: who reminded which agency about its outstanding research for a meeting, and when.

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-05 01:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "research_chase",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("chased_at", sa.DateTime(), nullable=False),
        sa.Column("chased_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], name=op.f("fk_research_chase_agency_id_agency")),
        sa.ForeignKeyConstraint(
            ["chased_by_id"], ["user_account.id"], name=op.f("fk_research_chase_chased_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], name=op.f("fk_research_chase_meeting_id_meeting")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_chase")),
    )
    with op.batch_alter_table("research_chase") as batch_op:
        batch_op.create_index(batch_op.f("ix_research_chase_meeting_id"), ["meeting_id"], unique=False)


def downgrade():
    with op.batch_alter_table("research_chase") as batch_op:
        batch_op.drop_index(batch_op.f("ix_research_chase_meeting_id"))
    op.drop_table("research_chase")
