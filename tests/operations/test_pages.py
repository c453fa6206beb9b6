"""Operation pages: forms with CSRF, the live figures page limited to the viewer, bulk linking."""
from __future__ import annotations

import re

from app.extensions import db
from app.operations.models import Operation

from tests import factories
from tests.operations.support import at, caribbean_shield, sign_in, signed_in_client


def form_body(token: str, **overrides) -> dict:
    body = {"csrf_token": token, "code": "HUNTER-2017", "name": "Operation Hunter", "description": "Ports.",
            "executive_summary": "", "lead_organisation": "JIO", "starts_on": "2017-03-01", "ends_on": "2017-04-30",
            "operational_starts_on": "2017-03-15", "operational_ends_on": "2017-04-15",
            "participants": ["JM", "KY"], "focus_categories": ["firearms"], "status": "active"}
    body.update(overrides)
    return body


def test_an_analyst_creates_and_edits_an_operation_through_the_forms(client, world):
    token = sign_in(client, world["jio_analyst"])
    assert client.get("/operations/new").status_code == 200
    response = client.post("/operations/new", data=form_body(token))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith("/operations/HUNTER-2017")
    op = db.session.query(Operation).filter_by(code="HUNTER-2017").one()
    assert [p.name for p in op.phases] == ["operational"] and [o.code for o in op.participants] == ["JM", "KY"]

    page = client.get("/operations/HUNTER-2017/edit").get_data(as_text=True)
    assert 'value="2017-03-15"' in page and "readonly" in page
    edited = client.post("/operations/HUNTER-2017/edit", data=form_body(
        token, code="RENAMED", executive_summary="Ten pistols.", participants=["JM"]))
    assert edited.status_code == 302
    db.session.expire_all()
    op = db.session.query(Operation).filter_by(code="HUNTER-2017").one()  # the code does not change
    assert op.executive_summary == "Ten pistols." and [o.code for o in op.participants] == ["JM"]


def test_an_administrations_analyst_is_offered_their_own_organisation_as_the_lead(client, world):
    token = sign_in(client, world["jm_analyst"])
    page = client.get("/operations/new").get_data(as_text=True)
    lead = re.search(r'<select[^>]*name="lead_organisation".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option[^>]*value="([^"]+)"', lead) == ["JM"]
    refused = client.post("/operations/new", data=form_body(token, lead_organisation="KY"))
    assert refused.status_code == 422 and db.session.query(Operation).count() == 0
    assert client.post("/operations/new", data=form_body(token, lead_organisation="JM")).status_code == 302


def test_form_errors_are_shown_on_the_fields(client, world):
    token = sign_in(client, world["jio_analyst"])
    response = client.post("/operations/new", data=form_body(token, code="x"))
    assert response.status_code == 422
    assert "3 to 64 capital letters" in response.get_data(as_text=True)
    html = client.post("/operations/new", data=form_body(token, operational_starts_on="2017-02-01")).get_data(
        as_text=True)
    assert re.search(r'id="operational_starts_on"[^>]*>\s*<div class="invalid-feedback">the phase must lie within '
                     r"the operation&#39;s period", html)
    assert db.session.query(Operation).count() == 0
    # Without the CSRF token nothing is created.
    body = form_body(token)
    del body["csrf_token"]
    assert client.post("/operations/new", data=body).status_code in (400, 422)
    assert db.session.query(Operation).count() == 0


def test_officers_cannot_create_and_other_analysts_cannot_edit(client, world):
    s = caribbean_shield(world)
    db.session.commit()
    sign_in(client, world["jm_officer"])
    assert client.get("/operations/new").status_code == 403
    assert client.get(f"/operations/{s['operation'].code}/edit").status_code == 403
    assert client.get(f"/operations/{s['operation'].code}/links").status_code == 403
    assert client.get(f"/operations/{s['operation'].code}").status_code == 200


def test_the_operation_page_shows_only_what_the_viewer_may_see(app, client, world):
    s = caribbean_shield(world)
    db.session.commit()
    sign_in(client, world["jio_analyst"])
    html = client.get(f"/operations/{s['operation'].code}").get_data(as_text=True)
    assert re.search(r'id="kf-reports">3<', html)
    for shown in (s["pistols"].reference, s["rifle"].reference, s["rounds"].reference, "George Town Port",
                  "US → JM", "TLP:AMBER+STRICT"):
        assert shown in html, shown
    for absent in (s["hidden"].reference, "Secret Cove", "Assault rifle", s["draft"].reference,
                   s["withdrawn"].reference, s["unlinked"].reference, "Winston Uniquename", "Hidden Q. Person"):
        assert absent not in html, absent
    assert "<script>" not in html and 'data-product-request="/api/v1/operations/CARIBBEAN-SHIELD-2017/summary"' in html

    # KY sees its own TLP:RED report on the same page.
    ky, _ = signed_in_client(app, world["ky_analyst"])
    html = ky.get(f"/operations/{s['operation'].code}").get_data(as_text=True)
    assert s["hidden"].reference in html and re.search(r'id="kf-reports">4<', html)
    # A partner outside the operation does not see it at all.
    partner, _ = signed_in_client(app, world["partner_analyst"])
    assert partner.get(f"/operations/{s['operation'].code}").status_code == 404


def test_bulk_linking_previews_the_count_then_links(client, world):
    s = caribbean_shield(world)
    gun = factories.report(world["jm_officer"], seized_at=at("2017-10-15"),
                           items=[{"category": "firearms", "subcategory": "pistol", "quantity": 2, "unit": "pieces"}])
    factories.report(world["jm_officer"], seized_at=at("2017-10-16"))  # tobacco: not the rule's category
    db.session.commit()
    token = sign_in(client, world["jio_analyst"])
    url = f"/operations/{s['operation'].code}/links"
    assert "The operational phase" in client.get(url).get_data(as_text=True)
    rule = {"csrf_token": token, "categories": ["firearms", "ammunition"], "phase": "operational"}
    preview = client.post(url, data={**rule, "action": "preview"}).get_data(as_text=True)
    assert "<strong>1</strong> report would be linked" in preview and gun.reference in preview
    db.session.expire_all()
    assert gun.operations == []  # a preview changes nothing
    done = client.post(url, data={**rule, "action": "link"})
    assert done.status_code == 302
    db.session.expire_all()
    assert [o.code for o in gun.operations] == [s["operation"].code]
    assert "1 report linked" in client.get(done.headers["Location"]).get_data(as_text=True)


def test_the_operation_page_draws_the_map_with_its_attribution_and_proportional_circles(client, world):
    s = caribbean_shield(world)
    db.session.commit()
    sign_in(client, world["jio_analyst"])
    html = client.get(f"/operations/{s['operation'].code}").get_data(as_text=True)
    svg = re.search(r'<svg xmlns="http://www.w3.org/2000/svg" class="map w-100 h-auto".*?</svg>', html, re.S)
    assert svg, "no map on the page"
    circles = re.findall(r'<circle cx="[\d.]+" cy="[\d.]+" r="([\d.]+)" fill="[^"]+" fill-opacity="0.55"', svg.group(0))
    # Three located reports the analyst may see, at three places with one report each: equal circles.
    assert len(circles) == 3 and len(set(circles)) == 1
    assert "Base map made with Natural Earth (public domain)" in html
    assert ">KY<" in svg.group(0) and ">VG<" in svg.group(0)  # small island territories carry their code
