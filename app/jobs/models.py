"""Background jobs (PDF products) and the products they store.

A job is claimed by one worker with a conditional UPDATE (see app.jobs.worker); the worker keeps its
`heartbeat_at` fresh while it runs, so a job whose worker died is recognised and taken up again. A product
is stored once per input hash (the hash of everything that went into it, the requester's scope included),
in the database so that every app and worker machine serves it.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.users.models import User

JOB_STATUSES = ("queued", "running", "done", "failed")


def _uuid() -> str:
    return str(uuid.uuid4())


class ProductFile(db.Model):
    __tablename__ = "product_files"

    input_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    media_type: Mapped[str] = mapped_column(String(64), default="application/pdf")
    size: Mapped[int]
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_created_at", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    input_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[float] = mapped_column(default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    result_hash: Mapped[str | None] = mapped_column(ForeignKey("product_files.input_hash"))
    filename: Mapped[str | None] = mapped_column(String(200))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    worker: Mapped[str | None] = mapped_column(String(120))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requested_by: Mapped[User] = relationship()
    result: Mapped[ProductFile | None] = relationship()

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status}>"
