"""Accounts (S6, A10): when each session last fully proved who it is (password and security code), for
step-up; and when a one-time password stops working. Sessions open at the upgrade count as proved when
they began; a one-time password given before it has no recorded expiry and so no longer works (fail closed:
its holder asks the administrator for a new one).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 04:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("user_session", sa.Column("authenticated_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE user_session SET authenticated_at = created_at WHERE stage = 'complete'")
    op.add_column("user_account", sa.Column("one_time_password_expires_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("one_time_password_expires_at")
    with op.batch_alter_table("user_session") as batch_op:
        batch_op.drop_column("authenticated_at")
