"""Shared plumbing of the `flask` commands: write transactions and readable validation errors."""
from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator

import click

from app.database import write_intent
from app.errors import ElixError


def write_command(func: Callable) -> Callable:
    """Run the command in a write transaction (BEGIN IMMEDIATE on SQLite)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):  # noqa: ANN002,ANN003,ANN202
        with write_intent():
            return func(*args, **kwargs)

    return wrapper


@contextlib.contextmanager
def fail_on_validation() -> Iterator[None]:
    try:
        yield
    except ElixError as exc:
        details = "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in exc.fields.items())
        raise click.ClickException(f"{exc.message}{' — ' + details if details else ''}") from exc
