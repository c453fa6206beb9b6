"""Search on the Elasticsearch backend, against osmem: bulk indexing and rebuild of 100 000 generated
documents (documents/s), then p50/p95 of the five query shapes of bench_search as raw backend calls.

osmem (the osmem-server dev package) is an in-memory OpenSearch-compatible *test double*, not
Elasticsearch: its numbers say how the backend's requests behave, not how a cluster performs. The
table says so in every row.

The documents are the demo generator's reports (app/demo/generator.py: multilingual narratives, the
CCLEC network, operations) turned into search documents in memory — no database: reading reports from
SQL is the embedded benchmark's concern. "bulk index" is the outbox worker's write path (`index()` in
batches of 500, refresh=wait_for as in production); "rebuild" is `flask search reindex`'s (a fresh index,
bulk-loaded, alias swapped), measured on a second, empty engine so that osmem never holds two copies in
memory. The queries run as the JIO analyst (a regional office: the sharing rule is a real filter) on
the rebuilt index. Size can be lowered for a quick look: ELIX_BENCH_ES_DOCUMENTS.
"""
from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from benchmarks.bench_search import SHAPES
from benchmarks.common import Context, Row

DOCUMENTS = int(os.environ.get("ELIX_BENCH_ES_DOCUMENTS", "100000"))
BATCH = 500  # the outbox worker's batch size
SEED = 7
OSMEM = "osmem test double"


def run(ctx: Context) -> list[Row]:
    print(f"  generating {DOCUMENTS:,} search documents (demo generator, in memory)…", file=sys.stderr)
    documents, viewer = generated(DOCUMENTS)
    rows = []
    # Two engines, one after the other: osmem holds everything in memory, and a rebuild next to a
    # live index of the same size would double it.
    with _engine() as (server, backend):
        print(f"  osmem {server.version}: bulk index…", file=sys.stderr)
        started = time.perf_counter()
        for start in range(0, len(documents), BATCH):
            backend.index(documents[start:start + BATCH])
        rows.append(_throughput(f"{OSMEM}: bulk index {len(documents):,} (outbox worker path, batches of {BATCH}); "
                                f"osmem peak RSS {_peak_rss_mb(server):,.0f} MB", len(documents),
                                time.perf_counter() - started))
    with _engine() as (server, backend):
        print("  rebuild…", file=sys.stderr)
        started = time.perf_counter()
        rebuilt = backend.rebuild(iter(documents))
        rows.append(_throughput(f"{OSMEM}: rebuild {rebuilt:,} (flask search reindex path, alias swap)",
                                rebuilt, time.perf_counter() - started))
        if backend.count() != len(documents):
            raise RuntimeError(f"the rebuilt index holds {backend.count()} documents, not {len(documents)}")
        runs = ctx.count(10)
        for shape, params in SHAPES.items():
            print(f"  query: {shape}…", file=sys.stderr)
            query = _search_query(params)
            rows.append(_timed(f"{OSMEM}: search {len(documents):,}, raw backend call: {shape}",
                               lambda query=query: backend.search(query, viewer), runs))
    rows[0].goal = "osmem is a test double, not Elasticsearch"
    return rows


@contextmanager
def _engine():  # noqa: ANN202 - (OsmemServer, ElasticsearchBackend)
    from osmem_server import OsmemServer

    from search.backends.elasticsearch import ElasticsearchBackend
    from search.client import build_client

    server = OsmemServer.start(japanese=False)  # no Japanese dictionary in memory: ELIX has no Japanese
    backend = ElasticsearchBackend(build_client(server.url, "opensearch", request_timeout=900))
    try:
        yield server, backend
    finally:
        backend.client.close()
        server.close()
        if server.process.stdout:
            server.process.stdout.close()


def _peak_rss_mb(server) -> float:  # noqa: ANN001
    try:
        for line in Path(f"/proc/{server.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def generated(count: int) -> tuple[list[dict], object]:
    """`count` search documents from the demo generator, and the JIO analyst's viewer."""
    from app.demo.generator import generate
    from app.demo.network import OPERATIONS, organisations
    from app.permissions import Viewer

    organisation_ids = {spec.code: n for n, spec in enumerate(organisations(), start=1)}
    operation_ids = {op.code: n for n, op in enumerate(OPERATIONS, start=1)}
    documents = list(_documents(generate(SEED, count, date.today()), organisation_ids, operation_ids))
    jio_operations = frozenset(operation_ids[op.code] for op in OPERATIONS
                               if op.lead == "JIO" or "JIO" in op.participants)
    viewer = Viewer(user_id=0, organisation_id=organisation_ids["JIO"], organisation_kind="regional_office",
                    operation_ids=jio_operations, regional_validator=False)
    return documents, viewer


def _documents(reports, organisation_ids: dict[str, int], operation_ids: dict[str, int]) -> Iterator[dict]:  # noqa: ANN001
    """The source record the app would load for each demo report (search.documents), built into a document."""
    from app.vocabularies import normalise_quantity
    from search.documents import build_document

    sequence: Counter = Counter()
    for report in reports:
        body, year = report.body, report.created_at.year
        sequence[report.organisation, year] += 1
        items = []
        for item in body["items"]:
            quantity, unit = normalise_quantity(item["category"], item["subcategory"], item["quantity"], item["unit"])
            items.append({**item, "normalised": {"quantity": quantity, "unit": unit}})
        yield build_document({
            **body, "items": items, "id": report.id, "version": report.version, "status": report.status,
            "reference": f"{report.organisation}-{year}-{sequence[report.organisation, year]:06d}",
            "reporting_organisation": report.organisation, "organisation_id": organisation_ids[report.organisation],
            "operation_ids": [operation_ids[code] for code in body["operations"]],
        })


def _search_query(params: dict):  # noqa: ANN202 - a SearchQuery, parsed as the API parses it
    from werkzeug.datastructures import MultiDict

    from app.search.schemas import load_search_args

    pairs = [(k, v) for k, values in params.items() for v in (values if isinstance(values, list) else [values])]
    return load_search_args(MultiDict(pairs))


def _throughput(name: str, documents: int, seconds: float) -> Row:
    return Row(benchmark=name + " — documents/s in req/s", clients=1, requests=documents, seconds=seconds,
               latencies_ms=[])


def _timed(name: str, call, runs: int) -> Row:  # noqa: ANN001
    call()  # warm
    latencies = []
    started = time.perf_counter()
    for _ in range(runs):
        t = time.perf_counter()
        call()
        latencies.append((time.perf_counter() - t) * 1000)
    return Row(benchmark=name, clients=1, requests=runs, seconds=time.perf_counter() - started,
               latencies_ms=latencies)
