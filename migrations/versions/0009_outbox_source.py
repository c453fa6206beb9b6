"""search outbox rows may carry the report's source record, as the change that wrote them saw it

Revision ID: 0009_outbox_source
Revises: 0008_audit_journal
Create Date: 2026-12-07 04:10:00

One nullable column (app.search.services.enqueue_reports): the worker indexes a row's source instead
of loading the report again; rows without one are loaded as before.
"""
from alembic import op
import sqlalchemy as sa

revision = '0009_outbox_source'
down_revision = '0008_audit_journal'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.drop_column('source')
