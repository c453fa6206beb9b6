"""The fixed-window counters: shared through the database by every worker process, exact for
sign-in, batched for the API with a bounded overshoot."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.users import rate_limits
from app.users.models import RateLimitCounter
from app.users.rate_limits import Limit

NOW = 1_900_000_040.0  # 20 s into a minute


@pytest.fixture
def worker(monkeypatch):  # noqa: ANN001
    """Switch to a fresh worker process: its own in-memory counts, the same database."""
    def fresh() -> None:
        monkeypatch.setattr(rate_limits, "_local", {})
    fresh()
    return fresh


def stored(key: str) -> int | None:
    return db.session.scalar(select(RateLimitCounter.count).where(RateLimitCounter.key == key))


def test_parse():
    assert Limit.parse("30/minute") == Limit(30, 60) and Limit.parse("5/second") == Limit(5, 1)
    assert Limit.parse("off") is None and Limit.parse("100/hour") == Limit(100, 3600)


def test_every_worker_counts_into_the_same_row(app, worker):
    limit = Limit(5, 60)
    allowed = []
    for i in range(7):
        worker()  # each attempt lands on another worker
        allowed.append(rate_limits.hit([("login:192.0.2.1", limit)], now=NOW + i).allowed)
    assert allowed == [True] * 5 + [False] * 2
    assert stored("login:192.0.2.1") == 7


def test_a_new_window_starts_from_zero(app, worker):
    limit = Limit(2, 60)
    for i in range(3):
        rate_limits.hit([("login:192.0.2.2", limit)], now=NOW + i)
    refused = rate_limits.hit([("login:192.0.2.2", limit)], now=NOW + 5)
    assert not refused.allowed and refused.retry_after == 60 - 25
    worker()
    assert rate_limits.hit([("login:192.0.2.2", limit)], now=NOW + 40).allowed
    assert stored("login:192.0.2.2") == 1


def test_batched_counting_writes_every_batch_and_near_the_limit(app, worker):
    limit = Limit(100, 60)
    for i in range(9):
        assert rate_limits.hit([("api-token:abc", limit)], now=NOW + 0.01 * i, batch=10).allowed
    assert stored("api-token:abc") is None  # nothing written yet
    rate_limits.hit([("api-token:abc", limit)], now=NOW + 0.1, batch=10)
    assert stored("api-token:abc") == 10

    worker()  # another worker sees the shared count at its first write
    for i in range(70):
        rate_limits.hit([("api-token:abc", limit)], now=NOW + 0.2 + 0.001 * i, batch=10)
    assert stored("api-token:abc") == 80  # past 80 % of the limit every request is written
    rate_limits.hit([("api-token:abc", limit)], now=NOW + 0.3, batch=10)
    assert stored("api-token:abc") == 81


def test_batched_counts_are_written_every_few_seconds(app, worker):
    limit = Limit(1000, 60)
    rate_limits.hit([("api-address:192.0.2.3", limit)], now=NOW, batch=50)
    rate_limits.hit([("api-address:192.0.2.3", limit)], now=NOW + rate_limits.FLUSH_SECONDS - 0.5, batch=50)
    assert stored("api-address:192.0.2.3") is None
    rate_limits.hit([("api-address:192.0.2.3", limit)], now=NOW + rate_limits.FLUSH_SECONDS + 0.1, batch=50)
    assert stored("api-address:192.0.2.3") == 3


def test_batched_overshoot_is_bounded_across_workers(app, worker, monkeypatch):
    """Three workers sharing a limit of 100 in batches of 10: at most (3 - 1) x 10 more get through."""
    limit = Limit(100, 60)
    workers = []
    for _ in range(3):
        worker()
        workers.append(rate_limits._local)
    allowed = 0
    for i in range(300):
        monkeypatch.setattr(rate_limits, "_local", workers[i % 3])
        allowed += rate_limits.hit([("api-token:shared", limit)], now=NOW + 0.001 * i, batch=10).allowed
    assert 100 <= allowed <= 120
