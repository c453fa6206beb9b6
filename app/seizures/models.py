from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import JSON, Column, Float, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.operations.models import Operation
from app.organisations.models import Organisation
from app.users.models import User


def _uuid() -> str:
    return str(uuid.uuid4())


report_operations = Table(
    "report_operations",
    db.metadata,
    Column("report_id", ForeignKey("seizure_reports.id", ondelete="CASCADE"), primary_key=True),
    Column("operation_id", ForeignKey("operations.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# Everyone who ever created, changed or submitted a report: four eyes means none of them validates it.
report_editors = Table(
    "report_editors",
    db.metadata,
    Column("report_id", ForeignKey("seizure_reports.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ReferenceCounter(db.Model):
    """The last sequence number handed out per organisation and year (gap-free references)."""

    __tablename__ = "reference_counters"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(default=0)


class SeizureReport(db.Model):
    __tablename__ = "seizure_reports"
    __table_args__ = (
        Index("ix_seizure_reports_org_status_created", "organisation_id", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_uuid)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    record_type: Mapped[str] = mapped_column(String(16), default="seizure")
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    seized_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # UTC
    seized_utc_offset: Mapped[int] = mapped_column(default=0)  # minutes, to show local time back
    country: Mapped[str] = mapped_column(String(2), index=True)
    location_name: Mapped[str | None] = mapped_column(String(200))
    location_locode: Mapped[str | None] = mapped_column(String(5))
    location_type: Mapped[str | None] = mapped_column(String(20))
    location_lat: Mapped[float | None] = mapped_column(Float)
    location_lon: Mapped[float | None] = mapped_column(Float)
    procedure: Mapped[str | None] = mapped_column(String(24))
    traffic: Mapped[str | None] = mapped_column(String(24))
    transport_mode: Mapped[str | None] = mapped_column(String(16))
    detection_methods: Mapped[list[str]] = mapped_column(JSON, default=list)
    concealment_methods: Mapped[list[str]] = mapped_column(JSON, default=list)
    concealment_details: Mapped[str] = mapped_column(Text, default="")
    narrative: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    vessel_name: Mapped[str | None] = mapped_column(String(120))
    imo: Mapped[str | None] = mapped_column(String(7))
    flag: Mapped[str | None] = mapped_column(String(2))
    containers: Mapped[list[str]] = mapped_column(JSON, default=list)
    flight: Mapped[str | None] = mapped_column(String(16))
    vehicle_plate: Mapped[str | None] = mapped_column(String(20))
    arrests: Mapped[int] = mapped_column(default=0)

    tlp: Mapped[str] = mapped_column(String(16), default="amber")
    distribution: Mapped[str] = mapped_column(String(16), default="network", index=True)
    handling: Mapped[str | None] = mapped_column(String(1))
    source_reliability: Mapped[str | None] = mapped_column(String(1))
    information_credibility: Mapped[str | None] = mapped_column(String(1))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set while returned to the owner
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship(lazy="joined")
    items: Mapped[list[SeizureItem]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="SeizureItem.position",
        lazy="selectin")
    route: Mapped[list[RouteLeg]] = relationship(
        cascade="all, delete-orphan", order_by="RouteLeg.position", lazy="selectin")
    persons: Mapped[list[Person]] = relationship(
        cascade="all, delete-orphan", order_by="Person.position", lazy="selectin")
    operations: Mapped[list[Operation]] = relationship(secondary=report_operations, lazy="selectin",
                                                       order_by=Operation.code)
    # History of validation decisions (app.validation); rows go with the report (ON DELETE CASCADE).
    validation_actions: Mapped[list[ValidationAction]] = relationship(  # noqa: F821
        "ValidationAction", order_by="ValidationAction.id", viewonly=True, lazy="select")

    __mapper_args__ = {"version_id_col": version}

    @property
    def seized_at_local(self) -> datetime:
        seized = self.seized_at if self.seized_at.tzinfo else self.seized_at.replace(tzinfo=timezone.utc)
        return seized.astimezone(timezone(timedelta(minutes=self.seized_utc_offset)))

    @property
    def location(self) -> dict:
        return {"name": self.location_name, "locode": self.location_locode, "type": self.location_type,
                "lat": self.location_lat, "lon": self.location_lon}

    @property
    def conveyance(self) -> dict:
        return {"vessel_name": self.vessel_name, "imo": self.imo, "flag": self.flag,
                "containers": list(self.containers or []), "flight": self.flight,
                "vehicle_plate": self.vehicle_plate}

    @property
    def marking(self) -> dict:
        return {"tlp": self.tlp, "distribution": self.distribution, "handling": self.handling,
                "source_reliability": self.source_reliability,
                "information_credibility": self.information_credibility}

    @property
    def validation_state(self) -> str | None:
        """`awaiting`, `returned` or `validated` for a shared report; None for drafts and withdrawn ones."""
        if self.status == "validated":
            return "validated"
        if self.status == "submitted":
            return "returned" if self.returned_at else "awaiting"
        return None

    @property
    def categories(self) -> list[str]:
        return sorted({item.category for item in self.items})

    def __repr__(self) -> str:
        return f"<SeizureReport {self.reference}>"


class ReportDocument(db.Model):
    """A report's API document as a change stored it (app.seizures.documents): derived data, served by
    the detail read only while `version` is the report's and `format` the code's."""

    __tablename__ = "report_documents"

    report_id: Mapped[str] = mapped_column(ForeignKey("seizure_reports.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)  # the report's version it shows
    format: Mapped[int] = mapped_column(Integer)  # app.seizures.documents.FORMAT when it was stored
    body: Mapped[str] = mapped_column(Text)  # JSON


class SeizureItem(db.Model):
    __tablename__ = "seizure_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("seizure_reports.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    category: Mapped[str] = mapped_column(String(16), index=True)
    subcategory: Mapped[str | None] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))
    normalised_quantity: Mapped[float] = mapped_column(Float)
    normalised_unit: Mapped[str] = mapped_column(String(20))
    hs_code: Mapped[str | None] = mapped_column(String(10))
    value_amount: Mapped[float | None] = mapped_column(Float)
    value_currency: Mapped[str | None] = mapped_column(String(3))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    report: Mapped[SeizureReport] = relationship(back_populates="items")

    @property
    def normalised(self) -> dict:
        return {"quantity": self.normalised_quantity, "unit": self.normalised_unit}

    @property
    def estimated_value(self) -> dict | None:
        if self.value_amount is None:
            return None
        return {"amount": self.value_amount, "currency": self.value_currency}


class RouteLeg(db.Model):
    __tablename__ = "route_legs"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("seizure_reports.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    role: Mapped[str] = mapped_column(String(24))
    country: Mapped[str] = mapped_column(String(2), index=True)
    place: Mapped[str | None] = mapped_column(String(100))


class Person(db.Model):
    """Nominal data: visible only to the reporting organisation and regional-office validators."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("seizure_reports.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    role: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(200))
    nationality: Mapped[str | None] = mapped_column(String(2))
    document_type: Mapped[str | None] = mapped_column(String(24))
    document_number: Mapped[str | None] = mapped_column(String(64))
    document_country: Mapped[str | None] = mapped_column(String(2))

    @property
    def document(self) -> dict | None:
        if not (self.document_type or self.document_number):
            return None
        return {"type": self.document_type, "number": self.document_number,
                "country": self.document_country}


class IdempotencyKey(db.Model):
    """The Idempotency-Key a user sent with POST /api/v1/seizures, stored in the transaction that created
    the report: a retried request finds the report here instead of creating a second one."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    report_id: Mapped[str] = mapped_column(ForeignKey("seizure_reports.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[SeizureReport] = relationship()
