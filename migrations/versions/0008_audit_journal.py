"""audit journal: how far each process's journal of read records has been moved into the chain

Revision ID: 0008_audit_journal
Revises: 0007_idempotency
Create Date: 2026-12-07 01:00:00

A new table only (app.audit.journal).
"""
from alembic import op
import sqlalchemy as sa

revision = '0008_audit_journal'
down_revision = '0007_idempotency'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_journal_positions',
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('moved', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_audit_journal_positions')),
    )


def downgrade():
    op.drop_table('audit_journal_positions')
