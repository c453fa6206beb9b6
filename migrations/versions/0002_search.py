"""search: the outbox and the embedded backend's tables (FTS5 on SQLite, tsvector on PostgreSQL)

Revision ID: 0002_search
Revises: 0001_initial
Create Date: 2026-11-28 02:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0002_search'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.String(length=36), nullable=False),
    sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_outbox'))
    )
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_outbox_report_id'), ['report_id'], unique=False)

    # The embedded backend's derived tables (search/backends/database_schema.py; not app models).
    op.create_table('search_documents',
    sa.Column('doc_no', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('live', sa.Boolean(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('organisation', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('distribution', sa.String(length=16), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('transport_mode', sa.String(length=16), nullable=True),
    sa.Column('seized_ts', sa.BigInteger(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('categories', sa.Text(), nullable=False),
    sa.Column('subcategories', sa.Text(), nullable=False),
    sa.Column('route_countries', sa.Text(), nullable=False),
    sa.Column('detection_methods', sa.Text(), nullable=False),
    sa.Column('concealment_methods', sa.Text(), nullable=False),
    sa.Column('operations', sa.Text(), nullable=False),
    sa.Column('operation_ids', sa.Text(), nullable=False),
    sa.Column('max_quantity', sa.Float(), nullable=False),
    sa.Column('display', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('doc_no'),
    sa.UniqueConstraint('id')
    )
    op.create_index('ix_search_documents_seq', 'search_documents', ['seq'])
    op.create_table('search_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doc_no', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('subcategory', sa.String(length=24), nullable=True),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('quantity', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['doc_no'], ['search_documents.doc_no'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_search_items_doc_no', 'search_items', ['doc_no'])
    op.create_table('search_batches',
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('stamp', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.create_table('search_text',
        sa.Column('doc_no', sa.Integer(), nullable=False),
        sa.Column('tsv', postgresql.TSVECTOR(), nullable=False),
        sa.ForeignKeyConstraint(['doc_no'], ['search_documents.doc_no'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('doc_no')
        )
        op.create_index('ix_search_text_tsv', 'search_text', ['tsv'], postgresql_using='gin')
    else:
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(stems, raw, persons, "
                   "tokenize='unicode61 remove_diacritics 2')")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_search_text_tsv', table_name='search_text', postgresql_using='gin')
        op.drop_table('search_text')
    else:
        op.execute("DROP TABLE search_fts")
    op.drop_table('search_batches')
    op.drop_index('ix_search_items_doc_no', table_name='search_items')
    op.drop_table('search_items')
    op.drop_index('ix_search_documents_seq', table_name='search_documents')
    op.drop_table('search_documents')
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_outbox_report_id'))
    op.drop_table('search_outbox')
