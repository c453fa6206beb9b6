"""What auditing a report's detail read costs, measured in process (no HTTP, no gunicorn):

    .venv/bin/python -m benchmarks.audit_read_cost [--reads 300] [--postgres URL]

On a fresh, migrated database (a SQLite file, or a fresh PostgreSQL database) one report is read through
the API (GET /api/v1/seizures/<id>) and through its page (GET /reports/<id>) with the Flask test client,
alternately with the audit record and with `audit.record` replaced by a no-op, so both see the same
machine load. The difference of the medians is the cost of the record: ending the read transaction,
BEGIN IMMEDIATE (SQLite), the locked head row, one INSERT, one UPDATE and the commit. Not part of
`make bench` (which measures over HTTP).
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from app import audit
from app.database import write_intent
from app.extensions import db

from tests import factories
from tests.conftest import make_app
from tests.users.conftest import Browser


def _timed(call) -> float:  # noqa: ANN001
    started = time.perf_counter()
    response = call()
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return elapsed


def measure(url: str, reads: int) -> dict[str, tuple[float, float]]:
    app = make_app(url)
    with app.app_context(), write_intent():
        world = factories.World.build()
        report = factories.report(world["jm_officer"])
        token = factories.token(world["jm_analyst"])
        report_id, analyst = report.id, SimpleNamespace(email=world["jm_analyst"].email)
        db.session.commit()
    api = app.test_client()
    browser = Browser(app, app.response_class, use_cookies=True)
    browser.sign_in(analyst)
    calls = {
        "API GET /api/v1/seizures/<id>": lambda: api.get(f"/api/v1/seizures/{report_id}",
                                                         headers={"Authorization": f"Bearer {token}"}),
        "page GET /reports/<id>": lambda: browser.get(f"/reports/{report_id}"),
    }
    real = audit.record
    results = {}
    for name, call in calls.items():
        for _ in range(20):  # warm-up: caches, templates, connections
            call()
        audited, plain = [], []
        for _ in range(reads):
            audited.append(_timed(call))
            audit.record = lambda *args, **kwargs: None
            try:
                plain.append(_timed(call))
            finally:
                audit.record = real
        results[name] = (statistics.median(audited) * 1000, statistics.median(plain) * 1000)
    with app.app_context():
        db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--postgres", metavar="URL",
                        help="a PostgreSQL server, e.g. postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="elix-audit-cost-") as tmp:
        if args.postgres:
            from app.config import database_url

            url = factories.create_postgres_database(database_url(args.postgres), "elix_audit_cost")
        else:
            url = f"sqlite:///{Path(tmp) / 'audit-cost.db'}"
        try:
            results = measure(url, args.reads)
        finally:
            factories.drop_postgres_database(url)
    print(f"{'read':34} {'audited ms':>11} {'no record ms':>13} {'record costs ms':>16}  "
          f"({args.reads} reads, medians)")
    for name, (audited, plain) in results.items():
        print(f"{name:34} {audited:11.2f} {plain:13.2f} {audited - plain:16.2f}")


if __name__ == "__main__":
    main()
