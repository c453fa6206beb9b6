"""Idempotent report creation: a client that lost the answer to POST /api/v1/seizures (a dropped
connection, a server process that died) sends the same request again with the same Idempotency-Key and
gets the report the first request created, never a second one.

The key is written in the transaction that creates the report, with a primary key of (user, key): either
the report and its key were both committed or neither was, and two requests with one key cannot both
commit. The hash of the request body is kept with the key, so that a key reused for a different report
is refused instead of answered with a report the client did not send.
"""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import insert

from app.database import utcnow
from app.errors import ValidationFailed
from app.extensions import db
from app.seizures.models import IdempotencyKey, SeizureReport
from app.users.models import User

HEADER = "Idempotency-Key"


def request_hash(body: dict) -> str:
    """The body's hash, independent of key order and whitespace."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def earlier_report(user: User, key: str, body_hash: str) -> SeizureReport | None:
    """The report an earlier request of `user` with `key` created, or None."""
    record = db.session.get(IdempotencyKey, (user.id, key))
    if record is None:
        return None
    if record.request_hash != body_hash:
        raise ValidationFailed("the idempotency key was used before", {
            HEADER: ["was sent before with a different request body; use a new key for a new report"]})
    return record.report


def remember(user: User, key: str, body_hash: str, report: SeizureReport) -> None:
    """Store the key with the new report (at once: a concurrent request that committed the same key
    first makes this raise IntegrityError)."""
    db.session.connection().execute(_INSERT, {"user_id": user.id, "key": key, "request_hash": body_hash,
                                              "report_id": report.id, "created_at": utcnow()})


_INSERT = insert(IdempotencyKey.__table__)
