"""The history of four-eyes validation: one row per decision (validate, return) and per resubmission.

The report's current validation state is not stored here: it follows from the report's own columns
(`status` and `returned_at`, see SeizureReport.validation_state), so the list, the queue and search
filter on it without a join. This table is the record of who decided what, when, and why.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.organisations.models import Organisation
from app.users.models import User

ACTIONS = ("validate", "return", "resubmit")

# The validator's checklist (DESIGN.md: four-eyes validation). Order is the order on the form.
CHECKLIST = {
    "category_quantity": "Category and quantity are plausible",
    "location_date": "Location and date are consistent",
    "markings": "Markings (TLP, distribution, handling) are appropriate",
}


class ValidationAction(db.Model):
    __tablename__ = "validation_actions"
    __table_args__ = (Index("ix_validation_actions_report_id_id", "report_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("seizure_reports.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))  # the actor's, at the time
    report_version: Mapped[int] = mapped_column(Integer)  # the version the decision was about
    checklist: Mapped[dict] = mapped_column(JSON, default=dict)  # item -> true/false (empty for resubmit)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<ValidationAction {self.action} {self.report_id}>"
