"""SSRF and file reads through the PDF renderer, end to end: hostile markup typed into every text field
that reaches a product (through the app's services and the job API, rendered by the worker) makes no
request and reads no file.

tests/reports/test_hostile_content.py feeds the same kinds of markup to the renderer directly, in sample
contexts; here the text takes the real path: database -> context builders -> templates -> renderer.
A listener on 127.0.0.1 counts every request it gets (and would answer with a secret)."""
from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from flask import Flask
from pypdf import PdfReader

from app.extensions import db

from tests import factories
from tests.operations.support import run_jobs
from tests.reports.conftest import Listener
from tests.security.world import CSRF_META, RequestScopedClient


def payload(url: str, name: str) -> str:
    return (f'<img src="{url}/{name}-img.png"> <link rel="stylesheet" href="{url}/{name}-link.css"> '
            f'<style>@import "{url}/{name}-import.css"; @import url({url}/{name}-import2.css); '
            f'body {{ background: url(file:///etc/passwd) }}</style> <div style="background:url(file:///etc/passwd)">'
            f'</div> <svg><image href="{url}/{name}-svg.png"/><image href="file:///etc/passwd"/></svg> '
            f'<iframe src="{url}/{name}-iframe.html"></iframe> <object data="file:///etc/passwd"></object> '
            f'url({url}/{name}-css.png) {name}-end')


def short(url: str, name: str) -> str:
    """For fields of 100 characters."""
    return f'<img src="{url}/{name}.png">{name}'


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def products(app: Flask, world, listener: Listener) -> dict[str, bytes]:  # noqa: ANN001
    from app.conferences import services as conference_services
    from app.conferences.schemas import ConferenceSchema

    url = listener.url
    org = factories.org("SX", "administration", short(url, "organisation"))
    officer = factories.user(org, "officer", "analyst")
    op = factories.operation("SSRF-OP", org, [world.jm], name=short(url, "opname"))
    op.description, op.executive_summary = payload(url, "opdescription"), payload(url, "execsummary")
    for n in range(2):
        body = factories.report_payload(
            narrative=payload(url, f"narrative{n}"), concealment_details=payload(url, f"concealment{n}"),
            location={"name": short(url, f"place{n}"), "type": "seaport", "lat": 18.0, "lon": -77.0},
            items=[{"category": "firearms", "subcategory": "pistol", "quantity": 2, "unit": "pieces",
                    "description": short(url, f"description{n}")}],
            route=[{"role": "departure", "country": "PA", "place": short(url, f"route{n}")},
                   {"role": "destination", "country": "JM"}],
            conveyance={"vessel_name": short(url, f"vessel{n}"), "imo": None, "flag": None, "containers": [],
                        "flight": None, "vehicle_plate": None},
            arrests=3, operations=["SSRF-OP"], seized_at="2026-10-05T12:00:00-05:00")
        factories.report(officer, **body)
    conference = conference_services.create_conference(officer, ConferenceSchema().load({
        "title": short(url, "conftitle"), "venue": short(url, "venue"), "starts_on": "2026-10-20",
        "ends_on": "2026-10-21", "organiser": "SX", "participants": [{"organisation": "JM"}],
        "agenda": [{"title": short(url, "agendatitle"), "presenter": short(url, "presenter"),
                    "summary": payload(url, "agendasummary")}],
        "decisions": [{"text": payload(url, "decision")}],
        "action_items": [{"text": payload(url, "action"), "owner": short(url, "owner")}],
        "figures_from": "2026-10-01", "figures_to": "2026-10-31", "operations": ["SSRF-OP"]}))
    db.session.commit()

    client = RequestScopedClient(app, app.response_class, use_cookies=True)
    token = CSRF_META.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"email": officer.email, "password": factories.PASSWORD, "csrf_token": token})
    token = CSRF_META.search(client.get("/account").get_data(as_text=True)).group(1)
    jobs = {}
    for name, path in (("operation summary", f"/api/v1/operations/{op.code}/summary"),
                       ("conference report", f"/api/v1/conferences/{conference.id}/report")):
        response = client.post(path, headers={"X-CSRFToken": token})
        assert response.status_code == 202, response.get_json()
        jobs[name] = response.get_json()["job"]["id"]
    saved = app.config.get("JOBS_HEARTBEAT_SECONDS")
    app.config["JOBS_HEARTBEAT_SECONDS"] = 3600  # the in-process worker shares the test's connection
    try:
        assert run_jobs(app) == 2
    finally:
        app.config["JOBS_HEARTBEAT_SECONDS"] = saved
    return {name: client.get(f"/api/v1/jobs/{job}/file").get_data() for name, job in jobs.items()}


PRINTED = {"operation summary": ("opname", "opdescription-end", "execsummary-end", "place0", "organisation"),
           "conference report": ("conftitle", "venue", "agendatitle", "presenter", "agendasummary-end",
                                 "decision-end", "action-end", "owner", "opname")}


def test_hostile_text_in_every_product_field_makes_no_request_and_reads_no_file(products: dict[str, bytes],
                                                                                listener: Listener) -> None:
    assert listener.requests == []
    for name, pdf in products.items():
        assert pdf.startswith(b"%PDF"), name
        reader = PdfReader(io.BytesIO(pdf))
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        assert "root:x:0:0" not in text and "LEAKED" not in text and b"root:x:0:0" not in pdf, name
        assert reader.attachments == {}, name
        for field in PRINTED[name]:  # the markup reached the product, as text
            assert field in text, f"{name}: {field} missing"
        assert "<img src=" in text, name
        for page in reader.pages:  # no image came from outside: only the app's own vector drawings
            xobjects = page["/Resources"].get("/XObject", {})
            assert all(x.get_object()["/Subtype"] == "/Form" for x in xobjects.values()), name
