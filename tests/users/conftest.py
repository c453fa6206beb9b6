"""Account tests drive the app through HTTP like a browser: each request in its own application
context (as when served, so nothing is cached in `g` between requests), CSRF tokens read from pages."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories

CSRF_RE = re.compile(r'name="csrf_token"[^>]*\bvalue="([^"]+)"')


class Browser(FlaskClient):
    def open(self, *args, **kwargs):  # noqa: ANN002,ANN003,ANN201
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def csrf(self, path: str = "/login") -> str:
        page = self.get(path).get_data(as_text=True)
        match = CSRF_RE.search(page)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def sign_in(self, user, password: str = factories.PASSWORD, follow: bool = False):  # noqa: ANN001,ANN201
        return self.post("/login", data={"email": user.email, "password": password, "csrf_token": self.csrf()},
                         follow_redirects=follow)

    def submit(self, path: str, data: dict | None = None, page: str | None = None, **kwargs):  # noqa: ANN201
        """POST a form with the CSRF token of `page` (default: `path`)."""
        return self.post(path, data={**(data or {}), "csrf_token": self.csrf(page or path)}, **kwargs)

    def session_cookie(self) -> str | None:
        cookie = self.get_cookie(self.application.config.get("SESSION_COOKIE_NAME", "session"))
        return cookie.value if cookie else None

    def is_signed_in(self) -> bool:
        response = self.get("/account")
        return response.status_code == 200


@pytest.fixture
def browser(app: Flask) -> Browser:
    return Browser(app, app.response_class, use_cookies=True)


@pytest.fixture
def other_browser(app: Flask) -> Browser:
    return Browser(app, app.response_class, use_cookies=True)


def totp_code(secret: str, steps_ahead: int = 0) -> str:
    """The code of the current 30-second step, or of a later one (accepted: one step of drift).
    A code is accepted once, so a test that signs in twice uses the next step's code."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(int(time.time() // totp.interval) + steps_ahead)
