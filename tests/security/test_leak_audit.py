"""The leak matrix for the audit trail (/audit, /audit/export.csv, /api/v1/audit).

First every organisation's officer reads every report of the world by id (API) and names the invisible ones
by reference (web), and one reference that does not exist. Then each viewer reads the trail:
- only managers (their organisation's records) and sysadmins (all) read it; everyone else gets 403;
- the trail keeps no contents: no canary of any report (narrative, places, persons, comments...) appears;
- a manager's trail names no report their organisation may not see, not even one their own users tried to
  open: otherwise whether a record appears would tell whether a reference exists.
Rows: `<path>:<viewer>:<report>=><expected>`.
"""
from __future__ import annotations

import csv
import io
import re

import pytest

from tests.security.test_leak_matrix import once, row_id, sees
from tests.security.world import ORGS, REPORTS, VIEWERS, ReportSpec, ViewerSpec, build, drop

MISSING_REFERENCE = "JM-2026-999999"
CONTENT = re.compile(r"qz\d\d[a-z]")  # a canary followed by its field: report contents


def reads_trail(viewer: ViewerSpec) -> bool:
    return viewer.role in ("manager", "sysadmin")


def trail_names(viewer: ViewerSpec, report: ReportSpec) -> bool:
    """Whether the viewer's trail may name the report: a sysadmin's names everything; a manager's only
    reports their organisation may see."""
    return viewer.role == "sysadmin" or (viewer.role == "manager" and sees(viewer, report))


@pytest.fixture(scope="module")
def world(tmp_path_factory):  # noqa: ANN001,ANN201
    w = build(tmp_path_factory.mktemp("leak_audit"), "elix_leak_audit")
    for org in ORGS:
        officer = next(v for v in VIEWERS if v.org == org and v.role == "officer")
        for report in REPORTS:
            response = w.api(officer, "GET", f"/seizures/{w.ids[report.number]}")
            assert response.status_code == (200 if sees(officer, report) else 404)
            if not sees(officer, report):
                assert w.page(officer, f"/reports/by-reference/{w.references[report.number]}").status_code == 404
        assert w.page(officer, f"/reports/by-reference/{MISSING_REFERENCE}").status_code == 404
    yield w
    drop(w)


def _api_trail(world, viewer: ViewerSpec) -> str:  # noqa: ANN001
    pages, page = [], 1
    while True:
        response = world.api(viewer, "GET", f"/audit?per_page=200&page={page}")
        if not reads_trail(viewer):
            assert response.status_code == 403
            return response.get_data(as_text=True)
        assert response.status_code == 200
        body = response.get_json()
        pages.append(response.get_data(as_text=True))
        if page * 200 >= body["total"]:
            return "\n".join(pages)
        page += 1


def _page_trail(world, viewer: ViewerSpec) -> str:  # noqa: ANN001
    pages, page = [], 1
    while True:
        response = world.page(viewer, f"/audit?per_page=200&page={page}")
        if not reads_trail(viewer):
            assert response.status_code == 403
            return response.get_data(as_text=True)
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        pages.append(text)
        if "<tr" not in text.split("<tbody", 1)[-1] or page > 50:
            return "\n".join(pages)
        page += 1


def _csv_trail(world, viewer: ViewerSpec) -> str:  # noqa: ANN001
    response = world.page(viewer, "/audit/export.csv")
    assert response.status_code == (200 if reads_trail(viewer) else 403)
    text = response.get_data(as_text=True)
    if reads_trail(viewer):
        assert len(list(csv.reader(io.StringIO(text)))) > 1
    return text


PATHS = {"api audit": _api_trail, "audit page": _page_trail, "audit export.csv": _csv_trail}


def _cases() -> list:
    cases = []
    for path in PATHS:
        for viewer in VIEWERS:
            for report in REPORTS:
                expected = ("may be named" if trail_names(viewer, report) else "absent") if reads_trail(viewer) \
                    else "403"
                cases.append(pytest.param(path, viewer, report, id=row_id(path, viewer, report, expected)))
    return cases


@pytest.mark.parametrize(("path", "viewer", "report"), _cases())
def test_the_audit_trail(world, path: str, viewer: ViewerSpec, report: ReportSpec) -> None:  # noqa: ANN001
    text = once(("audit", path, viewer.name), lambda: PATHS[path](world, viewer)).lower()
    assert not CONTENT.search(text), f"{path}: report contents in the trail: {CONTENT.search(text).group(0)}"
    if not trail_names(viewer, report):
        for trace in (world.ids[report.number], world.references[report.number].lower()):
            assert trace not in text, f"{path}: {viewer.name}'s trail names invisible {report.name}"


@pytest.mark.parametrize("viewer", [pytest.param(v, id=f"audit oracle:{v.name}") for v in VIEWERS
                                    if v.role == "manager"])
def test_a_managers_trail_does_not_tell_whether_an_invisible_reference_exists(world,  # noqa: ANN001
                                                                             viewer: ViewerSpec) -> None:
    """Their officer named an existing invisible reference and a missing one: the trail reads the same."""
    body = world.api(viewer, "GET", "/audit?per_page=200&action=report.access").get_json()
    own = [r for r in body["results"] if r["organisation_id"] is not None and r["actor_email"].endswith(
        f"@{viewer.org.code.lower()}.leak.example")]
    assert own == [], f"denials of {viewer.org.code}'s officer on others' reports: {own[:2]}"


@pytest.mark.parametrize("viewer", [pytest.param(v, id=f"audit owner sees reads:{v.name}") for v in VIEWERS
                                    if v.role == "manager" and v.org.code in ("JM", "KY")])
def test_a_reporting_managers_trail_shows_who_read_and_who_tried(world, viewer: ViewerSpec) -> None:  # noqa: ANN001
    text = _api_trail(world, viewer)
    own = [r for r in REPORTS if r.reporter == viewer.org.code]
    assert all(world.ids[r.number] in text for r in own)
    assert '"report.read"' in text and '"report.access"' in text
