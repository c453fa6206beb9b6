"""Sessions the server ends: logout, password change, a manager's "sign out everywhere",
deactivation, the idle timeout and the absolute limit. In each case the old cookie stops working."""
from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select, update

from app.database import utcnow
from app.extensions import db
from app.users.models import UserSession
from tests import factories

NEW_PASSWORD = "a new and longer passphrase"


def replay(browser, cookie: str) -> bool:  # noqa: ANN001
    """Put a saved session cookie back; True when it still opens a page."""
    browser.set_cookie(browser.application.config.get("SESSION_COOKIE_NAME", "session"), cookie)
    return browser.is_signed_in()


def test_logout_ends_the_session_for_the_old_cookie_too(browser, world):
    browser.sign_in(world["jm_officer"])
    cookie = browser.session_cookie()
    assert replay(browser, cookie)
    browser.submit("/logout", page="/account")
    assert not browser.is_signed_in()
    assert not replay(browser, cookie)


def test_logout_ends_only_this_browser(browser, other_browser, world):
    browser.sign_in(world["jm_officer"])
    other_browser.sign_in(world["jm_officer"])
    browser.submit("/logout", page="/account")
    assert other_browser.is_signed_in()


def test_a_password_change_ends_every_other_session(browser, other_browser, world):
    user = world["jm_analyst"]
    browser.sign_in(user)
    other_browser.sign_in(user)
    old_cookie = browser.session_cookie()

    changed = browser.submit("/account/password", {"current_password": factories.PASSWORD,
                                                   "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert changed.status_code == 302
    assert browser.is_signed_in()  # this browser goes on with a new session
    assert not other_browser.is_signed_in()
    assert browser.session_cookie() != old_cookie
    assert not replay(other_browser, old_cookie)
    db.session.refresh(user)
    assert user.password_changed_at is not None

    other_browser.sign_in(user, NEW_PASSWORD)
    assert other_browser.is_signed_in()


def test_a_manager_signs_a_user_out_everywhere(browser, other_browser, world):
    user = world["jm_officer2"]
    browser.sign_in(user)
    other_browser.sign_in(world["jm_manager"])
    response = other_browser.submit(f"/admin/users/{user.id}/sign-out", page=f"/admin/users/{user.id}")
    assert response.status_code == 302
    assert "1 sessions ended" in other_browser.get(response.headers["Location"]).get_data(as_text=True)
    assert not browser.is_signed_in()
    assert other_browser.is_signed_in()


def test_deactivation_ends_the_sessions_at_once(browser, other_browser, world):
    user = world["jm_officer2"]
    browser.sign_in(user)
    other_browser.sign_in(world["jm_manager"])
    other_browser.submit(f"/admin/users/{user.id}/deactivate", page=f"/admin/users/{user.id}")
    assert not browser.is_signed_in()
    assert browser.sign_in(user).status_code == 200  # refused


def test_idle_for_thirty_minutes_ends_the_session(browser, world):
    browser.sign_in(world["ky_officer"])
    with browser.session_transaction() as session:
        session["seen"] = int(time.time()) - 29 * 60
    assert browser.is_signed_in()  # 29 minutes: still there, and the clock restarts
    with browser.session_transaction() as session:
        assert time.time() - session["seen"] < 5
        session["seen"] = int(time.time()) - 30 * 60 - 5
    assert not browser.is_signed_in()
    assert browser.get("/").headers["Location"].startswith("/login")


def test_the_page_s_keep_alive_moves_the_idle_clock_and_needs_csrf_and_a_session(browser, world):
    browser.sign_in(world["ky_officer"])
    token = browser.csrf("/account")
    with browser.session_transaction() as session:
        session["seen"] = int(time.time()) - 29 * 60
    assert browser.post("/session/alive").status_code == 400  # no CSRF token
    assert browser.post("/session/alive", headers={"X-CSRFToken": token}).status_code == 204
    with browser.session_transaction() as session:
        assert time.time() - session["seen"] < 5  # 29 minutes idle became none
        session["seen"] = int(time.time()) - 30 * 60 - 5
    assert browser.post("/session/alive", headers={"X-CSRFToken": token}).status_code == 302  # too late: sign in
    assert not browser.is_signed_in()


def test_twelve_hours_end_the_session_however_active(browser, world):
    user = world["ky_analyst"]
    browser.sign_in(user)
    db.session.execute(update(UserSession).where(UserSession.user_id == user.id)
                       .values(created_at=utcnow() - timedelta(hours=11, minutes=59)))
    assert browser.is_signed_in()
    db.session.execute(update(UserSession).where(UserSession.user_id == user.id)
                       .values(created_at=utcnow() - timedelta(hours=12, minutes=1)))
    assert not browser.is_signed_in()


def test_the_session_cookie_cannot_be_forged_or_pointed_at_another_user(browser, other_browser, world):
    browser.sign_in(world["jm_officer"])
    with browser.session_transaction() as session:
        session["_user_id"] = str(world["jm_manager"].id)  # another user's id with this session
    assert not browser.is_signed_in()
    with other_browser.session_transaction() as session:  # a cookie the server never issued
        session.update({"_user_id": str(world["jm_officer"].id), "sid": "made-up", "seen": int(time.time())})
    assert not other_browser.is_signed_in()


def test_the_session_cookie_is_renewed_at_sign_in(browser, world):
    before = browser.get("/login") and browser.session_cookie()
    browser.sign_in(world["jm_officer"])
    assert browser.session_cookie() != before
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == world["jm_officer"].id)).all()
    assert len(rows) == 1 and len(rows[0].id) == 64  # only a hash of the cookie's id is stored
