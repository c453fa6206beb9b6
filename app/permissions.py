"""The sharing rule of DESIGN.md, in one place.

`viewer_for(user)` reduces a user to the facts the rule needs (a plain `Viewer`). Everything that
returns report data goes through it: `visible_reports_clause()` for SQL, `can_view()` for a loaded
report, `visible_among()` for reports known by id, `visible_by_facts()` for a report's own row (the
detail read's stored document), and the search backends compile the same `Viewer` fields into their
filters.

A report is visible to a viewer when it belongs to the viewer's organisation (any status), or it is
shared (submitted or validated) and either its distribution is open to the viewer's kind of
organisation, or its distribution is `operation` and it is linked to an operation the viewer's
organisation leads or takes part in.
"""
from __future__ import annotations

from collections.abc import Iterator, Set
from dataclasses import dataclass
from typing import AbstractSet

from sqlalchemy import and_, bindparam, exists, false, or_, select, union
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.operations.models import Operation, operation_participants
from app.seizures.models import SeizureReport, report_operations
from app.users.models import User
from app.vocabularies import TLP_ORDER

SHARED_STATUSES = ("submitted", "validated")


@dataclass(frozen=True)
class Viewer:
    user_id: int
    organisation_id: int
    organisation_kind: str
    operation_ids: AbstractSet[int]  # a frozenset, or OperationsOf (read when first needed)
    regional_validator: bool

    @property
    def open_distributions(self) -> tuple[str, ...]:
        """Distributions that reach this viewer without an operation link."""
        if self.organisation_kind in ("administration", "regional_office"):
            return ("network", "partners")
        if self.organisation_kind == "partner":
            return ("partners",)
        return ()


# Built once: every list and search reads it (through OperationsOf).
_OPERATIONS_OF = union(
    select(Operation.__table__.c.id).where(Operation.__table__.c.lead_organisation_id == bindparam("organisation_id")),
    select(operation_participants.c.operation_id).where(
        operation_participants.c.organisation_id == bindparam("organisation_id")))


def operations_of_organisation(organisation_id: int) -> frozenset[int]:
    return frozenset(db.session.scalars(_OPERATIONS_OF, {"organisation_id": organisation_id}).all())


class OperationsOf(Set):
    """The operations an organisation leads or takes part in, read from the database on first use (in
    the request that made the Viewer). The rule reads them only for `operation` reports of other
    organisations and for lists and searches: a request about one report of the viewer's own
    organisation, or of an open distribution, skips the query."""

    __slots__ = ("organisation_id", "_ids")

    def __init__(self, organisation_id: int) -> None:
        self.organisation_id = organisation_id
        self._ids: frozenset[int] | None = None

    def _loaded(self) -> frozenset[int]:
        if self._ids is None:
            self._ids = operations_of_organisation(self.organisation_id)
        return self._ids

    def __contains__(self, operation_id: object) -> bool:
        return operation_id in self._loaded()

    def __iter__(self) -> Iterator[int]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())

    __hash__ = Set._hash

    def __repr__(self) -> str:
        return f"OperationsOf({self.organisation_id}: {'not read' if self._ids is None else sorted(self._ids)})"


def viewer_for(user: User) -> Viewer:
    org = user.organisation
    return Viewer(
        user_id=user.id,
        organisation_id=org.id,
        organisation_kind=org.kind,
        operation_ids=OperationsOf(org.id),
        regional_validator=org.kind == "regional_office" and user.has_role("validator"),
    )


def visible_reports_clause(viewer: Viewer) -> ColumnElement[bool]:
    """SQL condition on SeizureReport: the reports `viewer` may see."""
    shared = [SeizureReport.distribution.in_(viewer.open_distributions)] if viewer.open_distributions else []
    if viewer.operation_ids:
        shared.append(and_(
            SeizureReport.distribution == "operation",
            exists().where(report_operations.c.report_id == SeizureReport.id,
                           report_operations.c.operation_id.in_(viewer.operation_ids)),
        ))
    others = and_(SeizureReport.status.in_(SHARED_STATUSES), or_(*shared)) if shared else false()
    return or_(SeizureReport.organisation_id == viewer.organisation_id, others)


def visible_by_facts(viewer: Viewer, organisation_id: int, status: str, distribution: str) -> bool | None:
    """The rule on a report's own facts: True or False, or None when its operation links decide."""
    if organisation_id == viewer.organisation_id:
        return True
    if status not in SHARED_STATUSES:
        return False
    if distribution in viewer.open_distributions:
        return True
    return None if distribution == "operation" else False


def can_view(viewer: Viewer, report: SeizureReport) -> bool:
    """The same rule as `visible_reports_clause`, for a report already loaded."""
    visible = visible_by_facts(viewer, report.organisation_id, report.status, report.distribution)
    if visible is None:
        return any(op.id in viewer.operation_ids for op in report.operations)
    return visible


_REPORTS = SeizureReport.__table__
MARKING_COLUMNS = ("tlp", "distribution", "handling", "source_reliability", "information_credibility")
# Built once (a search re-checks its page of hits on every request): the facts the rule reads, and the
# report's marking (a hit shows it as it is now), by id.
_FACTS = (select(_REPORTS.c.id, _REPORTS.c.organisation_id, _REPORTS.c.status,
                 *(_REPORTS.c[name] for name in MARKING_COLUMNS))
          .where(_REPORTS.c.id.in_(bindparam("ids", expanding=True))))
_LINKS = (select(report_operations.c.report_id, report_operations.c.operation_id)
          .where(report_operations.c.report_id.in_(bindparam("ids", expanding=True))))


def visible_among(viewer: Viewer, report_ids: list[str]) -> dict[str, dict]:
    """The reports among `report_ids` that `viewer` may see, by the rule of `can_view` applied to their
    facts as the database has them now (ids of reports that no longer exist are left out), each with
    its marking fields. Reads one row per report by primary key, and the operation links only of
    `operation` reports of other organisations: cheaper than the SQL clause for a page of search hits."""
    if not report_ids:
        return {}
    connection = db.session.connection()
    visible, linked = {}, {}
    for report_id, organisation_id, status, *marking in connection.execute(_FACTS, {"ids": report_ids}):
        marked = dict(zip(MARKING_COLUMNS, marking, strict=True))
        by_facts = visible_by_facts(viewer, organisation_id, status, marked["distribution"])
        if by_facts:
            visible[report_id] = marked
        elif by_facts is None:
            linked[report_id] = marked
    if linked and viewer.operation_ids:
        visible.update((report_id, linked[report_id]) for report_id, operation_id
                       in connection.execute(_LINKS, {"ids": list(linked)}) if operation_id in viewer.operation_ids)
    return visible


def can_view_persons(viewer: Viewer, report: SeizureReport) -> bool:
    """Nominal data: the reporting organisation, and validators of regional offices."""
    if report.organisation_id == viewer.organisation_id:
        return True
    return viewer.regional_validator and can_view(viewer, report)


def can_view_persons_of_visible(viewer: Viewer, organisation_id: int) -> bool:
    """`can_view_persons` for a report the viewer may see, by its organisation."""
    return organisation_id == viewer.organisation_id or viewer.regional_validator


def can_edit(user: User, report: SeizureReport) -> bool:
    return report.organisation_id == user.organisation_id and user.has_role("officer")


def most_restrictive_tlp(tlps: list[str]) -> str:
    """The TLP a product carries: the most restrictive of what it includes."""
    return max(tlps, key=TLP_ORDER.index) if tlps else "clear"
