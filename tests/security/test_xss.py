"""XSS: markup in every free-text field of reports (a validator's comment too), operations, conferences,
organisations, users and tokens comes back escaped on every page that shows it; CSV cells that a
spreadsheet would run are neutralised; PDFs print the text literally and carry no script or link made
from it.

Each field gets `x<field>` followed by the payload, so a failure names the field."""
from __future__ import annotations

import csv
import io
import re

import pytest
from flask import Flask
from markupsafe import escape
from pypdf import PdfReader

from app.extensions import db

from tests import factories
from tests.operations.support import run_jobs
from tests.security.world import CSRF_META, RequestScopedClient

PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(1)> javascript:alert(1) {{7*7}}'
SHORT = '"><svg onload=1>'  # for fields of 16 to 20 characters
RAW_MARKERS = ("<script>alert(1)", "<img src=x onerror", "<svg onload=1>")


SHORT_VALUES = {"flight": SHORT, "plate": f"xp{SHORT}"}  # 16 and 20 characters at most


def hostile(field: str) -> str:
    return SHORT_VALUES.get(field) or f"x{field}{PAYLOAD}"


def escaped(field: str) -> str:
    return str(escape(hostile(field)))


def hostile_report_body() -> dict:
    return factories.report_payload(
        narrative=hostile("narrative"), concealment_details=hostile("concealment"),
        location={"name": hostile("place"), "type": "seaport", "lat": 18.0, "lon": -77.0},
        items=[{"category": "tobacco", "subcategory": "cigarettes", "description": hostile("description"),
                "quantity": 1000, "unit": "sticks", "details": {"brand": hostile("detail")}}],
        route=[{"role": "departure", "country": "PA", "place": hostile("route")},
               {"role": "destination", "country": "JM"}],
        conveyance={"vessel_name": hostile("vessel"), "imo": None, "flag": None, "containers": [],
                    "flight": hostile("flight"), "vehicle_plate": hostile("plate")},
        persons=[{"role": "suspect", "name": hostile("person"),
                  "document": {"type": "passport", "number": hostile("document")[:64], "country": "JM"}}],
        operations=["XSS-OP"], marking={"tlp": "amber", "distribution": "network", "handling": "P"})


@pytest.fixture
def scene(app: Flask, world) -> dict:  # noqa: ANN001
    from app.conferences import services as conference_services
    from app.conferences.schemas import ConferenceSchema
    from app.users import services as user_services

    org = factories.org("XS", "administration", hostile("organisation"))
    boss = user_services.create_user("boss@xs.example", "XS", ["officer", "analyst", "manager", "sysadmin"],
                                     factories.PASSWORD, name=hostile("username"))
    user_services.create_token(boss, hostile("token"))
    op = factories.operation("XSS-OP", org, [world.jm], name=hostile("opname"))
    op.description, op.executive_summary = hostile("opdescription"), hostile("execsummary")
    report = factories.report(boss, **{k: v for k, v in hostile_report_body().items() if k != "seized_at"})
    from app.validation import services as validation

    validation.return_report(world["jio_validator"], report, hostile("comment"))
    conference = conference_services.create_conference(boss, ConferenceSchema().load({
        "title": hostile("conftitle"), "venue": hostile("venue"), "starts_on": "2026-10-20",
        "ends_on": "2026-10-21", "organiser": "XS", "participants": [{"organisation": "JM"}],
        "agenda": [{"title": hostile("agendatitle"), "presenter": hostile("presenter"),
                    "summary": hostile("agendasummary")}],
        "decisions": [{"text": hostile("decision")}],
        "action_items": [{"text": hostile("action"), "owner": hostile("owner")}],
        "operations": ["XSS-OP"]}))
    db.session.commit()
    client = RequestScopedClient(app, app.response_class, use_cookies=True)
    token = CSRF_META.search(client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"email": boss.email, "password": factories.PASSWORD,
                                       "csrf_token": token}).status_code == 302
    return {"client": client, "report": report, "op": op, "conference": conference, "boss": boss, "org": org}


# page -> the fields whose escaped text it must show
PAGES = {
    "report detail": (lambda s: f"/reports/{s['report'].id}",
                      ("narrative", "concealment", "place", "description", "vessel", "person", "route", "detail",
                       "flight", "plate", "organisation", "comment")),
    "report edit form": (lambda s: f"/reports/{s['report'].id}/edit",
                         ("narrative", "concealment", "place", "description", "vessel", "person", "route",
                          "flight", "plate")),
    "report list": (lambda s: "/", ()),
    "search page": (lambda s: "/search?q=xnarrative", ()),  # its highlight: test_search_highlights...
    "search page (all)": (lambda s: "/search?q=", ()),
    "operation page": (lambda s: f"/operations/{s['op'].code}", ("opname", "opdescription", "execsummary")),
    "operation list": (lambda s: "/operations", ("opname",)),
    "operation edit form": (lambda s: f"/operations/{s['op'].code}/edit", ("opname", "opdescription", "execsummary")),
    "conference page": (lambda s: f"/conferences/{s['conference'].id}",
                        ("conftitle", "venue", "agendatitle", "presenter", "agendasummary", "decision", "action",
                         "owner", "opname")),
    "conference list": (lambda s: "/conferences", ("conftitle",)),
    "conference edit form": (lambda s: f"/conferences/{s['conference'].id}/edit",
                             ("conftitle", "venue", "agendatitle", "presenter", "agendasummary", "decision",
                              "action", "owner")),
    "admin users": (lambda s: "/admin/users", ("username",)),
    "admin user": (lambda s: f"/admin/users/{s['boss'].id}", ("username",)),
    "admin organisations": (lambda s: "/admin/organisations", ("organisation",)),
    "account": (lambda s: "/account", ()),
    "tokens": (lambda s: "/account/tokens", ("token",)),
    "products": (lambda s: "/products", ()),
}


def assert_no_markup(html: str, where: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in html, f"{where}: raw {marker!r}"
    assert not re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", html, re.I), f"{where}: javascript: URL"


@pytest.mark.parametrize("page", list(PAGES))
def test_a_page_escapes_every_field(scene: dict, page: str) -> None:
    path, fields = PAGES[page]
    response = scene["client"].get(path(scene))
    assert response.status_code == 200, (page, response.status_code)
    html = response.get_data(as_text=True)
    assert_no_markup(html, page)
    for field in fields:
        assert escaped(field) in html, f"{page}: {field} is not shown escaped"
    if fields:
        assert "{{7*7}}" in html  # printed, never evaluated as a template


def test_search_highlights_are_escaped_around_the_mark(scene: dict) -> None:
    html = scene["client"].get("/search?q=xnarrative").get_data(as_text=True)
    assert "<mark>xnarrative</mark>&lt;script&gt;alert(1)&lt;/script&gt;" in html
    body = scene["client"].get("/api/v1/search?q=xnarrative").get_json()
    highlights = " ".join(" ".join(v) for hit in body["hits"] for v in hit["highlights"].values())
    assert "<mark>" in highlights
    assert_no_markup(highlights, "search API highlights")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in highlights


def test_the_api_returns_the_text_as_given(scene: dict) -> None:
    """JSON is data, not HTML: the text round-trips unchanged (escaping is the page's job)."""
    body = scene["client"].get(f"/api/v1/seizures/{scene['report'].id}").get_json()
    assert body["narrative"] == hostile("narrative")


FORMULAS = {"narrative": "=HYPERLINK(\"http://evil.example\",\"x\")", "vessel": "+1+cmd|' /C calc'!A0",
            "place": "@SUM(1+1)*cmd|' /C calc'!A0", "concealment": "-2+3+cmd|' /C calc'!A0",
            "plate": "\t=1+1", "flight": "\r=1+1"}


def test_csv_cells_that_would_run_in_a_spreadsheet_are_neutralised(scene: dict, world) -> None:  # noqa: ANN001
    body = factories.report_payload(
        narrative=FORMULAS["narrative"], concealment_details=FORMULAS["concealment"],
        location={"name": FORMULAS["place"], "type": "seaport"},
        conveyance={"vessel_name": FORMULAS["vessel"], "imo": None, "flag": None, "containers": [],
                    "flight": FORMULAS["flight"], "vehicle_plate": FORMULAS["plate"]})
    factories.report(scene["boss"], **{k: v for k, v in body.items() if k != "seized_at"})
    db.session.commit()
    response = scene["client"].get("/api/v1/search/export.csv?organisation=XS")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 3
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), repr(cell)
    for value in (FORMULAS["narrative"], FORMULAS["vessel"], FORMULAS["place"]):
        assert "'" + value in cells  # kept, as text
    assert hostile("narrative") in cells  # text that is no formula is exported as it is


@pytest.fixture
def products(app: Flask, scene: dict) -> dict[str, bytes]:
    saved = app.config.get("JOBS_HEARTBEAT_SECONDS")
    app.config["JOBS_HEARTBEAT_SECONDS"] = 3600  # the in-process worker shares the test's connection
    client = scene["client"]
    token = CSRF_META.search(client.get("/account").get_data(as_text=True)).group(1)
    jobs = {}
    for name, path in (("operation summary", f"/api/v1/operations/{scene['op'].code}/summary"),
                       ("conference report", f"/api/v1/conferences/{scene['conference'].id}/report")):
        response = client.post(path, headers={"X-CSRFToken": token})
        assert response.status_code == 202, response.get_json()
        jobs[name] = response.get_json()["job"]["id"]
    try:
        assert run_jobs(app) == 2
    finally:
        app.config["JOBS_HEARTBEAT_SECONDS"] = saved
    return {name: client.get(f"/api/v1/jobs/{job}/file").get_data() for name, job in jobs.items()}


PDF_FIELDS = {"operation summary": ("opname", "opdescription", "execsummary"),
              "conference report": ("conftitle", "venue", "agendatitle", "presenter", "agendasummary", "decision",
                                    "action", "owner")}


def test_pdfs_print_the_text_literally_and_carry_no_script_or_link(products: dict[str, bytes]) -> None:
    for name, pdf in products.items():
        assert pdf.startswith(b"%PDF")
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
        for field in PDF_FIELDS[name]:
            assert f"x{field}<script>alert(1)</script>" in text.replace(" ", "") or \
                hostile(field) in text, f"{name}: {field} not printed literally"
        for marker in (b"/JavaScript", b"/JS ", b"/JS(", b"/Launch", b"/SubmitForm", b"javascript:alert"):
            assert marker not in pdf, f"{name}: {marker!r}"
        for page in PdfReader(io.BytesIO(pdf)).pages:
            for annotation in page.get("/Annots", []) or []:
                assert "/URI" not in str(annotation.get_object().get("/A", {})), f"{name}: an external link"
