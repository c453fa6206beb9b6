"""Security headers on pages, the API, static files and errors; cookie flags; HSTS in production;
and the templates the Content-Security-Policy relies on: no inline script, event handler or style."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import create_app
from app.security import CONTENT_SECURITY_POLICY
from tests import factories
from tests import conftest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted(p for p in (ROOT / "app").rglob("*.html"))


def _signed_in(client, user):  # noqa: ANN001
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def _assert_headers(response) -> None:  # noqa: ANN001
    csp = response.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/login", "/", "/search", "/account", "/account/tokens", "/reports/new",
                                  "/no-such-page", "/static/elix.css", "/healthz"])
def test_pages_carry_the_headers(client, world, path):
    _signed_in(client, world["jm_officer"])
    with client.get(path) as response:
        _assert_headers(response)


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/me", "/api/v1/seizures", "/api/v1/nothing"])
def test_the_api_carries_the_headers(api, world, path):
    _assert_headers(api.as_(world["jm_analyst"]).get(path))
    _assert_headers(api.get(path))  # the 401 too


def test_account_pages_are_not_cached(client, world):
    assert client.get("/login").headers["Cache-Control"] == "no-store"
    _signed_in(client, world["jm_officer"])
    assert client.get("/account/tokens").headers["Cache-Control"] == "no-store"


def test_the_session_cookie_is_httponly_and_samesite(client, world):
    client.get("/login")
    response = client.post("/login", data={"email": world["jm_officer"].email, "password": factories.PASSWORD,
                                           "csrf_token": re.search(r'value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # the 12-hour limit


def test_production_sends_hsts_and_secure_host_cookies(app):
    class Production(conftest.TestConfig):
        SESSION_COOKIE_SECURE = True
        HSTS = True

    prod = create_app(Production(app.config["SQLALCHEMY_DATABASE_URI"]))
    client = prod.test_client()
    response = client.get("/login", base_url="https://elix.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-elix_session=") and "Secure" in cookie and "HttpOnly" in cookie
    assert "Domain=" not in cookie and "Path=/" in cookie


def test_development_sends_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_inline_script_handler_or_style(template):
    text = template.read_text()
    for match in re.finditer(r"<script\b([^>]*)>", text):
        assert "src=" in match.group(1), f"inline <script> in {template}"
    assert not re.search(r"\son[a-z]+\s*=", text), f"inline event handler in {template}"
    assert not re.search(r"\sstyle\s*=", text), f"style attribute in {template}"
    assert "<style" not in text, f"inline <style> in {template}"
    assert "javascript:" not in text.lower()


def test_the_qr_code_needs_no_inline_style(app):
    from app.users.mfa import qr_svg

    with app.app_context():
        svg = str(qr_svg("otpauth://totp/ELIX:x%40y.example?secret=JBSWY3DPEHPK3PXP&issuer=ELIX"))
    assert svg.startswith("<svg") and "style" not in svg and "<script" not in svg


def test_behind_a_proxy_the_forwarded_address_is_the_clients(app):
    from sqlalchemy import select

    from app.extensions import db
    from app.users.models import RateLimitCounter

    class BehindProxy(conftest.TestConfig):
        PROXY_HOPS = 1

    proxied = create_app(BehindProxy(app.config["SQLALCHEMY_DATABASE_URI"]))
    client = proxied.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"csrf_token": token}, headers={"X-Forwarded-For": "198.51.100.23, 203.0.113.5"})
    keys = set(db.session.scalars(select(RateLimitCounter.key)))
    assert "login:203.0.113.5" in keys  # the hop the proxy saw, not what the client claims first
    assert "login:198.51.100.23" not in keys

    direct = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', direct.get("/login").get_data(as_text=True)).group(1)
    direct.post("/login", data={"csrf_token": token}, headers={"X-Forwarded-For": "192.0.2.99"})
    assert "login:192.0.2.99" not in set(db.session.scalars(select(RateLimitCounter.key)))  # no proxy: ignored
