from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
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

# The phases of an operation, in their order within its period.
PHASES = {"pre_operational": "Pre-operational", "operational": "Operational",
          "post_operational": "Post-operational"}


class Operation(db.Model):
    __tablename__ = "operations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    executive_summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    lead_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    focus_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lead_organisation: Mapped[Organisation] = relationship(foreign_keys=[lead_organisation_id],
                                                           lazy="joined")
    participants: Mapped[list[Organisation]] = relationship(secondary=operation_participants,
                                                            order_by=Organisation.code)
    phases: Mapped[list[OperationPhase]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OperationPhase.starts_on")

    def member_ids(self) -> set[int]:
        """The lead and the participants: the organisations that see `operation` distribution."""
        return {self.lead_organisation_id, *(o.id for o in self.participants)}

    def phase(self, name: str) -> OperationPhase | None:
        return next((p for p in self.phases if p.name == name), None)


class OperationPhase(db.Model):
    """A dated phase of an operation (pre-operational, operational, post-operational) inside its period."""

    __tablename__ = "operation_phases"
    __table_args__ = (UniqueConstraint("operation_id", "name", name="uq_operation_phases_operation_id_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    operation_id: Mapped[int] = mapped_column(ForeignKey("operations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(24))
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    @property
    def label(self) -> str:
        return PHASES.get(self.name, self.name)
