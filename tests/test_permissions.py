"""The sharing rule of DESIGN.md as a table: distribution x status x viewer.

Every case is checked through the detail API (200 or 404), the list API (present or absent, and
the total), `can_view` and the SQL clause `visible_reports_clause` (which must agree), and the
persons of the report (the reporting organisation and regional-office validators only).

The report of each case is JM's, linked to operation MATRIX-OP (led by JM, with BB, an
administration, and INTERPOL, a partner, taking part). KY, the JIO and the WCO are not in it.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.database import utcnow
from app.extensions import db
from app.permissions import can_view, can_view_persons, viewer_for, visible_among, visible_reports_clause
from app.seizures import services
from app.seizures.models import SeizureReport

from tests import factories

Y, N = True, False

VIEWERS = ["same_org", "other_admin", "ro_analyst", "ro_validator", "partner", "op_partner", "op_admin"]

MATRIX = [
    # distribution    status       same_org other_admin ro_analyst ro_validator partner op_partner op_admin
    ("organisation", "draft",      Y,       N,          N,         N,           N,      N,         N),
    ("organisation", "submitted",  Y,       N,          N,         N,           N,      N,         N),
    ("organisation", "validated",  Y,       N,          N,         N,           N,      N,         N),
    ("organisation", "withdrawn",  Y,       N,          N,         N,           N,      N,         N),
    ("operation",    "draft",      Y,       N,          N,         N,           N,      N,         N),
    ("operation",    "submitted",  Y,       N,          N,         N,           N,      Y,         Y),
    ("operation",    "validated",  Y,       N,          N,         N,           N,      Y,         Y),
    ("operation",    "withdrawn",  Y,       N,          N,         N,           N,      N,         N),
    ("network",      "draft",      Y,       N,          N,         N,           N,      N,         N),
    ("network",      "submitted",  Y,       Y,          Y,         Y,           N,      N,         Y),
    ("network",      "validated",  Y,       Y,          Y,         Y,           N,      N,         Y),
    ("network",      "withdrawn",  Y,       N,          N,         N,           N,      N,         N),
    ("partners",     "draft",      Y,       N,          N,         N,           N,      N,         N),
    ("partners",     "submitted",  Y,       Y,          Y,         Y,           Y,      Y,         Y),
    ("partners",     "validated",  Y,       Y,          Y,         Y,           Y,      Y,         Y),
    ("partners",     "withdrawn",  Y,       N,          N,         N,           N,      N,         N),
]

# Who sees the persons of a report they can see: the reporting organisation and regional-office validators.
SEES_PERSONS = {"same_org": Y, "other_admin": N, "ro_analyst": N, "ro_validator": Y, "partner": N,
                "op_partner": N, "op_admin": N}

CASES = [pytest.param(distribution, status, viewer, visible, id=f"{distribution}-{status}-{viewer}")
         for distribution, status, *row in MATRIX for viewer, visible in zip(VIEWERS, row)]


class Setting:
    """The world of the matrix: who the viewers are, and a factory for JM's report."""

    def __init__(self, world: factories.World) -> None:
        bb = factories.org("BB", name="Barbados Revenue Authority")
        interpol = factories.org("INTERPOL", "partner", "INTERPOL Sub-Regional Bureau")
        self.operation = factories.operation("MATRIX-OP", world.jm, [bb, interpol],
                                             starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31))
        self.author = world["jm_officer"]
        self.viewers = {
            "same_org": world["jm_officer2"], "other_admin": world["ky_officer"],
            "ro_analyst": world["jio_analyst"], "ro_validator": world["jio_validator"],
            "partner": world["partner_analyst"], "op_partner": factories.user(interpol, "analyst"),
            "op_admin": factories.user(bb, "officer"),
        }

    def report(self, distribution: str, status: str) -> SeizureReport:
        report = factories.report(self.author, submit=status != "draft", operations=["MATRIX-OP"],
                                  marking={"tlp": "amber", "distribution": distribution})
        if status == "validated":
            report.status, report.validated_at = "validated", utcnow()
        elif status == "withdrawn":
            services.withdraw_report(self.author, report)
        db.session.flush()
        assert report.persons and report.status == status
        return report


@pytest.fixture
def setting(world) -> Setting:
    return Setting(world)


def sql_visible(user, report: SeizureReport) -> bool:  # noqa: ANN001
    clause = visible_reports_clause(viewer_for(user))
    return bool(db.session.scalar(select(func.count()).select_from(SeizureReport)
                                  .where(SeizureReport.id == report.id, clause)))


@pytest.mark.parametrize("distribution,status,viewer,visible", CASES)
def test_sharing_rule(api, setting, distribution, status, viewer, visible):
    report = setting.report(distribution, status)
    user = setting.viewers[viewer]

    # the rule, in Python and in SQL
    assert can_view(viewer_for(user), report) is visible
    assert sql_visible(user, report) is visible

    # the detail API
    detail = api.as_(user).get(f"/seizures/{report.id}")
    assert detail.status_code == (200 if visible else 404)

    # the list API: present or absent, and counted or not
    listing = api.as_(user).get("/seizures?per_page=200").get_json()
    assert listing["total"] == (1 if visible else 0)
    assert [r["reference"] for r in listing["results"]] == ([report.reference] if visible else [])

    # persons: the key is absent for whoever may not see them
    if visible:
        sees_persons = SEES_PERSONS[viewer]
        assert can_view_persons(viewer_for(user), report) is sees_persons
        for body in (detail.get_json(), listing["results"][0]):
            assert ("persons" in body) is sees_persons
            assert ("Winston Uniquename" in str(body)) is sees_persons
            if sees_persons:
                assert body["persons"][0]["document"]["number"] == "P9988776"
    else:
        assert "Winston Uniquename" not in detail.get_data(as_text=True)


def test_sql_clause_and_can_view_agree_on_the_whole_matrix(setting):
    """All sixteen reports at once: each viewer's SQL result, and the facts read by id (search hits), are
    exactly the table's visible set."""
    reports = {(d, s): setting.report(d, s) for d, s, *_ in MATRIX}
    for column, viewer in enumerate(VIEWERS):
        user = setting.viewers[viewer]
        expected = {reports[(d, s)].id for d, s, *row in MATRIX if row[column]}
        from_sql = set(db.session.scalars(select(SeizureReport.id).where(visible_reports_clause(viewer_for(user)))))
        from_python = {r.id for r in reports.values() if can_view(viewer_for(user), r)}
        by_id = set(visible_among(viewer_for(user), [r.id for r in reports.values()] + ["no-such-report"]))
        assert from_sql == from_python == by_id == expected, viewer


def test_an_operation_link_opens_operation_reports_of_any_member_to_the_lead(api, world, setting):
    """BB (a participant) reports with `operation` distribution: JM, which leads, and INTERPOL see it."""
    bb_officer = setting.viewers["op_admin"]
    report = factories.report(bb_officer, country="BB", operations=["MATRIX-OP"],
                              marking={"tlp": "amber+strict", "distribution": "operation"})
    assert api.as_(world["jm_analyst"]).get(f"/seizures/{report.id}").status_code == 200
    assert api.as_(setting.viewers["op_partner"]).get(f"/seizures/{report.id}").status_code == 200
    assert api.as_(world["ky_officer"]).get(f"/seizures/{report.id}").status_code == 404


def test_operation_distribution_without_a_linked_operation_reaches_only_the_organisation(api, world, setting):
    report = factories.report(world["jm_officer"], marking={"tlp": "amber", "distribution": "operation"})
    for viewer in ("op_admin", "op_partner", "other_admin", "ro_validator"):
        assert api.as_(setting.viewers[viewer]).get(f"/seizures/{report.id}").status_code == 404, viewer
    assert api.as_(world["jm_analyst"]).get(f"/seizures/{report.id}").status_code == 200


def test_persons_are_never_shown_to_validators_outside_regional_offices(api, world):
    ky_validator = factories.user(world.ky, "validator")
    jio_both = factories.user(world.jio, "analyst", "validator")
    report = factories.report(world["jm_officer"])

    assert "persons" not in api.as_(ky_validator).get(f"/seizures/{report.id}").get_json()
    assert api.as_(jio_both).get(f"/seizures/{report.id}").get_json()["persons"][0]["name"] == "Winston Uniquename"
    assert "persons" not in api.as_(world["jio_analyst"]).get(f"/seizures/{report.id}").get_json()


def test_the_author_sees_persons_in_the_create_and_patch_answers(api, world):
    officer = api.as_(world["jm_officer"])
    created = officer.post("/seizures", json=factories.report_payload())
    assert created.get_json()["persons"][0]["name"] == "Winston Uniquename"
    patched = officer.patch(f"/seizures/{created.get_json()['id']}", json={"version": 1, "arrests": 2})
    assert patched.get_json()["persons"][0]["name"] == "Winston Uniquename"


# --- TLP constraints -------------------------------------------------------------------------------

TLP_TABLE = [
    # tlp             organisation operation network partners
    ("clear",         Y,           Y,        Y,      Y),
    ("green",         Y,           Y,        Y,      Y),
    ("amber",         Y,           Y,        Y,      Y),
    ("amber+strict",  Y,           Y,        N,      N),
    ("red",           Y,           N,        N,      N),
]
DISTRIBUTIONS = ["organisation", "operation", "network", "partners"]
TLP_CASES = [pytest.param(tlp, distribution, allowed, id=f"{tlp}-{distribution}")
             for tlp, *row in TLP_TABLE for distribution, allowed in zip(DISTRIBUTIONS, row)]


@pytest.mark.parametrize("tlp,distribution,allowed", TLP_CASES)
def test_tlp_constrains_the_distribution_on_create(api, world, tlp, distribution, allowed):
    payload = factories.report_payload(marking={"tlp": tlp, "distribution": distribution})
    before = db.session.scalar(select(func.count()).select_from(SeizureReport))

    response = api.as_(world["jm_officer"]).post("/seizures", json=payload)

    if allowed:
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["marking"]["tlp"] == tlp
    else:
        assert response.status_code == 422
        error = response.get_json()["error"]
        assert list(error["fields"]) == ["marking.distribution"]
        assert f"TLP:{tlp.upper()}" in error["fields"]["marking.distribution"][0]
        assert db.session.scalar(select(func.count()).select_from(SeizureReport)) == before


@pytest.mark.parametrize("marking,fields", [
    ({"distribution": "network"}, ["marking.distribution"]),  # a red report cannot be widened
    ({"tlp": "clear", "distribution": "partners"}, None),  # both together: allowed
])
def test_tlp_constrains_the_distribution_on_patch(api, world, marking, fields):
    report = factories.report(world["jm_officer"], marking={"tlp": "red", "distribution": "organisation"})
    response = api.as_(world["jm_officer"]).patch(
        f"/seizures/{report.id}", json={"version": 1, "marking": {"tlp": "red", **marking}})
    if fields is None:
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["marking"]["distribution"] == "partners"
    else:
        assert response.status_code == 422
        assert list(response.get_json()["error"]["fields"]) == fields
        db.session.refresh(report)
        assert report.distribution == "organisation" and report.version == 1
