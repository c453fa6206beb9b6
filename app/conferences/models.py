"""Conferences: a record of the meeting (participants, agenda, decisions, action items) and what its report
presents (regional figures for a period and categories, the operations reported)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.operations.models import Operation
from app.organisations.models import Organisation

conference_operations = Table(
    "conference_operations",
    db.metadata,
    Column("conference_id", ForeignKey("conferences.id", ondelete="CASCADE"), primary_key=True),
    Column("operation_id", ForeignKey("operations.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Conference(db.Model):
    __tablename__ = "conferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    venue: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    organiser_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    figures_from: Mapped[date | None]
    figures_to: Mapped[date | None]
    figures_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organiser: Mapped[Organisation] = relationship(lazy="joined")
    participants: Mapped[list[ConferenceParticipant]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ConferenceParticipant.position")
    agenda: Mapped[list[AgendaItem]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="AgendaItem.position")
    decisions: Mapped[list[Decision]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="Decision.position")
    action_items: Mapped[list[ActionItem]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ActionItem.position")
    operations: Mapped[list[Operation]] = relationship(secondary=conference_operations, lazy="selectin",
                                                       order_by=Operation.starts_on)

    def __repr__(self) -> str:
        return f"<Conference {self.id} {self.title!r}>"


class ConferenceParticipant(db.Model):
    """An organisation taking part, with the number of its delegates."""

    __tablename__ = "conference_participants"

    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)
    delegates: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class AgendaItem(db.Model):
    __tablename__ = "conference_agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    presenter: Mapped[str] = mapped_column(String(200), default="")
    presenter_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    summary: Mapped[str] = mapped_column(Text, default="")

    presenter_organisation: Mapped[Organisation | None] = relationship(lazy="joined")


class Decision(db.Model):
    __tablename__ = "conference_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)


class ActionItem(db.Model):
    __tablename__ = "conference_action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date | None]
