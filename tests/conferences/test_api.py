"""The conferences API: create, list, read, change; errors name their fields."""
from __future__ import annotations

from app.conferences.models import Conference
from app.extensions import db

from tests import factories
from tests.operations.support import caribbean_shield


def conference_body(**overrides) -> dict:
    body = {
        "title": "Annual Enforcement Conference", "venue": "Miami, Florida",
        "starts_on": "2017-11-01", "ends_on": "2017-11-02", "organiser": "JIO",
        "participants": [{"organisation": "JM", "delegates": 3}, {"organisation": "KY", "delegates": 2},
                         {"organisation": "JIO", "delegates": 4}],
        "agenda": [{"title": "Operation Caribbean Shield: results", "presenter": "Head of the JIO",
                    "presenter_organisation": "JIO", "summary": "Firearms and ammunition seized."},
                   {"title": "Tobacco smuggling", "presenter": "", "presenter_organisation": None, "summary": ""}],
        "decisions": [{"text": "Run a fuel smuggling operation in 2018."}],
        "action_items": [{"text": "Circulate the operation plan", "owner": "JIO", "due_on": "2018-01-31"}],
        "figures_from": "2017-01-01", "figures_to": "2017-10-31", "figures_categories": ["firearms", "ammunition"],
        "operations": ["CARIBBEAN-SHIELD-2017"],
    }
    body.update(overrides)
    return body


def test_an_analyst_creates_reads_lists_and_changes_a_conference(api, world):
    caribbean_shield(world)
    analyst = api.as_(world["jio_analyst"])
    created = analyst.post("/conferences", json=conference_body())
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    cid = body["id"]
    assert created.headers["Location"].endswith(f"/api/v1/conferences/{cid}")
    expected = {k: v for k, v in conference_body().items()}
    expected["agenda"][1]["presenter_organisation"] = None
    assert {k: body[k] for k in expected} == expected

    listed = api.as_(world["jm_officer"]).get("/conferences").get_json()
    assert listed["total"] == 1 and listed["results"][0]["title"] == "Annual Enforcement Conference"

    patched = analyst.patch(f"/conferences/{cid}", json={
        "decisions": [{"text": "One."}, {"text": "Two."}], "venue": "Miami Beach"})
    assert patched.status_code == 200, patched.get_json()
    again = analyst.get(f"/conferences/{cid}").get_json()
    assert again["decisions"] == [{"text": "One."}, {"text": "Two."}] and again["venue"] == "Miami Beach"
    assert again["agenda"] == body["agenda"] and again["participants"] == body["participants"]
    assert again["updated_at"] is not None


def test_validation_errors_name_the_fields(api, world):
    analyst = api.as_(world["jio_analyst"])
    response = analyst.post("/conferences", json=conference_body(
        operations=[], ends_on="2017-10-01", participants=[{"organisation": "JM", "delegates": 0}],
        action_items=[{"text": "x", "due_on": "soon"}], figures_categories=["weapons"]))
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert set(fields) == {"participants.0.delegates", "action_items.0.due_on", "figures_categories.0"}
    response = analyst.post("/conferences", json=conference_body(operations=[], ends_on="2017-10-01"))
    assert response.get_json()["error"]["fields"] == {"ends_on": ["the conference ends before it starts"]}
    response = analyst.post("/conferences", json=conference_body(
        operations=["NO-SUCH-OP"], organiser="XX",
        agenda=[{"title": "T", "presenter_organisation": "YY"}]))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "organiser": ["unknown organisation 'XX'"], "agenda.0.presenter_organisation": ["unknown organisation 'YY'"],
        "operations.0": ["unknown operation 'NO-SUCH-OP'"]}
    twice = analyst.post("/conferences", json=conference_body(
        operations=[], participants=[{"organisation": "JM"}, {"organisation": "JM"}]))
    assert twice.get_json()["error"]["fields"] == {"participants.1.organisation": ["JM is listed twice"]}
    assert analyst.post("/conferences", json=conference_body(operations=[], colour="red")).status_code == 422
    assert db.session.query(Conference).count() == 0


def test_who_creates_changes_and_sees_conferences(api, world):
    created = api.as_(world["jio_analyst"]).post("/conferences", json=conference_body(operations=[]))
    cid = created.get_json()["id"]
    assert api.as_(world["jm_officer"]).post("/conferences", json=conference_body(operations=[])).status_code == 403
    assert api.as_(world["jm_analyst"]).patch(f"/conferences/{cid}", json={"title": "Mine"}).status_code == 403
    # A partner sees a conference only when it organises or attends it.
    partner = api.as_(world["partner_analyst"])
    assert partner.get(f"/conferences/{cid}").status_code == 404
    assert partner.get("/conferences").get_json()["total"] == 0
    api.as_(world["jio_analyst"]).patch(f"/conferences/{cid}", json={
        "participants": [{"organisation": "WCO", "delegates": 1}]})
    assert partner.get(f"/conferences/{cid}").status_code == 200
    assert api.as_(world["jio_analyst"]).get("/conferences/999999").status_code == 404


def test_an_operation_the_user_may_not_see_cannot_be_attached(api, world):
    hidden_op = factories.operation("PRIVATE-OP", world.jm, [world.ky])
    db.session.commit()
    partner_org = world.partner
    partner_analyst = world["partner_analyst"]
    assert partner_org.kind == "partner"
    response = api.as_(partner_analyst).post("/conferences", json=conference_body(
        organiser="WCO", participants=[], operations=[hidden_op.code]))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"operations.0": ["unknown operation 'PRIVATE-OP'"]}


def test_a_partner_taking_part_sees_only_the_operations_it_may_see_and_keeps_the_others(api, world, client):
    hidden = factories.operation("PRIVATE-OP", world.jm, [world.ky])
    shared = factories.operation("SHARED-OP", world.jio, [world.jm, world.partner])
    db.session.commit()
    created = api.as_(world["jio_analyst"]).post("/conferences", json=conference_body(
        participants=[{"organisation": "WCO", "delegates": 1}], operations=[hidden.code, shared.code]))
    cid = created.get_json()["id"]
    partner = api.as_(world["partner_analyst"])
    assert partner.get(f"/conferences/{cid}").get_json()["operations"] == ["SHARED-OP"]
    assert [c["operations"] for c in partner.get("/conferences").get_json()["results"]] == [["SHARED-OP"]]
    # The JIO analyst may let a partner's analyst change it (they created it); the partner's change of the
    # operations it sees leaves the ones it does not see in place.
    db.session.get(Conference, cid).created_by_id = world["partner_analyst"].id
    db.session.commit()
    assert partner.patch(f"/conferences/{cid}", json={"operations": []}).status_code == 200
    assert api.as_(world["jio_analyst"]).get(f"/conferences/{cid}").get_json()["operations"] == ["PRIVATE-OP"]

    from tests.operations.support import sign_in

    sign_in(client, world["partner_analyst"])
    page = client.get(f"/conferences/{cid}").get_data(as_text=True)
    assert "PRIVATE-OP" not in page and hidden.name not in page


def test_an_analyst_names_their_own_organisation_as_the_organiser_and_a_regional_office_any(api, world):
    for who, organiser in (("partner_analyst", "JIO"), ("jm_analyst", "KY"), ("ky_analyst", "JM")):
        response = api.as_(world[who]).post("/conferences", json=conference_body(organiser=organiser, operations=[]))
        assert response.status_code == 422 and list(response.get_json()["error"]["fields"]) == ["organiser"]
    assert db.session.query(Conference).count() == 0
    own = api.as_(world["partner_analyst"]).post("/conferences", json=conference_body(organiser="WCO", operations=[]))
    assert own.status_code == 201
    assert api.as_(world["partner_analyst"]).get(f"/conferences/{own.get_json()['id']}").status_code == 200
    assert api.as_(world["jio_analyst"]).post("/conferences", json=conference_body(
        organiser="JM", operations=[])).status_code == 201
