"""The job worker: claims queued jobs, builds the product and stores it.

Workers run as a thread in each gunicorn process (gunicorn.conf.py) and as `flask jobs work` processes.
A job is claimed with a conditional UPDATE (`... WHERE id = :id AND status = 'queued'`, or a `running`
job whose heartbeat is stale), so two workers never take the same job; the claimer keeps the heartbeat
fresh while it works, and a job whose worker died is taken up again with attempts + 1.

No transaction stays open while a product renders: the claim, the progress updates and the result are
short transactions of their own.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.database import utcnow, write_intent
from app.errors import ElixError
from app.extensions import db
from app.jobs.models import Job, ProductFile
from app.jobs.services import KINDS, input_hash

log = logging.getLogger(__name__)

# Settings, overridable in the app config: how often idle workers look for work, how often a busy one
# beats, when a silent job counts as abandoned, how often a job is retried, the render's limits.
DEFAULTS = {"JOBS_POLL_SECONDS": 1.0, "JOBS_HEARTBEAT_SECONDS": 5.0, "JOBS_STALE_SECONDS": 60.0,
            "JOBS_MAX_ATTEMPTS": 3, "JOBS_RENDER_TIMEOUT_SECONDS": 300.0, "JOBS_RENDER_MEMORY_MB": 1024}


def setting(name: str, app: Flask | None = None) -> float:
    """A job setting: the app config, else the environment (ELIX_JOBS_STALE_SECONDS=…), else the default."""
    config = (app or current_app).config
    if name in config:
        return float(config[name])
    return float(os.environ.get(f"ELIX_{name}") or DEFAULTS[name])


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _claimable(now):  # noqa: ANN001,ANN202
    stale = now - timedelta(seconds=setting("JOBS_STALE_SECONDS"))
    return or_(Job.status == "queued", and_(Job.status == "running", Job.heartbeat_at < stale))


def claim_next(name: str) -> str | None:
    """Take the oldest claimable job for worker `name`; its id, or None when there is nothing to do."""
    now = utcnow()
    # A plain read first: idle workers do not queue for SQLite's write lock every poll.
    if db.session.scalar(select(Job.id).where(_claimable(now)).limit(1)) is None:
        db.session.rollback()
        return None
    db.session.rollback()
    with write_intent():
        now = utcnow()
        candidates = db.session.scalars(select(Job.id).where(_claimable(now))
                                        .order_by(Job.created_at, Job.id).limit(5)).all()
        for job_id in candidates:
            claimed = db.session.execute(
                update(Job).where(Job.id == job_id, _claimable(now))
                .values(status="running", worker=name, heartbeat_at=now, started_at=now,
                        attempts=Job.attempts + 1, progress=0.02)
                .execution_options(synchronize_session=False))
            if claimed.rowcount == 1:
                db.session.commit()
                log.info("job %s claimed by %s", job_id, name)
                return job_id
        db.session.rollback()
    return None


def _update_job(job_id: str, name: str, **values) -> bool:
    """Change the job if this worker still holds it (a worker that lost it to another stops)."""
    with write_intent():
        done = db.session.execute(update(Job).where(Job.id == job_id, Job.worker == name, Job.status == "running")
                                  .values(**values).execution_options(synchronize_session=False))
        db.session.commit()
    return done.rowcount == 1


def _fail(job_id: str, name: str, message: str) -> None:
    _update_job(job_id, name, status="failed", message=message[:2000], finished_at=utcnow(),
                heartbeat_at=utcnow())
    log.warning("job %s failed: %s", job_id, message[:200])


def _finish(job_id: str, name: str, product_hash: str, reused: bool) -> None:
    _update_job(job_id, name, status="done", progress=1.0, result_hash=product_hash, input_hash=product_hash,
                message="reused the product made earlier from the same input" if reused else "",
                finished_at=utcnow(), heartbeat_at=utcnow())
    log.info("job %s done (%s)", job_id, "reused" if reused else "rendered")


class Heartbeat:
    """Keeps the job's heartbeat fresh while it renders (in a thread of its own: the render call blocks),
    so that other workers know the job is alive."""

    def __init__(self, app: Flask, job_id: str, name: str) -> None:
        self.app, self.job_id, self.name = app, job_id, name
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"heartbeat-{job_id[:8]}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:  # noqa: ANN002
        self.stop.set()
        self.thread.join()

    def _run(self) -> None:
        interval = setting("JOBS_HEARTBEAT_SECONDS", self.app)
        while not self.stop.wait(interval):
            try:
                with self.app.app_context():
                    _update_job(self.job_id, self.name, heartbeat_at=utcnow())
            except Exception:  # noqa: BLE001 - a missed beat is retried next interval
                log.exception("heartbeat of job %s failed", self.job_id)


class ProgressReporter:
    """The renderer's progress (0..1) as the job's progress between 0.3 and 0.95, written at most once a
    second (each write is a short write transaction; SQLite has one writer at a time)."""

    INTERVAL = 1.0

    def __init__(self, job_id: str, name: str) -> None:
        self.job_id, self.name = job_id, name
        self.written, self.at = 0.3, time.monotonic()

    def __call__(self, fraction: float, _stage: str = "") -> None:
        progress = round(0.3 + 0.65 * min(max(float(fraction), 0.0), 1.0), 3)
        if progress > self.written and time.monotonic() - self.at >= self.INTERVAL:
            _update_job(self.job_id, self.name, progress=progress, heartbeat_at=utcnow())
            self.written, self.at = progress, time.monotonic()


def run_job(job_id: str, name: str) -> None:
    """Build the context as the requester, reuse a product of the same input or render it, store it."""
    app = current_app._get_current_object()
    job = db.session.get(Job, job_id)
    if job is None or job.worker != name or job.status != "running":
        db.session.rollback()
        return
    attempts, kind = job.attempts, KINDS.get(job.kind)
    problem = None
    if attempts > setting("JOBS_MAX_ATTEMPTS"):
        problem = f"the job was interrupted {attempts - 1} times; generate the product again"
    elif kind is None:
        problem = f"this worker does not know jobs of kind {job.kind!r}"
    if problem:
        db.session.rollback()  # end the read transaction before writing (SQLite: BEGIN IMMEDIATE)
        _fail(job_id, name, problem)
        return
    try:
        _start_renderer()  # its start-up overlaps the queries that build the context
        context = kind.build_context(job.requested_by, dict(job.params))
        product_hash = input_hash(kind.name, context)
        reused = db.session.scalar(select(ProductFile.input_hash).where(ProductFile.input_hash == product_hash))
        db.session.rollback()  # no transaction stays open while rendering
        if reused:
            _finish(job_id, name, product_hash, reused=True)
            return
        _update_job(job_id, name, progress=0.3, input_hash=product_hash, heartbeat_at=utcnow())
        with Heartbeat(app, job_id, name):
            content = kind.render(context, progress=ProgressReporter(job_id, name),
                                  timeout=float(setting("JOBS_RENDER_TIMEOUT_SECONDS")),
                                  memory_mb=int(setting("JOBS_RENDER_MEMORY_MB")))
        _store(product_hash, kind.name, content)
        _finish(job_id, name, product_hash, reused=False)
    except ElixError as exc:  # e.g. the operation is no longer visible to the requester
        db.session.rollback()
        _fail(job_id, name, exc.message)
    except Exception as exc:  # noqa: BLE001 - a job fails with a message, the worker carries on
        db.session.rollback()
        if _is_render_error(exc):
            _fail(job_id, name, f"the PDF could not be rendered: {exc}")
        else:
            log.exception("job %s stopped by an unexpected error", job_id)
            _fail(job_id, name, "an unexpected error stopped the job; it has been logged")


def _start_renderer() -> None:
    try:
        from reports.renderer import start_fork_server
    except ImportError:
        return
    start_fork_server()


def _is_render_error(exc: Exception) -> bool:
    try:
        from reports.renderer import RenderError
    except ImportError:
        return False
    return isinstance(exc, RenderError)


def _store(product_hash: str, kind: str, content: bytes) -> None:
    with write_intent():
        if db.session.get(ProductFile, product_hash) is None:
            db.session.add(ProductFile(input_hash=product_hash, kind=kind, size=len(content), content=content))
            try:
                db.session.commit()
            except IntegrityError:  # another worker stored the same input meanwhile
                db.session.rollback()
        else:
            db.session.rollback()


def release_jobs(name: str) -> int:
    """Put the jobs a stopping worker holds back in the queue (a crash leaves them to the stale check)."""
    with write_intent():
        done = db.session.execute(update(Job).where(Job.worker == name, Job.status == "running")
                                  .values(status="queued", worker=None, progress=0.0)
                                  .execution_options(synchronize_session=False))
        db.session.commit()
    return done.rowcount


def work(app: Flask, stop: threading.Event, *, once: bool = False, name: str | None = None) -> int:
    """Run jobs until `stop` is set (or, with `once`, until the queue is empty); returns the jobs run."""
    name = name or worker_name()
    ran = 0
    while not stop.is_set():
        with app.app_context():
            try:
                job_id = claim_next(name)
                if job_id is not None:
                    run_job(job_id, name)
                    ran += 1
            except Exception:  # noqa: BLE001 - e.g. the database restarting: wait and try again
                log.exception("job worker %s: claiming or running a job failed", name)
                db.session.rollback()
                job_id = None
            finally:
                db.session.remove()
        if job_id is None:
            if once:
                break
            stop.wait(setting("JOBS_POLL_SECONDS", app))
    return ran


_thread: threading.Thread | None = None
_thread_name = ""
_stop = threading.Event()


def start_thread(app: Flask) -> threading.Thread:
    """The worker thread of a web process (gunicorn's post_worker_init hook starts it)."""
    global _thread, _thread_name
    if _thread is None or not _thread.is_alive():
        _stop.clear()
        _thread_name = f"{socket.gethostname()}:{os.getpid()}:thread"
        _thread = threading.Thread(target=work, args=(app, _stop), kwargs={"name": _thread_name},
                                   name="elix-jobs", daemon=True)
        _thread.start()
        log.info("job worker thread %s started", _thread_name)
    return _thread


def stop_thread(app: Flask, timeout: float = 5.0) -> None:
    """Stop the thread; a job it still holds goes back to the queue for another worker."""
    _stop.set()
    if _thread is None:
        return
    _thread.join(timeout)
    with app.app_context():
        release_jobs(_thread_name)
