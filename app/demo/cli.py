from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from app.cli_support import fail_on_validation, write_command
from app.conferences.demo import load_demo_conference
from app.demo import network, services
from app.extensions import db

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
@click.option("--seizures", "count", default=3000, show_default=True, type=click.IntRange(0, 200_000),
              help="number of seizure reports to generate")
@click.option("--seed", default=1, show_default=True, type=int, help="the same seed gives the same reports")
@write_command
def load(count: int, seed: int) -> None:
    """Load the demo network, users, operations and seizure reports (idempotent)."""
    started = time.perf_counter()
    with fail_on_validation():
        result = services.load_demo(seed, count, progress=_progress)
        conference_created = load_demo_conference()
    db.session.commit()
    elapsed = time.perf_counter() - started
    click.echo(f"organisations: {result.organisations_created} created; users: {result.users_created} created; "
               f"operations: {result.operations_created} created")
    click.echo(f"conferences: {1 if conference_created else 0} created")
    if result.reports_added:
        click.echo(f"seizure reports: {result.reports_added} added (seed {seed}) in {elapsed:.1f} s")
    elif result.reports_present:
        click.echo(f"seizure reports: the demo reports of seed {seed} are already loaded "
                   f"({result.reports_present} found); nothing added")
    _print_logins(result.logins)


def _progress(done: int, total: int) -> None:
    if done == 0:
        click.echo(f"generating {total} seizure reports (seed and date decide their content)…", err=True)
    else:
        click.echo(f"  {done}/{total} reports inserted", err=True)


def _print_logins(logins: list[network.UserSpec]) -> None:
    width = max(len(u.email) for u in logins)
    click.echo("")
    click.echo(f"Demo logins (password for all: {network.DEMO_PASSWORD})")
    click.echo(f"  {'e-mail':<{width}}  {'organisation':<12}  role")
    for user in logins:
        click.echo(f"  {user.email:<{width}}  {user.organisation:<12}  {', '.join(user.roles)}")
    click.echo("  and officer@<code>.example for every administration (e.g. officer@bb.example)")
