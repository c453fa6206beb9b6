"""Loading the demo data. Organisations, users and operations are upserted by code and e-mail; the
generated reports are inserted in bulk, once per seed. Flushes, never commits (the command does).

The reports bypass `seizures.services.create_report` for speed (3 000 reports in bulk instead of one
by one), so `_report_rows` produces exactly the rows that service would: the tests load every generated
body through `SeizureReportSchema` and compare it with what the service stores. References are
allocated per organisation and year from `reference_counters`, in the order of `created_at`, and the
counters are left at the last value so that real reports continue the sequence.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from app import vocabularies as vocab
from app.database import utcnow
from app.demo import network, validations
from app.demo.generator import DemoReport, generate, report_id
from app.extensions import db
from app.operations.models import Operation
from app.operations.services import create_operation
from app.organisations.models import Organisation
from app.organisations.services import create_organisation
from app.seizures.models import (Person, ReferenceCounter, RouteLeg, SeizureItem, SeizureReport,
                                 report_editors, report_operations)
from app.users.models import User
from app.validation.models import ValidationAction
from app.users.services import hash_password

log = logging.getLogger(__name__)

BATCH = 500
Progress = Callable[[int, int], None]  # (reports inserted so far, reports to insert)


@dataclass
class LoadResult:
    seed: int
    organisations_created: int = 0
    users_created: int = 0
    operations_created: int = 0
    reports_added: int = 0
    reports_present: int = 0  # demo reports of this seed found already loaded
    logins: list[network.UserSpec] = field(default_factory=list)


def load_demo(seed: int = 1, count: int = 3000, *, today: date | None = None,
              progress: Progress | None = None) -> LoadResult:
    """Upsert the demo network and add `count` demo reports unless this seed's reports are present."""
    result = LoadResult(seed=seed, logins=[u for u in network.users() if u.listed])
    orgs = _upsert_organisations(result)
    users = _upsert_users(orgs, result)
    operations = _upsert_operations(users, result)
    result.reports_present = count_demo_reports(seed, count)
    if result.reports_present or count == 0:
        return result
    if progress:
        progress(0, count)
    today = today or utcnow().date()
    reports = generate(seed, count, today)
    _insert_reports(reports, orgs, users, operations, progress, datetime.combine(today, time.min, timezone.utc))
    result.reports_added = len(reports)
    log.info("demo data loaded: %s reports (seed %s)", len(reports), seed)
    return result


def count_demo_reports(seed: int, count: int) -> int:
    ids = [report_id(seed, i) for i in range(count)]
    return sum(db.session.scalar(select(func.count()).select_from(SeizureReport)
                                 .where(SeizureReport.id.in_(chunk))) or 0
               for chunk in _chunks(ids, BATCH))


# --- the network ----------------------------------------------------------------------------------

def _upsert_organisations(result: LoadResult) -> dict[str, Organisation]:
    specs = network.organisations()
    found = {o.code: o for o in db.session.scalars(
        select(Organisation).where(Organisation.code.in_([s.code for s in specs])))}
    for spec in specs:
        org = found.get(spec.code)
        if org is None:
            found[spec.code] = create_organisation(spec.code, spec.name, spec.kind, spec.country)
            result.organisations_created += 1
        elif (org.name, org.kind, org.country) != (spec.name, spec.kind, spec.country):
            org.name, org.kind, org.country = spec.name, spec.kind, spec.country
    db.session.flush()
    return found


def _upsert_users(orgs: dict[str, Organisation], result: LoadResult) -> dict[str, User]:
    specs = network.users()
    found = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_([s.email for s in specs])))}
    missing = [s for s in specs if s.email not in found]
    # One argon2 hash for every new demo account: they share the published demo password, and
    # hashing it ~50 times would make the first `make run` tens of seconds slower.
    password_hash = hash_password(network.DEMO_PASSWORD) if missing else ""
    for spec in specs:
        user = found.get(spec.email)
        org = orgs[spec.organisation]
        if user is None:
            user = User(email=spec.email, name=spec.name, organisation=org, roles=list(spec.roles),
                        password_hash=password_hash)
            db.session.add(user)
            found[spec.email] = user
            result.users_created += 1
        elif user.organisation_id != org.id or list(user.roles or []) != list(spec.roles):
            user.organisation, user.roles = org, list(spec.roles)
    db.session.flush()
    return found


def _upsert_operations(users: dict[str, User], result: LoadResult) -> dict[str, Operation]:
    creator = users[network.OPERATION_CREATOR]
    found = {op.code: op for op in db.session.scalars(
        select(Operation).where(Operation.code.in_([s.code for s in network.OPERATIONS])))}
    for spec in network.OPERATIONS:
        data = {"code": spec.code, "name": spec.name, "description": spec.description,
                "lead_organisation": spec.lead, "starts_on": spec.starts_on, "ends_on": spec.ends_on,
                "participants": list(spec.participants), "focus_categories": list(spec.focus_categories),
                "status": "closed"}
        if spec.code not in found:
            found[spec.code] = create_operation(creator, data)
            result.operations_created += 1
            continue
        op = found[spec.code]
        if op.lead_organisation.code != spec.lead or sorted(o.code for o in op.participants) != sorted(spec.participants):
            codes = [spec.lead, *spec.participants]
            orgs = {o.code: o for o in db.session.scalars(select(Organisation).where(Organisation.code.in_(codes)))}
            op.lead_organisation, op.participants = orgs[spec.lead], [orgs[c] for c in spec.participants]
        op.name, op.description, op.starts_on, op.ends_on = spec.name, spec.description, spec.starts_on, spec.ends_on
        op.focus_categories, op.status = list(spec.focus_categories), "closed"
    db.session.flush()
    return found


# --- the reports ---------------------------------------------------------------------------------

def _insert_reports(reports: list[DemoReport], orgs: dict[str, Organisation], users: dict[str, User],
                    operations: dict[str, Operation], progress: Progress | None, today: datetime) -> None:
    references = _allocate_references(reports, orgs)
    validators = {email: (users[email].id, users[email].organisation_id) for email in validations.VALIDATORS}
    done = 0
    for chunk in _chunks(reports, BATCH):
        rows: dict[str, list[dict]] = {"reports": [], "items": [], "route": [], "persons": [], "operations": [],
                                       "editors": [], "validations": []}
        for report in chunk:
            _report_rows(report, references[report.id], orgs[report.organisation].id, users[report.author].id,
                         operations, rows)
            validations.decisions(report, rows["reports"][-1], validators, today, rows["validations"])
        db.session.execute(insert(SeizureReport.__table__), rows["reports"])
        for table, key in ((SeizureItem.__table__, "items"), (RouteLeg.__table__, "route"),
                           (Person.__table__, "persons"), (report_operations, "operations"),
                           (report_editors, "editors"), (ValidationAction.__table__, "validations")):
            if rows[key]:
                db.session.execute(insert(table), rows[key])
        _enqueue_for_search([r.id for r in chunk])
        done += len(chunk)
        if progress:
            progress(done, len(reports))


def _enqueue_for_search(report_ids: list[str]) -> None:
    """What the ORM path does on every report change: outbox rows for the search index in the same
    transaction (and, with the embedded backend, the documents indexed at once)."""
    from app.search.services import enqueue_reports

    enqueue_reports(report_ids)


def _allocate_references(reports: list[DemoReport], orgs: dict[str, Organisation]) -> dict[str, str]:
    """Reserve a block of references per organisation and year in one statement (concurrent
    creators queue on the counter rows), and hand them out in the order of creation."""
    wanted = Counter((orgs[r.organisation].id, r.created_at.year) for r in reports)
    if not wanted:
        return {}
    table = ReferenceCounter.__table__
    dialect = db.session.get_bind().dialect.name
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    stmt = stmt.values([{"organisation_id": org_id, "year": year, "last_value": n}
                        for (org_id, year), n in sorted(wanted.items())])
    stmt = stmt.on_conflict_do_update(index_elements=[table.c.organisation_id, table.c.year],
                                      set_={"last_value": table.c.last_value + stmt.excluded.last_value})
    last = {(row.organisation_id, row.year): row.last_value
            for row in db.session.execute(stmt.returning(table.c.organisation_id, table.c.year, table.c.last_value))}
    following = {key: last[key] - n + 1 for key, n in wanted.items()}
    references = {}
    for report in sorted(reports, key=lambda r: (r.created_at, r.id)):
        key = (orgs[report.organisation].id, report.created_at.year)
        references[report.id] = f"{report.organisation}-{key[1]}-{following[key]:06d}"
        following[key] += 1
    return references


def _report_rows(report: DemoReport, reference: str, organisation_id: int, author_id: int,
                 operations: dict[str, Operation], rows: dict[str, list[dict]]) -> None:
    """The rows `create_report` (and the workflow after it) would store for this report."""
    body = report.body
    seized = datetime.fromisoformat(body["seized_at"])
    location, conveyance, marking = body["location"], body["conveyance"], body["marking"]
    rows["reports"].append({
        "id": report.id, "reference": reference, "record_type": body["record_type"], "status": report.status,
        "organisation_id": organisation_id, "created_by_id": author_id, "version": report.version,
        "seized_at": seized.astimezone(timezone.utc),
        "seized_utc_offset": int(seized.utcoffset().total_seconds() // 60),
        "country": body["country"], "location_name": location["name"], "location_locode": location["locode"],
        "location_type": location["type"], "location_lat": location["lat"], "location_lon": location["lon"],
        "procedure": body["procedure"], "traffic": body["traffic"], "transport_mode": body["transport_mode"],
        "detection_methods": list(body["detection_methods"]), "concealment_methods": list(body["concealment_methods"]),
        "concealment_details": body["concealment_details"], "narrative": body["narrative"],
        "language": body["language"], "vessel_name": conveyance["vessel_name"], "imo": conveyance["imo"],
        "flag": conveyance["flag"], "containers": list(conveyance["containers"]), "flight": conveyance["flight"],
        "vehicle_plate": conveyance["vehicle_plate"], "arrests": body["arrests"],
        "tlp": marking["tlp"], "distribution": marking["distribution"], "handling": marking["handling"],
        "source_reliability": marking["source_reliability"],
        "information_credibility": marking["information_credibility"],
        "created_at": report.created_at, "updated_at": report.updated_at, "submitted_at": report.submitted_at,
        "validated_at": report.validated_at, "withdrawn_at": report.withdrawn_at, "returned_at": None,
    })
    rows["editors"].append({"report_id": report.id, "user_id": author_id})
    for position, item in enumerate(body["items"]):
        quantity, unit = vocab.normalise_quantity(item["category"], item["subcategory"], item["quantity"], item["unit"])
        value = item["estimated_value"] or {}
        rows["items"].append({
            "report_id": report.id, "position": position, "category": item["category"],
            "subcategory": item["subcategory"], "description": item["description"],
            "quantity": float(item["quantity"]), "unit": item["unit"], "normalised_quantity": quantity,
            "normalised_unit": unit, "hs_code": item["hs_code"], "value_amount": value.get("amount"),
            "value_currency": value.get("currency"), "details": dict(item["details"])})
    rows["route"] += [{"report_id": report.id, "position": i, "role": leg["role"], "country": leg["country"],
                       "place": leg["place"]} for i, leg in enumerate(body["route"])]
    for position, person in enumerate(body["persons"]):
        document = person["document"] or {}
        rows["persons"].append({
            "report_id": report.id, "position": position, "role": person["role"], "name": person["name"],
            "nationality": person["nationality"], "document_type": document.get("type"),
            "document_number": document.get("number"), "document_country": document.get("country")})
    rows["operations"] += [{"report_id": report.id, "operation_id": operations[code].id} for code in body["operations"]]


def _chunks(values: list, size: int) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]
