"""Assessments you can correct: changing a completed assessment's answers makes a new version that
supersedes it, with who changed it and why; the earlier version is kept unchanged.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assessment') as batch:
        batch.add_column(sa.Column('supersedes_id', sa.String(length=36), nullable=True))
        batch.add_column(sa.Column('change_reason', sa.Text(), nullable=True))
        batch.add_column(sa.Column('changed_by_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('change_key', sa.String(length=36), nullable=True))
        batch.create_foreign_key('fk_assessment_supersedes_id_assessment', 'assessment', ['supersedes_id'], ['id'])
        batch.create_foreign_key(
            'fk_assessment_changed_by_id_user_account', 'user_account', ['changed_by_id'], ['id']
        )
        batch.create_unique_constraint('uq_assessment_supersedes_id', ['supersedes_id'])
        batch.create_unique_constraint('uq_assessment_change_key', ['change_key'])


def downgrade():
    with op.batch_alter_table('assessment') as batch:
        batch.drop_constraint('uq_assessment_change_key', type_='unique')
        batch.drop_constraint('uq_assessment_supersedes_id', type_='unique')
        batch.drop_constraint('fk_assessment_changed_by_id_user_account', type_='foreignkey')
        batch.drop_constraint('fk_assessment_supersedes_id_assessment', type_='foreignkey')
        batch.drop_column('change_key')
        batch.drop_column('changed_by_id')
        batch.drop_column('change_reason')
        batch.drop_column('supersedes_id')
