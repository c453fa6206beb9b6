import pytest
import requests

pytestmark = pytest.mark.served


def test_served_app_answers_health_and_refuses_anonymous_api(live_server):
    health = requests.get(f"{live_server.url}/healthz", timeout=5)
    assert health.json()["database"]["ok"] is True
    anonymous = requests.get(f"{live_server.url}/api/v1/seizures", timeout=5)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthorized"
