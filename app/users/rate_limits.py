"""Rate limits kept in the database, so that every worker process (and machine) agrees.

A fixed-window counter per subject: one row per key, written with a single upsert that either adds
one or starts a new window, and returns the count. The upsert is the first statement of its
transaction and is committed at once, so on SQLite it never upgrades a read snapshot to a write.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import case, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.users.models import RateLimitCounter

WINDOWS = {"second": 1, "minute": 60, "hour": 3600}
PURGE_EVERY_SECONDS = 600
_last_purge = 0.0


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit | None:
        """"30/minute" -> Limit(30, 60); "off" -> None."""
        if text.strip().lower() in {"off", "none", "0", ""}:
            return None
        count, _, window = text.partition("/")
        return cls(int(count), WINDOWS[window.strip().lower()])


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window ends (when refused)


def configured(name: str) -> Limit | None:
    return Limit.parse(str(current_app.config[name]))


def hit(checks: list[tuple[str, Limit | None]], now: float | None = None) -> Verdict:
    """Count one request against every (key, limit) and commit. Refused when any count is over."""
    checks = [(key[:120], limit) for key, limit in checks if limit is not None]
    if not checks:
        return Verdict(True, 0)
    now = time.time() if now is None else now
    rows = [{"key": key, "window_start": int(now // limit.seconds) * limit.seconds, "count": 1}
            for key, limit in checks]
    counts = _upsert(rows)
    _purge_now_and_then(now)
    db.session.commit()
    retry = 0
    for (key, limit), row in zip(checks, rows):
        if counts[key] > limit.count:
            retry = max(retry, row["window_start"] + limit.seconds - int(now))
    return Verdict(retry == 0, max(retry, 1) if retry else 0)


def _upsert(rows: list[dict]) -> dict[str, int]:
    table = RateLimitCounter.__table__
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).values(rows)
    same_window = table.c.window_start == statement.excluded.window_start
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"count": case((same_window, table.c.count + 1), else_=1),
              "window_start": statement.excluded.window_start},
    ).returning(table.c.key, table.c.count)
    return {key: count for key, count in db.session.execute(statement)}


def _purge_now_and_then(now: float) -> None:
    """Counters of subjects not seen for an hour go; once every ten minutes per process."""
    global _last_purge
    if now - _last_purge < PURGE_EVERY_SECONDS:
        return
    _last_purge = now
    db.session.execute(delete(RateLimitCounter).where(RateLimitCounter.window_start < int(now) - 3600))
