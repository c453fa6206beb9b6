"""The job queue: one claimer per job, stale jobs taken up again, attempts capped, workers release jobs."""
from __future__ import annotations

import threading
from datetime import timedelta

from app.database import utcnow
from app.extensions import db
from app.jobs.models import Job
from app.jobs.services import request_product
from app.jobs.worker import claim_next, release_jobs, work

from tests import factories
from tests.operations.support import caribbean_shield


def queued_summary(world) -> Job:  # noqa: ANN001
    s = caribbean_shield(world)
    job = request_product(world["jio_analyst"], "operation_summary", {"operation": s["operation"].code},
                          filename="summary.pdf")
    db.session.commit()
    return job


def in_worker_context(app, func, *args):  # noqa: ANN001,ANN002,ANN202
    """Run `func` as a worker does: in an application context (and database session) of its own."""
    with app.app_context():
        try:
            return func(*args)
        finally:
            db.session.remove()


def test_a_job_is_claimed_by_one_worker_only(app, world):
    job = queued_summary(world)
    assert in_worker_context(app, claim_next, "worker-a") == job.id
    assert in_worker_context(app, claim_next, "worker-b") is None
    db.session.expire_all()
    claimed = db.session.get(Job, job.id)
    assert (claimed.status, claimed.worker, claimed.attempts) == ("running", "worker-a", 1)
    assert claimed.started_at is not None and claimed.heartbeat_at is not None


def test_a_running_job_with_a_stale_heartbeat_is_taken_up_and_finished(app, world):
    job = queued_summary(world)
    long_ago = utcnow() - timedelta(minutes=10)
    job.status, job.worker, job.attempts = "running", "crashed-worker", 1
    job.started_at = job.heartbeat_at = long_ago
    fresh = Job(kind="operation_summary", params={"operation": "CARIBBEAN-SHIELD-2017"}, status="running",
                worker="busy-worker", attempts=1, heartbeat_at=utcnow(), requested_by_id=world["jm_analyst"].id)
    db.session.add(fresh)
    db.session.commit()

    ran = work(app, threading.Event(), once=True, name="rescuer")
    assert ran == 1  # the stale job; the one with a fresh heartbeat belongs to its worker
    db.session.expire_all()
    rescued = db.session.get(Job, job.id)
    assert (rescued.status, rescued.worker, rescued.attempts, rescued.progress) == ("done", "rescuer", 2, 1.0)
    assert rescued.result_hash is not None
    busy = db.session.get(Job, fresh.id)
    assert (busy.status, busy.worker, busy.attempts) == ("running", "busy-worker", 1)


def test_a_job_interrupted_too_often_fails_instead_of_looping(app, world):
    job = queued_summary(world)
    job.status, job.worker, job.attempts = "running", "crashed-worker", 3
    job.heartbeat_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    work(app, threading.Event(), once=True, name="rescuer")
    db.session.expire_all()
    failed = db.session.get(Job, job.id)
    assert failed.status == "failed" and failed.attempts == 4
    assert failed.message == "the job was interrupted 3 times; generate the product again"


def test_a_stopping_worker_puts_its_job_back_in_the_queue(app, world):
    job = queued_summary(world)
    assert in_worker_context(app, claim_next, "stopping-worker") == job.id
    assert in_worker_context(app, release_jobs, "stopping-worker") == 1
    db.session.expire_all()
    released = db.session.get(Job, job.id)
    assert (released.status, released.worker) == ("queued", None)
    assert in_worker_context(app, claim_next, "next-worker") == job.id


def test_a_repeated_request_while_the_job_waits_gets_the_same_job(api, world):
    s = caribbean_shield(world)
    other = factories.operation("HUNTER-2017", world.jio, [world.jm])
    db.session.commit()
    analyst = api.as_(world["jio_analyst"])
    first = analyst.post(f"/operations/{s['operation'].code}/summary").get_json()["job"]["id"]
    again = analyst.post(f"/operations/{s['operation'].code}/summary").get_json()["job"]["id"]
    hunter = analyst.post(f"/operations/{other.code}/summary").get_json()["job"]["id"]
    someone_else = api.as_(world["jm_analyst"]).post(f"/operations/{s['operation'].code}/summary").get_json()["job"]["id"]
    assert first == again and len({first, hunter, someone_else}) == 3
    assert db.session.query(Job).count() == 3


def test_a_job_of_an_unknown_kind_fails_with_a_message(app, world):
    job = queued_summary(world)
    job.kind = "annual_budget"
    db.session.commit()
    work(app, threading.Event(), once=True, name="worker")
    db.session.expire_all()
    failed = db.session.get(Job, job.id)
    assert (failed.status, failed.message) == ("failed", "this worker does not know jobs of kind 'annual_budget'")


def test_prune_deletes_old_finished_jobs_and_unreferenced_products(app, world):
    from app.jobs.models import ProductFile
    from app.jobs.services import prune

    user = world["jio_analyst"]
    old, recent = utcnow() - timedelta(days=40), utcnow() - timedelta(days=1)
    for digest in ("a" * 64, "b" * 64):
        db.session.add(ProductFile(input_hash=digest, kind="operation_summary", size=4, content=b"%PDF"))
    db.session.flush()
    db.session.add_all([
        Job(kind="operation_summary", params={}, status="done", result_hash="a" * 64, created_at=old,
            requested_by_id=user.id),
        Job(kind="operation_summary", params={}, status="done", result_hash="b" * 64, created_at=old,
            requested_by_id=user.id),
        Job(kind="operation_summary", params={}, status="done", result_hash="b" * 64, created_at=recent,
            requested_by_id=user.id),
        Job(kind="operation_summary", params={}, status="queued", created_at=old, requested_by_id=user.id),
    ])
    db.session.flush()
    assert prune(timedelta(days=30)) == (2, 1)
    assert [p.input_hash for p in db.session.query(ProductFile)] == ["b" * 64]  # a recent job still needs it
    assert sorted(j.status for j in db.session.query(Job)) == ["done", "queued"]
