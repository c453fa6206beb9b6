"""Security headers, cookie settings and the client's address; installed by create_app().

The Content-Security-Policy allows scripts and styles from the app's own origin only: templates load
scripts from files (no inline <script>, no on* attributes) and carry no style attributes. Images may
be data: URIs (Bootstrap's form icons). Pages may not be framed.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Flask, Response, abort, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        # Behind a reverse proxy: trust exactly `hops` X-Forwarded-* entries, no more.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config.get("SESSION_MAX_HOURS", 12))
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config["REMEMBER_COOKIE_SAMESITE"] = app.config["SESSION_COOKIE_SAMESITE"]
    app.config["REMEMBER_COOKIE_SECURE"] = bool(app.config.get("SESSION_COOKIE_SECURE"))
    if app.config.get("SESSION_COOKIE_SECURE"):
        # A __Host- cookie is only accepted over HTTPS, for this host, for every path.
        app.config["SESSION_COOKIE_NAME"] = "__Host-elix_session"
    app.after_request(add_security_headers)
    app.before_request(refuse_nul_in_path)
    app.before_request(refuse_nul_in_page_input)


def refuse_nul_in_page_input() -> None:
    """PostgreSQL stores no NUL character, and no person types one: a page's form field or query parameter
    with one is a 400 that names it (a report form's narrative with one was a 500 there). The API
    answers 422 with its own field paths (app.api.json_body, app.api.refuse_nul_in_query)."""
    if request.path.startswith("/api/"):
        return
    bad = sorted({key.replace("\x00", "\\0") for source in (request.args, request.form)
                  for key, value in source.items(multi=True) if "\x00" in key or "\x00" in value})
    if bad:
        abort(400, description=f"{', '.join(bad)}: a NUL character (\\0) cannot be stored. Remove it and send "
                               "the form again.")


def refuse_nul_in_path() -> None:
    """PostgreSQL refuses NUL characters in text, so a path with one names nothing: GET /operations/X%00 and
    /reports/by-reference/JM%00 (pages) and /api/v1/operations/X%00 were 500s there."""
    if "\x00" in request.path:
        abort(404)


def add_security_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("HSTS"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.path.startswith(("/login", "/account", "/admin", "/set-password")):
        response.headers["Cache-Control"] = "no-store"
    return response


def client_address() -> str:
    """The address the request came from (the proxy's X-Forwarded-For when PROXY_HOPS says so)."""
    return (request.remote_addr or "unknown")[:64]
