from __future__ import annotations

import secrets

import click
from flask.cli import AppGroup

from app import vocabularies as vocab
from app.cli_support import fail_on_validation, write_command
from app.extensions import db
from app.users.models import User
from app.users import mfa, services, sessions
from app.users.models import TOKEN_SCOPES

users_cli = AppGroup("users", help="Manage users.")
tokens_cli = AppGroup("tokens", help="Manage personal API tokens.")


def _user(email: str) -> User:
    user = services.find_user(email)
    if user is None:
        raise click.ClickException(f"no user {email!r}")
    return user


@users_cli.command("create")
@click.argument("email")
@click.option("--org", "org_code", required=True, help="organisation code, e.g. JM or JIO")
@click.option("--role", "roles", required=True, multiple=True, type=click.Choice(list(vocab.ROLES)),
              help="repeat for several roles")
@click.option("--password", default=None,
              help="at least 12 characters, not a common one; generated and printed when omitted")
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


@users_cli.command("deactivate-inactive")
@write_command
def deactivate_inactive() -> None:
    """Deactivate the users who have not signed in for 90 days (run it daily)."""
    stale = services.deactivate_inactive()
    db.session.commit()
    for user in stale:
        click.echo(f"deactivated {user.email} (last sign-in: {user.last_login_at or 'never'})")
    click.echo(f"{len(stale)} users deactivated")


@users_cli.command("reset-mfa")
@click.argument("email")
@write_command
def reset_mfa(email: str) -> None:
    """Remove EMAIL's second factor and end their sessions (e.g. a sysadmin who lost the phone)."""
    user = _user(email)
    mfa.remove(user, None, "reset")
    sessions.end_all(user, "mfa_reset")
    db.session.commit()
    click.echo(f"second factor of {user.email} reset; they set up a new one at the next sign-in")


@users_cli.command("unlock")
@click.argument("email")
@write_command
def unlock(email: str) -> None:
    """Lift a lock after failed sign-ins."""
    user = _user(email)
    user.failed_logins, user.locked_until = 0, None
    db.session.commit()
    click.echo(f"{user.email} unlocked")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", default="command line", show_default=True)
@click.option("--scope", type=click.Choice(TOKEN_SCOPES), default="write", show_default=True,
              help="read: GET only; write: read and write")
@click.option("--expires-days", type=click.IntRange(1, services.TOKEN_MAX_DAYS),
              default=services.TOKEN_DEFAULT_DAYS, show_default=True)
@write_command
def create_token(email: str, name: str, scope: str, expires_days: int) -> None:
    """Create a token for EMAIL and print it once."""
    user = _user(email)
    with fail_on_validation():
        _token, clear = services.create_token(user, name, scope, expires_days)
    db.session.commit()
    click.echo(clear)
