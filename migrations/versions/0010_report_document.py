"""report documents: each report's API document, stored by the change that made it

Revision ID: 0010_report_document
Revises: 0009_outbox_source
Create Date: 2026-12-07 09:30:00

Derived data (app.seizures.documents): the detail read serves a report's document while it shows the
report's version, and reads the report through the ORM otherwise, so reports stored before this
revision read as before until their next change or `flask seizures store-documents`.
"""
from alembic import op
import sqlalchemy as sa

revision = '0010_report_document'
down_revision = '0009_outbox_source'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_documents',
    sa.Column('report_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('format', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['seizure_reports.id'], name=op.f('fk_report_documents_report_id_seizure_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', name=op.f('pk_report_documents'))
    )


def downgrade():
    op.drop_table('report_documents')
