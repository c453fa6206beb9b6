"""Validation in the browser's terms: the queue page, the checklist form (CSRF), and the report page."""
from __future__ import annotations

import html
import re

import pytest
from flask import g

from app.extensions import db
from app.seizures.models import SeizureReport
from tests import factories
from tests.seizures.test_pages import sign_in

COMMENT = "Check the unit: <b>cartons</b> & not packs?"


class Browser:
    """A test client of its own. The tests run inside one app context, so `g` outlives a request:
    Flask-Login and Flask-WTF would serve the user and CSRF token they cached for the previous client."""

    def __init__(self, client) -> None:  # noqa: ANN001
        self.client, self.csrf = client, ""

    @staticmethod
    def _forget() -> None:
        g.pop("_login_user", None)
        g.pop("csrf_token", None)

    def get(self, *args, **kwargs):  # noqa: ANN201
        self._forget()
        return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):  # noqa: ANN201
        self._forget()
        return self.client.post(*args, **kwargs)


@pytest.fixture
def signed_in(app):  # noqa: ANN001,ANN201
    """signed_in(user) -> a Browser signed in as `user`, with `.csrf` set."""
    def sign(user):  # noqa: ANN001,ANN202
        db.session.commit()  # a refused request rolls back: keep what the test made
        browser = Browser(app.test_client())
        browser.csrf = sign_in(browser, user)
        return browser
    return sign


ALL_CHECKS = ("category_quantity", "location_date", "markings")


def reviewed_version(client, report) -> str:  # noqa: ANN001
    """The version the checklist form says the validator reads (its hidden field)."""
    page = client.get(f"/reports/{report.id}/validation").get_data(as_text=True)
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def decide(client, report, decision, comment="", checks=ALL_CHECKS, csrf=True, version=None):  # noqa: ANN001,ANN201
    data = {"decision": decision, "comment": comment, **{name: "yes" for name in checks},
            "version": version or reviewed_version(client, report)}
    if csrf:
        data["csrf_token"] = client.csrf
    return client.post(f"/reports/{report.id}/validation", data=data)


def test_a_decision_on_a_version_the_validator_did_not_read_is_refused(signed_in, world, api):
    report = factories.report(world["jm_officer"])
    db.session.commit()
    validator = signed_in(world["jio_validator"])
    read = reviewed_version(validator, report)
    changed = api.as_(world["jm_officer"]).patch(f"/seizures/{report.id}", json={
        "version": report.version, "items": [{"category": "tobacco", "subcategory": "cigarettes", "quantity": 5000,
                                              "unit": "master_cases"}]})
    assert changed.status_code == 200
    for decision, comment in (("validate", ""), ("return", "Check the count")):
        response = decide(validator, report, decision, comment, version=read)
        assert response.status_code == 409
        page = html.unescape(response.get_data(as_text=True))
        assert "changed since you read it" in page and "Read the report as it is now" in page
        assert " checked" not in page  # every item to confirm again
        assert comment in page  # the comment typed is kept
    db.session.expire_all()
    assert (report.status, report.validation_state) == ("submitted", "awaiting")
    assert decide(validator, report, "validate").status_code == 302  # after reading it again


def test_the_queue_page_lists_reports_awaiting_validation(signed_in, world):
    older = factories.report(world["jm_officer"])
    newer = factories.report(world["ky_officer"], items=[{"category": "fuel", "quantity": 100, "unit": "litres"}])
    validator = signed_in(world["jio_validator"])
    page = validator.get("/validation").get_data(as_text=True)
    assert re.findall(r'<tr data-reference="([^"]+)"', page) == [older.reference, newer.reference]
    assert "2 reports awaiting validation" in page
    assert 'href="/validation"' in page  # the menu entry
    filtered = validator.get("/validation?category=fuel").get_data(as_text=True)
    assert re.findall(r'<tr data-reference="([^"]+)"', filtered) == [newer.reference]
    by_org = validator.get("/validation?organisation=JM").get_data(as_text=True)
    assert re.findall(r'<tr data-reference="([^"]+)"', by_org) == [older.reference]


def test_the_queue_page_is_for_regional_validators(signed_in, world):
    analyst = signed_in(world["jio_analyst"])
    assert analyst.get("/validation").status_code == 403
    assert 'href="/validation"' not in analyst.get("/").get_data(as_text=True)


def test_the_form_refuses_a_post_without_csrf(signed_in, world):
    report = factories.report(world["jm_officer"])
    validator = signed_in(world["jio_validator"])
    response = decide(validator, report, "validate", csrf=False)
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(SeizureReport, report.id).status == "submitted"


def test_validating_from_the_report_page(signed_in, world):
    report = factories.report(world["jm_officer"])
    validator = signed_in(world["jio_validator"])
    detail = validator.get(f"/reports/{report.id}").get_data(as_text=True)
    assert 'class="validation-form"' in detail and "Awaiting validation" in detail
    response = decide(validator, report, "validate", comment="Matches the manifest.")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/reports/{report.id}")
    page = validator.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Report {} validated.".format(report.reference) in page
    assert 'validation-validated' in page and 'class="validation-form"' not in page
    assert 'data-action="validate"' in page and "Matches the manifest." in page


def test_an_unticked_checklist_keeps_the_input_and_says_what_is_missing(signed_in, world):
    report = factories.report(world["jm_officer"])
    validator = signed_in(world["jio_validator"])
    response = decide(validator, report, "validate", comment="Almost", checks=("category_quantity",))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "not confirmed: Location and date are consistent" in page
    assert ">Almost</textarea>" in page
    assert re.search(r'id="check-category_quantity"[^>]*checked', page)


def test_returning_shows_the_comment_to_the_owner_escaped_and_not_to_others(signed_in, world):
    report = factories.report(world["jm_officer"])
    validator = signed_in(world["jio_validator"])
    assert decide(validator, report, "return", comment="", checks=()).status_code == 422
    response = decide(validator, report, "return", comment=COMMENT, checks=("markings",))
    assert response.status_code == 302

    owner = signed_in(world["jm_officer"])
    page = owner.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Returned to owner" in page
    assert html.escape(COMMENT, quote=False) in page.replace("&#39;", "'") and "<b>cartons</b>" not in page
    assert "Category and quantity are plausible: no" in page
    listing = owner.get("/").get_data(as_text=True)
    assert "validation-returned" in listing  # the badge in the list

    other = signed_in(world["ky_analyst"])
    page = other.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Returned to owner" in page and "cartons</b>" not in page and "Check the unit" not in page

    # The owner submits it again from the report page.
    resubmitted = owner.post(f"/reports/{report.id}/submit", data={"csrf_token": owner.csrf})
    assert resubmitted.status_code == 302
    page = owner.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Awaiting validation" in page and 'data-action="resubmit"' in page


def test_a_validator_who_edited_the_report_sees_why_there_is_no_form(signed_in, world):
    editor = factories.user(world.jio, "officer", "validator")
    report = factories.report(editor)
    client = signed_in(editor)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert 'class="validation-form"' not in page and "four eyes" in page
    assert client.get(f"/reports/{report.id}/validation").status_code == 403
    assert decide(client, report, "validate", version=str(report.version)).status_code == 403


def test_the_search_page_filters_and_counts_by_validation_state(signed_in, world):
    from app.validation import services

    returned = factories.report(world["jm_officer"])
    services.return_report(world["jio_validator"], returned, "Which port?")
    awaiting = factories.report(world["jm_officer"])
    analyst = signed_in(world["jio_analyst"])
    page = analyst.get("/search").get_data(as_text=True)
    facet = re.search(r'data-facet="validation".*?</fieldset>', page, re.S).group(0)
    assert "Validation" in facet and "Returned to owner" in facet and "Awaiting validation" in facet
    filtered = analyst.get("/search?validation=returned").get_data(as_text=True)
    assert returned.reference in filtered and awaiting.reference not in filtered
