"""The figures of a scope (an operation, or a period and categories), computed in SQL for one viewer.

`compute_figures(viewer, scope)` returns the `Figures` dict of reports/context.py. The operation page,
the operation summary PDF and the conference report's regional and per-operation figures all call it, so
what a page shows and what a PDF prints are equal by construction.

What a scope includes:
- only reports the viewer may see (app.permissions.visible_reports_clause) that are shared, i.e.
  submitted or validated: drafts and withdrawn reports are nobody's results;
- an operation scope: the reports linked to the operation, whatever their date;
- a period (dates inclusive, UTC seizure dates, as in the search filters);
- categories: reports with at least one item of those categories, and only those items are totalled.

Labels are the vocabularies' English labels: the figures are a product's content, the same for every
reader and for every render of the same input.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import exists, func, over, select
from sqlalchemy.sql.elements import ColumnElement

from app import vocabularies as vocab
from app.database import day_after
from app.extensions import db
from app.organisations.models import Organisation
from app.permissions import SHARED_STATUSES, Viewer, most_restrictive_tlp, visible_reports_clause
from app.seizures.models import RouteLeg, SeizureItem, SeizureReport, report_operations

DAILY_TIMELINE_MAX_DAYS = 92  # longer ranges are shown by month
TOP_ROUTES = 10
NOTABLE_CASES = 8
DISTRIBUTION_ORDER = ["organisation", "operation", "network", "partners"]  # narrowest first


@dataclass(frozen=True)
class Scope:
    """What a set of figures covers. Dates are inclusive; empty categories mean every category."""

    operation_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    categories: tuple[str, ...] = ()
    # The range the timeline spans at least (the operation period, the conference's figures period).
    timeline_from: date | None = None
    timeline_to: date | None = None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.utc)


def report_conditions(viewer: Viewer, scope: Scope) -> list[ColumnElement[bool]]:
    """SQL conditions on SeizureReport selecting the reports the scope includes for this viewer."""
    conditions: list[ColumnElement[bool]] = [visible_reports_clause(viewer),
                                             SeizureReport.status.in_(SHARED_STATUSES)]
    if scope.operation_id is not None:
        conditions.append(exists().where(report_operations.c.report_id == SeizureReport.id,
                                         report_operations.c.operation_id == scope.operation_id))
    if scope.date_from is not None:
        conditions.append(SeizureReport.seized_at >= _start_of(scope.date_from))
    if scope.date_to is not None and (after := day_after(scope.date_to)):
        conditions.append(SeizureReport.seized_at < _start_of(after))
    if scope.categories:
        conditions.append(exists().where(SeizureItem.report_id == SeizureReport.id,
                                         SeizureItem.category.in_(scope.categories)))
    return conditions


def _included_ids(viewer: Viewer, scope: Scope):  # noqa: ANN202
    return select(SeizureReport.id).where(*report_conditions(viewer, scope))


def _item_conditions(viewer: Viewer, scope: Scope) -> list[ColumnElement[bool]]:
    conditions = [SeizureItem.report_id.in_(_included_ids(viewer, scope))]
    if scope.categories:
        conditions.append(SeizureItem.category.in_(scope.categories))
    return conditions


def compute_figures(viewer: Viewer, scope: Scope) -> dict:
    """The Figures dict (reports/context.py) of `scope` as `viewer` may see it, the annex's every row
    included (the operation summary prints them all)."""
    return {**summary_figures(viewer, scope), "seizures": _annex(viewer, scope)}


def summary_figures(viewer: Viewer, scope: Scope) -> dict:
    """The Figures dict without the annex rows ("seizures": []): every figure is still computed over all
    included reports. Pages show the rows a page at a time (seizure_page); the conference report has no
    annex."""
    conditions = report_conditions(viewer, scope)
    reports, arrests = db.session.execute(
        select(func.count(SeizureReport.id), func.coalesce(func.sum(SeizureReport.arrests), 0)).where(*conditions)
    ).one()
    tlps = db.session.scalars(select(SeizureReport.tlp).where(*conditions).distinct()).all()
    methods = db.session.execute(
        select(SeizureReport.detection_methods, SeizureReport.concealment_methods).where(*conditions)).all()
    return {
        "reports": int(reports),
        "arrests": int(arrests),
        "by_category": _by_category(viewer, scope),
        "by_administration": _by_administration(conditions),
        "by_transport_mode": _by_code(conditions, SeizureReport.transport_mode, vocab.TRANSPORT_MODES),
        "by_detection_method": _count_lists([m[0] for m in methods], vocab.DETECTION_METHODS),
        "by_concealment_method": _count_lists([m[1] for m in methods], vocab.CONCEALMENT_METHODS),
        "timeline": _timeline(conditions, scope),
        "locations": _locations(conditions),
        "top_routes": _top_routes(viewer, scope),
        "notable_cases": _notable_cases(viewer, scope),
        "seizures": [],
        "tlp": most_restrictive_tlp(list(tlps)),
    }


def scope_marking(viewer: Viewer, scopes: list[Scope]) -> dict:
    """The marking a product carries: the most restrictive TLP and distribution of what it includes, and
    handling `C` (conditions) when any included report has it."""
    tlps: set[str] = set()
    distributions: set[str] = set()
    handlings: set[str] = set()
    for scope in scopes:
        rows = db.session.execute(
            select(SeizureReport.tlp, SeizureReport.distribution, SeizureReport.handling)
            .where(*report_conditions(viewer, scope)).distinct()).all()
        for tlp, distribution, handling in rows:
            tlps.add(tlp)
            distributions.add(distribution)
            if handling:
                handlings.add(handling)
    distribution = min(distributions, key=DISTRIBUTION_ORDER.index) if distributions else "network"
    handling = "C" if "C" in handlings else ("P" if handlings else None)
    return {"tlp": most_restrictive_tlp(sorted(tlps)), "distribution": distribution, "handling": handling}


# --- the parts -------------------------------------------------------------------------------------

def _category_rank(category: str) -> int:
    return list(vocab.CATEGORIES).index(category) if category in vocab.CATEGORIES else len(vocab.CATEGORIES)


def _subcategory_label(category: str, subcategory: str | None) -> str:
    if subcategory is None:
        return ""
    return vocab.SUBCATEGORIES.get(category, {}).get(subcategory, subcategory)


def _by_category(viewer: Viewer, scope: Scope) -> list[dict]:
    rows = db.session.execute(
        select(SeizureItem.category, SeizureItem.subcategory, SeizureItem.normalised_unit,
               func.sum(SeizureItem.normalised_quantity), func.count(func.distinct(SeizureItem.report_id)))
        .where(*_item_conditions(viewer, scope))
        .group_by(SeizureItem.category, SeizureItem.subcategory, SeizureItem.normalised_unit)
    ).all()
    result = [{"category": category, "label": vocab.CATEGORIES.get(category, category),
               "subcategory": subcategory, "subcategory_label": _subcategory_label(category, subcategory),
               "unit": unit, "quantity": round(float(quantity), 6), "reports": int(count)}
              for category, subcategory, unit, quantity, count in rows]
    subcategory_order = {c: list(subs) for c, subs in vocab.SUBCATEGORIES.items()}

    def key(row: dict) -> tuple:
        subs = subcategory_order.get(row["category"], [])
        sub_rank = subs.index(row["subcategory"]) if row["subcategory"] in subs else len(subs)
        return (_category_rank(row["category"]), sub_rank, row["subcategory"] or "", row["unit"])

    return sorted(result, key=key)


def _by_administration(conditions: list) -> list[dict]:
    rows = db.session.execute(
        select(Organisation.code, Organisation.name, func.count(SeizureReport.id))
        .join(Organisation, Organisation.id == SeizureReport.organisation_id)
        .where(*conditions).group_by(Organisation.code, Organisation.name)
    ).all()
    return sorted(({"code": code, "name": name, "reports": int(count)} for code, name, count in rows),
                  key=lambda r: (-r["reports"], r["code"]))


def _by_code(conditions: list, column, labels: dict[str, str]) -> list[dict]:  # noqa: ANN001
    rows = db.session.execute(select(column, func.count()).where(*conditions, column.is_not(None))
                              .group_by(column)).all()
    return sorted(({"code": code, "label": labels.get(code, code), "reports": int(count)} for code, count in rows),
                  key=lambda r: (-r["reports"], r["code"]))


def _count_lists(lists: list[list[str] | None], labels: dict[str, str]) -> list[dict]:
    """Reports per method: the methods are a JSON list per report, counted once per report."""
    counts: Counter[str] = Counter()
    for codes in lists:
        counts.update(set(codes or []))
    return sorted(({"code": code, "label": labels.get(code, code), "reports": count}
                   for code, count in counts.items()), key=lambda r: (-r["reports"], r["code"]))


def _day_expression(granularity: str):  # noqa: ANN202
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", SeizureReport.seized_at),
                            "YYYY-MM-DD" if granularity == "day" else "YYYY-MM")
    return func.strftime("%Y-%m-%d" if granularity == "day" else "%Y-%m", SeizureReport.seized_at)


def _timeline(conditions: list, scope: Scope) -> list[dict]:
    first, last = db.session.execute(
        select(func.min(SeizureReport.seized_at), func.max(SeizureReport.seized_at)).where(*conditions)).one()
    starts = [d for d in (scope.timeline_from, first.date() if first else None) if d]
    ends = [d for d in (scope.timeline_to, last.date() if last else None) if d]
    if not starts or not ends:
        return []
    start, end = min(starts), max(ends)
    granularity = "day" if (end - start).days < DAILY_TIMELINE_MAX_DAYS else "month"
    bucket = _day_expression(granularity)
    counts = dict(db.session.execute(select(bucket, func.count()).where(*conditions).group_by(bucket)).all())
    periods = _days(start, end) if granularity == "day" else _months(start, end)
    return [{"period": period, "reports": int(counts.get(period, 0))} for period in periods]


def _days(start: date, end: date) -> list[str]:
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def _months(start: date, end: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _locations(conditions: list) -> list[dict]:
    """Each place the reports name, with its coordinates. A place is its coordinates with its name (or,
    unnamed, its country's); a report that gives a name or LOCODE but no coordinates counts at the place
    of that name with coordinates when there is exactly one, else at a place of its own off the map (lat
    and lon None). A report that gives neither is at no place."""
    rows = db.session.execute(
        select(SeizureReport.location_name, SeizureReport.location_locode, SeizureReport.country,
               SeizureReport.location_lat, SeizureReport.location_lon, func.count())
        .where(*conditions)
        .group_by(SeizureReport.location_name, SeizureReport.location_locode, SeizureReport.country,
                  SeizureReport.location_lat, SeizureReport.location_lon)
    ).all()
    places: dict[tuple, dict] = {}
    unlocated: Counter = Counter()
    for name, locode, country, lat, lon, count in rows:
        label = name or locode
        if lat is None or lon is None:
            if label:
                unlocated[(label, country)] += int(count)
            continue
        key = (label, country, float(lat), float(lon))
        place = places.setdefault(key, {"name": label or vocab.countries().get(country, country),
                                        "country": country, "lat": float(lat), "lon": float(lon), "reports": 0})
        place["reports"] += int(count)
    for (label, country), count in sorted(unlocated.items()):
        named = [place for key, place in places.items() if key[:2] == (label, country)]
        if len(named) == 1:
            named[0]["reports"] += count
        else:
            places[(label, country, None, None)] = {"name": label, "country": country, "lat": None, "lon": None,
                                                    "reports": count}
    return sorted(places.values(), key=lambda r: (-r["reports"], r["name"], r["country"], r["lat"] or 0,
                                                  r["lon"] or 0))


def _top_routes(viewer: Viewer, scope: Scope) -> list[dict]:
    rows = db.session.execute(
        select(RouteLeg.report_id, RouteLeg.country)
        .where(RouteLeg.report_id.in_(_included_ids(viewer, scope)))
        .order_by(RouteLeg.report_id, RouteLeg.position)
    ).all()
    routes: dict[str, list[str]] = {}
    for report_id, country in rows:
        legs = routes.setdefault(report_id, [])
        if not legs or legs[-1] != country:
            legs.append(country)
    counts = Counter(" → ".join(legs) for legs in routes.values() if len(legs) > 1)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_ROUTES]
    return [{"route": route, "reports": count} for route, count in ranked]


def _format_quantity(quantity: float) -> str:
    return f"{quantity:,.0f}" if float(quantity).is_integer() else f"{quantity:,.2f}"


def _commodity(category: str, subcategory: str | None) -> str:
    return _subcategory_label(category, subcategory) or vocab.CATEGORIES.get(category, category)


def _notable_cases(viewer: Viewer, scope: Scope) -> list[dict]:
    """The largest seizure of each category (per canonical unit), largest categories first.
    Built from coded fields only: no free text (narratives may name people)."""
    rank = over(func.row_number(), partition_by=(SeizureItem.category, SeizureItem.normalised_unit),
                order_by=(SeizureItem.normalised_quantity.desc(), SeizureItem.report_id))
    ranked = (
        select(SeizureItem.report_id, SeizureItem.category, SeizureItem.subcategory,
               SeizureItem.normalised_quantity, SeizureItem.normalised_unit, rank.label("rank"))
        .where(*_item_conditions(viewer, scope)).subquery()
    )
    rows = db.session.execute(
        select(ranked.c.category, ranked.c.subcategory, ranked.c.normalised_quantity, ranked.c.normalised_unit,
               SeizureReport.reference, SeizureReport.seized_at, SeizureReport.location_name,
               SeizureReport.country, SeizureReport.transport_mode, SeizureReport.concealment_methods,
               SeizureReport.arrests, Organisation.code)
        .join(SeizureReport, SeizureReport.id == ranked.c.report_id)
        .join(Organisation, Organisation.id == SeizureReport.organisation_id)
        .where(ranked.c.rank == 1)
    ).all()
    cases = []
    for (category, subcategory, quantity, unit, reference, seized_at, place, country, mode, concealments,
         arrests, org_code) in sorted(rows, key=lambda r: (_category_rank(r[0]), r[3], -r[2]))[:NOTABLE_CASES]:
        parts = [f"{_commodity(category, subcategory)}: {_format_quantity(quantity)} {unit}"]
        if mode:
            parts.append(f"by {vocab.TRANSPORT_MODES.get(mode, mode).lower()}")
        if concealments:
            parts.append("concealment: " + ", ".join(vocab.CONCEALMENT_METHODS.get(c, c).lower()
                                                      for c in concealments))
        if arrests:
            parts.append(f"{arrests} arrest{'s' if arrests != 1 else ''}")
        cases.append({"reference": reference, "date": seized_at.date().isoformat(), "administration": org_code,
                      "place": _place(place, country), "summary": "; ".join(parts)})
    return cases


def _place(name: str | None, country: str) -> str:
    return f"{name}, {country}" if name else vocab.countries().get(country, country)


def seizure_page(viewer: Viewer, scope: Scope, page: int, per_page: int) -> dict:
    """One page of the annex rows (one per included item, in the annex's order):
    {"total": items, "page", "per_page", "pages", "results": [annex row]}."""
    total = int(db.session.scalar(select(func.count(SeizureItem.id)).where(*_item_conditions(viewer, scope))) or 0)
    return {"total": total, "page": page, "per_page": per_page, "pages": max(1, -(-total // per_page)),
            "results": _annex(viewer, scope, limit=per_page, offset=(page - 1) * per_page)}


def _annex(viewer: Viewer, scope: Scope, *, limit: int | None = None, offset: int = 0) -> list[dict]:
    rows = db.session.execute(
        select(SeizureReport.reference, SeizureReport.seized_at, Organisation.code, SeizureReport.location_name,
               SeizureReport.country, SeizureItem.category, SeizureItem.subcategory,
               SeizureItem.normalised_quantity, SeizureItem.normalised_unit, SeizureReport.transport_mode,
               SeizureReport.detection_methods)
        .join(SeizureReport, SeizureReport.id == SeizureItem.report_id)
        .join(Organisation, Organisation.id == SeizureReport.organisation_id)
        .where(*_item_conditions(viewer, scope))
        .order_by(SeizureReport.seized_at, SeizureReport.reference, SeizureItem.position)
        .limit(limit).offset(offset)
    ).all()
    return [{"reference": reference, "date": seized_at.date().isoformat(), "administration": org_code,
             "place": _place(place, country), "commodity": _commodity(category, subcategory),
             "quantity": round(float(quantity), 6), "unit": unit,
             "transport_mode": vocab.TRANSPORT_MODES.get(mode, mode) if mode else "",
             "detection_method": ", ".join(vocab.DETECTION_METHODS.get(m, m) for m in (methods or []))}
            for (reference, seized_at, org_code, place, country, category, subcategory, quantity, unit, mode,
                 methods) in rows]


def operation_scope(operation) -> Scope:  # noqa: ANN001
    """Every report linked to the operation; the timeline spans at least the operation's period."""
    return Scope(operation_id=operation.id, timeline_from=operation.starts_on, timeline_to=operation.ends_on)
