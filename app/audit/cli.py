"""`flask audit verify`, `flask audit export` and `flask audit recover-journals`."""
from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from app import audit
from app.audit.chain import as_json, records_since, verify
from app.audit.journal import directory_of, recover
from app.database import write_intent
from app.extensions import db

audit_cli = AppGroup("audit", help="Verify and export the audit trail; move left-over read journals.")


@audit_cli.command("verify")
def verify_chain() -> None:
    """Walk the hash chain; exit 1 naming the first changed, removed or inserted record."""
    verdict = verify(db.session)
    if not verdict.ok:
        click.echo(f"audit trail BROKEN at record {verdict.bad_id}: {verdict.problem} "
                   f"({verdict.checked} records before it verified)", err=True)
        sys.exit(1)
    click.echo(f"audit trail verified: {verdict.checked} records, chain intact")


@audit_cli.command("export")
@click.option("--since", type=click.IntRange(min=0), default=0, show_default=True,
              help="export the records after this id (the last id a previous export wrote)")
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-",
              help="a file to write (default: standard output)")
def export(since: int, output) -> None:  # noqa: ANN001
    """Write the records as JSON lines, oldest first, with prev_hash and hash so the receiver can verify them."""
    written, last = 0, since
    for row in records_since(db.session, since):
        output.write(json.dumps(as_json(row), ensure_ascii=False, sort_keys=True) + "\n")
        written, last = written + 1, row.id
    output.flush()
    db.session.commit()  # end the read before the (short) write that puts the export on record
    with write_intent():
        audit.record("audit.export", details={"since": since, "last": last, "rows": written, "to": "json-lines"})
        db.session.commit()
    click.echo(f"exported {written} records after {since} (last id {last})", err=True)


@audit_cli.command("recover-journals")
def recover_journals() -> None:
    """Move into the chain the read journals of server processes that are gone (app.audit.journal).
    Served processes do this themselves at start and every 30 s; this is for a stopped deployment."""
    directory = directory_of(current_app)
    moved = recover(directory) if directory.is_dir() else 0
    click.echo(f"{moved} journal(s) of stopped processes moved into the audit trail ({directory})")
