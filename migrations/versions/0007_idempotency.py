"""idempotency: the Idempotency-Key of each report created through the API, unique per user

Revision ID: 0007_idempotency
Revises: 0006_validation
Create Date: 2026-11-28 05:50:00

A new table only; existing reports have no key.
"""
from alembic import op
import sqlalchemy as sa

from app.database import UTCDateTime

revision = '0007_idempotency'
down_revision = '0006_validation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'idempotency_keys',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('request_hash', sa.String(length=64), nullable=False),
        sa.Column('report_id', sa.String(length=36), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['seizure_reports.id'],
                                name=op.f('fk_idempotency_keys_report_id_seizure_reports'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotency_keys_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'key', name=op.f('pk_idempotency_keys')),
    )
    op.create_index(op.f('ix_idempotency_keys_report_id'), 'idempotency_keys', ['report_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_idempotency_keys_report_id'), table_name='idempotency_keys')
    op.drop_table('idempotency_keys')
