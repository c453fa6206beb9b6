"""The conference report job, and hostile text in every field that reaches a product."""
from __future__ import annotations

import io
import socket
import threading
from datetime import date

import pytest
from pypdf import PdfReader

from app.conferences.services import create_conference
from app.extensions import db
from app.operations.services import update_operation

from tests import factories
from tests.jobs.pdf import pages_text, squeezed
from tests.operations.support import at, caribbean_shield, run_jobs


def conference(world, **overrides):  # noqa: ANN001,ANN201
    data = {
        "title": "Annual Enforcement Conference", "venue": "Miami, Florida", "starts_on": date(2017, 11, 1),
        "ends_on": date(2017, 11, 2), "organiser": "JIO",
        "participants": [{"organisation": "JM", "delegates": 3}, {"organisation": "KY", "delegates": 2}],
        "agenda": [{"title": "Operation Caribbean Shield: the JIO's report", "presenter": "Head of the JIO",
                    "presenter_organisation": "JIO", "summary": "Results of the operation."}],
        "decisions": [{"text": "Plan a follow-up operation in 2018."}],
        "action_items": [{"text": "Circulate the final report", "owner": "JIO", "due_on": date(2017, 12, 15)}],
        "figures_from": date(2017, 1, 1), "figures_to": date(2017, 12, 31),
        "figures_categories": ["firearms", "ammunition"], "operations": ["CARIBBEAN-SHIELD-2017"],
    }
    data.update(overrides)
    return create_conference(world["jio_analyst"], data)


def request_report(api, user, conference_id: int) -> str:  # noqa: ANN001
    response = api.as_(user).post(f"/conferences/{conference_id}/report")
    assert response.status_code == 202, response.get_json()
    return response.get_json()["job"]["id"]


def test_the_conference_report_holds_the_record_and_only_visible_figures(app, api, world):
    s = caribbean_shield(world)
    factories.report(world["jm_officer"], seized_at=at("2017-03-01"),  # tobacco: not a chosen category
                     items=[{"category": "tobacco", "subcategory": "cigarettes", "quantity": 9, "unit": "cartons"}])
    record = conference(world)
    db.session.commit()
    job_id = request_report(api, world["jio_analyst"], record.id)
    assert api.as_(world["ky_analyst"]).get(f"/jobs/{job_id}").status_code == 404
    run_jobs(app)
    job = api.as_(world["jio_analyst"]).get(f"/jobs/{job_id}").get_json()["job"]
    assert job["status"] == "done", job
    pdf = api.as_(world["jio_analyst"]).get(job["file"].removeprefix("/api/v1")).get_data()
    pages = pages_text(pdf)
    text = squeezed("\n".join(pages))
    for page in pages:
        assert page.count("TLP:AMBER+STRICT") >= 2
    for shown in ("Annual Enforcement Conference", "Miami, Florida", "Jamaica Customs Agency",
                  "Cayman Islands Customs", "Operation Caribbean Shield: the JIO's report", "Head of the JIO",
                  "Results of the operation.", "Plan a follow-up operation in 2018.", "Circulate the final report JIO",
                  "Kingston Container Terminal", "George Town Port", "HN → KY", "5.1 Caribbean Shield"):
        assert shown in text, shown
    # The regional figures (firearms and ammunition in 2017) and the operation's: the three reports the JIO
    # analyst may see, with the database's totals.
    regional = text[text.index("4 Regional figures Seizures reported"):text.rindex("5 Operations reported")]
    operation = text[text.rindex("5.1 Caribbean Shield"):]
    for part in (regional, operation):
        assert "3 3 2 3 seizure reports arrests reporting administrations" in part
        for row in ("Firearms Pistol 1 3 pieces", "Firearms Rifle 1 1 pieces", "Ammunition — 2 620 rounds"):
            assert row in part, row
    for absent in (s["hidden"].reference, "Secret Cove", "Assault rifle", "Winston Uniquename", "Hidden Q. Person",
                   "Cigarettes"):
        assert absent not in text, absent


HOSTILE = ('<img src="http://127.0.0.1:{port}/img"> <link rel="stylesheet" href="http://127.0.0.1:{port}/css"> '
           '<style>body {{ background: url(file:///etc/passwd) }}</style> '
           '<svg><image href="file:///etc/passwd"/><use href="http://127.0.0.1:{port}/svg#x"/></svg>')


@pytest.fixture
def listener():
    """A TCP listener that records every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    hits: list[str] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    hits.append(conn.recv(200).decode(errors="replace"))
                except OSError:
                    hits.append("connection")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], hits
    stop.set()
    thread.join()
    server.close()


def test_markup_in_text_fields_fetches_nothing_and_embeds_no_file(app, api, world, listener):
    port, hits = listener
    hostile = HOSTILE.format(port=port)
    s = caribbean_shield(world)
    update_operation(world["jio_analyst"], s["operation"], {"description": hostile, "executive_summary": hostile,
                                                             "name": f"Shield {hostile}"[:200]})
    factories.report(world["jm_officer"], seized_at=at("2017-10-21"), operations=[s["operation"].code],
                     location={"name": f"Pier {hostile}"[:200], "lat": 18.0, "lon": -76.8},
                     items=[{"category": "firearms", "subcategory": "pistol", "quantity": 1, "unit": "pieces"}])
    record = conference(world, title=f"AEC {hostile}"[:200], venue=hostile[:200],
                        agenda=[{"title": hostile[:300], "presenter": hostile[:200], "summary": hostile}],
                        decisions=[{"text": hostile}], action_items=[{"text": hostile, "owner": hostile[:200]}])
    db.session.commit()
    summary = api.as_(world["jio_analyst"]).post(f"/operations/{s['operation'].code}/summary").get_json()["job"]["id"]
    report = request_report(api, world["jio_analyst"], record.id)
    run_jobs(app)
    for job_id in (summary, report):
        job = api.as_(world["jio_analyst"]).get(f"/jobs/{job_id}").get_json()["job"]
        assert job["status"] == "done", job
        pdf = api.as_(world["jio_analyst"]).get(job["file"].removeprefix("/api/v1")).get_data()
        text = squeezed("\n".join(pages_text(pdf)))
        assert f"127.0.0.1:{port}/img" in text  # printed as text, autoescaped, not loaded
        assert "root:x:0:0" not in text and b"root:x:0:0" not in pdf
        reader = PdfReader(io.BytesIO(pdf))
        assert "/EmbeddedFiles" not in str(reader.trailer["/Root"].get("/Names", {}))
        for page in reader.pages:
            resources = page.get("/Resources") or {}
            images = [x for x in (resources.get("/XObject") or {}).values()
                      if x.get_object().get("/Subtype") == "/Image"]
            assert images == [], "an image was embedded"
    assert hits == [], f"the render made requests: {hits}"
