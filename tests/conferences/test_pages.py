"""Conference pages: the form (participants with delegates, agenda, decisions, action items), the record."""
from __future__ import annotations

import re

from app.conferences.models import Conference
from app.extensions import db

from tests.operations.support import caribbean_shield, sign_in


def form_body(token: str, organisations: list[str], **overrides) -> dict:
    body = {"csrf_token": token, "title": "Annual Enforcement Conference", "venue": "Miami",
            "starts_on": "2017-11-01", "ends_on": "2017-11-02", "organiser": "JIO",
            "figures_from": "2017-01-01", "figures_to": "2017-10-31", "figures_categories": ["firearms", "ammunition"],
            "operations": ["CARIBBEAN-SHIELD-2017"]}
    for i, code in enumerate(organisations):
        body[f"participants-{i}-organisation"] = code
        body[f"participants-{i}-delegates"] = {"JM": "3", "KY": "2"}.get(code, "")
    body.update({"agenda-0-title": "Operation Caribbean Shield", "agenda-0-presenter": "JIO head",
                 "agenda-0-presenter_organisation": "JIO", "agenda-0-summary": "Results.",
                 "agenda-1-title": "", "agenda-1-presenter": "", "agenda-1-presenter_organisation": "",
                 "agenda-1-summary": "",
                 "agenda-2-title": "Tobacco smuggling", "agenda-2-presenter": "", "agenda-2-presenter_organisation": "",
                 "agenda-2-summary": "",
                 "decisions-0-text": "Run a fuel operation in 2018.", "decisions-1-text": "",
                 "action_items-0-text": "Circulate the plan", "action_items-0-owner": "JIO",
                 "action_items-0-due_on": "2018-01-31"})
    body.update(overrides)
    return body


def organisation_rows(html: str) -> list[str]:
    return re.findall(r'name="participants-\d+-organisation" type="hidden" value="([^"]+)"', html)


def test_an_analyst_creates_and_edits_a_conference_through_the_form(client, world):
    s = caribbean_shield(world)
    db.session.commit()
    token = sign_in(client, world["jio_analyst"])
    page = client.get("/conferences/new").get_data(as_text=True)
    orgs = organisation_rows(page)
    assert set(orgs) == {"JM", "KY", "JIO", "WCO"}
    response = client.post("/conferences/new", data=form_body(token, orgs))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    conference = db.session.query(Conference).one()
    assert [(p.organisation.code, p.delegates) for p in conference.participants] == [("JM", 3), ("KY", 2)]
    assert [a.title for a in conference.agenda] == ["Operation Caribbean Shield", "Tobacco smuggling"]
    assert conference.agenda[0].presenter_organisation.code == "JIO"
    assert [d.text for d in conference.decisions] == ["Run a fuel operation in 2018."]
    assert conference.action_items[0].due_on.isoformat() == "2018-01-31"
    assert [op.code for op in conference.operations] == [s["operation"].code]

    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Run a fuel operation in 2018." in detail and "Circulate the plan" in detail
    assert "2 organisations" in detail and "5 delegates" in detail
    assert 'data-product-request="/api/v1/conferences/' in detail
    # The regional figures (firearms, ammunition; 1 Jan - 31 Oct 2017) that the JIO analyst may see: the JM
    # pistols and rifle; the KY rounds were seized on 1 November, KY's TLP:RED seizure is not theirs to see.
    assert re.search(r'id="kf-reports">2<', detail)
    assert s["pistols"].reference in detail and s["rounds"].reference not in detail
    assert s["hidden"].reference not in detail

    edit = client.get(f"/conferences/{conference.id}/edit").get_data(as_text=True)
    assert 'value="Circulate the plan"' in edit
    edited = client.post(f"/conferences/{conference.id}/edit",
                         data=form_body(token, organisation_rows(edit), title="AEC 2017", **{
                             "decisions-0-text": "", "action_items-0-due_on": "not a date"}))
    assert edited.status_code == 422
    assert "Not a valid date value" in edited.get_data(as_text=True)
    edited = client.post(f"/conferences/{conference.id}/edit",
                         data=form_body(token, organisation_rows(edit), title="AEC 2017", **{"decisions-0-text": ""}))
    assert edited.status_code == 302
    db.session.expire_all()
    assert conference.title == "AEC 2017" and conference.decisions == []


def test_schema_errors_land_on_the_form_fields(client, world):
    token = sign_in(client, world["jio_analyst"])
    orgs = organisation_rows(client.get("/conferences/new").get_data(as_text=True))
    response = client.post("/conferences/new", data=form_body(token, orgs, operations=[], title="",
                                                              figures_to="2016-01-01"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="title"[^>]*>\s*<div class="invalid-feedback">Length must be between 1 and 200', html)
    assert db.session.query(Conference).count() == 0
    ok_title = client.post("/conferences/new", data=form_body(token, orgs, operations=[], figures_to="2016-01-01"))
    assert "the figures period ends before it starts" in ok_title.get_data(as_text=True)


def test_officers_may_not_create_conferences(client, world):
    sign_in(client, world["jm_officer"])
    assert client.get("/conferences/new").status_code == 403
    assert client.get("/conferences").status_code == 200
