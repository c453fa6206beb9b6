"""`flask demo load` as `make run` runs it: against a served app's fresh database, twice."""
from __future__ import annotations

import re

import pytest
import requests

from app.demo.network import DEMO_PASSWORD

pytestmark = pytest.mark.served


def test_demo_load_twice_then_sign_in_with_a_printed_login(live_server):
    first = live_server.flask("demo", "load", "--seizures", "60", "--seed", "4")
    assert "seizure reports: 60 added (seed 4)" in first
    assert "organisations: 44 created; users: 48 created; operations: 3 created" in first
    assert f"password for all: {DEMO_PASSWORD}" in first
    assert re.search(r"validator@jio\.example\s+JIO\s+validator", first)

    second = live_server.flask("demo", "load", "--seizures", "60", "--seed", "4")
    assert "the demo reports of seed 4 are already loaded (60 found); nothing added" in second
    assert "organisations: 0 created; users: 0 created; operations: 0 created" in second
    assert f"password for all: {DEMO_PASSWORD}" in second

    web = requests.Session()
    page = web.get(f"{live_server.url}/login", timeout=10)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    signed_in = web.post(f"{live_server.url}/login", timeout=30, allow_redirects=False,
                         data={"csrf_token": csrf, "email": "analyst@jio.example", "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302

    token = live_server.flask("tokens", "create", "analyst@jio.example").strip()
    listed = requests.get(f"{live_server.url}/api/v1/seizures", params={"per_page": 1}, timeout=10,
                          headers={"Authorization": f"Bearer {token}"})
    # The JIO sees every shared demo report of the network, never a draft of another organisation.
    assert 40 <= listed.json()["total"] < 60
    shield = requests.get(f"{live_server.url}/api/v1/operations/CARIBBEAN-SHIELD-2017", timeout=10,
                          headers={"Authorization": f"Bearer {token}"})
    assert shield.status_code == 200 and shield.json()["lead_organisation"] == "JIO"
