"""An officer's day in Debian's Chromium (Playwright): sign in, record a seizure with two items
and a route using the add-row buttons, submit it, find it in the list."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.served]

OFFICER = "officer@jm.example"
PASSWORD = "mangoes-in-the-port-2026"
SCREENSHOTS = Path("/tmp")


@pytest.fixture(scope="module")
def seeded(live_server):
    live_server.flask("orgs", "create", "JM", "--name", "Jamaica Customs Agency", "--kind", "administration")
    live_server.flask("users", "create", OFFICER, "--org", "JM", "--role", "officer", "--password", PASSWORD)
    return live_server


def test_officer_records_submits_and_finds_a_seizure(chromium, seeded):
    from playwright.sync_api import expect

    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    page.goto(f"{seeded.url}/login")
    page.fill("#email", OFFICER)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="Seizure reports")).to_be_visible()
    expect(page.get_by_text("No reports from Jamaica Customs Agency yet")).to_be_visible()

    page.get_by_role("link", name="+ New report").first.click()
    expect(page.get_by_role("heading", name="New seizure report")).to_be_visible()
    expect(page.locator("#f-country")).to_have_value("JM")
    expect(page.locator("#f-seized_zone")).to_have_value("America/Jamaica")
    # The zone select follows the country: Canada's zones, then back to Jamaica's one.
    page.select_option("#f-country", "CA")
    expect(page.locator("#f-seized_zone")).to_have_value("America/St_Johns")
    page.select_option("#f-seized_zone", "America/Toronto")
    page.select_option("#f-country", "JM")
    expect(page.locator("#f-seized_zone option")).to_have_text(["America/Jamaica"])
    expect(page.locator("#f-seized_zone")).to_have_value("America/Jamaica")

    seized = (datetime.now(ZoneInfo("America/Jamaica")) - timedelta(days=1)).replace(hour=14, minute=30)
    page.fill("#f-seized_at", seized.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#f-location-name", "Kingston Container Terminal")
    page.fill("#f-location-locode", "JMKIN")
    page.select_option("#f-location-type", "seaport")
    page.select_option("#f-transport_mode", "sea")
    page.check("#f-detection_methods-xray")

    # First item: the subcategory list follows the category, the unit defaults to the canonical one.
    page.select_option("#f-items-0-category", "tobacco")
    page.select_option("#f-items-0-subcategory", "cigarettes")
    expect(page.locator("#f-items-0-unit")).to_have_value("sticks")
    page.select_option("#f-items-0-unit", "cartons")
    page.fill("#f-items-0-quantity", "50")
    page.fill("#f-items-0-description", "Counterfeit 'Marlboro'")

    page.get_by_role("button", name="+ Add item").click()
    page.select_option("#f-items-1-category", "firearms")
    expect(page.locator("#f-items-1-unit")).to_have_value("pieces")
    expect(page.locator("#f-items-1-subcategory option[value=cigarettes]")).to_be_hidden()
    page.select_option("#f-items-1-subcategory", "pistol")
    page.fill("#f-items-1-quantity", "3")
    expect(page.locator("[data-row=items] [data-row-number]")).to_have_text(["1", "2"])

    page.select_option("#f-route-0-role", "departure")
    page.select_option("#f-route-0-country", "PA")
    page.fill("#f-route-0-place", "PAMIT")
    page.get_by_role("button", name="+ Add route leg").click()
    page.select_option("#f-route-1-role", "destination")
    page.select_option("#f-route-1-country", "JM")
    # An extra person row added and removed again leaves nothing behind.
    page.get_by_role("button", name="+ Add person").click()
    page.locator("[data-row=persons]").nth(1).get_by_role("button", name="Remove person").click()
    expect(page.locator("[data-row=persons]")).to_have_count(1)

    page.screenshot(path=str(SCREENSHOTS / "elix-report-form.png"), full_page=True)
    page.get_by_role("button", name="Save and submit").click()

    expect(page.get_by_text("submitted: it is now shared as its markings allow")).to_be_visible()
    reference = page.locator("h1 .reference").inner_text()
    assert reference.startswith("JM-")
    expect(page.locator(".marking-banner")).to_have_count(2)
    expect(page.get_by_text("10,000 sticks").first).to_be_visible()
    expect(page.get_by_text("UTC−05:00")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "elix-report-detail.png"), full_page=True)

    page.get_by_role("link", name="Reports", exact=True).first.click()
    row = page.locator(f"tr[data-reference='{reference}']")
    expect(row).to_be_visible()
    expect(row.locator(".status-badge")).to_have_text("Submitted")
    expect(row).to_contain_text("Firearms")

    # Editing keeps the zone the report was recorded in, whatever the script does to the select.
    row.get_by_role("link", name=reference).click()
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.locator("#f-seized_zone")).to_have_value("UTC-05:00")
    expect(page.locator("#f-seized_zone option")).to_have_text(["UTC−05:00 (as recorded)", "America/Jamaica"])
    assert problems == []


def test_typing_keeps_the_session_and_a_notice_comes_before_it_ends(chromium, seeded):
    from playwright.sync_api import expect

    page = chromium.new_page()
    page.clock.install()
    page.goto(f"{seeded.url}/login")
    page.fill("#email", OFFICER)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{seeded.url}/reports/new")
    alive: list[int] = []
    page.on("response", lambda r: alive.append(r.status) if r.url.endswith("/session/alive") else None)

    page.clock.run_for(5 * 60 * 1000)  # five minutes reading: nothing sent, no notice
    expect(page.locator("#session-notice")).to_have_count(0)
    with page.expect_response(lambda r: r.url.endswith("/session/alive")):
        page.fill("#f-narrative", "Reefer container from Panama")  # typing: the server hears of it
    assert alive == [204]

    page.clock.run_for(28 * 60 * 1000 + 30 * 1000)  # then idle: the notice offers to stay signed in
    notice = page.locator("#session-notice")
    expect(notice).to_contain_text("session ends in about")
    notice.get_by_role("button", name="Stay signed in").click()
    expect(notice).to_have_count(0)
    assert alive == [204, 204]

    page.clock.run_for(31 * 60 * 1000)  # away: the page says the session is over and the text is kept
    expect(notice).to_contain_text("Your session has ended. What you typed is still on this page")
    expect(page.locator("#f-narrative")).to_have_value("Reefer container from Panama")
    page.close()


def test_tabs_share_the_session_s_clock(chromium, seeded):
    from playwright.sync_api import expect

    context = chromium.new_context()
    context.clock.install()  # one clock for the context's pages
    first, second = context.new_page(), context.new_page()
    first.goto(f"{seeded.url}/login")
    first.fill("#email", OFFICER)
    first.fill("#password", PASSWORD)
    first.click("button[type=submit]")
    first.goto(f"{seeded.url}/reports/new")
    second.goto(f"{seeded.url}/reports/new")

    context.clock.run_for(20 * 60 * 1000)
    with second.expect_response(lambda r: r.url.endswith("/session/alive") and r.status == 204):
        second.fill("#f-narrative", "Typed in the second tab")  # work goes on in the second tab...
    shared = second.evaluate("localStorage.getItem('elix.session.lastContact')")
    first.wait_for_function(f"localStorage.getItem('elix.session.lastContact') === '{shared}'")
    context.clock.run_for(11 * 60 * 1000)  # ...so the first, idle for 31 minutes, is still signed in
    expect(first.locator("#session-notice")).to_have_count(0)
    context.clock.run_for(20 * 60 * 1000)  # and ends with the session, 30 minutes after the last work
    expect(first.locator("#session-notice")).to_contain_text("Your session has ended")
    context.close()
