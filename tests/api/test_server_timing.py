"""`Server-Timing` (app.timing): off unless ELIX_SERVER_TIMING=1; when on, every response says how long the
app took, and a search also how long its backend call took (the part of `app` the engine spent)."""
from __future__ import annotations

import re

from app.timing import ServerTiming

from tests import factories

ENTRY = re.compile(r"^(?P<name>[a-z]+);dur=(?P<ms>\d+\.\d\d)$")


def _durations(header: str) -> dict[str, float]:
    entries = [ENTRY.match(part.strip()) for part in header.split(",")]
    assert all(entries), header
    return {m["name"]: float(m["ms"]) for m in entries}


def test_off_by_default(client):
    assert "Server-Timing" not in client.get("/livez").headers


def test_a_search_names_its_backend_time_within_the_app_time(app, api, world, monkeypatch):
    monkeypatch.setattr(app, "wsgi_app", ServerTiming(app.wsgi_app))
    factories.report(world["jm_officer"])
    response = api.as_(world["jm_analyst"]).get("/search?q=cigarettes")
    assert response.status_code == 200
    durations = _durations(response.headers["Server-Timing"])
    assert list(durations) == ["search", "app"]
    assert 0 < durations["search"] <= durations["app"]

    livez = _durations(api.client.get("/livez").headers["Server-Timing"])
    assert list(livez) == ["app"] and livez["app"] > 0
