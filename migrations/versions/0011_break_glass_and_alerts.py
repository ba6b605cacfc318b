"""Break-glass looks at a case and alerts to the coordinator (SECURITY Z7, Z8), and a severity on
audit events so that high-severity ones can be found.

The severity is added beside the existing rows, which keep their hashes: the chain hashes a field
added later only where it is set.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 17:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('audit_event', sa.Column('severity', sa.String(length=10), nullable=True))
    op.create_table('break_glass_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['marac_case.id'], name='fk_break_glass_grant_case_id_marac_case'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name='fk_break_glass_grant_user_id_user_account'),
    sa.PrimaryKeyConstraint('id', name='pk_break_glass_grant')
    )
    op.create_index('ix_break_glass_grant_case_id', 'break_glass_grant', ['case_id'], unique=False)
    op.create_index('ix_break_glass_grant_user_id', 'break_glass_grant', ['user_id'], unique=False)
    op.create_table('security_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('object_type', sa.String(length=60), nullable=True),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=True),
    sa.Column('seen_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['seen_by_id'], ['user_account.id'], name='fk_security_alert_seen_by_id_user_account'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name='fk_security_alert_user_id_user_account'),
    sa.PrimaryKeyConstraint('id', name='pk_security_alert')
    )
    op.create_index('ix_security_alert_raised_at', 'security_alert', ['raised_at'], unique=False)
    op.create_index('ix_security_alert_user_id', 'security_alert', ['user_id'], unique=False)


def downgrade():
    op.drop_index('ix_security_alert_user_id', table_name='security_alert')
    op.drop_index('ix_security_alert_raised_at', table_name='security_alert')
    op.drop_table('security_alert')
    op.drop_index('ix_break_glass_grant_user_id', table_name='break_glass_grant')
    op.drop_index('ix_break_glass_grant_case_id', table_name='break_glass_grant')
    op.drop_table('break_glass_grant')
    # In place, not by copying the table: a copy would lose the triggers that keep the trail append-only.
    op.execute('ALTER TABLE audit_event DROP COLUMN severity')
