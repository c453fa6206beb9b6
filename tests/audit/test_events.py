"""Each kind of event leaves its record: sign-ins, report reads (page and API), a named invisible report,
searches with their query, exports, products, report create/change/submit/withdraw (field names, never
persons' contents), operations, 403s. And the plumbing: reads written after the response is ready, a
rolled-back write kept as a failure, a read that cannot be recorded is not served."""
from __future__ import annotations

import json

from app import audit
from app.audit import services as audit_services
from app.database import write_intent
from app.extensions import db
from app.jobs.models import Job, ProductFile
from app.seizures.models import SeizureReport

from tests import factories
from tests.audit.conftest import last, records

PERSON = "Winston Uniquename"


def trail_text() -> str:
    return json.dumps([r._asdict() for r in records()], default=str)


def test_a_failed_and_a_successful_sign_in(browser, world):
    officer = world["jm_officer"]
    assert browser.sign_in(officer, password="not the password at all").status_code == 200
    failed = last("sign_in")
    assert (failed.outcome, failed.actor_id, failed.subject_id) == ("failure", None, str(officer.id))
    assert failed.subject_ref == officer.email and failed.address == "127.0.0.1"
    assert "not the password" not in trail_text()
    browser.sign_in(officer)
    ok = last("sign_in")
    assert (ok.outcome, ok.actor_id, ok.actor_email, ok.organisation_id) == (
        "success", officer.id, officer.email, officer.organisation_id)


def test_an_unknown_account_is_a_failure_with_the_login_tried(browser, world):
    browser.post("/login", data={"email": "nobody@nowhere.example", "password": "x" * 12,
                                 "csrf_token": browser.csrf()})
    row = last("sign_in")
    assert row.outcome == "failure" and row.details["reason"] == "unknown_account"
    assert row.details["login"] == "nobody@nowhere.example"


def test_reading_a_report_page_and_by_the_api(browser, api, world):
    report = factories.report(world["jm_officer"])
    db.session.commit()
    browser.sign_in(world["jio_validator"])
    assert browser.get(f"/reports/{report.id}").status_code == 200
    row = last("report.read")
    assert (row.actor_id, row.subject_type, row.subject_id, row.subject_ref, row.subject_organisation_id) == (
        world["jio_validator"].id, "report", report.id, report.reference, world.jm.id)
    assert row.details == {"persons": True} and row.outcome == "success"

    assert api.as_(world["ky_analyst"]).get(f"/seizures/{report.id}").status_code == 200
    row = last("report.read")
    assert row.actor_id == world["ky_analyst"].id and row.details == {"persons": False}
    assert len(records("report.read")) == 2


def test_a_named_report_the_user_may_not_see_is_a_denial_without_its_reference(api, world):
    secret = factories.report(world["ky_officer"], marking={"tlp": "red", "distribution": "organisation"})
    db.session.commit()
    assert api.as_(world["jm_analyst"]).get(f"/seizures/{secret.id}").status_code == 404
    row = last("report.access")
    assert (row.outcome, row.actor_id, row.subject_id, row.subject_ref, row.subject_organisation_id) == (
        "denied", world["jm_analyst"].id, secret.id, None, world.ky.id)
    assert not records("report.read")


def test_a_search_is_recorded_with_its_query_and_filters(api, browser, world):
    factories.report(world["jm_officer"])
    db.session.commit()
    response = api.as_(world["jm_analyst"]).get("/search?q=marlboro+-fuel&category=tobacco&country=JM&country=KY")
    assert response.status_code == 200
    row = last("search")
    assert row.details["q"] == "marlboro -fuel"
    assert row.details["category"] == ["tobacco"] and row.details["country"] == ["JM", "KY"]
    assert row.actor_id == world["jm_analyst"].id

    browser.sign_in(world["ky_analyst"])
    assert browser.get("/search?q=reefer").status_code == 200
    assert last("search").details["q"] == "reefer" and last("search").actor_id == world["ky_analyst"].id


def test_a_csv_export_is_recorded_with_its_query_and_row_count(api, world):
    for _ in range(3):
        factories.report(world["jm_officer"])
    db.session.commit()
    response = api.as_(world["jio_analyst"]).get("/search/export.csv?category=tobacco")
    assert response.status_code == 200
    row = last("search.export")
    assert row.details["category"] == ["tobacco"] and row.details["rows"] == 3
    assert row.actor_id == world["jio_analyst"].id


def test_a_product_request_and_download(app, api, world):
    analyst = world["jio_analyst"]
    op = factories.operation("AUDIT-OP-2026", world.jio, [world.jm])
    db.session.commit()
    response = api.as_(analyst).post(f"/operations/{op.code}/summary")
    assert response.status_code == 202
    job_id = response.get_json()["job"]["id"]
    row = last("product.request")
    assert (row.subject_type, row.subject_id, row.subject_ref) == ("job", job_id, "operation_summary")
    assert row.details == {"params": {"operation": op.code}, "repeated": False}

    job = db.session.get(Job, job_id)  # finished as the worker would, without rendering a PDF here
    db.session.add(ProductFile(input_hash="a" * 64, kind=job.kind, size=8, content=b"%PDF-1.7"))
    job.status, job.result_hash = "done", "a" * 64
    db.session.commit()
    assert api.as_(analyst).get(f"/jobs/{job_id}/file").status_code == 200
    row = last("product.download")
    assert row.subject_id == job_id and row.details["sha256"] == "a" * 64 and row.actor_id == analyst.id


def test_create_change_submit_and_withdraw_name_fields_never_persons(api, world):
    officer = api.as_(world["jm_officer"])
    created = officer.post("/seizures", json=factories.report_payload()).get_json()
    row = last("report.create")
    assert row.subject_ref == created["reference"] and row.details["submitted"] is False
    assert {"items", "persons", "narrative", "marking", "location"} <= set(row.details["fields"])

    persons = [{"role": "driver", "name": "Another Uniquename", "nationality": "KY"}]
    response = officer.patch(f"/seizures/{created['id']}", json={
        "version": created["version"], "narrative": "Changed narrative", "persons": persons})
    assert response.status_code == 200, response.get_json()
    row = last("report.update")
    assert row.details["fields"] == ["narrative", "persons"]

    assert officer.post(f"/seizures/{created['id']}/submit").status_code == 200
    assert last("report.submit").subject_id == created["id"]
    assert officer.post(f"/seizures/{created['id']}/withdraw").status_code == 200
    assert last("report.withdraw").subject_id == created["id"]

    text = trail_text()
    for secret in (PERSON, "Another Uniquename", "P9988776", "Changed narrative"):
        assert secret not in text


def test_operation_create_and_edit(api, world):
    analyst = api.as_(world["jio_analyst"])
    body = {"code": "AUDIT-SHIELD", "name": "Audit Shield", "lead_organisation": "JIO", "starts_on": "2026-01-01",
            "ends_on": "2026-02-01", "participants": ["JM"]}
    assert analyst.post("/operations", json=body).status_code == 201
    row = last("operation.create")
    assert row.subject_ref == "AUDIT-SHIELD" and row.subject_organisation_id == world.jio.id
    assert "participants" in row.details["fields"]
    assert analyst.patch("/operations/AUDIT-SHIELD", json={"name": "Audit Shield II"}).status_code == 200
    assert last("operation.update").details == {"fields": ["name"]}


def test_a_403_is_a_permission_denial(browser, api, world):
    browser.sign_in(world["jm_analyst"])
    assert browser.get("/reports/new").status_code == 403
    row = last("permission.denied")
    assert row.outcome == "denied" and row.actor_id == world["jm_analyst"].id
    assert row.details == {"method": "GET", "endpoint": "seizures.new", "path": "/reports/new"}
    assert api.as_(world["jm_analyst"]).post("/seizures", json=factories.report_payload()).status_code == 403
    assert last("permission.denied").details["path"] == "/api/v1/seizures"


def test_records_of_a_rolled_back_write_are_kept_as_failures(app, world):
    with app.test_request_context("/x", method="POST"), write_intent():
        audit.record("test.change", actor=world["jm_officer"])
        db.session.execute(db.select(db.literal(1)))
        db.session.rollback()
        assert [e["outcome"] for e in audit_services._pending()] == ["failure"]
        assert audit_services._pending()[0]["details"] == {"rolled_back": True}


def test_a_read_that_cannot_be_recorded_is_not_served(api, world, monkeypatch):
    report = factories.report(world["jm_officer"])
    analyst = api.as_(world["jm_analyst"])
    assert analyst.get("/me").status_code == 200  # its token exists before the trail breaks
    db.session.commit()

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit_services, "append", broken)
    response = analyst.get(f"/seizures/{report.id}")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "audit_unavailable"
    assert report.reference not in response.get_data(as_text=True)


def test_a_change_that_cannot_be_recorded_is_not_made(api, world, monkeypatch):
    """The append inside the change's commit fails once: 503, no report, and the attempt is on record as
    a rolled-back failure (appended after the rollback, when the trail can be written again)."""
    officer = api.as_(world["jm_officer"])
    assert officer.get("/me").status_code == 200  # its token exists before the trail breaks
    db.session.commit()
    reports_before = db.session.scalar(db.select(db.func.count()).select_from(SeizureReport))
    real, calls = audit_services.append, []

    def fails_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(audit_services, "append", fails_once)
    response = officer.post("/seizures", json=factories.report_payload())
    assert response.status_code == 503
    assert response.get_json()["error"] == {
        "code": "audit_unavailable",
        "message": "the audit trail could not be written, so nothing was changed; try again"}
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(SeizureReport)) == reports_before
    row = last("report.create")
    assert row.outcome == "failure" and row.details["rolled_back"] is True
