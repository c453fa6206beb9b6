from __future__ import annotations

import click
from flask.cli import AppGroup

from app import vocabularies as vocab
from app.cli_support import fail_on_validation, write_command
from app.extensions import db
from app.organisations.services import create_organisation

orgs_cli = AppGroup("orgs", help="Manage organisations.")


@orgs_cli.command("create")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice(list(vocab.ORGANISATION_KINDS)))
@click.option("--country", default=None, help="ISO 3166-1 alpha-2; defaults to CODE for administrations")
@write_command
def create(code: str, name: str, kind: str, country: str | None) -> None:
    with fail_on_validation():
        org = create_organisation(code, name, kind, country)
    db.session.commit()
    click.echo(f"created organisation {org.code} ({org.kind})")
