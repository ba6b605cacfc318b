"""Force-scale indexes (issue 20): cases by when they were opened, for Find a case's newest-first list,
which otherwise reads every case to show the first 25.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 07:40:00

"""

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_marac_case_created_at", "marac_case", ["created_at"])


def downgrade():
    op.drop_index("ix_marac_case_created_at", table_name="marac_case")
