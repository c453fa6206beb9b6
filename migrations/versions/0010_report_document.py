"""seizure reports keep their API document, stored by the change that made it

Revision ID: 0010_report_document
Revises: 0009_outbox_source
Create Date: 2026-12-07 09:30:00

One nullable column (app.seizures.documents): the detail read serves it when its version is the
report's, and reads the report through the ORM otherwise, so reports stored before this revision read
as before until their next change or `flask seizures store-documents`.
"""
from alembic import op
import sqlalchemy as sa

revision = '0010_report_document'
down_revision = '0009_outbox_source'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('seizure_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('seizure_reports', schema=None) as batch_op:
        batch_op.drop_column('document')
