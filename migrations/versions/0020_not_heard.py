"""Cases not heard: when a meeting ended without hearing a case on its agenda, which then went back to
the referral queue. Empty for every earlier item: those were all recorded as heard.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("agenda_item", sa.Column("not_heard_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("agenda_item") as batch_op:
        batch_op.drop_column("not_heard_at")
