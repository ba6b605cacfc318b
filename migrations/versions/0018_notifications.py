"""In-app notifications, per user: a message naming no person, a link, the case it is about (if any),
and when it was read.

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-08 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=300), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('case_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name='fk_notification_user_id_user_account'),
    sa.PrimaryKeyConstraint('id', name='pk_notification')
    )
    op.create_index('ix_notification_user_unread', 'notification', ['user_id', 'read_at'], unique=False)


def downgrade():
    op.drop_index('ix_notification_user_unread', table_name='notification')
    op.drop_table('notification')
