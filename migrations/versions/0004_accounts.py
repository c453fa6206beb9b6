"""accounts: sign-in sessions, second factor, lockout, token scopes and expiry, password links, rate limits

Revision ID: 0004_accounts
Revises: 0003_products
Create Date: 2026-11-28 02:36:46

Columns are added with ALTER TABLE ... ADD COLUMN and dropped with ALTER TABLE ... DROP COLUMN (SQLite
3.35+) rather than Alembic's batch copy: copying `users` on SQLite would drop the table that tokens,
reports and sessions point at, and with foreign keys on that deletes rows.
"""
from alembic import op
import sqlalchemy as sa

from app.database import UTCDateTime

revision = '0004_accounts'
down_revision = '0003_products'
branch_labels = None
depends_on = None


def _user_columns():
    return [
        sa.Column('deactivated_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False),
        sa.Column('locked_until', UTCDateTime(timezone=True), nullable=True),
        sa.Column('password_changed_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('totp_secret', sa.String(length=64), nullable=True),
        sa.Column('totp_enabled_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('totp_last_counter', sa.BigInteger(), nullable=True),
    ]


def _token_columns():
    return [
        sa.Column('scope', sa.String(length=8), server_default='write', nullable=False),
        sa.Column('expires_at', UTCDateTime(timezone=True), nullable=True),
    ]


def upgrade():
    op.create_table(
        'rate_limit_counters',
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('window_start', sa.BigInteger(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counters')),
    )
    op.create_index(op.f('ix_rate_limit_counters_window_start'), 'rate_limit_counters', ['window_start'])

    op.create_table(
        'password_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_password_links_created_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_links_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_links')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_password_links_token_hash')),
    )
    op.create_index(op.f('ix_password_links_user_id'), 'password_links', ['user_id'])

    op.create_table(
        'recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    )
    op.create_index(op.f('ix_recovery_codes_user_id'), 'recovery_codes', ['user_id'])

    op.create_table(
        'user_sessions',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('ended_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('ended_reason', sa.String(length=32), nullable=True),
        sa.Column('address', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    )
    op.create_index(op.f('ix_user_sessions_user_id'), 'user_sessions', ['user_id'])

    for column in _token_columns():
        op.add_column('api_tokens', column)
    for column in _user_columns():
        op.add_column('users', column)


def downgrade():
    for column in reversed(_user_columns()):
        op.execute(f'ALTER TABLE users DROP COLUMN {column.name}')
    for column in reversed(_token_columns()):
        op.execute(f'ALTER TABLE api_tokens DROP COLUMN {column.name}')
    for table in ('user_sessions', 'recovery_codes', 'password_links'):
        op.drop_index(op.f(f'ix_{table}_user_id'), table_name=table)
        op.drop_table(table)
    op.drop_index(op.f('ix_rate_limit_counters_window_start'), table_name='rate_limit_counters')
    op.drop_table('rate_limit_counters')
