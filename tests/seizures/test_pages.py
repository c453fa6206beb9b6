"""The seizure report web pages, driven through the Flask test client like a browser without
JavaScript: signing in through the real /login form, CSRF tokens parsed from the pages."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.seizures.forms import (ZoneUnclear, field_name, local_seizure_time, payload_from_values,
                                values_from_formdata)
from app.seizures.models import SeizureReport
from tests import factories

CSRF_RE = re.compile(r'name="csrf_token"[^>]*\bvalue="([^"]+)"')


# --- helpers -------------------------------------------------------------------------------------

def csrf_from(page: str) -> str:
    match = CSRF_RE.search(page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, user) -> str:  # noqa: ANN001
    """Sign in through the login form; returns a CSRF token valid for the session."""
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                           "csrf_token": csrf_from(page)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return csrf_from(client.get("/").get_data(as_text=True))


def report_count() -> int:
    return db.session.scalar(select(func.count()).select_from(SeizureReport))


def local_input(days_ago: int = 2, zone: str = "America/Jamaica") -> str:
    return (datetime.now(ZoneInfo(zone)) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M")


def form_fields(**overrides) -> dict:
    """A complete report as the form posts it: two items, a two-leg route, a person."""
    fields = {
        "record_type": "seizure", "seized_at": local_input(), "country": "JM",
        "location-name": "Kingston Container Terminal", "location-locode": "jmkin", "location-type": "seaport",
        "location-lat": "17.97", "location-lon": "-76.79", "procedure": "import", "traffic": "cargo",
        "transport_mode": "sea", "detection_methods": ["risk_profiling", "xray"],
        "concealment_methods": ["within_goods"], "concealment_details": "inside frozen fish cartons",
        "narrative": "Reefer container from Panama; cigarettes and pistols behind the fish.", "language": "en",
        "items-0-category": "tobacco", "items-0-subcategory": "cigarettes", "items-0-quantity": "50",
        "items-0-unit": "cartons", "items-0-description": "Counterfeit 'Marlboro'", "items-0-hs_code": "240220",
        "items-0-value_amount": "7500", "items-0-value_currency": "USD", "items-0-details": "",
        "items-1-category": "firearms", "items-1-subcategory": "pistol", "items-1-quantity": "3",
        "items-1-unit": "pieces", "items-1-description": "Glock 17", "items-1-hs_code": "",
        "items-1-value_amount": "", "items-1-value_currency": "USD", "items-1-details": "",
        "route-0-role": "departure", "route-0-country": "PA", "route-0-place": "PAMIT",
        "route-1-role": "destination", "route-1-country": "JM", "route-1-place": "JMKIN",
        "conveyance-vessel_name": "MSC Example", "conveyance-imo": "9321483", "conveyance-flag": "LR",
        "conveyance-containers": "MSCU1234566", "conveyance-flight": "", "conveyance-vehicle_plate": "",
        "persons-0-role": "consignee", "persons-0-name": "Winston Uniquename", "persons-0-nationality": "JM",
        "persons-0-document_type": "passport", "persons-0-document_number": "P9988776",
        "persons-0-document_country": "JM",
        "arrests": "1", "marking-tlp": "amber", "marking-distribution": "network", "marking-handling": "P",
        "marking-source_reliability": "B", "marking-information_credibility": "2", "action": "draft",
    }
    fields.update(overrides)
    return fields


class FormReader(HTMLParser):
    """The values a browser would send for the report form (outside <template> elements)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._in_form = self._in_template = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form" and "data-report-form" in a:
            self._in_form = True
        elif tag == "template":
            self._in_template = True
        if not self._in_form or self._in_template:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit",):
            if a.get("type") != "checkbox" or "checked" in a:
                self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value") or ""))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "template":
            self._in_template = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data


def read_form(page: str) -> list[tuple[str, str]]:
    reader = FormReader()
    reader.feed(page)
    return reader.fields


def inline_errors(page: str, name: str) -> list[str]:
    """The messages shown right after the control named `name`, which must be marked invalid."""
    control = re.search(rf'<(input|select|textarea)[^>]*\bid="f-{re.escape(name)}"[^>]*>', page)
    assert control, f"no control {name}"
    assert "is-invalid" in control.group(0), f"{name} is not marked invalid"
    rest = page[control.end():]
    closing = rest.index("</select>") + len("</select>") if control.group(1) == "select" else 0
    found = re.match(r'\s*((?:<div class="invalid-feedback[^"]*" data-error-for="[^"]+">[^<]*</div>\s*)+)',
                     rest[closing:])
    assert found, f"no message next to {name}"
    return [html.unescape(m) for m in re.findall(r">([^<]*)</div>", found.group(1))]


@pytest.fixture
def jm(client, world):  # noqa: ANN001
    """The test client signed in as the JM officer; `jm.csrf` is the session's token."""
    client.csrf = sign_in(client, world["jm_officer"])
    return client


# --- the list ----------------------------------------------------------------------------------------

def test_list_filters_by_status_and_paginates_newest_first(jm, world):
    drafts = [factories.report(world["jm_officer"], submit=False) for _ in range(2)]
    submitted = [factories.report(world["jm_officer"]) for _ in range(25)]
    ky = factories.report(world["ky_officer"])
    db.session.commit()

    first = jm.get("/").get_data(as_text=True)
    refs = re.findall(r'<tr data-reference="([^"]+)"', first)
    assert len(refs) == 25
    assert refs[0] == submitted[-1].reference  # newest first
    assert ky.reference not in first  # the officer's list is their organisation's
    assert "27 reports" in first and "page 1 of 2" in first
    assert 'href="/?page=2"' in first

    second = jm.get("/?page=2").get_data(as_text=True)
    assert re.findall(r'<tr data-reference="([^"]+)"', second) == [drafts[1].reference, drafts[0].reference]

    only_drafts = jm.get("/?status=draft").get_data(as_text=True)
    assert re.findall(r'<tr data-reference="([^"]+)"', only_drafts) == [drafts[1].reference, drafts[0].reference]
    assert 'aria-current="page">Draft<' in only_drafts

    everything = jm.get("/?scope=all&page=1").get_data(as_text=True)
    assert ky.reference in everything

    assert "page 7" in jm.get("/?page=7").get_data(as_text=True)  # past the end: a way back, not an error


def test_list_shows_normalised_totals_and_badges(jm, world):
    factories.report(world["jm_officer"], items=[
        {"category": "tobacco", "subcategory": "cigarettes", "quantity": 50, "unit": "cartons"},
        {"category": "tobacco", "subcategory": "cigarettes", "quantity": 2, "unit": "master_cases"},
        {"category": "fuel", "quantity": 10, "unit": "gallons_us"}])
    db.session.commit()
    page = jm.get("/").get_data(as_text=True)
    assert "30,000 sticks" in page  # 50 cartons + 2 master cases
    assert "37.854 litres" in page
    assert "TLP:AMBER" in page and "status-submitted" in page


def test_empty_list_invites_officers_to_create_a_report(jm, client, world):
    page = jm.get("/").get_data(as_text=True)
    assert "No reports from Jamaica Customs Agency yet" in page
    assert 'href="/reports/new">+ New report</a>' in page
    assert "No draft reports" in jm.get("/?status=draft").get_data(as_text=True)


def test_other_roles_see_what_is_shared_with_them(client, world):
    shared = factories.report(world["jm_officer"])
    draft = factories.report(world["jm_officer"], submit=False)
    own_only = factories.report(world["jm_officer"], marking={"tlp": "red", "distribution": "organisation"})
    db.session.commit()
    sign_in(client, world["ky_analyst"])
    page = client.get("/").get_data(as_text=True)
    assert shared.reference in page
    assert draft.reference not in page and own_only.reference not in page
    assert "/reports/new" not in page  # no create button for analysts
    assert client.get("/reports/new").status_code == 403


# --- create --------------------------------------------------------------------------------------------

def test_officer_saves_a_draft_with_two_items_and_a_route(jm, world):
    form = jm.get("/reports/new").get_data(as_text=True)
    assert '<option value="JM" selected>' in form  # the organisation's country by default
    assert '<option value="amber" selected>' in form and '<option value="network" selected>' in form
    assert 'id="items-row-template"' in form and "<script>" not in form  # no inline script

    response = jm.post("/reports/new", data={**form_fields(), "csrf_token": jm.csrf})
    assert response.status_code == 302
    report = db.session.scalars(select(SeizureReport)).one()
    assert response.location.endswith(f"/reports/{report.id}")
    assert report.status == "draft" and report.reference.startswith("JM-")
    assert [(i.category, i.normalised_quantity, i.normalised_unit) for i in report.items] == [
        ("tobacco", 10000.0, "sticks"), ("firearms", 3.0, "pieces")]
    assert report.items[0].value_amount == 7500 and report.items[0].value_currency == "USD"
    assert [(leg.role, leg.country, leg.place) for leg in report.route] == [
        ("departure", "PA", "PAMIT"), ("destination", "JM", "JMKIN")]
    assert report.location_locode == "JMKIN" and report.containers == ["MSCU1234566"]
    assert report.persons[0].document_number == "P9988776"
    assert report.seized_utc_offset == -300  # read in Jamaica's local time
    assert sorted(report.detection_methods) == ["risk_profiling", "xray"]

    detail = jm.get(response.location).get_data(as_text=True)
    assert f"Draft {report.reference} saved" in detail
    assert "UTC−05:00" in detail
    assert "10,000 sticks" in detail and "Winston Uniquename" in detail


def test_officer_saves_and_submits_at_once(jm, world):
    response = jm.post("/reports/new", data={**form_fields(action="submit"), "csrf_token": jm.csrf})
    assert response.status_code == 302
    report = db.session.scalars(select(SeizureReport)).one()
    assert report.status == "submitted" and report.submitted_at is not None
    assert "submitted" in jm.get(response.location).get_data(as_text=True)


def test_bad_unit_and_container_are_shown_next_to_their_fields_and_nothing_is_written(jm, world):
    data = form_fields(**{"items-1-unit": "litres", "conveyance-containers": "MSCU1234566, MSCU1234567"})
    response = jm.post("/reports/new", data={**data, "csrf_token": jm.csrf})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert report_count() == 0

    unit_errors = inline_errors(page, "items-1-unit")
    assert any("'litres' is not a unit for firearms/pistol" in m and "pieces" in m for m in unit_errors)
    container_errors = inline_errors(page, "conveyance-containers")
    assert any("'MSCU1234567' is not a valid ISO 6346 container number" in m for m in container_errors)
    assert 'id="error-summary"' in page and 'href="#f-items-1-unit">Item 2 › Unit</a>' in page
    # The input is kept.
    assert 'value="MSCU1234566, MSCU1234567"' in page
    assert 'value="Kingston Container Terminal"' in page
    assert re.search(r'<option value="litres" selected>', page)
    assert "Reefer container from Panama" in page
    assert 'name="items-1-description"' in page and 'value="Glock 17"' in page


def test_missing_and_malformed_fields_are_reported_in_place(jm, world):
    data = form_fields(**{"seized_at": "", "items-0-quantity": "-5", "location-lat": "north",
                          "marking-tlp": "red"})
    page = jm.post("/reports/new", data={**data, "csrf_token": jm.csrf}).get_data(as_text=True)
    assert inline_errors(page, "seized_at")
    assert inline_errors(page, "items-0-quantity") == ["must be a number greater than zero"]
    assert inline_errors(page, "location-lat")
    assert any("requires distribution organisation" in m for m in inline_errors(page, "marking-distribution"))
    assert report_count() == 0


def test_a_future_seizure_date_is_refused(jm, world):
    data = form_fields(seized_at=local_input(days_ago=-2))
    page = jm.post("/reports/new", data={**data, "csrf_token": jm.csrf}).get_data(as_text=True)
    assert inline_errors(page, "seized_at") == ["the seizure date is in the future"]


def test_a_service_error_is_shown_as_an_alert_with_the_input_kept(jm, world):
    data = form_fields(operations=["NO-SUCH-OPERATION"])
    response = jm.post("/reports/new", data={**data, "csrf_token": jm.csrf})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="form-alert"' in page and "the report refers to unknown operations" in page
    assert re.search(r'<input class="form-check-input is-invalid"[^>]*value="NO-SUCH-OPERATION"[^>]*checked', page)
    assert 'data-error-for="operations">unknown operation &#39;NO-SUCH-OPERATION&#39;</div>' in page
    assert 'value="Kingston Container Terminal"' in page
    assert report_count() == 0


def test_rows_are_added_and_removed_without_javascript(jm, world):
    added = jm.post("/reports/new", data={**form_fields(action="add-items"), "csrf_token": jm.csrf})
    page = added.get_data(as_text=True)
    assert added.status_code == 200 and report_count() == 0
    assert 'id="f-items-2-category"' in page and 'value="Glock 17"' in page

    removed = jm.post("/reports/new", data={**form_fields(action="remove-route-0"), "csrf_token": jm.csrf})
    page = removed.get_data(as_text=True)
    fields = dict(read_form(page))
    assert fields["route-0-country"] == "JM" and "route-1-country" not in fields


def test_a_post_without_csrf_token_is_refused_and_writes_nothing(jm, world):
    response = jm.post("/reports/new", data=form_fields(action="submit"))
    assert response.status_code == 400
    assert report_count() == 0

    draft = factories.report(world["jm_officer"], submit=False)
    db.session.commit()
    assert jm.post(f"/reports/{draft.id}/submit").status_code == 400
    assert jm.post(f"/reports/{draft.id}/withdraw", data={"csrf_token": "forged"}).status_code == 400
    db.session.expire_all()
    assert draft.status == "draft"


# --- edit -------------------------------------------------------------------------------------------

def test_the_edit_form_round_trips_every_part_of_the_report(jm, world):
    report = factories.report(world["jm_officer"], submit=False)
    db.session.commit()
    fields = read_form(jm.get(f"/reports/{report.id}/edit").get_data(as_text=True))
    before = payload_from_values(values_from_formdata(_multidict(fields)))
    assert ("items-0-details", '{"brand": "Marlboro", "status": "counterfeit"}') in fields
    response = jm.post(f"/reports/{report.id}/edit", data=_multidict(fields + [("action", "save")]))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert report.version == 1  # the form saved as it was read changes nothing
    assert report.items[0].details == {"brand": "Marlboro", "status": "counterfeit"}
    assert report.persons[0].name == "Winston Uniquename" and len(report.route) == 3
    after = payload_from_values(values_from_formdata(_multidict(read_form(
        jm.get(f"/reports/{report.id}/edit").get_data(as_text=True)))))
    assert after == before


def _edit_form(client, report_id: str, **changes) -> list[tuple[str, str]]:  # noqa: ANN001
    fields = [(k, v) for k, v in read_form(client.get(f"/reports/{report_id}/edit").get_data(as_text=True))
              if k not in changes]
    return fields + list(changes.items()) + [("action", "save")]


@pytest.mark.parametrize("seized_at", [
    "2026-09-13T15:33:27-04:00",  # Toronto in summer: Canada's first zone is St John's (-02:30)
    "2026-01-20T23:59:59-08:00",  # Vancouver in winter
])
def test_saving_the_edit_form_keeps_the_seizure_time_to_the_second(jm, world, seized_at):
    report = factories.report(world["jm_officer"], submit=False, country="CA", seized_at=seized_at)
    db.session.commit()
    seized, recorded = report.seized_at, datetime.fromisoformat(seized_at)
    page = jm.get(f"/reports/{report.id}/edit").get_data(as_text=True)
    assert re.search(rf'<option value="UTC{seized_at[-6:]}" selected data-recorded>', page)

    unchanged = jm.post(f"/reports/{report.id}/edit", data=_multidict(_edit_form(jm, report.id)))
    assert unchanged.status_code == 302
    db.session.expire_all()
    assert (report.version, report.seized_at, report.seized_at_local) == (1, seized, recorded)

    changed = jm.post(f"/reports/{report.id}/edit", data=_multidict(_edit_form(jm, report.id, narrative="Re-weighed")))
    assert changed.status_code == 302
    db.session.expire_all()
    assert (report.version, report.narrative, report.seized_at_local) == (2, "Re-weighed", recorded)
    assert report.seized_at_local.utcoffset() == recorded.utcoffset()


def test_a_changed_seizure_time_is_read_in_the_zone_chosen(jm, world):
    report = factories.report(world["jm_officer"], submit=False, country="CA", seized_at="2026-09-13T15:33:27-04:00")
    db.session.commit()
    response = jm.post(f"/reports/{report.id}/edit", data=_multidict(_edit_form(
        jm, report.id, seized_at="2026-09-13T16:00", seized_zone="America/Vancouver")))
    assert response.status_code == 302
    db.session.expire_all()
    assert report.seized_at_local.isoformat() == "2026-09-13T16:00:00-07:00"


def test_a_changed_time_as_recorded_gets_its_own_daylight_saving_time(jm, world):
    report = factories.report(world["jm_officer"], submit=False, country="BS", seized_at="2026-03-01T10:00:00-05:00")
    db.session.commit()
    response = jm.post(f"/reports/{report.id}/edit", data=_multidict(_edit_form(jm, report.id,
                                                                                 seized_at="2026-04-01T10:00")))
    assert response.status_code == 302
    db.session.expire_all()
    assert report.seized_at_local.isoformat() == "2026-04-01T10:00:00-04:00"  # Nassau's summer time


def test_a_changed_country_reads_the_time_in_its_own_zone(jm, world):
    report = factories.report(world["jm_officer"], submit=False, country="JM", seized_at="2026-03-01T10:00:00-05:00")
    db.session.commit()
    moved = jm.post(f"/reports/{report.id}/edit", data=_multidict(_edit_form(jm, report.id, country="BB")))
    assert moved.status_code == 302
    db.session.expire_all()
    assert report.seized_at_local.isoformat() == "2026-03-01T10:00:00-04:00"  # Barbados has one zone
    unclear = jm.post(f"/reports/{report.id}/edit", data=_multidict(_edit_form(jm, report.id, country="US")))
    assert unclear.status_code == 422
    page = unclear.get_data(as_text=True)
    assert inline_errors(page, "seized_zone") == ["choose the time zone in United States: it has several"]
    assert "(as recorded)" not in page  # the recorded offset was Barbados's


def test_containers_typed_twice_are_kept_once(jm, world):
    report = factories.report(world["jm_officer"], submit=False)
    report.containers, report.detection_methods = ["MSCU1234566", "MSCU1234566"], ["xray", "xray"]  # stored earlier
    db.session.commit()
    response = jm.post(f"/reports/{report.id}/edit", data=_multidict(_edit_form(jm, report.id, narrative="Recount")))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert (report.containers, report.detection_methods) == (["MSCU1234566"], ["xray"])


def test_a_new_report_is_read_in_the_zone_chosen_and_a_zone_of_another_country_is_refused(jm, world):
    created = jm.post("/reports/new", data={**form_fields(country="CA", seized_at="2026-01-20T09:15",
                                                          seized_zone="America/Toronto"), "csrf_token": jm.csrf})
    assert created.status_code == 302, created.get_data(as_text=True)
    report = db.session.scalars(select(SeizureReport).where(SeizureReport.country == "CA")).one()
    assert report.seized_at_local.isoformat() == "2026-01-20T09:15:00-05:00"

    # Without JavaScript the zone select still lists the old country's zones when the country changes.
    refused = jm.post("/reports/new", data={**form_fields(country="US", seized_zone="America/Toronto"),
                                            "csrf_token": jm.csrf})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert inline_errors(page, "seized_zone") == ["choose the time zone in United States: it has several"]
    assert '<option value="America/Chicago">America/Chicago</option>' in page  # the new country's zones
    assert report_count() == 1
    # A country with one zone takes it whatever the select said.
    single = jm.post("/reports/new", data={**form_fields(country="BB", seized_at="2026-01-20T09:15",
                                                         seized_zone="America/Toronto"), "csrf_token": jm.csrf})
    assert single.status_code == 302
    barbados = db.session.scalars(select(SeizureReport).where(SeizureReport.country == "BB")).one()
    assert barbados.seized_at_local.isoformat() == "2026-01-20T09:15:00-04:00"


def _multidict(pairs: list[tuple[str, str]]):  # noqa: ANN202
    from werkzeug.datastructures import MultiDict

    return MultiDict(pairs)


def test_an_edit_on_a_stale_version_is_refused_and_keeps_the_input(jm, world):
    report = factories.report(world["jm_officer"], submit=False)
    db.session.commit()
    page = jm.get(f"/reports/{report.id}/edit").get_data(as_text=True)
    version = dict(read_form(page))["version"]
    assert version == "1"

    first = jm.post(f"/reports/{report.id}/edit",
                    data={**form_fields(narrative="First edit", action="save"), "version": version, "csrf_token": jm.csrf})
    assert first.status_code == 302

    second = jm.post(f"/reports/{report.id}/edit",
                     data={**form_fields(narrative="Second edit, on a stale page", action="save"),
                           "version": version, "csrf_token": jm.csrf})
    page = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "Changed by someone else — reload." in page
    assert "Second edit, on a stale page" in page  # the input is kept
    assert f'href="/reports/{report.id}/edit"' in page
    db.session.expire_all()
    assert report.narrative == "First edit" and report.version == 2


def test_saving_and_submitting_an_edited_draft(jm, world):
    report = factories.report(world["jm_officer"], submit=False)
    db.session.commit()
    response = jm.post(f"/reports/{report.id}/edit",
                       data={**form_fields(action="submit"), "version": "1", "csrf_token": jm.csrf})
    assert response.status_code == 302
    db.session.expire_all()
    assert report.status == "submitted" and len(report.items) == 2


# --- detail, submit, withdraw ----------------------------------------------------------------------

def test_submit_and_withdraw_from_the_detail_page(jm, world, client):
    report = factories.report(world["jm_officer"], submit=False)
    db.session.commit()
    page = jm.get(f"/reports/{report.id}").get_data(as_text=True)
    assert f'action="/reports/{report.id}/submit"' in page and "Withdraw…" in page

    response = jm.post(f"/reports/{report.id}/submit", data={"csrf_token": jm.csrf})
    assert response.status_code == 302 and response.location.endswith(f"/reports/{report.id}")
    page = jm.get(response.location).get_data(as_text=True)
    assert f"Report {report.reference} submitted" in page
    assert f'action="/reports/{report.id}/submit"' not in page
    db.session.expire_all()
    assert report.status == "submitted" and report.submitted_at is not None

    again = jm.post(f"/reports/{report.id}/submit", data={"csrf_token": jm.csrf}, follow_redirects=True)
    assert "only a draft can be submitted" in again.get_data(as_text=True)

    response = jm.post(f"/reports/{report.id}/withdraw", data={"csrf_token": jm.csrf}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"Report {report.reference} withdrawn" in page
    assert "Withdraw…" not in page and f'href="/reports/{report.id}/edit"' not in page
    db.session.expire_all()
    assert report.status == "withdrawn" and report.withdrawn_at is not None


def test_detail_shows_markings_banner_history_and_local_time(jm, world):
    op = factories.operation("CARIBBEAN-SHIELD-2017", world.jio, [world.jm, world.ky])
    report = factories.report(world["jm_officer"], operations=[op.code],
                              marking={"tlp": "amber+strict", "distribution": "operation", "handling": "C",
                                       "source_reliability": "A", "information_credibility": "1"})
    db.session.commit()
    page = jm.get(f"/reports/{report.id}").get_data(as_text=True)
    assert page.count('class="marking-banner tlp-amber-strict') == 2  # top and bottom
    assert "TLP:AMBER+STRICT" in page and "Organisations of a linked operation" in page
    assert "CARIBBEAN-SHIELD-2017" in page
    assert "UTC−05:00" in page and "Submitted</dt>" in page
    assert "10,000 sticks" in page  # the normalised quantity


def test_another_organisations_draft_does_not_exist(client, world):
    draft = factories.report(world["jm_officer"], submit=False)
    shared = factories.report(world["jm_officer"])
    db.session.commit()
    csrf = sign_in(client, world["ky_officer"])
    assert client.get(f"/reports/{draft.id}").status_code == 404
    assert client.get(f"/reports/{draft.id}/edit").status_code == 404
    assert client.get(f"/reports/by-reference/{draft.reference}").status_code == 404
    assert client.post(f"/reports/{draft.id}/withdraw", data={"csrf_token": csrf}).status_code == 404
    assert client.get("/reports/not-a-report").status_code == 404

    page = client.get(f"/reports/{shared.id}").get_data(as_text=True)
    assert "Withdraw…" not in page and "/edit" not in page  # visible, but not theirs to change
    assert client.get(f"/reports/{shared.id}/edit").status_code == 403


def test_a_report_is_found_by_its_reference(jm, world):
    report = factories.report(world["jm_officer"])
    db.session.commit()
    response = jm.get(f"/reports/by-reference/{report.reference}")
    assert response.status_code == 302 and response.location.endswith(f"/reports/{report.id}")
    typed = jm.get(f"/reports/by-reference?reference={report.reference.lower()}")
    assert typed.location.endswith(f"/reports/{report.id}")


@pytest.mark.parametrize(("viewer", "sees_persons"), [
    ("jm_officer2", True), ("jio_validator", True), ("ky_officer", False), ("jio_analyst", False),
    ("partner_analyst", False)])
def test_persons_are_shown_only_to_the_reporting_organisation_and_regional_validators(
        client, world, viewer, sees_persons):
    report = factories.report(world["jm_officer"], marking={"tlp": "green", "distribution": "partners"})
    db.session.commit()
    sign_in(client, world[viewer])
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert report.reference in page
    assert ("Winston Uniquename" in page) is sees_persons
    assert ("P9988776" in page) is sees_persons


def test_html_in_the_narrative_is_escaped(jm, world):
    narrative = '<script>alert("x")</script><b onmouseover="steal()">bold</b>'
    report = factories.report(world["jm_officer"], submit=False, narrative=narrative)
    db.session.commit()
    for url in (f"/reports/{report.id}", f"/reports/{report.id}/edit"):
        page = jm.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<b onmouseover" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b onmouseover=" in page


# --- form conversion -------------------------------------------------------------------------------

@pytest.mark.parametrize(("local", "country", "expected"), [
    ("2026-07-01T10:00", "JM", "2026-07-01T10:00:00-05:00"),
    ("2026-07-01T10:00", "US", "2026-07-01T10:00:00-04:00"),  # several zones: the first, with its DST
    ("2026-01-15T10:00", "US", "2026-01-15T10:00:00-05:00"),
    ("2026-07-01T10:00", "CW", "2026-07-01T10:00:00-04:00"),
    ("2026-07-01T10:00", "", "2026-07-01T10:00:00+00:00"),
    ("yesterday", "JM", "yesterday"),  # left for the schema to reject
])
def test_the_seizure_time_is_read_in_the_countrys_local_time(local, country, expected):
    assert local_seizure_time(local, country) == expected


@pytest.mark.parametrize(("zone", "country", "expected"), [
    ("America/Los_Angeles", "US", "2026-07-01T10:00:00-07:00"),
    ("UTC-05:00", "CA", "2026-07-01T10:00:00-05:00"),  # a recorded offset, whatever the country's zones
    ("UTC+05:30", "JM", "2026-07-01T10:00:00+05:30"),
    ("America/Jamaica", "BB", "2026-07-01T10:00:00-04:00"),  # one zone: it is the seizure's
    ("UTC", "", "2026-07-01T10:00:00+00:00"),
])
def test_the_seizure_time_is_read_in_the_zone_chosen(zone, country, expected):
    assert local_seizure_time("2026-07-01T10:00", country, zone) == expected


@pytest.mark.parametrize("zone", ["America/Jamaica", "UTC+99:00", "Mars/Olympus"])
def test_a_zone_that_is_not_the_countrys_is_unclear_when_it_has_several(zone):
    with pytest.raises(ZoneUnclear):
        local_seizure_time("2026-07-01T10:00", "US", zone)


@pytest.mark.parametrize(("error_key", "name"), [
    ("items.0.unit", "items-0-unit"), ("items.2.estimated_value.currency", "items-2-value_currency"),
    ("items.1.estimated_value.amount", "items-1-value_amount"), ("persons.0.document.number", "persons-0-document_number"),
    ("conveyance.containers.3", "conveyance-containers"), ("detection_methods.1", "detection_methods"),
    ("location.lat", "location-lat"), ("marking.distribution", "marking-distribution"), ("seized_at", "seized_at"),
])
def test_schema_error_keys_map_to_form_fields(error_key, name):
    assert field_name(error_key) == name


def test_a_nul_character_or_deeply_nested_details_in_the_form_are_refused_in_place(jm, world):
    """PostgreSQL stores no NUL character, and Python's JSON parser recurses once per level: both were
    500s through the form (exploratory test, session 6)."""
    page = jm.post("/reports/new", data={**form_fields(narrative="a\x00b"), "csrf_token": jm.csrf})
    assert page.status_code == 400
    assert "narrative: a NUL character (\\0) cannot be stored. Remove it" in page.get_data(as_text=True)
    page = jm.get("/reports", query_string={"status": "draft\x00"})
    assert page.status_code == 400 and "status: a NUL character" in page.get_data(as_text=True)
    deep = "[" * 5000 + "]" * 5000
    page = jm.post("/reports/new", data={**form_fields(**{"items-0-details": deep}), "csrf_token": jm.csrf})
    assert page.status_code == 422
    assert re.search(r'data-error-for="items-0-details">[^<]+</div>', page.get_data(as_text=True))
    assert report_count() == 0


def test_a_failed_write_shows_the_app_s_error_page(jm, world, monkeypatch):
    """A flush that fails leaves the session unusable, and the error page's menu reads the signed-in user:
    without a rollback first, the 500 page itself failed and a bare "Internal Server Error" was sent."""
    from app.organisations.models import Organisation
    from app.seizures import services

    def failing_create(*_args, **_kwargs):  # noqa: ANN202
        db.session.add(Organisation(code="JM", name="a second JM", kind="administration"))
        db.session.flush()  # IntegrityError: the code is taken

    monkeypatch.setattr(services, "create_report", failing_create)
    response = jm.post("/reports/new", data={**form_fields(), "csrf_token": jm.csrf})
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page and world["jm_officer"].name in page  # the menu, signed in
    assert report_count() == 0


@pytest.mark.parametrize("details", ['{"a": NaN}', '{"a": 1e400}', '{"a": 18446744073709551616}',
                                     '{"a": "\\ud800"}', '{"\\u0000": 1}', '{"a": "b\\u0000"}'])
def test_item_details_from_the_form_are_checked_as_the_api_checks_them(jm, world, details):
    """The form's details bypassed the API's check of the whole body: each of these was a 500 on PostgreSQL
    or in the search outbox, or stored a NUL that the API then refused to take back."""
    page = jm.post("/reports/new", data={**form_fields(**{"items-0-details": details}), "csrf_token": jm.csrf})
    assert page.status_code == 422
    assert re.search(r'data-error-for="items-0-details">[^<]+</div>', page.get_data(as_text=True))
    assert report_count() == 0


def _form_key(page: str) -> str:
    found = re.search(r'<input type="hidden" name="form_key" value="([0-9a-f]{32})">', page)
    assert found, "no form key"
    return found.group(1)


def test_a_form_sent_twice_saves_one_report_and_shows_it(jm, world):
    """A double click, a reload after a lost answer, a retry on a poor line: the new-report form carries a
    key, and a second send shows the report the first one saved instead of saving another."""
    key = _form_key(jm.get("/reports/new").get_data(as_text=True))
    data = {**form_fields(action="submit"), "csrf_token": jm.csrf, "form_key": key}
    first = jm.post("/reports/new", data=data)
    second = jm.post("/reports/new", data=data)
    assert first.status_code == second.status_code == 302
    assert second.location == first.location and report_count() == 1
    reference = db.session.scalars(select(SeizureReport)).one().reference
    page = jm.get(second.location).get_data(as_text=True)
    assert f"This form was already saved as {reference}: it was not saved a second time." in page
    # A new form gets a new key: it saves a report of its own.
    other = _form_key(jm.get("/reports/new").get_data(as_text=True))
    assert other != key
    assert jm.post("/reports/new", data={**data, "form_key": other}).status_code == 302 and report_count() == 2


def test_a_form_refused_keeps_its_key_and_a_concurrent_second_send_finds_the_first(jm, world, monkeypatch):
    from app.seizures import idempotency

    key = _form_key(jm.get("/reports/new").get_data(as_text=True))
    refused = jm.post("/reports/new", data={**form_fields(seized_at=""), "csrf_token": jm.csrf, "form_key": key})
    assert refused.status_code == 422 and _form_key(refused.get_data(as_text=True)) == key
    data = {**form_fields(), "csrf_token": jm.csrf, "form_key": key}
    first = jm.post("/reports/new", data=data)
    # The second send looked before the first committed: its own key then collides, and it shows the first.
    real, looks = idempotency.earlier_report, []

    def looked_too_early(user, form_key, body_hash):  # noqa: ANN001,ANN202
        looks.append(form_key)
        return None if len(looks) == 1 else real(user, form_key, body_hash)

    monkeypatch.setattr(idempotency, "earlier_report", looked_too_early)
    second = jm.post("/reports/new", data=data)
    assert second.status_code == 302 and second.location == first.location
    assert looks == [f"form:{key}", f"form:{key}"] and report_count() == 1
