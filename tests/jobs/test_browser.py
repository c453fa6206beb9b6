"""'Generate PDF' in Debian's Chromium: the button posts with the session's CSRF token, the progress bar
follows the job (run by the gunicorn worker thread of `make run`), the download link gives the PDF."""
from __future__ import annotations

import pytest
import requests

from tests import factories
from tests.operations.support import at

pytestmark = [pytest.mark.browser, pytest.mark.served]

ANALYST = "analyst@jio.example"
OFFICER = "officer@jm.example"
PASSWORD = "summaries-for-ministers-2026"


@pytest.fixture(scope="module")
def seeded(live_server):
    live_server.flask("orgs", "create", "JIO", "--name", "CCLEC Joint Intelligence Office", "--kind", "regional_office")
    live_server.flask("orgs", "create", "JM", "--name", "Jamaica Customs Agency", "--kind", "administration")
    live_server.flask("users", "create", ANALYST, "--org", "JIO", "--role", "analyst", "--password", PASSWORD)
    live_server.flask("users", "create", OFFICER, "--org", "JM", "--role", "officer", "--password", PASSWORD)
    analyst = {"Authorization": f"Bearer {live_server.flask('tokens', 'create', ANALYST).strip()}"}
    officer = {"Authorization": f"Bearer {live_server.flask('tokens', 'create', OFFICER).strip()}"}
    body = {"code": "SHIELD-2017", "name": "Operation Shield", "lead_organisation": "JIO", "starts_on": "2017-10-01",
            "ends_on": "2017-10-31", "participants": ["JM"]}
    assert requests.post(f"{live_server.url}/api/v1/operations", json=body, headers=analyst, timeout=10).status_code == 201
    report = factories.report_payload(seized_at=at("2017-10-12"), operations=["SHIELD-2017"], submit=True)
    assert requests.post(f"{live_server.url}/api/v1/seizures", json=report, headers=officer, timeout=10).status_code == 201
    return live_server


def test_generate_pdf_shows_progress_then_the_download(chromium, seeded):
    from playwright.sync_api import expect

    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    page.goto(f"{seeded.url}/login")
    page.fill("#email", ANALYST)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{seeded.url}/operations/SHIELD-2017")
    expect(page.get_by_role("heading", name="Operation Shield")).to_be_visible()
    expect(page.locator("#kf-reports")).to_have_text("1")

    page.get_by_role("button", name="Generate PDF").click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    download = page.get_by_role("link", name="Download PDF")
    expect(download).to_be_visible(timeout=180_000)
    expect(page.locator(".js-status")).to_have_text("Ready.")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    pdf = page.request.get(seeded.url + download.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    assert problems == []
    page.goto(f"{seeded.url}/products")
    expect(page.get_by_role("cell", name="SHIELD-2017-summary.pdf")).to_be_visible()
