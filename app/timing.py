"""`Server-Timing` on responses (ELIX_SERVER_TIMING=1; off by default): how long the application took to
answer, from the request reaching it to its response being ready (the audit record written), and the
parts that code names with `timed(...)`, e.g. `search` for the search backend's call:

    Server-Timing: search;dur=7.12, app;dur=9.80

Browsers' developer tools show it; `make bench` reads it to tell the API's own cost from the HTTP client's.
Off by default: the durations are of no use to a user and say a little about the data behind a query.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from flask import Flask, has_request_context, request

ENVIRON_KEY = "elix.timings"


@contextmanager
def timed(name: str) -> Iterator[None]:
    """Add the time spent in the block to the request's `name` entry (no-op outside a request)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        if has_request_context():
            timings = request.environ.setdefault(ENVIRON_KEY, {})
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started


class ServerTiming:
    """WSGI middleware: Flask calls `start_response` once the response is complete (after every
    `after_request`), so the `app` duration covers all of the application's work."""

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()

        def timed_start_response(status: str, headers: list, exc_info=None):  # noqa: ANN001,ANN202
            parts = [f"{name};dur={seconds * 1000:.2f}" for name, seconds in environ.get(ENVIRON_KEY, {}).items()]
            parts.append(f"app;dur={(time.perf_counter() - started) * 1000:.2f}")
            headers.append(("Server-Timing", ", ".join(parts)))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, timed_start_response)


def init_app(app: Flask) -> None:
    if app.config["SERVER_TIMING"]:
        app.wsgi_app = ServerTiming(app.wsgi_app)
