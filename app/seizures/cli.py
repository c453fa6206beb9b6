from __future__ import annotations

import click
from flask.cli import AppGroup

from app.cli_support import write_command
from app.seizures import documents

seizures_cli = AppGroup("seizures", help="Seizure reports: maintenance.")


@seizures_cli.command("store-documents")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 10_000))
@write_command
def store_documents(batch_size: int) -> None:
    """Store the API document of every report that has no current one (app.seizures.documents): reports
    stored before ELIX kept them, of an older document format, or whose last change search has not
    indexed (Elasticsearch down). Their API reads (detail and list) then skip loading the report; until
    then they read as before. Safe while the app serves."""
    done = 0
    for done in documents.store_missing(batch_size):
        click.echo(f"  {done} reports…")
    click.echo(f"stored the documents of {done} reports")
