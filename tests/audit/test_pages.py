"""Who reads the trail: a manager their organisation's records (actor or subject of their organisation), a
sysadmin all, anyone else 403 (as on /admin). Filters, pages, the CSV export (formulas neutralised), the API;
reading and exporting the trail are on record too."""
from __future__ import annotations

import csv
import html
import re
import io

import pytest

from app import audit
from app.extensions import db

from tests import factories
from tests.audit.conftest import last, records


@pytest.fixture
def trail(world) -> dict:
    """A JM officer's report read by a KY analyst; a KY officer's own report; a sysadmin's act on the JIO."""
    jm_report = factories.report(world["jm_officer"])
    ky_report = factories.report(world["ky_officer"])
    audit.record("report.read", actor=world["ky_analyst"], subject=jm_report)
    audit.record("report.read", actor=world["ky_officer"], subject=ky_report)
    audit.record("organisation.renamed", actor=world["sysadmin"], subject=world.jio)
    db.session.commit()
    return {"jm_report": jm_report, "ky_report": ky_report}


def subjects_and_actors(rows: list[dict]) -> set[tuple[str | None, str | None]]:
    return {(row["actor_email"], row["subject_ref"]) for row in rows}


def test_a_manager_reads_their_organisation_s_records_only(api, world, trail):
    response = api.as_(world["jm_manager"]).get("/audit?per_page=200")
    assert response.status_code == 200
    rows = response.get_json()["results"]
    jm = world.jm.id
    assert rows and all(r["organisation_id"] == jm or r["subject_organisation_id"] == jm for r in rows)
    seen = subjects_and_actors(rows)
    assert (world["ky_analyst"].email, trail["jm_report"].reference) in seen  # someone else read JM's report
    assert (world["jm_officer"].email, trail["jm_report"].reference) in seen  # JM's officer created it
    assert not any(ref == trail["ky_report"].reference for _, ref in seen)
    assert not any(r["action"] == "organisation.renamed" for r in rows)


def test_a_sysadmin_reads_everything(api, world, trail):
    body = api.as_(world["sysadmin"]).get("/audit?per_page=200").get_json()
    assert body["total"] == len(records()) - 1  # all but the audit.view that records this very read
    seen = subjects_and_actors(body["results"])
    assert (world["ky_officer"].email, trail["ky_report"].reference) in seen
    assert any(r["action"] == "organisation.renamed" for r in body["results"])
    assert [r["id"] for r in body["results"]] == sorted((r["id"] for r in body["results"]), reverse=True)
    assert {"prev_hash", "hash", "at", "address", "details"} <= set(body["results"][0])


@pytest.mark.parametrize("role", ["jm_officer", "jm_analyst", "jio_validator"])
def test_other_roles_get_403_on_the_page_the_export_and_the_api(api, browser, world, trail, role):
    assert api.as_(world[role]).get("/audit").status_code == 403
    assert api.as_(world[role]).get("/audit?outcome=bogus").status_code == 403  # the role before the filters
    browser.sign_in(world[role])
    assert browser.get("/audit").status_code == 403
    assert browser.get("/audit/export.csv").status_code == 403
    assert last("permission.denied").details["path"] == "/audit/export.csv"
    assert not records("audit.view") and not records("audit.export")


def test_filters_and_pages(api, world, trail):
    manager = api.as_(world["sysadmin"])
    body = manager.get(f"/audit?actor={world['ky_analyst'].email.upper()}").get_json()
    assert body["total"] >= 1 and {r["actor_email"] for r in body["results"]} == {world["ky_analyst"].email}
    body = manager.get("/audit?action=report.").get_json()
    assert body["total"] >= 4 and all(r["action"].startswith("report.") for r in body["results"])
    body = manager.get(f"/audit?subject={trail['ky_report'].reference}").get_json()
    assert {r["subject_ref"] for r in body["results"]} == {trail["ky_report"].reference}
    assert manager.get("/audit?outcome=denied").get_json()["total"] == 0
    assert manager.get("/audit?from=2000-01-01&to=2000-12-31").get_json()["total"] == 0
    today = records()[-1].at.date().isoformat()
    assert manager.get(f"/audit?from={today}&to={today}").get_json()["total"] >= 5

    # (each read of the trail adds a record on top: page through a filter that leaves those out)
    first = manager.get("/audit?action=report.&per_page=2&page=1").get_json()
    second = manager.get("/audit?action=report.&per_page=2&page=2").get_json()
    assert len(first["results"]) == 2 and first["results"][1]["id"] > second["results"][0]["id"]

    for query, field in (("outcome=bogus", "outcome"), ("from=2026-02-01&to=2026-01-01", "from"),
                         ("page=0", "page"), ("per_page=201", "per_page")):
        response = manager.get(f"/audit?{query}")
        assert response.status_code == 422 and set(response.get_json()["error"]["fields"]) == {field}


def test_the_page_lists_filters_and_escapes(browser, world, trail):
    audit.record("search", actor=world["jm_analyst"], details={"q": "<script>alert(1)</script>"})
    db.session.commit()
    browser.sign_in(world["jm_manager"])
    home = browser.get("/").get_data(as_text=True)
    assert 'href="/audit"' in home
    page = browser.get("/audit?action=search").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "\\u003cscript\\u003e" in page
    assert 'id="audit-records"' in page and world["jm_analyst"].email in page
    assert browser.get("/audit?from=not-a-date").status_code == 422
    view = last("audit.view")
    assert view.actor_id == world["jm_manager"].id and view.details["action"] == "search"


def test_the_nav_link_is_for_managers_and_sysadmins_only(browser, world):
    browser.sign_in(world["jm_officer"])
    assert 'href="/audit"' not in browser.get("/").get_data(as_text=True)


def test_the_csv_export_neutralises_formulas_and_is_on_record(browser, world, trail):
    audit.record("report.read", actor=world["jm_officer"],
                 subject=audit.Subject("report", "=1+2", '=HYPERLINK("http://evil.example","x")', world.jm.id),
                 details={"q": "@SUM(A1)"})
    db.session.commit()
    browser.sign_in(world["jm_manager"])
    response = browser.get("/audit/export.csv?action=report.read")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    forged = next(r for r in rows if r["subject_id"].endswith("=1+2"))
    assert forged["subject_id"] == "'=1+2" and forged["subject_ref"].startswith("'=HYPERLINK")
    assert all(r["action"] == "report.read" for r in rows) and all(len(r["hash"]) == 64 for r in rows)
    assert {r["organisation"] for r in rows} <= {"JM", "KY"}
    export = last("audit.export")
    assert export.details == {"action": "report.read", "page": 1, "per_page": 50, "rows": len(rows)}


def test_the_api_is_documented(api):
    document = api.get("/openapi.json").get_json()
    operation = document["paths"]["/audit"]["get"]
    assert {"200", "403", "422"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} >= {"actor", "action", "outcome", "subject", "from", "to"}
    assert "hash" in document["components"]["schemas"]["AuditRecord"]["properties"]


def test_a_denied_attempt_is_shown_to_the_report_owner_s_managers_only(api, world):
    """The JM analyst names KY's red report: KY's managers see the attempt; JM's do not, or the trail
    would tell them that the id exists (a missing id leaves no record)."""
    ky_manager = factories.user(world.ky, "manager")
    secret = factories.report(world["ky_officer"], marking={"tlp": "red", "distribution": "organisation"})
    db.session.commit()
    assert api.as_(world["jm_analyst"]).get(f"/seizures/{secret.id}").status_code == 404
    assert api.as_(world["jm_analyst"]).get(f"/seizures/{factories.new_id()}").status_code == 404
    assert last("report.access").subject_id == secret.id
    jm_view = api.as_(world["jm_manager"]).get("/audit?per_page=200").get_data(as_text=True)
    assert secret.id not in jm_view and '"report.access"' not in jm_view
    ky_view = api.as_(ky_manager).get("/audit?action=report.access").get_json()
    assert [(r["actor_email"], r["subject_id"]) for r in ky_view["results"]] == [(world["jm_analyst"].email, secret.id)]


def test_every_link_of_the_pager_opens_a_page(browser, world, trail):
    """The greyed-out "‹ Newer" of the first page linked to page 0, which answers 422 (exploratory test)."""
    browser.sign_in(world["sysadmin"])
    first = browser.get("/audit?per_page=2").get_data(as_text=True)
    pager = first[first.index('id="audit-pages"'):]
    pager = pager[:pager.index("</nav>")]
    links = re.findall(r'href="([^"]+)"', pager)
    assert links and '<span class="page-link">‹ Newer</span>' in pager
    for link in links:
        assert browser.get(html.unescape(link)).status_code == 200, link
    past = browser.get("/audit?per_page=2&page=999")  # a page past the last: its pager leads back
    assert past.status_code == 200
    last_page = max(int(n) for n in re.findall(r"page=(\d+)", html.unescape(first[first.index('id="audit-pages"'):])))
    assert f"page={last_page}" in html.unescape(past.get_data(as_text=True))


def test_the_action_filter_ignores_case_on_both_databases(api, world, trail):
    """`REPORT.` matched on SQLite (LIKE ignores ASCII case there) and nothing on PostgreSQL."""
    sysadmin = api.as_(world["sysadmin"])
    for action in ("report.", "report.read"):
        lower = sysadmin.get("/audit", query_string={"action": action}).get_json()
        upper = sysadmin.get("/audit", query_string={"action": action.upper()}).get_json()
        assert lower["total"] and upper["total"] == lower["total"], action
