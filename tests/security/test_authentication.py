"""Authentication across worker processes: two app instances on one database stand for two gunicorn
workers, so whatever a check keeps only in memory would show here.

tests/users/ covers each mechanism within one app (see docs/security.md for the list); this module adds
what only shows with two workers, and the sweeps over every route:
- five failures lock the account in every worker, whichever worker saw them;
- a TOTP code and a recovery code are accepted once, whichever worker sees them again;
- a session signed in with the password only (second step pending) opens no page and no API route;
- revoked and expired tokens fail at once in the other worker; a read-only token is refused (403) on every
  API write, writing nothing;
- logout and a password change end the session in every worker (the old cookie is refused).
"""
from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pyotp
import pytest
from flask import Flask

from app import create_app
from app.database import utcnow
from app.extensions import db

from tests import factories
from tests.conftest import _fresh_database_url, make_app
from tests.security.test_csrf import snapshot, unsafe_rules
from tests.security.world import CSRF_META, LeakConfig, RequestScopedClient

_seq = itertools.count(1)
NEW_PASSWORD = "an entirely new passphrase 2026"


@pytest.fixture(scope="module")
def workers(tmp_path_factory) -> tuple[Flask, Flask]:  # noqa: ANN001
    url = _fresh_database_url(tmp_path_factory.mktemp("auth"), f"elix_auth_{next(_seq)}")
    first = make_app(url)
    first.config.from_object(LeakConfig(url))
    second = create_app(LeakConfig(url))
    with first.app_context():
        factories.org("JM", name="Jamaica Customs Agency")
        db.session.commit()
    yield first, second
    for app in (first, second):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    factories.drop_postgres_database(url)


def new_user(app: Flask, *roles: str, mfa: bool = False) -> dict:
    """A committed user of JM (a fresh one per test); with `mfa` a TOTP secret and recovery codes."""
    from app.users import mfa as mfa_service
    from app.users import services

    with app.test_request_context():
        user = services.create_user(f"user{next(_seq)}@jm.example", "JM", list(roles) or ["officer"],
                                    factories.PASSWORD)
        info = {"id": user.id, "email": user.email}
        if mfa:
            user.totp_secret, user.totp_enabled_at = pyotp.random_base32(), utcnow()
            info["secret"], info["codes"] = user.totp_secret, mfa_service.new_recovery_codes(user)
        db.session.commit()
    return info


def browser(app: Flask) -> RequestScopedClient:
    return RequestScopedClient(app, app.response_class, use_cookies=True)


def csrf(client: RequestScopedClient, path: str = "/login") -> str:
    return CSRF_META.search(client.get(path).get_data(as_text=True)).group(1)


def password_step(client: RequestScopedClient, user: dict, password: str = factories.PASSWORD):  # noqa: ANN201
    return client.post("/login", data={"email": user["email"], "password": password, "csrf_token": csrf(client)})


def second_step(client: RequestScopedClient, code: str):  # noqa: ANN201
    token = csrf(client, "/login/second-factor")
    return client.post("/login/second-factor", data={"code": code, "csrf_token": token})


def signed_in(client: RequestScopedClient) -> bool:
    return client.get("/account").status_code == 200


def now_code(secret: str) -> str:
    return pyotp.TOTP(secret).now()


# --- lockout ----------------------------------------------------------------------------------------------

def test_five_failures_spread_over_two_workers_lock_the_account_in_both(workers) -> None:  # noqa: ANN001
    first, second = workers
    user = new_user(first)
    for app in (first, second, first, second, first):
        response = password_step(browser(app), user, "not the password at all")
        assert response.status_code == 200 and "/login/second-factor" not in response.headers.get("Location", "")
    for app in (first, second):
        client = browser(app)
        refused = password_step(client, user)  # the right password, during the lock
        assert refused.status_code == 200 and not signed_in(client), "a worker let a locked account in"
    from app.users.models import User

    with second.app_context():
        assert db.session.get(User, user["id"]).locked_until is not None


# --- the second factor --------------------------------------------------------------------------------------

def test_a_totp_code_is_accepted_once_whichever_worker_sees_it_again(workers) -> None:  # noqa: ANN001
    first, second = workers
    user = new_user(first, mfa=True)
    code = now_code(user["secret"])
    client = browser(first)
    assert password_step(client, user).headers["Location"] == "/login/second-factor"
    assert second_step(client, code).status_code == 302 and signed_in(client)
    replay = browser(second)
    assert password_step(replay, user).headers["Location"] == "/login/second-factor"
    second_step(replay, code)
    assert not signed_in(replay), "the other worker accepted a used TOTP code"


def test_a_recovery_code_is_accepted_once_whichever_worker_sees_it_again(workers) -> None:  # noqa: ANN001
    first, second = workers
    user = new_user(first, mfa=True)
    client = browser(first)
    password_step(client, user)
    assert second_step(client, user["codes"][0]).status_code == 302 and signed_in(client)
    replay = browser(second)
    password_step(replay, user)
    second_step(replay, user["codes"][0])
    assert not signed_in(replay), "the other worker accepted a used recovery code"


PUBLIC = {"static", "jobs.static", "health.livez", "health.healthz", "api.openapi", "users.login", "users.second_factor",
          "users.second_factor_setup", "users.set_password"}


def _fill(rule: str, args: dict) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(args.get(m.group(1), "1")), rule)


def test_a_half_signed_in_session_opens_no_page_and_no_api_route(workers) -> None:  # noqa: ANN001
    """Password given, second step pending: every route that needs a user treats the session as a stranger,
    in either worker."""
    first, second = workers
    user = new_user(first, "officer", "analyst", "manager", "sysadmin", mfa=True)
    with first.test_request_context():
        from app.users.models import User

        report = factories.report(db.session.get(User, user["id"]), submit=False)
        args = {"report_id": report.id, "reference": report.reference, "user_id": user["id"], "code": "X",
                "conference_id": 1, "organisation_id": 1, "token_id": 1, "job_id": "x"}
        narrative = report.narrative  # (the reference is in the redirect's next=, as typed)
        db.session.commit()
    client = browser(first)
    assert password_step(client, user).headers["Location"] == "/login/second-factor"
    token = csrf(client, "/login/second-factor")
    checked = 0
    for app in (first, second):
        client.application = app  # the same cookie, presented to the other worker
        for rule in app.url_map.iter_rules():
            if rule.endpoint in PUBLIC:
                continue
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                response = client.open(_fill(rule.rule, args), method=method, data={"csrf_token": token},
                                       headers={"X-CSRFToken": token})
                checked += 1
                if rule.rule.startswith("/api/"):
                    assert response.status_code == 401, (method, rule.rule, response.status_code)
                else:
                    assert response.status_code in (302, 400), (method, rule.rule, response.status_code)
                    if response.status_code == 302:
                        assert response.headers["Location"].startswith("/login"), (method, rule.rule)
                    assert narrative not in response.get_data(as_text=True)
    assert checked > 100


# --- tokens -------------------------------------------------------------------------------------------------

def _token(app: Flask, user: dict, scope: str = "write") -> tuple[int, str]:
    from app.users import services
    from app.users.models import User

    with app.app_context():
        row, clear = services.create_token(db.session.get(User, user["id"]), "auth", scope)
        db.session.commit()
        return row.id, clear


def test_a_revoked_token_fails_at_once_in_the_other_worker(workers) -> None:  # noqa: ANN001
    first, second = workers
    user = new_user(first)
    token_id, clear = _token(first, user)
    bearer = {"Authorization": f"Bearer {clear}"}
    assert browser(second).get("/api/v1/me", headers=bearer).status_code == 200
    client = browser(first)
    password_step(client, user)
    assert client.post(f"/account/tokens/{token_id}/revoke",
                       data={"csrf_token": csrf(client, "/account/tokens")}).status_code == 302
    response = browser(second).get("/api/v1/seizures", headers=bearer)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_fails_at_once_in_every_worker(workers) -> None:  # noqa: ANN001
    from app.users.models import ApiToken

    first, second = workers
    user = new_user(first)
    token_id, clear = _token(first, user)
    bearer = {"Authorization": f"Bearer {clear}"}
    assert browser(second).get("/api/v1/me", headers=bearer).status_code == 200
    with first.app_context():
        db.session.get(ApiToken, token_id).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    for app in (first, second):
        assert browser(app).get("/api/v1/seizures", headers=bearer).status_code == 401


def test_a_read_only_token_is_refused_on_every_api_write(workers) -> None:  # noqa: ANN001
    first, second = workers
    user = new_user(first, "officer", "analyst")
    with first.test_request_context():
        from app.users.models import User

        report = factories.report(db.session.get(User, user["id"]), submit=False)
        args = {"report_id": report.id, "code": "X", "conference_id": 1}
        db.session.commit()
    _id, clear = _token(first, user, scope="read")
    rules = unsafe_rules(first, api=True)
    assert len(rules) >= 10
    with first.app_context():
        before = snapshot()
    for _endpoint, method, rule in rules:
        response = browser(second).open(_fill(rule, args), method=method, json=factories.report_payload(),
                                         headers={"Authorization": f"Bearer {clear}"})
        assert response.status_code == 403, (method, rule, response.status_code)
        assert "read-only" in response.get_json()["error"]["message"]
    with first.app_context():
        assert snapshot() == before


# --- sessions ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ending", ["logout", "password change"])
def test_an_ended_session_is_refused_by_every_worker(workers, ending: str) -> None:  # noqa: ANN001
    first, second = workers
    user = new_user(first)
    client = browser(first)
    password_step(client, user)
    cookie = client.get_cookie(first.config.get("SESSION_COOKIE_NAME", "session")).value
    other = browser(second)
    other.set_cookie(first.config.get("SESSION_COOKIE_NAME", "session"), cookie)
    assert signed_in(other)  # one session, valid in both workers
    if ending == "logout":
        assert client.post("/logout", data={"csrf_token": csrf(client, "/account")}).status_code == 302
    else:
        response = client.post("/account/password", data={
            "current_password": factories.PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
            "csrf_token": csrf(client, "/account/password")})
        assert response.status_code in (200, 302)
    for app in (first, second):
        replay = browser(app)
        replay.set_cookie(first.config.get("SESSION_COOKIE_NAME", "session"), cookie)
        assert not signed_in(replay), f"the old cookie still opens pages in a worker after {ending}"
        assert replay.get("/api/v1/me").status_code == 401
    if ending == "password change":
        assert signed_in(client)  # the browser that changed it carries on, in a new session
