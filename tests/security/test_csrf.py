"""CSRF: every state-changing route, found in `app.url_map`, refuses a request without a valid token
(400) and writes nothing.

Web routes carry Flask-WTF's session-bound token. The API takes bearer tokens (no cookie, so no CSRF) or
the web session, and then an unsafe method needs the X-CSRFToken header: a browser session is no way
around the token. The signed-in user holds every role and leads everything named, so that the only
reason left to refuse is the missing token.
"""
from __future__ import annotations

import hashlib
import re

import pytest
from flask import Flask
from sqlalchemy import MetaData, select

from app.extensions import db

from tests import factories
from tests.security.world import CSRF_META, RequestScopedClient

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Rows a refused request may legitimately write: its rate-limit count, the session's last-seen time, the
# audit record of the refusal.
VOLATILE_TABLES = {"rate_limit_counters", "audit_records", "audit_chain_head", "alembic_version"}
VOLATILE_COLUMN = re.compile(r"last_|_seen|seen_at|used_at$|heartbeat")


def unsafe_rules(app: Flask, api: bool) -> list[tuple[str, str, str]]:
    return sorted((rule.endpoint, method, rule.rule) for rule in app.url_map.iter_rules()
                  for method in (rule.methods or set()) & UNSAFE if rule.rule.startswith("/api/") == api)


def _rules_of(api: bool) -> list[tuple[str, str, str]]:
    from tests.conftest import TestConfig
    from app import create_app

    return unsafe_rules(create_app(TestConfig("sqlite://")), api)


WEB_RULES = _rules_of(api=False)
API_RULES = _rules_of(api=True)


def test_the_route_lists_are_found() -> None:
    """Discovery works (a broken one would make every parametrised test vanish)."""
    web = {endpoint for endpoint, _m, _r in WEB_RULES}
    assert len(WEB_RULES) >= 25 and {"users.login", "users.logout", "seizures.new", "seizures.withdraw",
                                      "admin.set_roles", "operations.links"} <= web
    assert len(API_RULES) >= 10 and ("api.create_seizure", "POST", "/api/v1/seizures") in API_RULES


def snapshot() -> str:
    """A digest of every table's rows but the volatile ones: equal before and after = nothing written."""
    metadata = MetaData()
    metadata.reflect(db.session.connection())
    digest = hashlib.sha256()
    for name in sorted(set(metadata.tables) - VOLATILE_TABLES):
        table = metadata.tables[name]
        columns = [c for c in table.columns if not VOLATILE_COLUMN.search(c.name)]
        rows = sorted(repr(tuple(row)) for row in db.session.execute(select(*columns)))
        digest.update(f"{name}:{len(rows)}:{rows}".encode())
    return digest.hexdigest()


@pytest.fixture
def scene(app: Flask, world) -> dict:  # noqa: ANN001
    """A user with every role, a report of theirs in each state an action needs, an operation and a
    conference they lead, another user of their organisation, a token and a set-password link."""
    from app.conferences import services as conference_services
    from app.conferences.schemas import ConferenceSchema
    from app.users import services as user_services

    boss = factories.user(world.jm, "officer", "analyst", "validator", "manager", "sysadmin")
    report = factories.report(boss, submit=False)
    operation = factories.operation("CSRF-OP", world.jm, [world.ky])
    conference = conference_services.create_conference(boss, ConferenceSchema().load({
        "title": "CSRF conference", "starts_on": "2026-10-20", "ends_on": "2026-10-21", "organiser": "JM"}))
    colleague = world["jm_officer"]
    token_row, clear_token = user_services.create_token(boss, "csrf")
    link = user_services.create_password_link(colleague, boss)
    db.session.commit()
    args = {"report_id": report.id, "code": operation.code, "conference_id": conference.id, "user_id": colleague.id,
            "organisation_id": world.jm.id, "token_id": token_row.id, "token": link, "job_id": "0" * 36}
    return {"user": boss, "args": args, "bearer": clear_token}


def _browser(app: Flask, user=None) -> tuple[RequestScopedClient, str]:  # noqa: ANN001
    client = RequestScopedClient(app, app.response_class, use_cookies=True)
    token = CSRF_META.search(client.get("/login").get_data(as_text=True)).group(1)
    if user is not None:
        response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                               "csrf_token": token})
        assert response.status_code == 302
        token = CSRF_META.search(client.get("/account").get_data(as_text=True)).group(1)
    return client, token


def _url(rule: str, args: dict) -> str:
    names = re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", rule)
    unknown = [n for n in names if n not in args]
    assert not unknown, f"the CSRF test does not know how to fill {unknown} of {rule}: add it to the scene"
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(args[m.group(1)]), rule)


# A form-shaped body that would act if the token were valid (the route's own fields are what matter least:
# the token is checked before the view runs).
FORM = {"email": "x@jm.example", "password": factories.PASSWORD, "name": "n", "action": "submit",
        "new_password": "another long passphrase 42", "roles": "officer"}


@pytest.mark.parametrize(("endpoint", "method", "rule"), [pytest.param(*r, id=f"{r[1]} {r[2]}") for r in WEB_RULES])
def test_a_web_form_without_a_token_is_refused(app: Flask, scene: dict, endpoint: str, method: str, rule: str) -> None:
    signed_out = endpoint in ("users.login", "users.set_password")
    client, _token = _browser(app, None if signed_out else scene["user"])
    url = _url(rule, scene["args"])
    before = snapshot()
    for data in (FORM, {**FORM, "csrf_token": "forged"}):
        response = client.open(url, method=method, data=data)
        assert response.status_code == 400, f"{method} {url} without a valid token: {response.status_code}"
        db.session.expire_all()
        assert snapshot() == before, f"{method} {url} wrote something"


def test_a_token_of_another_session_is_refused(app: Flask, scene: dict) -> None:
    mine, _ = _browser(app, scene["user"])
    _other, stolen = _browser(app, scene["user"])
    before = snapshot()
    url = f"/reports/{scene['args']['report_id']}/submit"
    assert mine.post(url, data={"csrf_token": stolen}).status_code == 400
    assert snapshot() == before


def test_the_refusal_is_the_token_and_nothing_else(app: Flask, scene: dict) -> None:
    """With its token the same request goes through: the 400s above are CSRF, not a broken request."""
    client, token = _browser(app, scene["user"])
    response = client.post(f"/reports/{scene['args']['report_id']}/submit", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    from app.seizures.models import SeizureReport

    assert db.session.get(SeizureReport, scene["args"]["report_id"]).status == "submitted"


API_BODY = {"narrative": "csrf", "code": "CSRF-2", "name": "x", "title": "x"}


@pytest.mark.parametrize(("endpoint", "method", "rule"), [pytest.param(*r, id=f"{r[1]} {r[2]}") for r in API_RULES])
def test_an_api_write_with_the_session_cookie_needs_the_csrf_header(app: Flask, scene: dict, endpoint: str,
                                                                    method: str, rule: str) -> None:
    client, _token = _browser(app, scene["user"])
    url = _url(rule, scene["args"])
    before = snapshot()
    for headers in ({}, {"X-CSRFToken": "forged"}):
        response = client.open(url, method=method, json=API_BODY, headers=headers)
        assert response.status_code == 400, f"{method} {url}: {response.status_code}"
        assert response.get_json()["error"]["code"] == "csrf_failed"
        db.session.expire_all()
        assert snapshot() == before, f"{method} {url} wrote something"


def test_the_api_with_the_session_and_its_csrf_header_or_a_bearer_token_works(app: Flask, scene: dict) -> None:
    client, token = _browser(app, scene["user"])
    report_id = scene["args"]["report_id"]
    response = client.post(f"/api/v1/seizures/{report_id}/submit", headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_json()
    # A bearer token is not sent by a browser on its own: no CSRF token needed, and no cookie used.
    bare = RequestScopedClient(app, app.response_class, use_cookies=False)
    response = bare.post(f"/api/v1/seizures/{report_id}/withdraw",
                         headers={"Authorization": f"Bearer {scene['bearer']}"})
    assert response.status_code == 200, response.get_json()


def test_a_bad_bearer_header_does_not_fall_back_to_the_session(app: Flask, scene: dict) -> None:
    client, token = _browser(app, scene["user"])
    before = snapshot()
    for header in ("Bearer ", "Bearer wrong", "Basic abc"):
        response = client.post(f"/api/v1/seizures/{scene['args']['report_id']}/submit",
                               headers={"Authorization": header, "X-CSRFToken": token})
        assert response.status_code == 401, header
    assert snapshot() == before
