"""Seizure reports through the API: creation with 1 and 8 clients, detail reads, and /healthz as the
floor (the cost of the server, the network and the client, with no database work)."""
from __future__ import annotations

import random

from benchmarks.common import Context, Row, load
from tests.factories import report_payload

CREATE_GOAL_RATE = 150  # reports/s with 8 clients
CREATE_GOAL_P95 = 100  # ms
DETAIL_GOAL_P95 = 20  # ms


def run(ctx: Context) -> list[Row]:
    token = ctx.token("bench.officer@jm.example")
    payload = report_payload()
    created: list[str] = []

    def healthz(session, _i):  # noqa: ANN001,ANN202
        return session.get(f"{ctx.url}/healthz", timeout=30)

    def create(session, _i):  # noqa: ANN001,ANN202
        response = session.post(f"{ctx.url}/api/v1/seizures", json=payload, timeout=60)
        if response.status_code == 201:
            created.append(response.json()["id"])
        return response

    rows = [load(ctx, "GET /healthz (floor)", 1, ctx.count(500), healthz),
            load(ctx, "GET /healthz (floor)", 8, ctx.count(2000), healthz)]

    one = load(ctx, "POST /api/v1/seizures", 1, ctx.count(200), create, token=token, expect=201)
    one.goal, one.met = f"p95 < {CREATE_GOAL_P95} ms", one.p95 < CREATE_GOAL_P95
    eight = load(ctx, "POST /api/v1/seizures", 8, ctx.count(800), create, token=token, expect=201)
    eight.goal = f"≥ {CREATE_GOAL_RATE}/s, p95 < {CREATE_GOAL_P95} ms"
    eight.met = eight.throughput >= CREATE_GOAL_RATE and eight.p95 < CREATE_GOAL_P95
    rows += [one, eight]

    ids = list(created)
    rng = random.Random(1)

    def detail(session, _i):  # noqa: ANN001,ANN202
        return session.get(f"{ctx.url}/api/v1/seizures/{rng.choice(ids)}", timeout=30)

    reads = load(ctx, "GET /api/v1/seizures/<id>", 8, ctx.count(2000), detail, token=token)
    reads.goal, reads.met = f"p95 < {DETAIL_GOAL_P95} ms", reads.p95 < DETAIL_GOAL_P95
    one_read = load(ctx, "GET /api/v1/seizures/<id>", 1, ctx.count(500), detail, token=token)
    return rows + [reads, one_read]
