"""Audit tests read the trail back with `records()`; page tests drive the app like a browser (tests.users)."""
from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select, text

from app.audit.models import AuditRecord
from app.extensions import db

from tests.users.conftest import Browser


def records(action: str | None = None) -> list:
    """The records of the test's transaction, oldest first (optionally one action's)."""
    stmt = select(AuditRecord.__table__).order_by(AuditRecord.id)
    if action:
        stmt = stmt.where(AuditRecord.action == action)
    return db.session.execute(stmt).all()


def last(action: str):  # noqa: ANN201
    found = records(action)
    assert found, f"no {action!r} record; actions on record: {[r.action for r in records()]}"
    return found[-1]


def drop_append_only_triggers() -> None:
    """What an attacker with DDL rights does first (inside the test's transaction: rolled back after it)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("DROP TRIGGER audit_records_no_update_delete ON audit_records"))
        db.session.execute(text("DROP TRIGGER audit_chain_head_no_delete ON audit_chain_head"))
    else:
        for name in ("audit_records_no_update", "audit_records_no_delete", "audit_chain_head_no_delete"):
            db.session.execute(text(f"DROP TRIGGER {name}"))


@pytest.fixture
def browser(app: Flask) -> Browser:
    return Browser(app, app.response_class, use_cookies=True)
