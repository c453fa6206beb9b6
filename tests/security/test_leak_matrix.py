"""The leak matrix: for every path that returns report data, every viewer (role x kind of organisation x
place in the operation) and every report (reporter x distribution x status x TLP), a report the viewer
may not see contributes nothing, and persons appear only where DESIGN.md allows.

What a viewer may see is written out below from DESIGN.md "Sharing rules" and deliberately does not call
app.permissions: this suite checks that code, it does not borrow its answers.

Test ids read as table rows: `<path>:<viewer>:<report>=><expected>`, e.g.
`api detail:BB.analyst:KY.operation.submitted.amber+strict=>404`.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter

import pytest

from tests.security.world import (CONFERENCE_PARTICIPANTS, OPERATION, REPORTS, VIEWERS, ReportSpec, ViewerSpec, build,
                                  drop)

# --- DESIGN.md "Sharing rules", as a table -------------------------------------------------------------

# distribution -> who sees a shared (submitted or validated) report besides the reporting organisation
AUDIENCE = {
    "organisation": set(),
    "operation": {"operation member"},  # an organisation that leads or takes part in a linked operation
    "network": {"administration", "regional_office"},
    "partners": {"administration", "regional_office", "partner"},
}
# draft and withdrawn: the reporting organisation only. A returned report stays submitted, hence shared
# (docs/validation.md).
SHARED = {"submitted", "returned", "validated"}
TLP_ORDER = ["clear", "green", "amber", "amber+strict", "red"]  # a product carries the most restrictive


def sees(viewer: ViewerSpec, report: ReportSpec) -> bool:
    if viewer.org.code == report.reporter:
        return True
    if report.status not in SHARED:
        return False
    audience = AUDIENCE[report.distribution]
    return viewer.org.kind in audience or ("operation member" in audience and viewer.org.in_operation)


def sees_persons(viewer: ViewerSpec, report: ReportSpec) -> bool:
    """Nominal data: the reporting organisation, and validators of regional offices."""
    if viewer.org.code == report.reporter:
        return True
    return viewer.org.kind == "regional_office" and viewer.role == "validator" and sees(viewer, report)


def counts_in_figures(viewer: ViewerSpec, report: ReportSpec) -> bool:
    """Figures and products count shared reports only (a draft is nobody's result, not even its owner's)."""
    return sees(viewer, report) and report.status in SHARED


def in_validation_queue(viewer: ViewerSpec, report: ReportSpec) -> bool:
    """The queue: regional validators, reports of the network awaiting validation that they may see
    (none of the world's reports was created or changed by a validator)."""
    return (viewer.org.kind == "regional_office" and viewer.role == "validator" and report.status == "submitted"
            and sees(viewer, report))


def sees_operation(viewer: ViewerSpec) -> bool:
    """Operations and conferences: the network sees all; a partner those it takes part in."""
    return viewer.org.kind != "partner" or viewer.org.in_operation


def sees_conference(viewer: ViewerSpec) -> bool:
    return viewer.org.kind != "partner" or viewer.org.code in CONFERENCE_PARTICIPANTS


def in_operation_figures(viewer: ViewerSpec, report: ReportSpec) -> bool:
    return sees_operation(viewer) and counts_in_figures(viewer, report)


def in_conference_figures(viewer: ViewerSpec, report: ReportSpec) -> bool:
    """The conference's figures period and category cover every report of the world."""
    return sees_conference(viewer) and counts_in_figures(viewer, report)


# --- the world, and responses read once per viewer -----------------------------------------------------

@pytest.fixture(scope="module")
def world(tmp_path_factory):  # noqa: ANN001,ANN201
    w = build(tmp_path_factory.mktemp("leak"), "elix_leak")
    yield w
    drop(w)


_cache: dict[tuple[str, ...], object] = {}


def once(key: tuple[str, ...], fetch):  # noqa: ANN001,ANN201
    """Each page is read once per viewer; the matrix's rows assert on the same response."""
    if key not in _cache:
        _cache[key] = fetch()
    return _cache[key]


def traces(report: ReportSpec, world) -> tuple[str, ...]:  # noqa: ANN001
    """What would show that a report contributed: its canary (every free-text field starts with it), its
    reference, its id and its unique quantity (as printed raw, with thin spaces, or with commas)."""
    q = f"{report.quantity:,}"
    return (report.canary, world.references[report.number].lower(), world.ids[report.number],
            str(report.quantity), q, q.replace(",", " "), q.replace(",", "\u202f"), q.replace(",", "\xa0"))


def assert_absent(text: str, report: ReportSpec, world, where: str) -> None:  # noqa: ANN001
    found = [t for t in traces(report, world) if t in text]
    assert not found, f"{where}: invisible report {report.name} leaked {found}"


def assert_persons(text: str, viewer: ViewerSpec, report: ReportSpec, where: str, allowed: bool) -> None:
    """Persons, and a validator's comments (the same readers: docs/validation.md)."""
    name, passport = report.person_canaries
    shown = [c for c in (name, passport.lower(), report.comment_canary) if c and c in text]
    if not allowed:
        assert not shown, f"{where}: persons of {report.name} shown to {viewer.name}: {shown}"


def row_id(path: str, viewer: ViewerSpec, report: ReportSpec, expected: str) -> str:
    return f"{path}:{viewer.name}:{report.name}=>{expected}"


# --- paths that name a report ---------------------------------------------------------------------------

def _named_cases() -> list:
    cases = []
    for viewer in VIEWERS:
        for report in REPORTS:
            visible = sees(viewer, report)
            expected = ("sees+persons" if sees_persons(viewer, report) else "sees") if visible else "404"
            for path in ("api detail", "web detail"):
                cases.append(pytest.param(path, viewer, report, id=row_id(path, viewer, report, expected)))
            if not visible:  # (visible: a redirect to the detail page, a form for those who may use it)
                paths = ["web by reference"] + {"officer": ["web edit form"],
                                                "validator": ["web validation form"]}.get(viewer.role, [])
                for path in paths:
                    cases.append(pytest.param(path, viewer, report, id=row_id(path, viewer, report, "404")))
    return cases


NAMED = {
    "api detail": lambda w, v, r: w.api(v, "GET", f"/seizures/{w.ids[r.number]}"),
    "web detail": lambda w, v, r: w.page(v, f"/reports/{w.ids[r.number]}"),
    "web by reference": lambda w, v, r: w.page(v, f"/reports/by-reference/{w.references[r.number]}"),
    "web edit form": lambda w, v, r: w.page(v, f"/reports/{w.ids[r.number]}/edit"),
    "web validation form": lambda w, v, r: w.page(v, f"/reports/{w.ids[r.number]}/validation"),
}


@pytest.mark.parametrize(("path", "viewer", "report"), _named_cases())
def test_a_named_report(world, path: str, viewer: ViewerSpec, report: ReportSpec) -> None:  # noqa: ANN001
    response = NAMED[path](world, viewer, report)
    text = response.get_data(as_text=True).lower()
    if not sees(viewer, report):
        assert response.status_code == 404, f"{path} gave {response.status_code} for an invisible report"
        assert_absent(text, report, world, path)
        return
    assert response.status_code == 200
    assert f"{report.canary}narr" in text  # the path does show the report
    name, passport = report.person_canaries
    if sees_persons(viewer, report):
        assert name in text and passport.lower() in text, "persons missing for a viewer who may see them"
        if report.comment_canary and path == "web detail":
            assert report.comment_canary in text, "the validator's comment missing for its readers"
    else:
        assert_persons(text, viewer, report, path, allowed=False)


# Writes that name an invisible report: 404 (not 403: the report does not exist for the viewer).
# Officers are the role that may write; their tokens are read-write.
WRITES = {
    "api patch": lambda w, v, r: w.api(v, "PATCH", f"/seizures/{w.ids[r.number]}",
                                       json={"narrative": "overwritten", "version": 1}),
    "api withdraw": lambda w, v, r: w.api(v, "POST", f"/seizures/{w.ids[r.number]}/withdraw"),
    "web submit": lambda w, v, r: _form_post(w, v, f"/reports/{w.ids[r.number]}/submit"),
    "api validate": lambda w, v, r: w.api(v, "POST", f"/seizures/{w.ids[r.number]}/validate",
                                          json={"decision": "validate", "checklist": {}}),
}
WRITES["api return"] = lambda w, v, r: w.api(v, "POST", f"/seizures/{w.ids[r.number]}/return",
                                             json={"comment": "overwritten"})
WRITERS = {"api validate": "validator", "api return": "validator"}  # the role that would act; officers for the others


def _form_post(world, viewer: ViewerSpec, path: str):  # noqa: ANN001,ANN202
    client, token = world.browser(viewer)
    return client.post(path, data={"csrf_token": token})


def _write_cases() -> list:
    return [pytest.param(path, viewer, report, id=row_id(path, viewer, report, "404"))
            for path in WRITES for viewer in VIEWERS if viewer.role == WRITERS.get(path, "officer")
            for report in REPORTS if not sees(viewer, report)]


@pytest.mark.parametrize(("path", "viewer", "report"), _write_cases())
def test_a_write_naming_an_invisible_report(world, path: str, viewer: ViewerSpec,  # noqa: ANN001
                                            report: ReportSpec) -> None:
    response = WRITES[path](world, viewer, report)
    assert response.status_code == 404, f"{path} gave {response.status_code}"
    assert_absent(response.get_data(as_text=True).lower(), report, world, path)


def test_the_writes_changed_nothing(world) -> None:  # noqa: ANN001
    from app.extensions import db
    from app.seizures.models import SeizureReport

    with world.app.app_context():
        rows = {r.id: (r.status, r.version, r.narrative) for r in db.session.query(SeizureReport)}
    for report in REPORTS:
        status, version, narrative = rows[world.ids[report.number]]
        assert (status, version, narrative.split()[0]) == (
            report.api_status, world.versions[report.number], f"{report.canary}narr"), report.name
    assert len(rows) == len(REPORTS)


# --- paths that list or count reports ---------------------------------------------------------------------

STATUS_VALUES = ("draft", "submitted", "validated", "withdrawn")
LIST_FILTERS = ("", "status=draft", "status=submitted", "status=validated", "status=withdrawn", "organisation=JM",
                "organisation=KY", "category=tobacco", "from=2026-03-01&to=2026-06-30")
SEARCH_FILTERS = ("", "q=qz*", "organisation=KY", "status=draft", f"operation={OPERATION}", "validation=returned",
                  "from=2026-03-01&to=2026-06-30&quantity_min=987600&quantity_max=987700", "q=wharf&sort=date_desc")
PERSON_QUERY = " OR ".join(term for r in REPORTS for term in (r.person_canaries[0], r.person_canaries[1]))


def _api_text(world, viewer: ViewerSpec, path: str) -> str:  # noqa: ANN001
    def fetch() -> str:
        response = world.api(viewer, "GET", path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)

    return once(("api", viewer.name, path), fetch)


def _api_json(world, viewer: ViewerSpec, path: str) -> dict:  # noqa: ANN001
    return json.loads(_api_text(world, viewer, path))


def _page_text(world, viewer: ViewerSpec, path: str, status: int = 200) -> str:  # noqa: ANN001
    def fetch() -> str:
        response = world.page(viewer, path)
        assert response.status_code == status, (path, response.status_code)
        return response.get_data(as_text=True)

    return once(("page", viewer.name, path), fetch)


def _operation_page(world, viewer: ViewerSpec) -> str:  # noqa: ANN001
    return _page_text(world, viewer, f"/operations/{OPERATION}", 200 if sees_operation(viewer) else 404)


def _operation_figures(world, viewer: ViewerSpec) -> str:  # noqa: ANN001
    if sees_operation(viewer):  # every row of the seizures table on one page (it is paged, 50 by default)
        return _api_text(world, viewer, f"/operations/{OPERATION}/figures?per_page=200")
    response = world.api(viewer, "GET", f"/operations/{OPERATION}/figures")
    assert response.status_code == 404
    return response.get_data(as_text=True)


def _conference_page(world, viewer: ViewerSpec) -> str:  # noqa: ANN001
    return _page_text(world, viewer, f"/conferences/{world.conference_id}", 200 if sees_conference(viewer) else 404)


# path -> (fetch the text for a viewer, which reports it lists by reference or else counts, who may see
# persons there)
COLLECTIONS = {
    "api list": (lambda w, v: "\n".join(_api_text(w, v, f"/seizures?per_page=200&{f}") for f in LIST_FILTERS),
                 sees, sees_persons),
    "web list": (lambda w, v: "\n".join(_page_text(w, v, f"/?scope=all&{f}") for f in
                                        ("", "status=draft", "status=submitted", "status=validated",
                                         "status=withdrawn")), sees, None),
    "search api": (lambda w, v: "\n".join(_api_text(w, v, f"/search?per_page=200&{f}") for f in SEARCH_FILTERS),
                   sees, None),
    "search page": (lambda w, v: "\n".join(_page_text(w, v, f"/search?per_page=200&{f}") for f in
                                           ("", "q=qz*", "q=narrative", "organisation=KY")), sees, None),
    "search export.csv": (lambda w, v: "\n".join(_api_text(w, v, f"/search/export.csv?{f}") for f in
                                                 ("", "q=qz*", "organisation=JM")), sees, None),
    "validation queue": (lambda w, v: _page_text(w, v, "/validation", 200 if _validator(v) else 403),
                         in_validation_queue, sees_persons),
    "api validation queue": (lambda w, v: _queue_api(w, v), in_validation_queue, sees_persons),
    "operation page": (_operation_page, in_operation_figures, None),
    "api operation figures": (_operation_figures, in_operation_figures, None),
    "conference page": (_conference_page, in_conference_figures, None),
}
LISTS_REFERENCES = {"api list", "web list", "search api", "search page", "search export.csv", "api operation figures",
                    "validation queue", "api validation queue"}


def _validator(viewer: ViewerSpec) -> bool:
    return viewer.org.kind == "regional_office" and viewer.role == "validator"


def _queue_api(world, viewer: ViewerSpec) -> str:  # noqa: ANN001
    if _validator(viewer):
        return _api_text(world, viewer, "/validation/queue?per_page=200")
    response = world.api(viewer, "GET", "/validation/queue")
    assert response.status_code == 403
    return response.get_data(as_text=True)


def _collection_cases() -> list:
    cases = []
    for path, (_fetch, included, persons) in COLLECTIONS.items():
        for viewer in VIEWERS:
            for report in REPORTS:
                if included(viewer, report):  # pages of figures count a report without naming it
                    expected = "listed" if path in LISTS_REFERENCES else "counted"
                else:
                    expected = "absent"
                if persons is not None and persons(viewer, report):
                    expected += "+persons"
                cases.append(pytest.param(path, viewer, report, id=row_id(path, viewer, report, expected)))
    return cases


@pytest.mark.parametrize(("path", "viewer", "report"), _collection_cases())
def test_a_collection(world, path: str, viewer: ViewerSpec, report: ReportSpec) -> None:  # noqa: ANN001
    fetch, included, persons = COLLECTIONS[path]
    text = once((path, viewer.name), lambda: fetch(world, viewer)).lower()
    if not included(viewer, report):
        assert_absent(text, report, world, path)
    elif path in LISTS_REFERENCES:
        assert world.references[report.number].lower() in text, f"{path} does not list a visible report"
    assert_persons(text, viewer, report, path, allowed=persons is not None and persons(viewer, report))


# --- counts, facets, histogram and totals: equal to the expected set ------------------------------------

def _expected(viewer: ViewerSpec, rule=sees, **where) -> list[ReportSpec]:  # noqa: ANN001
    return [r for r in REPORTS if rule(viewer, r) and all(getattr(r, k) == v for k, v in where.items())]


def _viewer_cases(name: str) -> list:
    return [pytest.param(viewer, id=f"{name}:{viewer.name}") for viewer in VIEWERS]


@pytest.mark.parametrize("viewer", _viewer_cases("api list totals"))
def test_api_list_totals(world, viewer: ViewerSpec) -> None:  # noqa: ANN001
    for query, where in [("", {})] + [(f"status={s}", {"api_status": s}) for s in STATUS_VALUES] \
            + [(f"organisation={o}", {"reporter": o}) for o in ("JM", "KY")]:
        body = _api_json(world, viewer, f"/seizures?per_page=200&{query}")
        assert body["total"] == len(_expected(viewer, **where)) == len(body["results"]), query


@pytest.mark.parametrize("viewer", _viewer_cases("web list count"))
def test_web_list_count(world, viewer: ViewerSpec) -> None:  # noqa: ANN001
    text = _page_text(world, viewer, "/?scope=all")
    count = len(_expected(viewer))
    assert re.search(rf"\b{count} reports?\b", text), f"the list does not say {count} reports"


@pytest.mark.parametrize("viewer", _viewer_cases("search facets histogram totals"))
def test_search_aggregates(world, viewer: ViewerSpec) -> None:  # noqa: ANN001
    expected = _expected(viewer)
    for query in ("", "q=qz*", f"operation={OPERATION}"):
        body = _api_json(world, viewer, f"/search?per_page=200&{query}")
        assert body["total"] == len(expected) == len(body["hits"]), query
        facets = {name: {b["value"]: b["count"] for b in buckets} for name, buckets in body["facets"].items()}
        assert facets["organisation"] == dict(Counter(r.reporter for r in expected)), query
        assert facets["status"] == dict(Counter(r.api_status for r in expected)), query
        states = {"submitted": "awaiting", "returned": "returned", "validated": "validated"}
        assert facets["validation"] == dict(Counter(states[r.status] for r in expected if r.status in states)), query
        assert facets["country"] == dict(Counter(r.reporter for r in expected)), query
        assert sum(facets["category"].values()) == len(expected), query
        if expected:
            assert facets["operation"] == {OPERATION: len(expected)}, query
        assert sum(m["count"] for m in body["histogram"]) == len(expected), query
        tobacco = [t for t in body["totals"] if t["category"] == "tobacco" and t["subcategory"] is None]
        quantity = sum(r.quantity for r in expected)
        assert (tobacco[0]["quantity"], tobacco[0]["reports"]) == (quantity, len(expected)) if expected \
            else not tobacco, query


@pytest.mark.parametrize("viewer", _viewer_cases("search persons as a term"))
def test_persons_are_no_search_term(world, viewer: ViewerSpec) -> None:  # noqa: ANN001
    """A person's name or passport number finds a report only for those who may see its persons."""
    body = world.api(viewer, "GET", "/search", query_string={"q": PERSON_QUERY, "per_page": 200}).get_json()
    found = {hit["id"] for hit in body["hits"]}
    allowed = {world.ids[r.number] for r in REPORTS if sees_persons(viewer, r)}
    assert found <= allowed and body["total"] == len(found)
    own = {world.ids[r.number] for r in REPORTS if r.reporter == viewer.org.code}
    assert own <= found  # the reporting organisation does find its own by a person
    assert not re.search(r"qz\d\dp(ers|ass)", str(body["hits"]).lower() + str(body["facets"]).lower())


@pytest.mark.parametrize("viewer", _viewer_cases("export.csv rows"))
def test_export_rows(world, viewer: ViewerSpec) -> None:  # noqa: ANN001
    text = _api_text(world, viewer, "/search/export.csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["reference"] for r in rows) == sorted(world.references[r.number] for r in _expected(viewer))
    assert "persons" not in text.splitlines()[0]


@pytest.mark.parametrize("viewer", [v for v in _viewer_cases("operation figures") if sees_operation(v.values[0])])
def test_operation_figures(world, viewer: ViewerSpec) -> None:  # noqa: ANN001
    figures = _api_json(world, viewer, f"/operations/{OPERATION}/figures?per_page=200")
    expected = _expected(viewer, counts_in_figures)
    assert figures["reports"] == len(expected)
    assert figures["arrests"] == sum(r.arrests for r in expected)
    assert sum(row["reports"] for row in figures["by_category"]) == len(expected)
    assert sum(row["quantity"] for row in figures["by_category"]) == sum(r.quantity for r in expected)
    assert figures["seizures"]["pages"] == 1
    assert sorted(s["reference"] for s in figures["seizures"]["results"]) == sorted(
        world.references[r.number] for r in expected)
    assert figures["tlp"] == max((r.tlp for r in expected), key=TLP_ORDER.index, default="clear")


# --- every GET route is in the matrix or says why it returns no report data -------------------------------

COVERED = {"api.get_seizure", "seizures.detail", "seizures.by_reference", "seizures.edit", "api.list_seizures",
           "seizures.index", "api.search", "search.index", "api.search_export", "operations.detail",
           "api.operation_figures", "conferences.detail", "api.job_file",  # job_file: test_leak_products.py
           "validation.queue", "api.validation_queue", "validation.decide",
           "audit.index", "audit.export_csv", "api.audit_trail"}  # the audit trail: test_leak_audit.py
NO_REPORT_DATA = {
    "static", "jobs.static", "health.livez", "health.healthz", "api.openapi", "api.vocabularies", "api.me", "api.list_organisations",
    "users.login", "users.second_factor", "users.second_factor_setup", "users.account", "users.change_password",
    "users.mfa_settings", "users.tokens", "users.set_password", "admin.users", "admin.user", "admin.invite",
    "admin.organisations", "seizures.new", "operations.index", "operations.new", "operations.edit",
    "operations.links",  # the link preview counts reports: tested in tests/operations (preview = visible only)
    "api.list_operations", "api.get_operation", "conferences.index", "conferences.new", "conferences.edit",
    "api.list_conferences", "api.get_conference", "jobs.index", "api.list_jobs", "api.get_job",
}


def test_every_get_route_is_classified(world) -> None:  # noqa: ANN001
    """A new page or endpoint fails here until it joins the matrix (or is shown to carry no report data).
    There is no suggestion endpoint: one added later must join the matrix too."""
    endpoints = {rule.endpoint for rule in world.app.url_map.iter_rules() if "GET" in rule.methods}
    unclassified = endpoints - COVERED - NO_REPORT_DATA
    assert not unclassified, f"GET routes not in the leak matrix: {sorted(unclassified)}"
    assert not [e for e in endpoints if "suggest" in e or "complete" in e]
