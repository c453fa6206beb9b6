from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.organisations.models import Organisation

operation_participants = Table(
    "operation_participants",
    db.metadata,
    Column("operation_id", ForeignKey("operations.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Operation(db.Model):
    __tablename__ = "operations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    lead_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    focus_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lead_organisation: Mapped[Organisation] = relationship(foreign_keys=[lead_organisation_id],
                                                           lazy="joined")
    participants: Mapped[list[Organisation]] = relationship(secondary=operation_participants,
                                                            order_by=Organisation.code)

    def member_ids(self) -> set[int]:
        """The lead and the participants: the organisations that see `operation` distribution."""
        return {self.lead_organisation_id, *(o.id for o in self.participants)}
