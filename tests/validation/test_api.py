"""Four-eyes validation through the API: who may decide, on which reports, in which state, with what input."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.validation.models import ValidationAction
from tests import factories
from tests.validation.conftest import CHECKED


def as_(api, user):  # noqa: ANN001,ANN201
    """The API as `user`, after committing what the test made: a refused request ends its transaction
    with a rollback (the audit trail's after-request append), which would take uncommitted rows with it."""
    client = api.as_(user)
    client._headers()  # the user's API token, made now so that it is committed too
    db.session.commit()
    return client


def validate(api, user, report_id, checklist=CHECKED, **extra):  # noqa: ANN001,ANN201
    return as_(api, user).post(f"/seizures/{report_id}/validate", json={"checklist": checklist, **extra})


RETURN_COMMENT = "Quantity looks like cartons, not packs: check the unit."


def return_(api, user, report_id, comment=RETURN_COMMENT, **extra):  # noqa: ANN001,ANN201
    return as_(api, user).post(f"/seizures/{report_id}/return", json={"comment": comment, **extra})


# --- deciding -------------------------------------------------------------------------------------------

def test_a_regional_validator_validates_a_submitted_report(api, world):
    report = factories.report(world["jm_officer"])
    assert report.validation_state == "awaiting"
    response = validate(api, world["jio_validator"], report.id, comment="Consistent with the manifest.")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "validated" and body["validated_at"] is not None
    assert body["validation"]["state"] == "validated"
    assert body["validation"]["validated_by"] == {"organisation": "JIO", "user": world["jio_validator"].email}
    assert body["validation"]["last_comment"]["text"] == "Consistent with the manifest."
    action = db.session.scalar(select(ValidationAction).where(ValidationAction.report_id == report.id))
    assert (action.action, action.user_id, action.checklist) == ("validate", world["jio_validator"].id, CHECKED)
    assert action.report_version == body["version"]


def test_a_decision_names_the_version_reviewed_and_a_changed_report_is_a_conflict(api, world):
    report = factories.report(world["jm_officer"])
    db.session.commit()
    reviewed = report.version
    changed = as_(api, world["jm_officer"]).patch(f"/seizures/{report.id}", json={"version": reviewed, "arrests": 7})
    assert changed.status_code == 200
    for response in (validate(api, world["jio_validator"], report.id, version=reviewed),
                     return_(api, world["jio_validator"], report.id, version=reviewed)):
        assert response.status_code == 409 and "changed since you read it" in response.get_json()["error"]["message"]
    assert validate(api, world["jio_validator"], report.id, version="2").status_code == 422  # a number
    response = validate(api, world["jio_validator"], report.id, version=changed.get_json()["version"])
    assert response.status_code == 200 and response.get_json()["status"] == "validated"


def test_the_report_json_of_an_unvalidated_report(api, world):
    draft = factories.report(world["jm_officer"], submit=False)
    body = as_(api, world["jm_officer"]).get(f"/seizures/{draft.id}").get_json()
    assert body["validation"] == {"state": None, "validated_by": None, "returned_at": None, "last_comment": None}


def test_four_eyes_the_creator_may_not_validate(api, world):
    both = factories.user(world.jio, "officer", "validator")
    report = factories.report(both)
    response = validate(api, both, report.id)
    assert response.status_code == 403
    assert "four eyes" in response.get_json()["error"]["message"]
    assert validate(api, world["jio_validator"], report.id).status_code == 200


def test_four_eyes_an_editor_who_did_not_create_it_may_not_validate(api, world, validator2):
    author = factories.user(world.jio, "officer")
    editor = factories.user(world.jio, "officer", "validator")
    report = factories.report(author)
    changed = as_(api, editor).patch(f"/seizures/{report.id}", json={"narrative": "Corrected narrative.",
                                                                     "version": report.version})
    assert changed.status_code == 200, changed.get_json()
    assert validate(api, editor, report.id).status_code == 403
    assert return_(api, editor, report.id).status_code == 403
    assert validate(api, validator2, report.id).status_code == 200


def test_four_eyes_whoever_submitted_a_draft_may_not_validate_it(api, world):
    author = factories.user(world.jio, "officer")
    submitter = factories.user(world.jio, "officer", "validator")
    draft = factories.report(author, submit=False)
    assert as_(api, submitter).post(f"/seizures/{draft.id}/submit").status_code == 200
    assert validate(api, submitter, draft.id).status_code == 403


@pytest.mark.parametrize("who", ["jio_analyst", "jm_officer", "ky_analyst", "sysadmin"])
def test_only_validators_decide(api, world, who):
    report = factories.report(world["ky_officer"])
    assert validate(api, world[who], report.id).status_code == 403
    assert return_(api, world[who], report.id).status_code == 403


def test_a_validator_of_an_administration_is_not_a_regional_validator(api, world):
    national = factories.user(world.ky, "validator")
    report = factories.report(world["jm_officer"])
    response = validate(api, national, report.id)
    assert response.status_code == 403
    assert "regional office" in response.get_json()["error"]["message"]


def test_reports_of_partners_are_outside_the_networks_validation(api, world):
    partner_officer = factories.user(world.partner, "officer")
    report = factories.report(partner_officer, marking={"tlp": "green", "distribution": "partners"})
    assert validate(api, world["jio_validator"], report.id).status_code == 403


@pytest.mark.parametrize("case", ["organisation_only", "draft", "missing"])
def test_a_report_the_validator_may_not_see_is_not_found(api, world, case):
    if case == "organisation_only":
        report_id = factories.report(world["ky_officer"], marking={"tlp": "amber", "distribution": "organisation"}).id
    elif case == "draft":
        report_id = factories.report(world["ky_officer"], submit=False).id
    else:
        report_id = factories.new_id()
    for response in (validate(api, world["jio_validator"], report_id), return_(api, world["jio_validator"], report_id)):
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


# --- states -------------------------------------------------------------------------------------------

def test_an_already_validated_report_is_a_conflict(api, world, validator2):
    report = factories.report(world["jm_officer"])
    assert validate(api, world["jio_validator"], report.id).status_code == 200
    assert validate(api, validator2, report.id).status_code == 409
    assert return_(api, validator2, report.id).status_code == 409


def test_a_returned_report_is_a_conflict_until_resubmitted(api, world, validator2):
    report = factories.report(world["jm_officer"])
    assert return_(api, world["jio_validator"], report.id).status_code == 200
    response = validate(api, validator2, report.id)
    assert response.status_code == 409
    assert "returned" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("status", ["draft", "withdrawn"])
def test_drafts_and_withdrawn_reports_of_the_validators_own_office_are_a_conflict(api, world, status):
    jio_officer = factories.user(world.jio, "officer")
    report = factories.report(jio_officer, submit=False)
    if status == "withdrawn":
        assert as_(api, jio_officer).post(f"/seizures/{report.id}/withdraw").status_code == 200
    assert validate(api, world["jio_validator"], report.id).status_code == 409


# --- input ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("checklist, field", [
    ({"category_quantity": True, "location_date": True}, "checklist.markings"),
    ({**CHECKED, "location_date": False}, "checklist.location_date"),
    (None, "checklist"),
])
def test_an_incomplete_checklist_is_refused(api, world, checklist, field):
    report = factories.report(world["jm_officer"])
    body = {} if checklist is None else {"checklist": checklist}
    response = as_(api, world["jio_validator"]).post(f"/seizures/{report.id}/validate", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    db.session.refresh(report)
    assert report.status == "submitted"


@pytest.mark.parametrize("body", [{}, {"comment": ""}, {"comment": "   "}])
def test_returning_needs_a_comment(api, world, body):
    report = factories.report(world["jm_officer"])
    response = as_(api, world["jio_validator"]).post(f"/seizures/{report.id}/return", json=body)
    assert response.status_code == 422
    assert "comment" in response.get_json()["error"]["fields"]


def test_a_non_validator_gets_403_before_any_input_check(api, world):
    report = factories.report(world["jm_officer"])
    response = as_(api, world["jio_analyst"]).post(f"/seizures/{report.id}/validate", json={"checklist": {}})
    assert response.status_code == 403


# --- return, resubmit, edits ------------------------------------------------------------------------------

def test_return_and_resubmit(api, world, validator2):
    officer = world["jm_officer"]
    report = factories.report(officer)
    returned = return_(api, world["jio_validator"], report.id, checklist={"category_quantity": False})
    assert returned.status_code == 200
    body = returned.get_json()
    assert body["status"] == "submitted" and body["validation"]["state"] == "returned"
    assert body["validation"]["returned_at"] is not None

    owner_view = as_(api, officer).get(f"/seizures/{report.id}").get_json()["validation"]
    assert owner_view["last_comment"]["text"].startswith("Quantity looks like cartons")
    assert owner_view["last_comment"]["by"]["organisation"] == "JIO"
    other_view = as_(api, world["ky_analyst"]).get(f"/seizures/{report.id}").get_json()["validation"]
    assert other_view["state"] == "returned" and other_view["last_comment"] is None
    jio_analyst_view = as_(api, world["jio_analyst"]).get(f"/seizures/{report.id}").get_json()["validation"]
    assert jio_analyst_view["last_comment"] is None

    # The owner corrects it: still returned until submitted again.
    version = as_(api, officer).get(f"/seizures/{report.id}").get_json()["version"]
    fixed = as_(api, officer).patch(f"/seizures/{report.id}", json={
        "items": [{"category": "tobacco", "subcategory": "cigarettes", "quantity": 50, "unit": "cartons"}],
        "version": version})
    assert fixed.status_code == 200 and fixed.get_json()["validation"]["state"] == "returned"
    resubmitted = as_(api, officer).post(f"/seizures/{report.id}/submit")
    assert resubmitted.status_code == 200
    assert resubmitted.get_json()["validation"]["state"] == "awaiting"
    assert resubmitted.get_json()["validation"]["returned_at"] is None

    # The validator who returned it did not edit it: they may validate it now.
    assert validate(api, world["jio_validator"], report.id).status_code == 200
    actions = db.session.scalars(select(ValidationAction.action).where(ValidationAction.report_id == report.id)
                                 .order_by(ValidationAction.id)).all()
    assert actions == ["return", "resubmit", "validate"]


def test_a_validated_report_that_is_edited_loses_its_validation(api, world):
    officer = world["jm_officer"]
    report = factories.report(officer)
    version = validate(api, world["jio_validator"], report.id).get_json()["version"]
    changed = as_(api, officer).patch(f"/seizures/{report.id}", json={"arrests": 3, "version": version})
    body = changed.get_json()
    assert changed.status_code == 200
    assert (body["status"], body["validated_at"], body["validation"]["state"]) == ("submitted", None, "awaiting")
    assert body["validation"]["validated_by"] is None
    assert validate(api, world["jio_validator"], report.id).status_code == 200  # the validator did not edit it


def test_a_validation_makes_an_open_edit_stale(api, world):
    officer = world["jm_officer"]
    report = factories.report(officer)
    read_version = as_(api, officer).get(f"/seizures/{report.id}").get_json()["version"]
    assert validate(api, world["jio_validator"], report.id).status_code == 200
    response = as_(api, officer).patch(f"/seizures/{report.id}", json={"arrests": 2, "version": read_version})
    assert response.status_code == 409


def test_resubmitting_a_report_that_was_not_returned_is_still_a_conflict(api, world):
    report = factories.report(world["jm_officer"])
    assert as_(api, world["jm_officer"]).post(f"/seizures/{report.id}/submit").status_code == 409


# --- the queue --------------------------------------------------------------------------------------------

def test_the_queue_lists_what_the_validator_may_decide_oldest_first(api, world):
    validator = world["jio_validator"]
    first = factories.report(world["jm_officer"])
    second = factories.report(world["ky_officer"], items=[{"category": "fuel", "subcategory": "diesel",
                                                           "quantity": 200, "unit": "litres"}])
    third = factories.report(world["jm_officer"])
    validated = factories.report(world["ky_officer"])
    returned = factories.report(world["ky_officer"])
    hidden = factories.report(world["ky_officer"], marking={"tlp": "amber", "distribution": "organisation"})
    draft = factories.report(world["jm_officer"], submit=False)
    both = factories.user(world.jio, "officer", "validator")
    own = factories.report(both)
    assert validate(api, both, validated.id).status_code == 200
    assert return_(api, both, returned.id).status_code == 200

    response = as_(api, validator).get("/validation/queue")
    assert response.status_code == 200
    ids = [r["id"] for r in response.get_json()["results"]]
    assert ids == [first.id, second.id, third.id, own.id]
    assert not {validated.id, returned.id, hidden.id, draft.id} & set(ids)
    mine = [r["id"] for r in as_(api, both).get("/validation/queue").get_json()["results"]]
    assert own.id not in mine and first.id in mine

    by_org = as_(api, validator).get("/validation/queue?organisation=KY").get_json()
    assert [r["id"] for r in by_org["results"]] == [second.id] and by_org["total"] == 1
    by_category = as_(api, validator).get("/validation/queue?category=fuel").get_json()
    assert [r["id"] for r in by_category["results"]] == [second.id]
    paged = as_(api, validator).get("/validation/queue?per_page=2&page=2").get_json()
    assert paged["total"] == 4 and [r["id"] for r in paged["results"]] == [third.id, own.id]


@pytest.mark.parametrize("who", ["jio_analyst", "jm_officer"])
def test_the_queue_is_for_regional_validators(api, world, who):
    assert as_(api, world[who]).get("/validation/queue").status_code == 403


def test_a_bad_queue_filter_is_422(api, world):
    response = as_(api, world["jio_validator"]).get("/validation/queue?category=spaceships")
    assert response.status_code == 422
    assert "category.0" in response.get_json()["error"]["fields"]


def test_decisions_and_resubmissions_are_in_the_audit_trail(api, world):
    from app.audit.models import AuditRecord

    report = factories.report(world["jm_officer"])
    other = factories.report(world["jm_officer"])
    assert validate(api, world["jio_validator"], report.id).status_code == 200
    assert return_(api, world["jio_validator"], other.id, checklist={"markings": False}).status_code == 200
    assert as_(api, world["jm_officer"]).post(f"/seizures/{other.id}/submit").status_code == 200
    records = db.session.scalars(select(AuditRecord).where(AuditRecord.subject_id.in_([report.id, other.id]),
                                                           AuditRecord.action.in_(["report.validate", "report.return",
                                                                                   "report.submit"]))
                                 .order_by(AuditRecord.id)).all()
    assert [(r.action, r.subject_id, r.actor_id) for r in records] == [
        ("report.validate", report.id, world["jio_validator"].id),
        ("report.return", other.id, world["jio_validator"].id),
        ("report.submit", other.id, world["jm_officer"].id)]
    assert records[1].details["checklist"] == {"markings": False} and records[1].details["commented"] is True
    assert "comment" not in records[1].details and records[2].details == {"resubmitted": True}
