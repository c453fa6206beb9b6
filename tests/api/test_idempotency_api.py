"""Idempotency-Key on POST /api/v1/seizures: a retried create returns the first report, never a second."""
from __future__ import annotations

from sqlalchemy import func, select

from app.audit.models import AuditRecord
from app.database import utcnow
from app.extensions import db
from app.seizures.models import IdempotencyKey, SeizureReport

from tests import factories
from tests.api.helpers import assert_error


def _reports() -> int:
    return db.session.scalar(select(func.count()).select_from(SeizureReport))


def test_a_retried_create_returns_the_first_report_and_creates_nothing(api, world):
    officer = api.as_(world["jm_officer"])
    body = {**factories.report_payload(), "submit": True}

    first = officer.post("/seizures", json=body, headers={"Idempotency-Key": "b7c1-retry-1"})
    again = officer.post("/seizures", json=body, headers={"Idempotency-Key": "b7c1-retry-1"})

    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["reference"] == first.get_json()["reference"] == f"JM-{utcnow().year}-000001"
    assert again.headers["Location"] == first.headers["Location"]
    assert _reports() == 1
    assert db.session.get(IdempotencyKey, (world["jm_officer"].id, "b7c1-retry-1")).report_id == first.get_json()["id"]
    replay = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "report.create_replayed")).one()
    assert (replay.actor_id, replay.subject_id) == (world["jm_officer"].id, first.get_json()["id"])


def test_keys_belong_to_their_user_and_new_keys_create_new_reports(api, world):
    body = factories.report_payload()
    mine = api.as_(world["jm_officer"]).post("/seizures", json=body, headers={"Idempotency-Key": "k1"})
    colleague = api.as_(world["jm_officer2"]).post("/seizures", json=body, headers={"Idempotency-Key": "k1"})
    another = api.as_(world["jm_officer"]).post("/seizures", json=body, headers={"Idempotency-Key": "k2"})
    without = api.as_(world["jm_officer"]).post("/seizures", json=body)

    ids = {r.get_json()["id"] for r in (mine, colleague, another, without)}
    assert len(ids) == 4
    assert [r.get_json()["reference"][-6:] for r in (mine, colleague, another, without)] == [
        "000001", "000002", "000003", "000004"]
    assert _reports() == 4


def test_a_key_reused_with_another_body_is_refused(api, world):
    officer = api.as_(world["jm_officer"])
    officer.post("/seizures", json=factories.report_payload(), headers={"Idempotency-Key": "k1"})

    response = officer.post("/seizures", json=factories.report_payload(arrests=7), headers={"Idempotency-Key": "k1"})

    assert_error(response, 422, "validation_failed")
    assert "Idempotency-Key" in response.get_json()["error"]["fields"]
    assert _reports() == 1


def test_a_failed_create_stores_no_key_so_the_corrected_retry_creates(api, world):
    officer = api.as_(world["jm_officer"])
    bad = factories.report_payload(country="XX")
    assert officer.post("/seizures", json=bad, headers={"Idempotency-Key": "k1"}).status_code == 422

    retry = officer.post("/seizures", json=bad, headers={"Idempotency-Key": "k1"})
    assert retry.status_code == 422  # validated again, not replayed
    good = officer.post("/seizures", json=factories.report_payload(), headers={"Idempotency-Key": "k2"})
    assert good.status_code == 201
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


def test_a_malformed_key_is_a_400(api, world):
    officer = api.as_(world["jm_officer"])
    for key in ("x" * 201, "tab\there"):
        response = officer.post("/seizures", json=factories.report_payload(), headers={"Idempotency-Key": key})
        assert_error(response, 400, "bad_request")
    assert _reports() == 0


def test_a_replay_shows_the_report_as_it_is_now(api, world):
    officer = api.as_(world["jm_officer"])
    body = factories.report_payload()
    first = officer.post("/seizures", json=body, headers={"Idempotency-Key": "k1"}).get_json()
    officer.request("PATCH", f"/seizures/{first['id']}", json={"version": 1, "arrests": 3})

    again = officer.post("/seizures", json=body, headers={"Idempotency-Key": "k1"})

    assert again.status_code == 201
    assert again.get_json()["arrests"] == 3 and again.get_json()["version"] == 2
