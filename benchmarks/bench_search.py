"""Search on the embedded backend: indexing 100 000 generated reports (through the outbox worker and
through `reindex`), five query shapes as a raw backend call and through GET /api/v1/search, and the
backend at 1 000 000 documents. The search API is timed twice for each request: in the app (its
`Server-Timing`, app.timing: from the request reaching Flask to the response ready, the audit record
written to the read journal) and by the HTTP client; the goal (the API adds ≤ 30 % to the raw call) is
judged on the first. Raw calls and requests alternate, so both see the machine of the same minutes.

Works on a database of its own (SQLite, or PostgreSQL when the run uses --postgres), served by a
second gunicorn with the search thread off so nothing else drains the outbox while the worker is timed.
The indexing steps run in a child process each; its peak RSS is the worker's peak memory.
The 1 000 000 documents are copies of the 100 000 indexed ones, written straight into the search
tables (SQL `INSERT … SELECT` from the attached 100 000 database; no ORM, no analysis).
Sizes can be lowered for a quick look: ELIX_BENCH_SEARCH_REPORTS, ELIX_BENCH_SEARCH_MILLION.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.common import BenchServer, Context, Row
from tests.live import BIN, ROOT

REPORTS = int(os.environ.get("ELIX_BENCH_SEARCH_REPORTS", "100000"))
MILLION = int(os.environ.get("ELIX_BENCH_SEARCH_MILLION", "1000000"))
FACETED_GOAL_P95 = 300  # ms at 1 000 000 documents
API_OVERHEAD_GOAL = 1.30  # the API's p50 in the app (Server-Timing) at most 30 % above the raw call's
ANALYST = "bench.search@jio.example"

SHAPES = {
    "text only": {"q": "cigarettes"},
    "filters only": {"category": ["firearms", "ammunition"], "transport_mode": ["sea", "air"]},
    "text + filters + all facets": {"q": 'contraband "risk profiling" OR intelligence', "category": ["tobacco"],
                                    "from": "2018-01-01"},
    "date histogram + totals": {"country": ["JM", "TT", "BB"], "from": "2016-01-01", "to": "2025-12-31"},
    "deep page": {"sort": "date_desc", "page": "399", "per_page": "25"},
}
FACETED = "text + filters + all facets"

_CHILD = """
import json, resource, sys, time
from app import create_app
from app.extensions import db
from app.search import services
app = create_app()
with app.app_context():
    started = time.perf_counter()
    if sys.argv[1] == "sync":
        documents = services.worker(app).drain().indexed
    else:
        ids = services.all_report_ids()
        db.session.commit()
        documents = services.get_backend(app, committing=True).rebuild(services.documents_for(ids))
    print(json.dumps({"documents": documents, "seconds": time.perf_counter() - started,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(ctx: Context) -> list[Row]:
    rows: list[Row] = []
    postgres = ctx.server.database_url.startswith("postgresql")
    with tempfile.TemporaryDirectory(prefix="elix-bench-search-") as tmp:
        with _database(ctx, Path(tmp), "search") as url:
            env = _env(url, Path(tmp) / "instance")
            _flask(env, "db", "upgrade")
            print(f"  generating {REPORTS} reports (demo loader, rows left in the outbox)…", file=sys.stderr)
            _flask(env, "demo", "load", "--seizures", str(REPORTS), timeout=3600)
            rows.append(_indexing_row("index: outbox worker (flask search sync)", _child(env, "sync")))
            rows.append(_indexing_row("index: flask search reindex", _child(env, "reindex")))
            _flask(env, "users", "create", ANALYST, "--org", "JIO", "--role", "analyst")
            rows += _queries(ctx, url, Path(tmp), env, f"{REPORTS:,}")
            if not postgres:
                rows += _million(ctx, url, Path(tmp))
    return rows


# --- indexing --------------------------------------------------------------------------------------

def _env(url: str, instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ELASTICSEARCH_URL"}
    env.update(DATABASE_URL=url, SECRET_KEY="bench-search", ELIX_INSTANCE_PATH=str(instance), FLASK_APP="wsgi",
               PYTHONPATH=str(ROOT), ELIX_SEARCH_INDEX_INLINE="0", ELIX_SEARCH_SYNC_THREAD="0")
    return env


def _flask(env: dict[str, str], *args: str, timeout: int = 600) -> str:
    done = subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def _child(env: dict[str, str], step: str) -> dict:
    done = subprocess.run([str(BIN / "python"), "-c", _CHILD, step], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=7200)
    if done.returncode != 0:
        raise RuntimeError(f"{step} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _indexing_row(name: str, result: dict) -> Row:
    row = Row(benchmark=f"{name}: {result['documents']:,} documents, peak RSS {result['peak_rss_mb']:.0f} MB",
              clients=1, requests=result["documents"], seconds=result["seconds"], latencies_ms=[])
    row.goal = "documents/s in req/s"
    return row


@contextmanager
def _database(ctx: Context, tmp: Path, name: str):  # noqa: ANN202
    if ctx.server.database_url.startswith("postgresql"):
        from tests import factories

        url = factories.create_postgres_database(ctx.server.database_url, f"elix_bench_{name}")
        try:
            yield url
        finally:
            factories.drop_postgres_database(url)
    else:
        yield f"sqlite:///{tmp / (name + '.db')}"


# --- queries ------------------------------------------------------------------------------------------

def _app(url: str):  # noqa: ANN202
    from app import create_app
    from app.config import Config, database_url

    class BenchConfig(Config):
        SECRET_KEY = "bench-search"
        SEARCH_SYNC_THREAD = False

        def __init__(self) -> None:
            super().__init__()
            self.SQLALCHEMY_DATABASE_URI = database_url(url)

    return create_app(BenchConfig())


def _search_query(params: dict):  # noqa: ANN202
    from werkzeug.datastructures import MultiDict

    from app.search.schemas import load_search_args

    pairs = [(k, v) for k, values in params.items() for v in (values if isinstance(values, list) else [values])]
    return load_search_args(MultiDict(pairs))


def _raw_row(label: str, call, runs: int) -> Row:  # noqa: ANN001
    for _ in range(3):
        call()  # warm: columns loaded, caches filled
    latencies = []
    started = time.perf_counter()
    for _ in range(runs):
        t = time.perf_counter()
        call()
        latencies.append((time.perf_counter() - t) * 1000)
    return Row(benchmark=label, clients=1, requests=runs, seconds=time.perf_counter() - started,
               latencies_ms=latencies)


def _queries(ctx: Context, url: str, tmp: Path, env: dict[str, str], size: str) -> list[Row]:
    """Each shape's raw backend call and its API request, alternately in the same minutes (the machine's
    speed drifts by tens of percent between minutes): raw call, request, raw call, request… The raw
    call gets a fresh Viewer each time, as each request does: the viewer's operations are read inside
    the backend's call (its user is read once: reading the request's user is the API's work)."""
    from app.extensions import db
    from app.permissions import OperationsOf, viewer_for
    from app.search import services
    from app.users.services import find_user

    runs = ctx.count(50)
    app = _app(url)
    saved = {k: os.environ.get(k) for k in ("ELIX_SEARCH_SYNC_THREAD", "ELIX_SEARCH_INDEX_INLINE", "ELIX_SERVER_TIMING")}
    os.environ.update(ELIX_SEARCH_SYNC_THREAD="0", ELIX_SEARCH_INDEX_INLINE="0", ELIX_SERVER_TIMING="1")
    server = BenchServer(url, tmp / "served", workers=ctx.server.workers)
    try:
        server.start()
        token = server.flask("tokens", "create", ANALYST).strip().splitlines()[-1]
        session = ctx.session(token)
        rows = []
        with app.app_context():
            backend = services.get_backend(app)
            viewer = viewer_for(find_user(ANALYST))
            for shape, params in SHAPES.items():
                query = _search_query(params)
                address = f"{server.url}/api/v1/search?{urlencode(params, doseq=True)}"

                def raw_call(query=query) -> None:  # noqa: ANN001
                    backend.search(query, replace(viewer, operation_ids=OperationsOf(viewer.organisation_id)))
                    db.session.rollback()

                for _ in range(3 * ctx.server.workers):  # warm: columns loaded, caches filled, every worker
                    raw_call()
                    session.get(address, timeout=60).raise_for_status()
                raw_ms, app_ms, http_ms = [], [], []
                server_cpu = server.cpu_seconds()
                for _ in range(runs):
                    started = time.perf_counter()
                    raw_call()
                    raw_ms.append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    response = session.get(address, timeout=60)
                    http_ms.append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
                    app_ms.append(server_time(response))
                server_cpu_ms = (server.cpu_seconds() - server_cpu) * 1000 / runs
                raw = Row(benchmark=f"search {size}, raw backend call: {shape}", clients=1, requests=runs,
                          seconds=sum(raw_ms) / 1000, latencies_ms=raw_ms)
                in_app = Row(benchmark=f"search {size}, GET /api/v1/search in the app (Server-Timing): {shape}",
                             clients=1, requests=runs, seconds=sum(app_ms) / 1000, latencies_ms=app_ms)
                http = Row(benchmark=f"search {size}, GET /api/v1/search over HTTP: {shape}", clients=1,
                           requests=runs, seconds=sum(http_ms) / 1000, latencies_ms=http_ms,
                           server_cpu_ms=server_cpu_ms)
                if shape == FACETED:
                    in_app.goal = f"p50 ≤ {API_OVERHEAD_GOAL:.2f} × raw ({raw.p50:.1f} ms)"
                    in_app.met = in_app.p50 <= raw.p50 * API_OVERHEAD_GOAL
                    ctx.notes.append(
                        f"Search API at {size}, {shape} (raw calls and requests alternated): the app answers in "
                        f"{in_app.p50:.1f} ms p50 ({in_app.p50 / raw.p50:.2f}× the raw call's {raw.p50:.1f} ms); "
                        f"seen by the HTTP client {http.p50:.1f} ms ({http.p50 / raw.p50:.2f}×), which adds the "
                        f"client library, the loopback connection and gunicorn.")
                rows += [raw, in_app, http]
            db.session.remove()
        return rows
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def server_time(response) -> float:  # noqa: ANN001
    """The `app` duration of a response's Server-Timing header, in ms (app.timing)."""
    for part in response.headers.get("Server-Timing", "").split(","):
        name, _, duration = part.strip().partition(";dur=")
        if name == "app":
            return float(duration)
    raise RuntimeError(f"{response.url}: no Server-Timing app duration (is ELIX_SERVER_TIMING=1 set?)")


# --- 1 000 000 documents -------------------------------------------------------------------------------------

def _million(ctx: Context, source_url: str, tmp: Path) -> list[Row]:
    """Copies of the indexed documents written straight into a fresh database's search tables."""
    from sqlalchemy import create_engine

    from search.backends.database import DatabaseBackend
    from app.permissions import Viewer

    target = tmp / "million.db"
    env = _env(f"sqlite:///{target}", tmp / "instance-million")
    _flask(env, "db", "upgrade")
    source = source_url.removeprefix("sqlite:///")
    print(f"  copying documents up to {MILLION:,} (straight into the search tables)…", file=sys.stderr)
    started = time.perf_counter()
    import sqlite3

    connection = sqlite3.connect(target)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("ATTACH DATABASE ? AS src", (source,))
    per_copy = connection.execute("SELECT max(doc_no) FROM src.search_documents").fetchone()[0]
    columns = [row[1] for row in connection.execute("PRAGMA src.table_info(search_documents)")]
    rest = [c for c in columns if c not in ("doc_no", "id", "seized_ts", "month")]
    copies = -(-MILLION // per_copy)
    for copy in range(copies):
        limit = min(per_copy, MILLION - copy * per_copy)
        shift = copy * per_copy
        # Each copy moves its seizures back by `copy` years and gets ids of its own.
        connection.execute(
            f"INSERT INTO search_documents (doc_no, id, seized_ts, month, {', '.join(rest)}) "
            f"SELECT doc_no + {shift}, substr(id, 1, 28) || printf('%08d', doc_no + {shift}), "
            f"seized_ts - {copy} * 31536000, printf('%04d', CAST(substr(month, 1, 4) AS INTEGER) - {copy}) || "
            f"substr(month, 5), {', '.join(rest)} FROM src.search_documents WHERE doc_no <= {limit}")
        connection.execute(f"INSERT INTO search_items (doc_no, category, subcategory, unit, quantity) "
                           f"SELECT doc_no + {shift}, category, subcategory, unit, quantity FROM src.search_items "
                           f"WHERE doc_no <= {limit}")
        connection.execute(f"INSERT INTO search_fts (rowid, stems, raw, persons) "
                           f"SELECT rowid + {shift}, stems, raw, persons FROM src.search_fts WHERE rowid <= {limit}")
        connection.commit()
        print(f"    {min((copy + 1) * per_copy, MILLION):,} documents", file=sys.stderr)
    connection.execute("INSERT INTO search_batches (stamp, created_at) VALUES ('million', datetime('now'))")
    connection.commit()
    total = connection.execute("SELECT count(*) FROM search_documents").fetchone()[0]
    organisation_id = connection.execute("SELECT id FROM src.organisations WHERE code = 'JIO'").fetchone()[0]
    connection.close()
    build = Row(benchmark=f"build {total:,} documents straight into the search tables", clients=1, requests=total,
                seconds=time.perf_counter() - started, latencies_ms=[])
    build.goal = "documents/s in req/s"

    engine = create_engine(f"sqlite:///{target}")
    backend = DatabaseBackend(engine.connect)
    viewer = Viewer(user_id=0, organisation_id=organisation_id, organisation_kind="regional_office",
                    operation_ids=frozenset(), regional_validator=False)
    rows = [build, *_startup(backend, engine, viewer, total)]
    runs = ctx.count(40)
    for shape, params in SHAPES.items():
        query = _search_query(params)
        if query.filters.date_from:  # the copies reach back in time: keep the same share of documents
            query = replace(query, filters=replace(query.filters, date_from=date(2016 - copies, 1, 1)))
        row = _raw_row(f"search {total:,}, raw backend call: {shape}", lambda q=query: backend.search(q, viewer), runs)
        if shape == FACETED:
            row.goal, row.met = f"p95 < {FACETED_GOAL_P95} ms", row.p95 < FACETED_GOAL_P95
            rows.append(row)
            # The same query with the text match computed each time (a new text, not a page of the last one).
            row = _raw_row(f"search {total:,}, raw backend call: {shape}, text not cached",
                           lambda q=query: (backend._matches.clear(), backend.search(q, viewer)), runs)
        rows.append(row)
    engine.dispose()
    return rows


def _startup(backend, engine, viewer, total: int) -> list[Row]:  # noqa: ANN001
    """As a gunicorn worker starts (gunicorn.conf.py): the columns load in a background thread, and the
    first search waits at most LOAD_WAIT seconds, then is told (503) that the index is loading."""
    from search.backends import SearchUnavailable

    started = time.perf_counter()
    loading = backend.load_in_background(engine.connect)
    try:
        backend.search(_search_query({}), viewer)
        answer = "answered"
    except SearchUnavailable:
        answer = "503 'search index loading'"
    first = time.perf_counter() - started
    loading.join()
    loaded = time.perf_counter() - started
    return [Row(benchmark=f"first search at {total:,} right after start: {answer}", clients=1, requests=1,
                seconds=first, latencies_ms=[first * 1000]),
            Row(benchmark=f"load the in-memory columns of {total:,} in the background", clients=1, requests=1,
                seconds=loaded, latencies_ms=[loaded * 1000])]
