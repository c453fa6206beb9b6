"""Recording audit events and appending them to the hash chain.

`record(action, ...)` is the one way in. Inside a request it queues the record and the record is
appended in one of two places:

- in the request's own write transaction, just before it commits (a session `before_commit` hook),
  so a change and its record commit together or not at all; on SQLite only when the transaction was
  opened with write intent (BEGIN IMMEDIATE), on PostgreSQL always. If that append fails, the commit
  raises AuditUnavailable: the change is rolled back and the answer is a 503 that says so;
- otherwise when the response is ready (`after_request`): reads (GET), denials and refused writes.
  In a served process (gunicorn) the records go to the process's read journal (app.audit.journal):
  one line each in a file, written before the response leaves, moved into the chain a moment later
  by the journal's thread in one transaction for many reads. Where no journal thread runs (CLI,
  the test client, ELIX_AUDIT_JOURNAL=0) the request ends its read transaction and appends in a
  short write transaction of its own (a GET's transaction is deferred on SQLite; upgrading its
  snapshot to a write could fail with SQLITE_BUSY_SNAPSHOT, while a fresh BEGIN IMMEDIATE queues).

Either way the record is written before the response leaves, and a process that dies loses nothing
it answered (its journal is moved by the next process: app.audit.journal). If the write fails, the
response is replaced by a 503 that says so and the failure is logged: a read that could not be
recorded is not served (it is not turned into a silent 500, and the record is not silently
dropped). The records of a write transaction that rolled back are written afterwards with outcome
"failure".

Outside a request (CLI commands, workers) `record` appends at once in the caller's transaction, which
the command commits (services flush, the command commits).

Appending is serialised: the chain head row is read with SELECT … FOR UPDATE (PostgreSQL; SQLite's
write lock already serialises writers), and `prev_hash` is unique, so two appends can never fork
the chain. Ids are the head's last id + 1: gap-free and monotonic.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, time, timezone

from flask import Flask, Response, g, has_request_context, request
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import Select, and_, event, func, or_, select
from sqlalchemy.orm import Session

from app.audit.chain import append
from app.audit.journal import active as active_journal
from app.audit.models import OUTCOMES, AuditRecord
from app.database import day_after, has_write_intent, write_intent
from app.errors import AuditUnavailable, Forbidden
from app.extensions import db

log = logging.getLogger(__name__)

MAX_EXPORT_ROWS = 100_000  # a CSV export beyond this is a job for `flask audit export`
MAX_DETAIL_TEXT = 500  # characters of one detail string; details are small by contract
_CURRENT = object()  # "the signed-in user (or API token's user) of this request"


@dataclass(frozen=True)
class Subject:
    """What a record is about, when it is not a model object (e.g. an id a user named and may not see)."""

    type: str
    id: str | None = None
    ref: str | None = None
    organisation_id: int | None = None


def record(action: str, *, actor=_CURRENT, subject=None, outcome: str = "success",  # noqa: ANN001
           details: dict | None = None, address: str | None = None) -> None:
    """Record that `actor` (default: the request's user) did `action` to `subject` with `outcome`.

    `subject` is a model object (report, user, organisation, operation, conference, job, token) or a
    `Subject`; `details` a small dict of non-secret values (field names, a query — never persons'
    contents, passwords, tokens or codes). Actions are dotted names: "report.read", "search.export".
    Outside a request it appends at once to the caller's transaction: call it in a write transaction
    (`write_command`, `write_intent()`), as any other write outside a request.
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"audit outcome must be one of {OUTCOMES}, not {outcome!r}")
    entry = {"action": action[:64], "outcome": outcome, "details": _canonical_details(details or {}),
             "address": (address or _address())[:64], **_actor_fields(actor), **_subject_fields(subject)}
    if has_request_context():
        _pending().append(entry)
    else:
        append(db.session, [entry])


def _address() -> str:
    if not has_request_context():
        return "cli"
    from app.security import client_address

    return client_address()


def _actor_fields(actor) -> dict:  # noqa: ANN001
    if actor is _CURRENT:
        actor = current_actor()
    if actor is None:
        return {"actor_id": None, "actor_email": None, "organisation_id": None}
    return {"actor_id": actor.id, "actor_email": actor.email, "organisation_id": actor.organisation_id}


def current_actor():  # noqa: ANN201
    """The user a request acts as: the API token's user, else the signed-in user, else None."""
    if not has_request_context():
        return None
    user = g.get("api_user")
    if user is not None:
        return user
    from flask_login import current_user

    return current_user._get_current_object() if current_user.is_authenticated else None


_REF_ATTRIBUTES = ("reference", "code", "email")
_ORG_ATTRIBUTES = ("organisation_id", "lead_organisation_id", "organiser_id")


def _subject_fields(subject) -> dict:  # noqa: ANN001
    if subject is None:
        return {"subject_type": None, "subject_id": None, "subject_ref": None, "subject_organisation_id": None}
    if not isinstance(subject, Subject):
        subject = _describe(subject)
    return {"subject_type": subject.type[:32], "subject_id": None if subject.id is None else str(subject.id)[:64],
            "subject_ref": None if subject.ref is None else str(subject.ref)[:254],
            "subject_organisation_id": subject.organisation_id}


def _describe(obj) -> Subject:  # noqa: ANN001
    from app.organisations.models import Organisation

    kind = {"SeizureReport": "report", "ApiToken": "token"}.get(type(obj).__name__, type(obj).__name__.lower())
    ref = next((getattr(obj, a) for a in _REF_ATTRIBUTES if getattr(obj, a, None)), None)
    if isinstance(obj, Organisation):
        organisation_id = obj.id
    else:
        organisation_id = next((getattr(obj, a) for a in _ORG_ATTRIBUTES if getattr(obj, a, None)), None)
    if organisation_id is None and getattr(obj, "user", None) is not None:  # tokens, sessions
        organisation_id = obj.user.organisation_id
    return Subject(kind, getattr(obj, "id", None), ref, organisation_id)


def _canonical_details(details: dict) -> dict:
    """JSON-safe and small: what is hashed is exactly what the database gives back."""
    def shorten(value):  # noqa: ANN001,ANN202
        if isinstance(value, str):
            return value[:MAX_DETAIL_TEXT]
        if isinstance(value, dict):
            return {str(k): shorten(v) for k, v in value.items()}
        if isinstance(value, (list, tuple, set, frozenset)):
            items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
            return [shorten(v) for v in items]
        return value

    return json.loads(json.dumps(shorten(details), default=str))


# --- request plumbing ------------------------------------------------------------------------------

def _pending() -> list[dict]:
    if "audit_pending" not in g:
        g.audit_pending = []
    return g.audit_pending


def _joins_commit(session: Session) -> bool:
    """On SQLite only a transaction opened with BEGIN IMMEDIATE may write without risking its snapshot."""
    return session.get_bind().dialect.name != "sqlite" or has_write_intent()


def _before_commit(session: Session) -> None:
    if not has_request_context() or not g.get("audit_pending") or not _joins_commit(session):
        return
    entries, g.audit_pending = g.audit_pending, []
    g.audit_in_flight = g.get("audit_in_flight", []) + entries
    try:
        append(session, entries)
    except Exception as exc:  # noqa: BLE001  (any failure: the change is not made, and the user is told)
        log.exception("audit records of %s %s could not be written; the change is rolled back",
                      request.method, request.path)
        raise AuditUnavailable("the audit trail could not be written, so nothing was changed; try again") from exc


def _after_commit(_session: Session) -> None:
    if has_request_context():
        g.pop("audit_in_flight", None)


def _after_rollback(_session: Session) -> None:
    """Records of a write transaction that rolled back (queued during it, or appended to it) are
    recorded anyway, as failures: the action was attempted and did not happen."""
    if not has_request_context():
        return
    failed = g.pop("audit_in_flight", [])
    if has_write_intent():
        failed += g.pop("audit_pending", [])
    if failed:
        _pending().extend({**entry, "outcome": "failure" if entry["outcome"] == "success" else entry["outcome"],
                           "details": {**entry["details"], "rolled_back": True}} for entry in failed)


def _write_pending(response: Response) -> Response:
    if not g.get("audit_pending") and not g.get("audit_in_flight"):
        return response
    try:
        journal = active_journal()
        if journal is None or has_write_intent():
            _end_transaction()  # records in flight in a commit that failed become failures (_after_rollback)
        entries, g.audit_pending = g.get("audit_pending", []), []
        if not entries:
            return response
        if journal is not None:
            journal.write(entries)  # moved into the chain by the process's journal thread
        else:
            with write_intent():
                append(db.session, entries)
                db.session.commit()
    except Exception:  # noqa: BLE001  (any failure: the request is not served, never silently)
        log.exception("audit records of %s %s could not be written", request.method, request.path)
        db.session.rollback()
        return _unavailable()
    return response


def _end_transaction() -> None:
    """End the request's transaction before the audit write: a write the view did not commit (refused,
    failed) is discarded as teardown would discard it; a read has nothing to keep and just ends."""
    if has_write_intent():
        db.session.rollback()
    else:
        db.session.commit()


def _unavailable() -> Response:
    from flask import render_template

    if request.path.startswith("/api/"):
        from app.api import error_response

        return error_response(503, "audit_unavailable", "the audit trail could not be written; try again")
    body = render_template("errors/error.html", title="Not available",
                           message="This could not be recorded in the audit trail, so it was not shown. Try again.")
    return Response(body, status=503, mimetype="text/html")


def _record_denial(response: Response) -> Response:
    """Every 403 is a permission denial on record (404s for invisible ids are recorded where they are known:
    app.seizures.services)."""
    if response.status_code == 403:
        record("permission.denied", outcome="denied",
               details={"method": request.method, "endpoint": request.endpoint, "path": request.path})
    return response


def init_app(app: Flask) -> None:
    @app.after_request
    def _audit_after_request(response: Response) -> Response:
        return _write_pending(_record_denial(response))


event.listen(FlaskSession, "before_commit", _before_commit)
event.listen(FlaskSession, "after_commit", _after_commit)
event.listen(FlaskSession, "after_rollback", _after_rollback)


# --- reading the trail -----------------------------------------------------------------------------

def require_trail_reader(user) -> None:  # noqa: ANN001
    if not (user.has_role("manager") or user.has_role("sysadmin")):
        raise Forbidden("only managers and system administrators read the audit trail")


def trail_query(user, filters: dict) -> Select:  # noqa: ANN001
    """The records `user` may read, newest first: a sysadmin all of them; a manager those whose actor
    belongs to their organisation or whose subject does (its report, user, operation…). Others: Forbidden."""
    require_trail_reader(user)
    stmt = select(AuditRecord.__table__).order_by(AuditRecord.id.desc())
    if not user.has_role("sysadmin"):
        org = user.organisation_id
        # A denied access names a report of another organisation (app.seizures.services._record_invisible):
        # it is its owner's record. In the actor's organisation's trail it would name reports that do not
        # exist for them, and whether it appears would tell which references exist.
        own_actions = and_(AuditRecord.organisation_id == org, AuditRecord.action != "report.access")
        stmt = stmt.where(or_(own_actions, AuditRecord.subject_organisation_id == org))
    return stmt.where(*_conditions(filters))


def _conditions(filters: dict) -> list:
    conditions = []
    if filters.get("actor"):
        conditions.append(func.lower(AuditRecord.actor_email).contains(filters["actor"].lower(), autoescape=True))
    action = (filters.get("action") or "").lower()  # actions are lower case; LIKE ignored case on SQLite only
    if action:
        conditions.append(AuditRecord.action.startswith(action, autoescape=True) if action.endswith(".")
                          else AuditRecord.action == action)
    if filters.get("outcome"):
        conditions.append(AuditRecord.outcome == filters["outcome"])
    if filters.get("subject"):
        conditions.append(or_(AuditRecord.subject_ref == filters["subject"],
                              AuditRecord.subject_id == filters["subject"]))
    if filters.get("date_from"):
        conditions.append(AuditRecord.at >= datetime.combine(filters["date_from"], time.min, timezone.utc))
    if filters.get("date_to") and (after := day_after(filters["date_to"])):
        conditions.append(AuditRecord.at < datetime.combine(after, time.min, timezone.utc))
    return conditions


def trail_page(user, filters: dict) -> tuple[list, int]:  # noqa: ANN001
    """One page of the trail and the total; reading it is itself on record."""
    stmt = trail_query(user, filters)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    per_page = filters["per_page"]
    rows = db.session.execute(stmt.limit(per_page).offset((filters["page"] - 1) * per_page)).all()
    record("audit.view", actor=user, details=_filter_details(filters))
    return rows, int(total)


def trail_rows(user, filters: dict, limit: int = MAX_EXPORT_ROWS) -> list:  # noqa: ANN001
    """The records of a CSV export (newest first, at most `limit`); the export is on record."""
    rows = db.session.execute(trail_query(user, filters).limit(limit)).all()
    record("audit.export", actor=user, details={**_filter_details(filters), "rows": len(rows)})
    return rows


def _filter_details(filters: dict) -> dict:
    return {key: value.isoformat() if hasattr(value, "isoformat") else value
            for key, value in filters.items() if value is not None}


def organisation_codes(rows: list) -> dict[int, str]:
    """id -> code of the organisations the rows name (actors' and subjects')."""
    from app.organisations.models import Organisation

    ids = {row.organisation_id for row in rows} | {row.subject_organisation_id for row in rows}
    ids.discard(None)
    if not ids:
        return {}
    return dict(db.session.execute(select(Organisation.id, Organisation.code).where(Organisation.id.in_(ids))).all())
