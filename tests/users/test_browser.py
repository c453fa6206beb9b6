"""Signing in with a second factor in Debian's Chromium against the app under gunicorn with
ELIX_REQUIRE_MFA on: the QR code shows, the strict Content-Security-Policy blocks nothing the pages
need (a blocked script or style is a console error), the recovery codes show once."""
from __future__ import annotations

import os
import re

import pyotp
import pytest

from tests import factories
from tests.conftest import _fresh_database_url
from tests.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.served]

ANALYST = "analyst@jio.example"
PASSWORD = "reef lights over the harbour"


class MfaServer(LiveServer):
    @property
    def env(self) -> dict[str, str]:
        return {**super().env, "ELIX_REQUIRE_MFA": "1"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live-mfa")
    url = _fresh_database_url(tmp, f"elix_live_mfa_{os.getpid()}")
    live = MfaServer(url, tmp / "instance").start()
    live.flask("orgs", "create", "JIO", "--name", "Joint Intelligence Office", "--kind", "regional_office")
    live.flask("users", "create", ANALYST, "--org", "JIO", "--role", "analyst", "--password", PASSWORD)
    yield live
    live.stop()
    factories.drop_postgres_database(url)


def test_required_second_factor_set_up_and_used_in_a_browser(chromium, server):
    from playwright.sync_api import expect

    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)

    page.goto(f"{server.url}/login")
    page.fill("#email", ANALYST)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="Set up the second factor")).to_be_visible()
    qr = page.locator("#mfa-qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box and box["width"] >= 120 and box["height"] >= 120
    page.screenshot(path="/tmp/elix-mfa-setup.png")
    secret = page.locator("#mfa-secret").inner_text().strip()
    totp = pyotp.TOTP(secret)

    page.fill("#code", totp.now())
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="The second factor is on")).to_be_visible()
    codes = re.findall(r"[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}", page.locator("#recovery-codes").inner_text())
    assert len(codes) == 10
    page.get_by_role("link", name="I have saved them").click()
    expect(page.get_by_role("heading", name="Seizure reports")).to_be_visible()

    # Sign out and in again: the second step asks for a code; a recovery code does it.
    page.get_by_role("button", name="Sign out").click()
    page.fill("#email", ANALYST)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="Second step")).to_be_visible()
    page.goto(f"{server.url}/account")  # no way round it
    expect(page.get_by_role("heading", name="Sign in to ELIX")).to_be_visible()
    page.goto(f"{server.url}/login/second-factor")
    page.fill("#code", codes[0])
    page.click("button[type=submit]")
    expect(page.get_by_text("You signed in with a recovery code; 9 remain")).to_be_visible()
    assert problems == [], problems
