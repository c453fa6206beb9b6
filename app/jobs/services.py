"""Product jobs: requested by a user, run by a worker (app.jobs.worker), readable only by the requester."""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from flask import url_for
from sqlalchemy import delete, select

from app import audit
from app.database import utcnow
from app.errors import Conflict, NotFound
from app.extensions import db
from app.jobs.models import Job, ProductFile
from app.users.models import User

log = logging.getLogger(__name__)

REPORTS_PACKAGE = Path(__file__).resolve().parent.parent.parent / "reports"


@dataclass(frozen=True)
class Kind:
    """How to build a product: its context from the job's params (as the requester), and its renderer
    (called as render(context, timeout=..., memory_mb=..., progress=callback(fraction, stage)))."""

    name: str
    build_context: Callable[[User, dict], dict]
    render: Callable[..., bytes]


def _operation_summary_context(user: User, params: dict) -> dict:
    from app.operations.products import summary_context
    from app.operations.services import get_operation

    return summary_context(user, get_operation(user, params["operation"]))


def _conference_report_context(user: User, params: dict) -> dict:
    from app.conferences.products import report_context
    from app.conferences.services import get_conference

    return report_context(user, get_conference(user, params["conference"]))


def _render_operation_summary(context: dict, **limits) -> bytes:
    from reports.renderer import render_operation_summary

    return render_operation_summary(context, **limits)


def _render_conference_report(context: dict, **limits) -> bytes:
    from reports.renderer import render_conference_report

    return render_conference_report(context, **limits)


KINDS: dict[str, Kind] = {
    "operation_summary": Kind("operation_summary", _operation_summary_context, _render_operation_summary),
    "conference_report": Kind("conference_report", _conference_report_context, _render_conference_report),
}


@lru_cache(maxsize=1)
def renderer_fingerprint() -> str:
    """A digest of the reports package (code, templates, assets): a changed renderer makes new PDFs
    instead of serving ones made by the old one."""
    digest = hashlib.sha256()
    for path in sorted(REPORTS_PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(REPORTS_PACKAGE)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def input_hash(kind: str, context: dict) -> str:
    """The hash of everything a product is made of: its kind, the renderer, and the context except the
    moment it was built. The context holds only what the requester may see, so two users with different
    scopes never share a product."""
    stable = {key: value for key, value in context.items() if key != "generated_at"}
    payload = json.dumps({"kind": kind, "renderer": renderer_fingerprint(), "context": stable},
                         sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def request_product(user: User, kind: str, params: dict, filename: str) -> Job:
    """Queue a job; the caller has checked that the user may see what `params` name. A request that
    repeats one of the user's jobs still waiting or running gets that job (a double click queues once)."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    pending = db.session.scalars(select(Job).where(Job.requested_by_id == user.id, Job.kind == kind,
                                                   Job.status.in_(("queued", "running")))).all()
    job = next((job for job in pending if job.params == params), None)
    repeated = job is not None
    if job is None:
        job = Job(kind=kind, params=params, filename=filename, requested_by_id=user.id, status="queued")
        db.session.add(job)
        db.session.flush()
    audit.record("product.request", actor=user, subject=_audit_subject(job, user),
                 details={"params": params, "repeated": repeated})
    if repeated:
        return job
    log.info("job %s (%s) requested by user %s", job.id, kind, user.id)
    return job


def get_job(user: User, job_id: str) -> Job:
    """The job, for its requester only: for anyone else it does not exist."""
    job = db.session.get(Job, job_id) if len(job_id) <= 36 else None
    if job is None or job.requested_by_id != user.id:
        raise NotFound("no such job")
    return job


def job_file(user: User, job_id: str) -> tuple[Job, ProductFile]:
    job = get_job(user, job_id)
    if job.status != "done" or job.result_hash is None:
        raise Conflict(f"the job is {job.status}; the file is there once it is done")
    product = db.session.get(ProductFile, job.result_hash)
    if product is None:
        raise NotFound("the product is no longer stored; generate it again")
    audit.record("product.download", actor=user, subject=_audit_subject(job, user),
                 details={"params": job.params, "sha256": job.result_hash})
    return job, product


def _audit_subject(job: Job, user: User) -> audit.Subject:
    return audit.Subject("job", job.id, job.kind, user.organisation_id)


def jobs_of(user: User, limit: int = 50) -> list[Job]:
    return list(db.session.scalars(select(Job).where(Job.requested_by_id == user.id)
                                   .order_by(Job.created_at.desc()).limit(limit)))


def prune(older_than: timedelta) -> tuple[int, int]:
    """Delete finished jobs older than `older_than` and the stored products no job refers to any more;
    returns (jobs deleted, products deleted)."""
    cutoff = utcnow() - older_than
    jobs = db.session.execute(delete(Job).where(Job.status.in_(("done", "failed")), Job.created_at < cutoff)
                              .execution_options(synchronize_session=False)).rowcount
    referenced = select(Job.result_hash).where(Job.result_hash.is_not(None))
    files = db.session.execute(delete(ProductFile).where(ProductFile.input_hash.not_in(referenced))
                               .execution_options(synchronize_session=False)).rowcount
    log.info("pruned %d jobs and %d stored products", jobs, files)
    return jobs, files


def dump_job(job: Job) -> dict:
    done = job.status == "done"
    return {
        "id": job.id, "kind": job.kind, "status": job.status, "progress": round(float(job.progress), 3),
        "message": job.message or "", "attempts": job.attempts,
        "created_at": job.created_at.isoformat(timespec="seconds") if job.created_at else None,
        "started_at": job.started_at.isoformat(timespec="seconds") if job.started_at else None,
        "finished_at": job.finished_at.isoformat(timespec="seconds") if job.finished_at else None,
        "file": url_for("api.job_file", job_id=job.id) if done else None,
        "filename": job.filename,
    }
