"""Audit records and the head of their hash chain.

Records have no foreign keys: a record outlives the user, report or organisation it names, and the
database must never rewrite it (ON DELETE SET NULL would be an UPDATE, which the triggers refuse).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime
from app.extensions import db

OUTCOMES = ("success", "failure", "denied")
GENESIS_HASH = "0" * 64  # the prev_hash of record 1


class AuditRecord(db.Model):
    __tablename__ = "audit_records"
    __table_args__ = (CheckConstraint("outcome IN ('success', 'failure', 'denied')", name="outcome"),)

    # Assigned by the appender (head + 1) under the chain lock, not by the database: ids are gap-free.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_email: Mapped[str | None] = mapped_column(String(254))  # snapshot: the login at the time
    organisation_id: Mapped[int | None] = mapped_column(Integer, index=True)  # the actor's organisation
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    subject_ref: Mapped[str | None] = mapped_column(String(254), index=True)  # a report reference, an email…
    subject_organisation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON)
    # One successor per record: the unique prev_hash makes a fork impossible even past the lock.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditChainHead(db.Model):
    """One row (id 1): the last record's id and hash. Appenders lock it (SELECT … FOR UPDATE on
    PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers), and `verify` checks the last
    record against it, so removing records at the end of the chain is detected too."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditJournalPosition(db.Model):
    """How far each read journal (app.audit.journal) has been moved into the chain: written in the
    transaction that appends its records, so a journal line becomes a record exactly once."""

    __tablename__ = "audit_journal_positions"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)  # the journal file's name
    moved: Mapped[int] = mapped_column(BigInteger)  # bytes of the file already in the chain
