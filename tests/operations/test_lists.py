"""The lists of operations and conferences, in the API and on the pages, hold what the user may see."""
from __future__ import annotations

from app.extensions import db

from tests.conferences.test_api import conference_body
from tests.operations.support import caribbean_shield, sign_in


def test_operations_are_listed_to_those_who_may_see_them(client, api, world):
    s = caribbean_shield(world)
    db.session.commit()
    code = s["operation"].code
    listed = api.as_(world["jm_analyst"]).get("/operations").get_json()
    assert listed["total"] == 1 and [op["code"] for op in listed["results"]] == [code]
    assert listed["results"][0]["participants"] == ["JM", "KY"] and listed["results"][0]["lead_organisation"] == "JIO"
    assert api.as_(world["partner_analyst"]).get("/operations").get_json() == {"total": 0, "results": []}

    sign_in(client, world["jm_analyst"])
    page = client.get("/operations").get_data(as_text=True)
    assert f'href="/operations/{code}"' in page and "Caribbean Shield" in page and "JM, KY" in page


def test_conferences_are_listed_to_those_who_may_see_them(client, api, world):
    caribbean_shield(world)
    created = api.as_(world["jio_analyst"]).post("/conferences", json=conference_body())
    assert created.status_code == 201, created.get_json()
    sign_in(client, world["jm_officer"])
    page = client.get("/conferences").get_data(as_text=True)
    assert f'href="/conferences/{created.get_json()["id"]}"' in page and "Annual Enforcement Conference" in page
    assert api.as_(world["partner_analyst"]).get("/conferences").get_json()["total"] == 0


def test_the_conference_report_request_answers_202_with_the_job(api, world):
    caribbean_shield(world)
    analyst = api.as_(world["jio_analyst"])
    conference_id = analyst.post("/conferences", json=conference_body()).get_json()["id"]
    db.session.commit()
    response = analyst.post(f"/conferences/{conference_id}/report")
    assert response.status_code == 202
    job = response.get_json()["job"]
    assert {k: job[k] for k in ("status", "progress", "kind")} == {
        "status": "queued", "progress": 0.0, "kind": "conference_report"}
    assert response.headers["Location"].endswith(f"/api/v1/jobs/{job['id']}")
    assert analyst.get(f"/jobs/{job['id']}").get_json()["job"]["id"] == job["id"]
    assert analyst.get(f"/jobs/{job['id']}/file").status_code == 409  # not rendered yet
    assert api.as_(world["jm_analyst"]).get(f"/jobs/{job['id']}").status_code == 404
    assert api.as_(world["partner_analyst"]).post(f"/conferences/{conference_id}/report").status_code == 404


def test_an_officer_links_a_report_to_an_operation_on_the_report_form(client, world):
    from tests.operations.test_figures import linked_reports
    from tests.seizures.test_pages import form_fields

    s = caribbean_shield(world)
    db.session.commit()
    token = sign_in(client, world["jm_officer"])
    form = client.get("/reports/new").get_data(as_text=True)
    assert 'name="operations" value="CARIBBEAN-SHIELD-2017"' in form
    response = client.post("/reports/new", data={**form_fields(action="submit", operations=["CARIBBEAN-SHIELD-2017"]),
                                                 "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    known = {s[name].reference for name in s if name != "operation"}
    linked = [r for r in linked_reports(s["operation"]) if r.reference not in known]
    assert len(linked) == 1 and linked[0].status == "submitted"
    page = client.get(f"/operations/{s['operation'].code}").get_data(as_text=True)
    assert linked[0].reference in page and "Kingston Container Terminal" in page
