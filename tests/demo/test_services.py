"""Loading the demo data into the database (inside the test's rolled-back transaction)."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone

from sqlalchemy import func, select

from app import vocabularies as vocab
from app.demo import network, services
from app.demo.generator import generate, report_id
from app.extensions import db
from app.operations.models import Operation
from app.organisations.models import Organisation
from app.permissions import viewer_for, visible_reports_clause
from app.seizures import services as seizure_services
from app.seizures.models import (Person, ReferenceCounter, RouteLeg, SeizureItem, SeizureReport,
                                 report_operations)
from app.seizures.schemas import SeizureReportSchema
from app.users.models import User
from app.users.services import find_user, verify_password

from tests import factories

TODAY = datetime.now(timezone.utc).date()
COUNT = 200
SEED = 21
SERVER_ASSIGNED = ("id", "reference", "status", "reporting_organisation", "created_by", "version", "created_at",
                   "updated_at", "submitted_at", "validated_at", "validation")


def load(seed: int = SEED, count: int = COUNT) -> services.LoadResult:
    return services.load_demo(seed, count, today=TODAY)


def demo_reports(seed: int = SEED, count: int = COUNT) -> list[SeizureReport]:
    ids = [report_id(seed, i) for i in range(count)]
    return list(db.session.scalars(select(SeizureReport).where(SeizureReport.id.in_(ids))))


def row_counts() -> dict[str, int]:
    tables = (Organisation, User, Operation, SeizureReport, SeizureItem, RouteLeg, Person, ReferenceCounter)
    counts = {t.__tablename__: db.session.scalar(select(func.count()).select_from(t)) for t in tables}
    counts["report_operations"] = db.session.scalar(select(func.count()).select_from(report_operations))
    counts["counter_total"] = db.session.scalar(select(func.sum(ReferenceCounter.last_value)))
    return counts


def as_input(dumped: dict) -> dict:
    """A dumped report as a client would send it back."""
    return {k: v for k, v in dumped.items() if k not in SERVER_ASSIGNED}


def test_load_builds_the_network_users_operations_and_reports(app):
    result = load()
    assert result.reports_added == COUNT and len(demo_reports()) == COUNT
    orgs = {o.code: o for o in db.session.scalars(select(Organisation))}
    for admin in network.administrations():
        assert orgs[admin.code].kind == "administration" and orgs[admin.code].country == admin.code
    assert len(network.administrations()) == 40
    assert orgs["JIO"].kind == orgs["RILO-CAR"].kind == "regional_office"
    assert orgs["WCO"].kind == orgs["IPOL"].kind == "partner"
    for spec in network.users():
        user = find_user(spec.email)
        assert user.organisation.code == spec.organisation and user.roles == list(spec.roles)
    assert verify_password(find_user("validator@jio.example"), network.DEMO_PASSWORD)
    assert not verify_password(find_user("validator@jio.example"), "wrong password")
    assert {"officer", "analyst", "validator", "manager", "sysadmin"} <= {
        role for spec in result.logins for role in spec.roles}
    assert {op.code for op in db.session.scalars(select(Operation))} >= {
        "CARIBBEAN-SHIELD-2017", "HUNTER-2017", "BLACK-TIDE-2021"}


def test_a_second_load_adds_nothing(app):
    load()
    before = row_counts()
    again = load()
    assert (again.reports_added, again.reports_present) == (0, COUNT)
    assert (again.organisations_created, again.users_created, again.operations_created) == (0, 0, 0)
    assert row_counts() == before


def test_the_same_seed_stores_the_same_reports(app):
    def snapshot() -> dict:
        return {r.id: (r.reference, r.status, r.seized_at, r.distribution,
                       [(i.category, i.quantity, i.unit, i.normalised_quantity) for i in r.items])
                for r in demo_reports(count=80)}

    first_load = db.session.begin_nested()
    load(count=80)
    first = snapshot()
    first_load.rollback()
    assert not demo_reports(count=80)
    load(count=80)
    assert snapshot() == first and len(first) == 80


def test_every_stored_report_round_trips_through_the_schema_to_its_generated_body(app):
    load()
    schema = SeizureReportSchema()
    bodies = {r.id: r.body for r in generate(SEED, COUNT, TODAY)}
    for report in demo_reports():
        dumped = schema.dump(report)
        assert schema.load(as_input(dumped)) == schema.load(bodies[report.id]), report.reference
        for item in dumped["items"]:
            quantity, unit = vocab.normalise_quantity(item["category"], item["subcategory"], item["quantity"],
                                                      item["unit"])
            assert item["normalised"] == {"quantity": quantity, "unit": unit}


def test_stored_rows_equal_what_the_report_service_stores(app):
    load()
    schema = SeizureReportSchema()
    sample = sorted(demo_reports(), key=lambda r: r.reference)[::7]
    assert len({i.category for r in sample for i in r.items}) >= 5
    for demo in sample:
        body = as_input(schema.dump(demo))
        created = seizure_services.create_report(demo.created_by, schema.load(body), submit=True)
        ours, theirs = schema.dump(demo), schema.dump(created)
        for field in SERVER_ASSIGNED:
            ours.pop(field), theirs.pop(field)
        assert ours == theirs, demo.reference


def test_references_are_gap_free_per_organisation_and_year_and_counters_continue(app, world):
    officer = factories.user(world.jm, "officer")
    before = factories.report(officer)  # a real report of this year, before the demo
    load()
    after = factories.report(officer)
    sequences = defaultdict(list)
    for report in db.session.scalars(select(SeizureReport)):
        org, year, seq = report.reference.rsplit("-", 2)
        sequences[(org, int(year))].append((int(seq), report))
    counters = {(o.code, c.year): c.last_value for c, o in db.session.execute(
        select(ReferenceCounter, Organisation).join(Organisation, Organisation.id == ReferenceCounter.organisation_id))}
    assert len(sequences) > 50
    for key, numbered in sequences.items():
        numbers = sorted(n for n, _ in numbered)
        assert numbers == list(range(1, len(numbers) + 1)), key
        assert counters[key] == len(numbers), key
        demo = sorted((n, r.created_at) for n, r in numbered if r.id not in (before.id, after.id))
        assert [c for _, c in demo] == sorted(c for _, c in demo), key  # handed out in order of creation
        assert all(r.created_at.year == key[1] for _, r in numbered)
    year = before.created_at.year
    assert before.reference == f"JM-{year}-000001"
    assert after.reference == f"JM-{year}-{len(sequences[('JM', year)]):06d}"


def test_caribbean_shield_has_its_participants_and_firearms_seizures(app):
    load()
    shield = db.session.scalar(select(Operation).where(Operation.code == "CARIBBEAN-SHIELD-2017"))
    assert shield.lead_organisation.code == "JIO" and shield.name == "Operation Caribbean Shield"
    assert (shield.starts_on.isoformat(), shield.ends_on.isoformat()) == ("2017-10-02", "2017-11-12")
    assert (shield.ends_on - shield.starts_on).days == 41 and shield.focus_categories == ["firearms", "ammunition"]
    participants = {o.code for o in shield.participants}
    assert 15 <= len(participants) <= 20 and {"JM", "TT", "HT", "RILO-CAR"} <= participants
    linked = [r for r in demo_reports() if shield in r.operations]
    assert len(linked) >= 12
    for report in linked:
        assert report.organisation.code in participants
        assert shield.starts_on <= report.seized_at_local.date() <= shield.ends_on
        assert {i.category for i in report.items} <= {"firearms", "ammunition"}
        assert report.status in ("submitted", "validated")
    restricted = [r for r in linked if r.distribution == "operation"]
    assert restricted
    outsider = find_user("officer@cw.example")  # Curaçao is not in the operation
    insider = find_user(next(network.officer_email(c) for c in sorted(participants)
                             if c != restricted[0].organisation.code and len(c) == 2))
    ids = [r.id for r in restricted]
    seen = lambda user: set(db.session.scalars(  # noqa: E731
        select(SeizureReport.id).where(SeizureReport.id.in_(ids), visible_reports_clause(viewer_for(user)))))
    assert restricted[0].id in seen(insider)
    assert not seen(outsider)


def test_stored_statuses_markings_persons_and_authors(app):
    load()
    reports = demo_reports()
    generated = generate(SEED, COUNT, TODAY)
    assert Counter(r.status for r in reports) == Counter(r.status for r in generated)
    assert {r.status for r in reports} >= {"draft", "submitted", "validated"}
    assert {(r.tlp, r.distribution) for r in reports} >= {("amber", "network"), ("green", "network"),
                                                          ("red", "organisation"), ("amber", "partners")}
    assert sum(1 for r in reports if r.persons) > 20
    assert all(r.created_by.organisation_id == r.organisation_id and r.created_by.has_role("officer")
               for r in reports)


def test_existing_organisations_and_users_are_updated_not_duplicated(app, world):
    factories.user(world.jm, "analyst", email="officer@jm.example")
    load(count=0)
    assert db.session.scalar(select(func.count()).select_from(Organisation).where(Organisation.code == "KY")) == 1
    assert db.session.get(Organisation, world.ky.id).name == "Cayman Islands Customs and Border Control"
    user = find_user("officer@jm.example")
    assert user.roles == ["officer"]
    assert verify_password(user, factories.PASSWORD)  # a password someone set is kept


def test_reports_are_queued_for_the_search_index(app, monkeypatch):
    outbox = db.metadata.tables["search_outbox"]
    monkeypatch.setitem(app.config, "SEARCH_INDEX_INLINE", False)  # as with Elasticsearch: the rows wait
    load()
    ids = [report_id(SEED, i) for i in range(COUNT)]
    queued = db.session.scalar(select(func.count()).select_from(outbox).where(outbox.c.report_id.in_(ids)))
    assert queued == COUNT
