from __future__ import annotations

import secrets

import click
from flask.cli import AppGroup

from app import vocabularies as vocab
from app.cli_support import fail_on_validation, write_command
from app.extensions import db
from app.users import services

users_cli = AppGroup("users", help="Manage users.")
tokens_cli = AppGroup("tokens", help="Manage personal API tokens.")


@users_cli.command("create")
@click.argument("email")
@click.option("--org", "org_code", required=True, help="organisation code, e.g. JM or JIO")
@click.option("--role", "roles", required=True, multiple=True, type=click.Choice(list(vocab.ROLES)),
              help="repeat for several roles")
@click.option("--password", default=None, help="at least 12 characters; generated and printed when omitted")
@click.option("--name", default=None)
@write_command
def create_user(email: str, org_code: str, roles: tuple[str, ...], password: str | None, name: str | None) -> None:
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    with fail_on_validation():
        user = services.create_user(email, org_code, list(roles), password, name)
    db.session.commit()
    click.echo(f"created user {user.email} ({', '.join(user.roles)}) in {org_code}")
    if generated:
        click.echo(f"password: {password}")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", default="command line", show_default=True)
@write_command
def create_token(email: str, name: str) -> None:
    """Create a token for EMAIL and print it once."""
    user = services.find_user(email)
    if user is None:
        raise click.ClickException(f"no user {email!r}")
    with fail_on_validation():
        _token, clear = services.create_token(user, name)
    db.session.commit()
    click.echo(clear)
