"""Actions as living records: each row of an action's history says what kind of change it was, and an
edit keeps each field's old and new value and the reason given; overdue actions raised with the
coordinators or a meeting's chair are kept, one of each a due date.

Rows from before this revision are status updates, as they were.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-09 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("action_update", sa.Column("kind", sa.String(length=20), server_default="status", nullable=False))
    op.add_column("action_update", sa.Column("changes", sa.JSON(), nullable=True))
    op.add_column("action_update", sa.Column("reason", sa.Text(), nullable=True))
    op.create_table(
        "action_escalation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("raised_with", sa.String(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["marac_action.id"], name="fk_action_escalation_action_id_marac_action"),
        sa.PrimaryKeyConstraint("id", name="pk_action_escalation"),
        sa.UniqueConstraint("action_id", "raised_with", "due_on", name="uq_action_escalation_action_id"),
    )
    op.create_index("ix_action_escalation_action_id", "action_escalation", ["action_id"], unique=False)


def downgrade():
    op.drop_index("ix_action_escalation_action_id", table_name="action_escalation")
    op.drop_table("action_escalation")
    with op.batch_alter_table("action_update", schema=None) as batch_op:
        batch_op.drop_column("reason")
        batch_op.drop_column("changes")
        batch_op.drop_column("kind")
