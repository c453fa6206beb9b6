"""`flask search reindex | sync [--once] | status`."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import delete, func, select

from app.extensions import db
from app.search import services
from app.search.models import SearchOutbox
from search import outbox

search_cli = AppGroup("search", help="Search index: rebuild, sync from the outbox, status.")


@search_cli.command("reindex")
def reindex() -> None:
    """Rebuild the search index from every report (searches keep answering meanwhile)."""
    started = time.perf_counter()
    last_row = db.session.scalar(select(func.max(SearchOutbox.id))) or 0
    db.session.commit()
    backend = services.get_backend(committing=True)
    read: list[str] = []

    def documents() -> Iterator[dict]:
        # The report ids are read once the rebuild has started (Elasticsearch: its new index already
        # receives every change), never before: a report created in between would be in neither.
        read.extend(services.all_report_ids())
        db.session.commit()
        yield from services.documents_for(read)

    count = backend.rebuild(documents())
    # Belt and braces: any report the rebuild did not read (created while it ran) is indexed now.
    created = sorted(set(services.all_report_ids()) - set(read))
    if created:
        count += backend.index(services.documents_for(created))
    # Rows enqueued before the rebuild read the reports are covered by it.
    db.session.execute(delete(SearchOutbox).where(SearchOutbox.id <= last_row))
    db.session.commit()
    elapsed = time.perf_counter() - started
    click.echo(f"reindexed {count} reports into the {backend.name} backend in {elapsed:.1f} s "
               f"({count / elapsed if elapsed else 0:.0f} documents/s)")


@search_cli.command("sync")
@click.option("--once", is_flag=True, help="drain the outbox and exit instead of running until stopped")
@click.option("--batch-size", default=500, show_default=True)
@click.option("--retry-failed", is_flag=True, help="put rows the engine refused back in line first")
def sync(once: bool, batch_size: int, retry_failed: bool) -> None:
    """Bring the search index up to date from the outbox."""
    if retry_failed:
        click.echo(f"{outbox.retry_failed(db.session.connection())} failed rows back in line")
        db.session.commit()
    worker = services.worker(current_app, batch_size=batch_size)
    if once:
        try:
            done = worker.drain()
        except Exception as exc:  # noqa: BLE001 - say why; the rows stay in the outbox
            raise click.ClickException(f"sync failed ({type(exc).__name__}: {exc}); the outbox keeps the rows") from exc
        click.echo(f"synced {done.rows} outbox rows: {done.indexed} documents indexed, {done.deleted} removed")
        return
    stop = threading.Event()
    click.echo("syncing the search index from the outbox (Ctrl-C stops)")
    try:
        worker.run(stop)
    except KeyboardInterrupt:
        stop.set()


@search_cli.command("status")
@click.option("--json", "as_json", is_flag=True)
def status(as_json: bool) -> None:
    """Backend, document count and outbox lag."""
    info = services.status()
    if as_json:
        click.echo(json.dumps(info))
        return
    click.echo(f"backend: {info['backend']} ({'reachable' if info['ok'] else 'NOT reachable'})")
    click.echo(f"documents: {info['documents'] if info['documents'] is not None else 'unknown'}")
    click.echo(f"outbox: {info['outbox']['rows']} rows waiting, oldest {info['outbox']['oldest_seconds']:.0f} s")
    if info["outbox"]["failed"]:
        click.echo(f"failed: {info['outbox']['failed']} rows refused by the engine, left aside "
                   "(fix the cause, then `flask search sync --retry-failed` or `flask search reindex`):")
        for row in info["failed"]:
            click.echo(f"  report {row['report_id']}: {row['error']} ({row['attempts']} attempts)")
