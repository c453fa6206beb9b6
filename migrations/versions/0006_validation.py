"""validation: four-eyes validation history, report editors, the returned state, a search column

Revision ID: 0006_validation
Revises: 0005_audit
Create Date: 2026-11-28 05:45:00

`seizure_reports.returned_at` is added with ALTER TABLE ... ADD COLUMN (no batch copy: copying the
reports table would cascade-delete its children). `report_editors` starts with each report's creator:
who changed a report before this migration is not known. The embedded search backend's documents get a
`validation` column filled from their status (nothing was returned before this migration).
"""
from alembic import op
import sqlalchemy as sa

from app.database import UTCDateTime

revision = '0006_validation'
down_revision = '0005_audit'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('seizure_reports', sa.Column('returned_at', UTCDateTime(timezone=True), nullable=True))
    op.create_table(
        'report_editors',
        sa.Column('report_id', sa.String(length=36), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['seizure_reports.id'],
                                name=op.f('fk_report_editors_report_id_seizure_reports'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_report_editors_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('report_id', 'user_id', name=op.f('pk_report_editors')),
    )
    op.create_index(op.f('ix_report_editors_user_id'), 'report_editors', ['user_id'], unique=False)
    op.execute("INSERT INTO report_editors (report_id, user_id) SELECT id, created_by_id FROM seizure_reports")
    op.create_table(
        'validation_actions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.String(length=36), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('report_version', sa.Integer(), nullable=False),
        sa.Column('checklist', sa.JSON(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_validation_actions_organisation_id_organisations')),
        sa.ForeignKeyConstraint(['report_id'], ['seizure_reports.id'],
                                name=op.f('fk_validation_actions_report_id_seizure_reports'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_validation_actions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_validation_actions')),
    )
    op.create_index('ix_validation_actions_report_id_id', 'validation_actions', ['report_id', 'id'], unique=False)
    op.add_column('search_documents', sa.Column('validation', sa.String(length=16), nullable=True))
    op.execute("UPDATE search_documents SET validation = CASE status WHEN 'validated' THEN 'validated' "
               "WHEN 'submitted' THEN 'awaiting' END")


def downgrade():
    op.execute('ALTER TABLE search_documents DROP COLUMN validation')
    op.drop_index('ix_validation_actions_report_id_id', table_name='validation_actions')
    op.drop_table('validation_actions')
    op.drop_index(op.f('ix_report_editors_user_id'), table_name='report_editors')
    op.drop_table('report_editors')
    op.execute('ALTER TABLE seizure_reports DROP COLUMN returned_at')
