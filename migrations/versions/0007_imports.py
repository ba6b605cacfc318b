"""Bulk import: each uploaded file's batch (status, mapping, who uploaded it) and each agency's
saved column mapping per tool.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-13 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('saved_import_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('tool_id', sa.String(length=40), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('saved_by_id', sa.Integer(), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name='fk_saved_import_mapping_agency_id_agency'),
    sa.ForeignKeyConstraint(['saved_by_id'], ['user_account.id'], name='fk_saved_import_mapping_saved_by_id_user_account'),
    sa.PrimaryKeyConstraint('id', name='pk_saved_import_mapping'),
    sa.UniqueConstraint('agency_id', 'tool_id', name='uq_saved_import_mapping_agency_id')
    )
    op.create_table('import_batch',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('tool_id', sa.String(length=40), nullable=False),
    sa.Column('filename_shown', sa.String(length=255), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('rows_imported', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name='fk_import_batch_agency_id_agency'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name='fk_import_batch_uploaded_by_id_user_account'),
    sa.PrimaryKeyConstraint('id', name='pk_import_batch'),
    sa.UniqueConstraint('token', name='uq_import_batch_token')
    )
    op.create_index('ix_import_batch_agency_id', 'import_batch', ['agency_id'], unique=False)


def downgrade():
    op.drop_index('ix_import_batch_agency_id', table_name='import_batch')
    op.drop_table('import_batch')
    op.drop_table('saved_import_mapping')
