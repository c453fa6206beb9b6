"""Seizure reports through the API: creation with 1 and 8 clients, detail reads, list pages, and /livez
as the floor (the cost of the server, the network and the client, with no database work).

Created reports are indexed for search by the workers' outbox threads: the create rows wait until the
outbox is empty before reading the server's CPU, so indexing counts in the cost of a create, and the
time from the last answer to an empty outbox is reported as the search lag."""
from __future__ import annotations

import functools
import json
import random
import time

import requests

from benchmarks.common import Context, Row, load
from tests.factories import report_payload

CREATE_GOAL_RATE = 150  # reports/s with 8 clients
CREATE_GOAL_P95 = 100  # ms
DETAIL_GOAL_P95 = 20  # ms
LIST_PAGE = 50  # reports a page of the list
LAG_LIMIT = 60  # s: give up waiting for the outbox


def outbox_drained(ctx: Context, lags: list[float]) -> None:
    """Wait until /healthz shows an empty search outbox; record how long that took."""
    started = time.monotonic()
    while requests.get(f"{ctx.url}/healthz", timeout=30).json()["search"]["outbox"]["rows"]:
        if time.monotonic() - started > LAG_LIMIT:
            raise RuntimeError(f"the search outbox is not empty {LAG_LIMIT} s after the last create")
        time.sleep(0.05)
    lags.append(time.monotonic() - started)


def run(ctx: Context) -> list[Row]:
    token = ctx.token("bench.officer@jm.example")
    body = json.dumps(report_payload()).encode()  # encoded once: the load generator shares the two cores
    created: list[str] = []

    def livez(client, _i):  # noqa: ANN001,ANN202
        return client.get("/livez")

    def create(client, _i):  # noqa: ANN001,ANN202
        response = client.post("/api/v1/seizures", body=body)
        if response.status_code == 201:
            created.append(response.json()["id"])
        return response

    rows = [load(ctx, "GET /livez (floor)", 1, ctx.count(500), livez),
            load(ctx, "GET /livez (floor)", 8, ctx.count(2000), livez)]

    lags: list[float] = []
    settle = functools.partial(outbox_drained, ctx, lags)
    one = load(ctx, "POST /api/v1/seizures", 1, ctx.count(200), create, token=token, expect=201, settle=settle)
    one.goal, one.met = f"p95 < {CREATE_GOAL_P95} ms", one.p95 < CREATE_GOAL_P95
    eight = load(ctx, "POST /api/v1/seizures", 8, ctx.count(800), create, token=token, expect=201, settle=settle)
    eight.goal = f"≥ {CREATE_GOAL_RATE}/s, p95 < {CREATE_GOAL_P95} ms"
    eight.met = eight.throughput >= CREATE_GOAL_RATE and eight.p95 < CREATE_GOAL_P95
    rows += [one, eight]

    ids = list(created)
    rng = random.Random(1)

    def detail(client, _i):  # noqa: ANN001,ANN202
        return client.get(f"/api/v1/seizures/{rng.choice(ids)}")

    reads = load(ctx, "GET /api/v1/seizures/<id>", 8, ctx.count(2000), detail, token=token)
    reads.goal, reads.met = f"p95 < {DETAIL_GOAL_P95} ms", reads.p95 < DETAIL_GOAL_P95
    one_read = load(ctx, "GET /api/v1/seizures/<id>", 1, ctx.count(500), detail, token=token)

    def page(client, i):  # noqa: ANN001,ANN202 - the first ten pages, newest reports first
        return client.get(f"/api/v1/seizures?per_page={LIST_PAGE}&page={1 + i % 10}")

    pages = load(ctx, f"GET /api/v1/seizures?per_page={LIST_PAGE}", 8, ctx.count(400), page, token=token)
    waited = [f"{lag:.2f} s after {n} client{'s' if n > 1 else ''}" for n, lag in zip((1, 8), lags, strict=True)]
    ctx.notes.append(f"Search lag (last create answered → outbox empty): {', '.join(waited)}.")
    return rows + [reads, one_read, pages]
