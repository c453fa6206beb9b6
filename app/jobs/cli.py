from __future__ import annotations

import signal
import threading
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from app.cli_support import write_command
from app.extensions import db
from app.jobs.services import prune
from app.jobs.worker import release_jobs, work, worker_name

jobs_cli = AppGroup("jobs", help="Background jobs (PDF products).")


@jobs_cli.command("work")
@click.option("--once", is_flag=True, help="Run the queued jobs, then exit.")
def work_command(once: bool) -> None:
    """Run product jobs until stopped (SIGTERM or Ctrl-C); several processes may run side by side."""
    app = current_app._get_current_object()
    stop = threading.Event()
    name = worker_name()

    def _stop(_signum, _frame) -> None:  # noqa: ANN001
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _stop)
    click.echo(f"job worker {name} started")
    ran = work(app, stop, once=once, name=name)
    with app.app_context():
        released = release_jobs(name)
    click.echo(f"job worker {name} stopped after {ran} job(s)" + (f"; {released} put back" if released else ""))


@jobs_cli.command("prune")
@click.option("--days", default=30, show_default=True, type=click.IntRange(0, 3650),
              help="delete finished jobs older than this, and the products no job needs")
@write_command
def prune_command(days: int) -> None:
    """Delete old finished jobs and the stored PDFs no remaining job refers to."""
    jobs, files = prune(timedelta(days=days))
    db.session.commit()
    click.echo(f"deleted {jobs} job(s) and {files} stored product(s)")
