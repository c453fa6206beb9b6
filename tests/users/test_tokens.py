"""API tokens: named, read-only or read-write, with an expiry; revoked and expired tokens fail at
once; rate limits per token and per address."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.database import utcnow
from app.extensions import db
from app.users import services
from app.users.models import ApiToken
from tests import factories

NEW_TOKEN_RE = re.compile(r'id="new-token">(elix_[^<]+)<')


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_created_on_the_page_is_read_only_by_default_and_expires(browser, world):
    browser.sign_in(world["jm_officer"])
    page = browser.get("/account/tokens").get_data(as_text=True)
    assert '<option selected value="read">' in page
    created = browser.submit("/account/tokens", {"name": "case system sync", "scope": "read", "expires_days": "30"})
    clear = NEW_TOKEN_RE.search(created.get_data(as_text=True)).group(1)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == services.token_hash(clear)))
    assert token.name == "case system sync" and token.scope == "read"
    assert timedelta(days=29, hours=23) < token.expires_at - utcnow() <= timedelta(days=30)
    assert clear not in token.token_hash and "read only" in created.get_data(as_text=True)


def test_a_read_only_token_reads_and_cannot_write(browser, world):
    _token, clear = services.create_token(world["jm_officer"], "reader", "read", 30)
    assert browser.get("/api/v1/me", headers=bearer(clear)).status_code == 200
    assert browser.get("/api/v1/seizures", headers=bearer(clear)).status_code == 200
    refused = browser.post("/api/v1/seizures", json=factories.report_payload(), headers=bearer(clear))
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert "read-only" in refused.get_json()["error"]["message"]

    _token, writer = services.create_token(world["jm_officer"], "writer", "write", 30)
    assert browser.post("/api/v1/seizures", json=factories.report_payload(), headers=bearer(writer)).status_code == 201


def test_a_revoked_token_fails_at_once(browser, world):
    user = world["jm_analyst"]
    token, clear = services.create_token(user, "to revoke")
    assert browser.get("/api/v1/me", headers=bearer(clear)).status_code == 200
    browser.sign_in(user)
    browser.submit(f"/account/tokens/{token.id}/revoke", page="/account/tokens")
    refused = browser.get("/api/v1/me", headers=bearer(clear))
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert "revoked" in browser.get("/account/tokens").get_data(as_text=True)


def test_an_expired_token_fails(browser, world):
    token, clear = services.create_token(world["ky_analyst"], "short", "read", 1)
    assert browser.get("/api/v1/me", headers=bearer(clear)).status_code == 200
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert browser.get("/api/v1/me", headers=bearer(clear)).status_code == 401


def test_a_deactivated_users_tokens_fail(browser, world):
    user = world["ky_analyst"]
    _token, clear = services.create_token(user, "mine")
    user.active = False
    db.session.flush()
    assert browser.get("/api/v1/me", headers=bearer(clear)).status_code == 401


def test_another_users_token_cannot_be_revoked(browser, world):
    token, _clear = services.create_token(world["ky_analyst"], "theirs")
    browser.sign_in(world["jm_analyst"])
    assert browser.submit(f"/account/tokens/{token.id}/revoke", page="/account/tokens").status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


def test_tokens_create_command(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tokens", "create", world["jm_officer"].email, "--scope", "read",
                                 "--expires-days", "7", "--name", "nightly export"])
    assert result.exit_code == 0, result.output
    clear = result.output.strip().splitlines()[-1]
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == services.token_hash(clear)))
    assert (token.scope, token.name) == ("read", "nightly export")
    assert timedelta(days=6, hours=23) < token.expires_at - utcnow() <= timedelta(days=7)
    assert runner.invoke(args=["tokens", "create", world["jm_officer"].email, "--expires-days", "400"]).exit_code != 0
    assert runner.invoke(args=["tokens", "create", world["jm_officer"].email, "--scope", "admin"]).exit_code != 0
    assert runner.invoke(args=["tokens", "create", "nobody@nowhere.example"]).exit_code != 0


def test_the_api_is_limited_per_token(app, browser, world, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_API_TOKEN", "3/minute")
    _token, first = services.create_token(world["jm_analyst"], "busy")
    _token, second = services.create_token(world["jm_analyst"], "calm")
    assert [browser.get("/api/v1/me", headers=bearer(first)).status_code for _ in range(3)] == [200] * 3
    limited = browser.get("/api/v1/me", headers=bearer(first))
    assert limited.status_code == 429 and limited.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert browser.get("/api/v1/me", headers=bearer(second)).status_code == 200


def test_the_api_is_limited_per_address(app, browser, other_browser, world, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_API_ADDRESS", "4/minute")
    tokens = [services.create_token(world["jm_analyst"], f"t{i}")[1] for i in range(5)]
    statuses = [browser.get("/api/v1/me", headers=bearer(t)).status_code for t in tokens]
    assert statuses == [200, 200, 200, 200, 429]
    assert browser.get("/api/v1/openapi.json").status_code == 429  # unauthenticated requests count too
    other_browser.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    assert other_browser.get("/api/v1/me", headers=bearer(tokens[4])).status_code == 200
