"""Signing in: the password step, lockout after five failures, the per-address rate limit,
deactivated and inactive accounts, the next= target."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.database import utcnow
from app.extensions import db
from app.users.models import User, UserSession
from app.users.routes import REFUSED
from tests import factories


def _refused(response) -> bool:  # noqa: ANN001
    page = response.get_data(as_text=True)
    return response.status_code == 200 and "locked or deactivated" in page and "Sign in to ELIX" in page


def test_sign_in_opens_a_session_and_sign_out_ends_it(browser, world):
    user = world["jm_officer"]
    assert browser.get("/account").status_code == 302  # not signed in yet
    response = browser.sign_in(user)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert browser.is_signed_in()
    db.session.refresh(user)
    assert user.last_login_at is not None and user.failed_logins == 0
    assert db.session.scalar(select(func.count()).select_from(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None))) == 1

    assert browser.submit("/logout", page="/account").status_code == 302
    assert not browser.is_signed_in()
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert row.ended_at is not None and row.ended_reason == "logout"


def test_every_refusal_reads_the_same(browser, world, app):
    officer = world["jm_officer2"]
    unknown = browser.post("/login", data={"email": "nobody@jm.example", "password": factories.PASSWORD,
                                           "csrf_token": browser.csrf()})
    wrong = browser.sign_in(officer, password="not the password at all")
    officer.active = False
    db.session.flush()
    deactivated = browser.sign_in(officer)
    for response in (unknown, wrong, deactivated):
        assert _refused(response)
        assert REFUSED.split(".")[0] in response.get_data(as_text=True)
    assert not browser.is_signed_in()


def test_five_failures_lock_the_account_for_ten_minutes_then_it_opens_again(browser, world):
    user = world["jm_analyst"]
    for attempt in range(1, 5):
        assert _refused(browser.sign_in(user, password=f"wrong password {attempt}"))
        db.session.refresh(user)
        assert user.failed_logins == attempt and user.locked_until is None
    before = utcnow()
    assert _refused(browser.sign_in(user, password="wrong password 5"))
    db.session.refresh(user)
    assert user.locked_until is not None
    assert timedelta(minutes=9, seconds=55) <= user.locked_until - before <= timedelta(minutes=10, seconds=5)

    # Locked: the right password is refused too, and the attempt does not extend the lock.
    locked_until = user.locked_until
    assert _refused(browser.sign_in(user))
    db.session.refresh(user)
    assert user.locked_until == locked_until and not browser.is_signed_in()

    # Ten minutes later (the stored time moved back rather than waiting): the password works.
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert browser.sign_in(user).status_code == 302
    db.session.refresh(user)
    assert browser.is_signed_in() and user.failed_logins == 0 and user.locked_until is None


def test_failures_after_an_expired_lock_count_from_zero(browser, world):
    user = world["jm_analyst"]
    user.locked_until, user.failed_logins = utcnow() - timedelta(minutes=1), 0
    db.session.flush()
    assert _refused(browser.sign_in(user, password="wrong again, once"))
    db.session.refresh(user)
    assert user.failed_logins == 1 and user.locked_until is None


def test_a_success_resets_the_failure_count(browser, world):
    user = world["ky_officer"]
    for attempt in range(4):
        browser.sign_in(user, password=f"wrong password {attempt}")
    assert browser.sign_in(user).status_code == 302
    db.session.refresh(user)
    assert user.failed_logins == 0 and user.locked_until is None


def test_sign_in_attempts_are_limited_per_address(app, browser, other_browser, world, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_LOGIN", "3/minute")
    user = world["ky_analyst"]
    for _ in range(3):
        assert browser.sign_in(user, password="wrong password here").status_code == 200
    refused = browser.sign_in(user)  # even the right password
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert not browser.is_signed_in()

    other_browser.environ_base["REMOTE_ADDR"] = "192.0.2.7"  # another address has its own count
    assert other_browser.sign_in(user).status_code == 302


def test_a_user_inactive_for_90_days_is_deactivated_at_sign_in(browser, world):
    user = world["jm_officer"]
    user.last_login_at = utcnow() - timedelta(days=91)
    db.session.flush()
    assert _refused(browser.sign_in(user))
    db.session.refresh(user)
    assert not user.active and user.deactivated_at is not None


def test_deactivate_inactive_command(app, world):
    stale, fresh, never = world["jm_officer"], world["jm_officer2"], world["ky_officer"]
    stale.last_login_at = utcnow() - timedelta(days=95)
    fresh.last_login_at = utcnow() - timedelta(days=89)
    never.created_at = utcnow() - timedelta(days=120)  # never signed in since its creation
    db.session.flush()
    result = app.test_cli_runner().invoke(args=["users", "deactivate-inactive"])
    assert result.exit_code == 0, result.output
    assert f"deactivated {stale.email}" in result.output and f"deactivated {never.email}" in result.output
    assert fresh.email not in result.output
    db.session.expire_all()
    assert [u.active for u in (stale, fresh, never)] == [False, True, False]


def test_next_goes_only_to_a_page_of_this_site(browser, world):
    user = world["jm_officer"]
    for target, expected in (("/search?q=x", "/search?q=x"), ("//evil.example/", "/"),
                             ("https://evil.example/", "/"), ("/\\evil.example", "/")):
        response = browser.post(f"/login?next={target}", data={"email": user.email, "password": factories.PASSWORD,
                                                                "csrf_token": browser.csrf()})
        assert response.headers["Location"] == expected
        browser.submit("/logout", page="/account")


def test_the_login_form_needs_its_csrf_token(browser, world):
    response = browser.post("/login", data={"email": world["jm_officer"].email, "password": factories.PASSWORD})
    assert response.status_code == 400 and "Form expired" in response.get_data(as_text=True)
    assert not browser.is_signed_in()


def test_passwords_are_stored_as_argon2id_hashes(world):
    user = db.session.scalar(select(User).where(User.id == world["jm_officer"].id))
    assert user.password_hash.startswith("$argon2id$") and factories.PASSWORD not in user.password_hash
