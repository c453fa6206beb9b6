"""audit: the hash-chained audit trail, its chain head, and triggers that refuse UPDATE and DELETE

Revision ID: 0005_audit
Revises: 0004_accounts
Create Date: 2026-11-28 05:30:00

The triggers make the table append-only for the application's own database role too: a bug or a
stray `DELETE` cannot rewrite history. They do not stop someone who may drop triggers (see docs/audit.md).
"""
from alembic import op
import sqlalchemy as sa

from app.database import UTCDateTime

revision = '0005_audit'
down_revision = '0004_accounts'
branch_labels = None
depends_on = None

REFUSAL = 'audit records are append-only'

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER audit_records_no_{verb} BEFORE {verb.upper()} ON audit_records "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    for verb in ('update', 'delete')
] + [
    "CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head "
    "BEGIN SELECT RAISE(ABORT, 'the audit chain head cannot be deleted'); END"
]

POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION audit_records_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$""",
    "CREATE TRIGGER audit_records_no_update_delete BEFORE UPDATE OR DELETE ON audit_records "
    "FOR EACH ROW EXECUTE FUNCTION audit_records_refuse()",
    "CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_records_refuse()",
    "CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE OR TRUNCATE ON audit_chain_head "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_records_refuse()",
]


def upgrade():
    op.create_table(
        'audit_records',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_email', sa.String(length=254), nullable=True),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('subject_type', sa.String(length=32), nullable=True),
        sa.Column('subject_id', sa.String(length=64), nullable=True),
        sa.Column('subject_ref', sa.String(length=254), nullable=True),
        sa.Column('subject_organisation_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.CheckConstraint("outcome IN ('success', 'failure', 'denied')", name=op.f('ck_audit_records_outcome')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_records')),
        sa.UniqueConstraint('hash', name=op.f('uq_audit_records_hash')),
        sa.UniqueConstraint('prev_hash', name=op.f('uq_audit_records_prev_hash')),
    )
    for column in ('action', 'actor_id', 'at', 'organisation_id', 'subject_organisation_id', 'subject_ref'):
        op.create_index(op.f(f'ix_audit_records_{column}'), 'audit_records', [column])

    head = op.create_table(
        'audit_chain_head',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last_id', sa.Integer(), nullable=False),
        sa.Column('last_hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head')),
    )
    op.bulk_insert(head, [{'id': 1, 'last_id': 0, 'last_hash': '0' * 64}])

    for statement in (POSTGRES_TRIGGERS if op.get_bind().dialect.name == 'postgresql' else SQLITE_TRIGGERS):
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER audit_chain_head_no_delete ON audit_chain_head')
        op.execute('DROP TRIGGER audit_records_no_truncate ON audit_records')
        op.execute('DROP TRIGGER audit_records_no_update_delete ON audit_records')
        op.execute('DROP FUNCTION audit_records_refuse()')
    else:
        for name in ('audit_chain_head_no_delete', 'audit_records_no_delete', 'audit_records_no_update'):
            op.execute(f'DROP TRIGGER {name}')
    op.drop_table('audit_chain_head')
    for column in ('subject_ref', 'subject_organisation_id', 'organisation_id', 'at', 'actor_id', 'action'):
        op.drop_index(op.f(f'ix_audit_records_{column}'), table_name='audit_records')
    op.drop_table('audit_records')
