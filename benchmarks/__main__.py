"""`python -m benchmarks`: serve the app, run every benchmarks/bench_*.py module, print the table and
append it to docs/benchmarks.md."""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time

import benchmarks
from benchmarks.common import DEFAULT_WORKERS, ROOT, machine_facts, markdown_table, report_section, served

RESULTS = ROOT / "docs" / "benchmarks.md"
INTRO = """# Benchmarks

`make bench` (`python -m benchmarks`) serves the app as `make run` does — a fresh, migrated database,
gunicorn with the Makefile's workers and access log — and measures it over HTTP from the same
machine, each client thread with its own keep-alive connection (`benchmarks.common.Client`, on
http.client; sections before session 6 used `requests`, which cost 3-5x the client CPU). Every run
appends a section here. Latencies are seen by the client (queueing included); the load generator shares the CPUs with
the server, so a 2-core machine measures both at once. `/livez` is the floor: the same server,
network and client with no application work (sections before session 3 used `/healthz`, which also
reads the database and the search outbox: six statements).
"""


def available() -> list[str]:
    return sorted(m.name.removeprefix("bench_") for m in pkgutil.iter_modules(benchmarks.__path__)
                  if m.name.startswith("bench_"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", action="append", choices=available(), metavar="NAME",
                        help=f"run only this module (repeatable): {', '.join(available())}")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, help="gunicorn workers (default: %(default)s)")
    parser.add_argument("--postgres", metavar="URL", help="serve from a fresh database on this PostgreSQL server "
                                                          "instead of SQLite, e.g. postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--gunicorn-args", default="", metavar="ARGS",
                        help='more gunicorn settings to compare, e.g. "--worker-class gthread --threads 4"')
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the request counts (default: 1)")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when a goal is missed")
    parser.add_argument("--no-append", action="store_true", help=f"print only; do not append to {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args(argv)

    names = args.only or available()
    rows, notes = [], []
    started = time.monotonic()
    with served(args.workers, args.postgres, args.gunicorn_args) as ctx:
        ctx.scale = args.scale
        facts = machine_facts(ctx)
        for name in names:
            module = importlib.import_module(f"benchmarks.bench_{name}")
            print(f"running {name}…", file=sys.stderr, flush=True)
            for row in module.run(ctx):
                row.module = name
                rows.append(row)
    notes.extend(ctx.notes)
    spreads = [f"{r.benchmark} {'+'.join(map(str, r.connections))}" for r in rows if r.connections]
    if spreads:
        notes.append(f"Keep-alive connections per worker as each row with several clients started (they stay "
                     f"where the kernel put them): {', '.join(spreads)}.")
    if args.scale != 1:
        notes.append(f"Request counts scaled by {args.scale}.")
    missed = [r for r in rows if r.met is False]
    missed_names = [f"{r.benchmark} ({r.clients} client{'s' if r.clients != 1 else ''})" for r in missed]
    notes.append(f"Goals missed: {', '.join(missed_names)}." if missed else "All goals met.")
    print(markdown_table(rows))
    print("\n".join(notes))
    print(f"({time.monotonic() - started:.0f} s)", file=sys.stderr)
    if not args.no_append:
        section = report_section(facts, rows, notes)
        existing = RESULTS.read_text() if RESULTS.exists() else INTRO
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(existing.rstrip() + "\n\n" + section)
        print(f"appended to {RESULTS.relative_to(ROOT)}", file=sys.stderr)
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
