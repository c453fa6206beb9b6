"""The outbox worker: brings the search backend up to date with the reports, without losing a change.

Every change to a report writes a row to `search_outbox` in the same transaction (app.search.services).
The worker takes rows in id order, takes the source record of each report once from its newest row
(a row may carry the record as its change saw it; a row without one has the *current* record loaded), so
the newest version wins however many rows a report has, indexes them in bulk, and deletes the rows only
after the backend accepted the documents. When the backend is down the rows stay, their attempts
grow, and `run` retries with exponential backoff. Documents carry the report's version and backends
never replace a newer version with an older one, so two workers racing cannot bring back old data.

A backend that writes to the outbox's own database (the embedded one) is drained `atomic`ally: the rows
are taken, indexed and deleted in one transaction. Concurrent workers then never index the same rows
twice (SQLite serialises writers; PostgreSQL's workers skip rows another one holds), and a failure rolls
back the documents with the deletion.

A document the engine refuses (a value its mapping cannot parse) must not block the rows behind it:
the other documents of the batch are kept, and the refused report's row is tried again up to
MAX_REFUSALS times, then left aside as *failed* with the engine's reason — shown by `flask search
status` and /healthz, retried by `flask search sync --retry-failed` or covered by `flask search reindex`
once the cause is fixed. An unreachable engine is not a refusal: those rows wait, however long.

No Flask here: the app passes a `transaction()` factory (a context manager giving a Connection and
committing on exit), the backend, `load_sources(report_ids) -> {id: source record}`, and may pass
`keep_sources(connection, {id: source record})`, called in the transaction that deletes a batch's rows
with the records of the reports it indexed (the app keeps them as its reports' stored API documents).
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import column, delete, func, select, table, update
from sqlalchemy.engine import Connection

from search.backends import DocumentsRefused, SearchBackend
from search.documents import build_document

log = logging.getLogger(__name__)

OUTBOX = table("search_outbox", column("id"), column("report_id"), column("enqueued_at"), column("attempts"),
               column("last_error"), column("source"))

MAX_REFUSALS = 3
REFUSED = "refused by the engine: "  # last_error prefix of a refusal (other failures: the exception)
Transaction = Callable[[], AbstractContextManager[Connection]]
LoadSources = Callable[[list[str]], dict[str, dict]]
KeepSources = Callable[[Connection, dict[str, dict]], None]
Prepared = dict[str, tuple[dict, dict] | None]  # by report: its source record and search document, or None (gone)


@dataclass(frozen=True)
class Drained:
    rows: int = 0
    indexed: int = 0
    deleted: int = 0


@dataclass(frozen=True)
class Lag:
    rows: int  # waiting to be indexed (failed rows not included)
    oldest: datetime | None
    failed: int = 0  # refused MAX_REFUSALS times: left aside until retried or reindexed

    @property
    def seconds(self) -> float:
        if self.oldest is None:
            return 0.0
        oldest = self.oldest if self.oldest.tzinfo else self.oldest.replace(tzinfo=timezone.utc)
        return max(0.0, (datetime.now(timezone.utc) - oldest).total_seconds())


def failed_clause():  # noqa: ANN201 - a SQL condition
    """Rows left aside: their report's document was refused MAX_REFUSALS times."""
    return (OUTBOX.c.attempts >= MAX_REFUSALS) & OUTBOX.c.last_error.like(REFUSED + "%")


def lag(connection: Connection) -> Lag:
    """How far the search backend is behind: rows waiting and the age of the oldest; failed rows apart."""
    rows, oldest = connection.execute(select(func.count(), func.min(OUTBOX.c.enqueued_at))
                                      .select_from(OUTBOX).where(~failed_clause())).one()
    if isinstance(oldest, str):  # SQLite without the column's type: ISO text
        oldest = datetime.fromisoformat(oldest)
    failed = connection.execute(select(func.count()).select_from(OUTBOX).where(failed_clause())).scalar_one()
    return Lag(int(rows), oldest, int(failed))


def failed_rows(connection: Connection, limit: int = 20) -> list[tuple[str, int, str]]:
    """(report id, attempts, reason) of failed rows, oldest first."""
    return [tuple(row) for row in connection.execute(
        select(OUTBOX.c.report_id, OUTBOX.c.attempts, OUTBOX.c.last_error).where(failed_clause())
        .order_by(OUTBOX.c.id).limit(limit))]


def retry_failed(connection: Connection) -> int:
    """Put failed rows back in line (after the cause was fixed); returns how many."""
    return connection.execute(update(OUTBOX).where(failed_clause()).values(attempts=0)).rowcount


class OutboxWorker:
    def __init__(self, transaction: Transaction, backend: SearchBackend, load_sources: LoadSources,
                 batch_size: int = 500, backoff: tuple[float, float] = (1.0, 60.0), *, atomic: bool = False,
                 peek: Transaction | None = None, keep_sources: KeepSources | None = None) -> None:
        self._transaction = transaction
        self.backend = backend
        self._load_sources = load_sources
        self._keep_sources = keep_sources
        self.batch_size = batch_size
        self.backoff = backoff
        self.atomic = atomic
        self._peek = peek  # a read-only transaction (on SQLite: no write lock) to look at the outbox's age

    def drain_once(self) -> Drained:
        """Process the oldest batch of rows. Raises when the backend (or the loader) fails; the rows
        then stay in the outbox with one more attempt recorded."""
        if self.atomic:
            return self._drain_once_atomic()
        with self._transaction() as connection:
            rows = connection.execute(self._oldest()).all()
        if not rows:
            return Drained()
        row_ids = [row.id for row in rows]
        try:
            prepared = self._prepare(rows)
            done, refused = self._index(rows, prepared)
            with self._transaction() as connection:
                self._settle(connection, rows, refused, prepared)
        except Exception as exc:
            self._record_failure(row_ids, exc)
            raise
        return done

    def _drain_once_atomic(self) -> Drained:
        """With `peek`, the batch's source records are loaded and their documents built first, in a read
        transaction: only writing them and deleting the rows hold the write lock (on SQLite, the lock every
        report's save waits for; loading was three quarters of a drain). The rows are then taken again
        in the write transaction; those another worker took meanwhile are left to it, and a report
        changed meanwhile has a newer row behind the batch (the backend never replaces a newer version)."""
        prepared, row_ids = None, []
        try:
            if self._peek is not None:
                with self._peek() as connection:
                    rows = connection.execute(self._oldest()).all()
                    if not rows:
                        return Drained()
                    row_ids = [row.id for row in rows]
                    prepared = self._prepare(rows)
            with self._transaction() as connection:
                taken = self._oldest() if prepared is None else self._oldest().where(OUTBOX.c.id.in_(row_ids))
                rows = connection.execute(taken.with_for_update(skip_locked=True)).all()
                if not rows:
                    return Drained()
                row_ids = [row.id for row in rows]
                prepared = prepared if prepared is not None else self._prepare(rows)
                done, refused = self._index(rows, prepared)
                self._settle(connection, rows, refused, prepared)
        except Exception as exc:
            if row_ids:
                self._record_failure(row_ids, exc)
            raise
        return done

    def _oldest(self):  # noqa: ANN202 - a Select
        return (select(OUTBOX.c.id, OUTBOX.c.report_id, OUTBOX.c.source).where(~failed_clause())
                .order_by(OUTBOX.c.id).limit(self.batch_size))

    def _prepare(self, rows: list) -> Prepared:
        """The source record and document of each report of `rows`, or None for a report that is gone. A
        report's newest row gives its source record when it carries one (written with the change); the
        others are loaded."""
        newest = {row.report_id: row for row in sorted(rows, key=lambda row: row.id)}
        sources = {i: json.loads(row.source) for i, row in newest.items() if row.source is not None}
        missing = [i for i in newest if i not in sources]
        if missing:
            sources.update(self._load_sources(missing))
        return {i: (sources[i], build_document(sources[i])) if i in sources else None for i in newest}

    def _index(self, rows: list, prepared: Prepared) -> tuple[Drained, DocumentsRefused | None]:
        """Index each report of `rows` once (its document from `prepared`); remove the reports that are
        gone. Documents the engine refused (the others were indexed) come back as the second value."""
        report_ids = list(dict.fromkeys(row.report_id for row in rows))
        documents = [prepared[i][1] for i in report_ids if prepared[i] is not None]
        gone = [i for i in report_ids if prepared[i] is None]
        refused = None
        try:
            indexed = self.backend.index(documents) if documents else 0
        except DocumentsRefused as exc:
            if not exc.ids:
                raise
            refused, indexed = exc, len(documents) - len(set(exc.ids))
        deleted = self.backend.delete(gone) if gone else 0
        log.info("search outbox: %d rows, %d documents indexed, %d removed", len(rows), indexed, deleted)
        return Drained(len(rows), indexed, deleted), refused

    def _settle(self, connection: Connection, rows: list, refused: DocumentsRefused | None, prepared: Prepared) -> None:
        """Delete the rows that are done (and hand their reports' source records to `keep_sources`); a
        refused report's rows record one more refusal and stay."""
        kept = [row.id for row in rows if refused is not None and row.report_id in refused.ids]
        done = [row.id for row in rows if row.id not in set(kept)]
        if done:
            connection.execute(delete(OUTBOX).where(OUTBOX.c.id.in_(done)))
            if self._keep_sources is not None:
                indexed = {row.report_id for row in rows} - {row.report_id for row in rows if row.id in kept}
                self._keep_sources(connection, {i: prepared[i][0] for i in indexed if prepared.get(i) is not None})
        if kept:
            reason = (REFUSED + (", ".join(refused.reasons) or "no reason given"))[:500]
            connection.execute(update(OUTBOX).where(OUTBOX.c.id.in_(kept))
                               .values(attempts=OUTBOX.c.attempts + 1, last_error=reason))
            log.warning("search outbox: the engine refused %d report(s) (%s): %s", len(refused.ids), reason,
                        ", ".join(refused.ids[:10]))

    def drain(self) -> Drained:
        """Process rows until the outbox is empty (rows added meanwhile included)."""
        total = Drained()
        while True:
            done = self.drain_once()
            if not done.rows:
                return total
            total = Drained(total.rows + done.rows, total.indexed + done.indexed, total.deleted + done.deleted)

    def run(self, stop: threading.Event, idle: float = 2.0, wake: threading.Event | None = None,
            settle: float = 0.0) -> None:
        """Drain until `stop` is set; wait `idle` seconds when there is nothing to do, and back off
        exponentially (up to backoff[1] seconds) while the backend or the database fails.

        With `wake` (set by whoever just committed outbox rows) and `peek`, a batch is drained once its
        oldest row is `settle` seconds old: a row costs several times less in a batch of twenty than
        alone, and the workers of every process, each woken by its own commits, drain together."""
        delay = self.backoff[0]
        while not stop.is_set():
            try:
                if self.drain_once().rows < self.batch_size:  # nothing more waiting yet
                    self._wait_for_batch(stop, idle, wake, settle)
            except Exception:  # noqa: BLE001 - keep the worker alive; the rows are still there
                log.warning("search outbox: sync failed, retrying in %.0f s", delay, exc_info=True)
                stop.wait(delay)
                delay = min(delay * 2, self.backoff[1])
                continue
            delay = self.backoff[0]

    def _wait_for_batch(self, stop: threading.Event, idle: float, wake: threading.Event | None,
                        settle: float) -> None:
        if wake is None or self._peek is None:
            stop.wait(idle)
            return
        while not stop.is_set():
            wake.wait(idle)
            wake.clear()  # before looking: a commit after the look wakes the next wait at once
            with self._peek() as connection:
                waiting = lag(connection)
            if waiting.rows:
                stop.wait(max(0.0, settle - waiting.seconds))
                return

    def _record_failure(self, row_ids: list[int], exc: Exception) -> None:
        try:
            with self._transaction() as connection:
                connection.execute(update(OUTBOX).where(OUTBOX.c.id.in_(row_ids))
                                   .values(attempts=OUTBOX.c.attempts + 1,
                                           last_error=f"{type(exc).__name__}: {exc}"[:500]))
        except Exception:  # noqa: BLE001 - the database may be the thing that is down
            log.warning("search outbox: could not record the failure", exc_info=True)
