from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utcnow
from app.extensions import db
from search.backends.database_schema import owns_table


class SearchOutbox(db.Model):
    """A report whose search document must be refreshed. Written in the same transaction as the
    change to the report; deleted once the search backend has the new version."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[str] = mapped_column(String(36), index=True)
    enqueued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # The report's source record (JSON) as the change saw it, when the change had it at hand (a new
    # report): the worker indexes it instead of loading the report again (app.search.services).
    source: Mapped[str | None] = mapped_column(Text)


def include_in_migrations(name: str | None, type_: str, _parent_names: dict) -> bool:
    """Alembic's `include_name`: the embedded search backend's tables (and FTS5's shadow tables) are
    created by migration 0002 but are not models, so autogenerate must not propose dropping them."""
    return not (type_ == "table" and name is not None and owns_table(name))
