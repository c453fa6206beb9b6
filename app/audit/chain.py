"""The hash chain: appending records after the head, verifying the chain, reading it back in order.

Each record's `hash` is SHA-256 over the canonical JSON of its fields and `prev_hash`, the hash of the
record before it (64 zeros for record 1). Changing a record breaks its hash; removing or inserting one
breaks the link of the next; removing records at the end is caught by the head row, which names the
last record. docs/audit.md says what this does not protect against.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from app.audit.models import GENESIS_HASH, AuditChainHead, AuditRecord
from app.database import utcnow

HASHED_FIELDS = ("id", "at", "actor_id", "actor_email", "organisation_id", "action", "subject_type",
                 "subject_id", "subject_ref", "subject_organisation_id", "outcome", "address", "details",
                 "prev_hash")


def record_hash(fields: dict) -> str:
    """SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of the hashed fields."""
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["at"] = _timestamp(payload["at"])
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _timestamp(at: datetime) -> str:
    return at.astimezone(timezone.utc).isoformat(timespec="microseconds")


# Built once: every request that reads a report appends a record, and building these statements (and the
# ORM's handling of them) cost more than running them (~0.3 ms each against ~0.06 through Core).
_HEAD = (select(AuditChainHead.__table__.c.last_id, AuditChainHead.__table__.c.last_hash)
         .where(AuditChainHead.__table__.c.id == 1).with_for_update())
_INSERT = insert(AuditRecord.__table__)
_MOVE_HEAD = (update(AuditChainHead.__table__).where(AuditChainHead.__table__.c.id == 1)
              .values(last_id=bindparam("new_last_id"), last_hash=bindparam("new_last_hash")))


def append(session: Session, entries: list[dict]) -> list[int]:
    """Append `entries` after the chain head in the session's transaction; return their ids. An entry
    is stamped now unless it has its time (`at`: a read's record from the journal, app.audit.journal)."""
    connection = session.connection()
    last_id, last_hash = connection.execute(_HEAD).one()
    rows = []
    for entry in entries:
        row = {"at": utcnow(), **entry, "id": last_id + 1, "prev_hash": last_hash}  # journal entries have their time
        row["hash"] = record_hash(row)
        rows.append(row)
        last_id, last_hash = row["id"], row["hash"]
    connection.execute(_INSERT, rows)
    connection.execute(_MOVE_HEAD, {"new_last_id": last_id, "new_last_hash": last_hash})
    return [row["id"] for row in rows]


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    bad_id: int | None = None
    problem: str | None = None


def verify(session: Session, batch: int = 1000) -> Verdict:
    """Walk the chain from record 1 and name the first record that was changed, removed or inserted."""
    expected_id, last_hash, checked = 1, GENESIS_HASH, 0
    for row in records_since(session, 0, batch):
        if row.id != expected_id:
            return Verdict(False, checked, row.id, f"record {row.id} follows record {expected_id - 1}: "
                                                   f"record {expected_id} was removed")
        fields = {name: getattr(row, name) for name in HASHED_FIELDS}
        if row.prev_hash != last_hash:
            return Verdict(False, checked, row.id, f"record {row.id} does not chain to record {row.id - 1}: "
                                                   f"a record before it was inserted, removed or changed")
        if record_hash(fields) != row.hash:
            return Verdict(False, checked, row.id, f"record {row.id} was changed: its hash does not match its contents")
        expected_id, last_hash, checked = row.id + 1, row.hash, checked + 1
    head = session.execute(select(AuditChainHead.last_id, AuditChainHead.last_hash)
                           .where(AuditChainHead.id == 1)).one_or_none()
    if head is None or head.last_id != expected_id - 1 or head.last_hash != last_hash:
        last = head.last_id if head else "?"
        return Verdict(False, checked, expected_id, f"the chain head names record {last} but the chain ends at record "
                                                    f"{expected_id - 1}: records were removed or added at the end")
    return Verdict(True, checked)


def as_json(row) -> dict:  # noqa: ANN001
    """A record as the export and the API give it: every hashed field, and the hash."""
    fields = {name: getattr(row, name) for name in (*HASHED_FIELDS, "hash")}
    fields["at"] = _timestamp(fields["at"])
    return fields


def records_since(session: Session, since: int = 0, batch: int = 1000) -> Iterator:
    """Records after id `since`, in chain order, read `batch` at a time."""
    after = since
    while True:
        rows = session.execute(select(AuditRecord.__table__).where(AuditRecord.id > after)
                               .order_by(AuditRecord.id).limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].id
