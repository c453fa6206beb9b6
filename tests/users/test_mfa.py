"""The second factor: enrolment with the app's own QR code, the second sign-in step, attempts to get
past it, recovery codes, the ELIX_REQUIRE_MFA setting and a manager's reset."""
from __future__ import annotations

import re
import time

from sqlalchemy import select

from app.extensions import db
from app.users.models import RecoveryCode, UserSession
from tests.users.conftest import totp_code

SECRET_RE = re.compile(r'id="mfa-secret">([A-Z2-7]+)<')
CODE_RE = re.compile(r"<code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code>")


def enrol(browser, user) -> tuple[str, list[str]]:  # noqa: ANN001
    """Sign in, set up the second factor from the account page; returns (secret, recovery codes)."""
    assert browser.sign_in(user).status_code == 302
    page = browser.get("/account/second-factor").get_data(as_text=True)
    secret = SECRET_RE.search(page).group(1)
    done = browser.submit("/account/second-factor", {"code": totp_code(secret)})
    assert done.status_code == 200, done.get_data(as_text=True)[:300]
    codes = CODE_RE.findall(done.get_data(as_text=True))
    browser.submit("/logout", page="/account")
    return secret, codes


def test_enrolment_shows_a_qr_code_drawn_by_the_app_and_ten_recovery_codes(browser, world):
    user = world["jm_officer"]
    browser.sign_in(user)
    page = browser.get("/account/second-factor").get_data(as_text=True)
    assert '<svg' in page and 'class="segno"' in page and "<img" not in page  # inline SVG, no image service
    secret = SECRET_RE.search(page).group(1)
    assert len(secret) >= 32
    # Reloading keeps the secret the phone may already have scanned.
    assert SECRET_RE.search(browser.get("/account/second-factor").get_data(as_text=True)).group(1) == secret

    wrong = browser.submit("/account/second-factor", {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert "Wrong code" in wrong.get_data(as_text=True)
    db.session.refresh(user)
    assert not user.mfa_enabled

    done = browser.submit("/account/second-factor", {"code": totp_code(secret)})
    codes = CODE_RE.findall(done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.refresh(user)
    assert user.mfa_enabled and user.totp_secret == secret
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # only hashes are kept
    assert "on (10 recovery codes left)" in browser.get("/account").get_data(as_text=True)


def test_sign_in_asks_for_the_code_and_nothing_is_open_before_it(browser, world):
    user = world["jm_analyst"]
    secret, _codes = enrol(browser, user)

    first = browser.sign_in(user)
    assert first.status_code == 302 and first.headers["Location"] == "/login/second-factor"
    # Bypass attempts: every page and the API behave as for a stranger until the second step passes.
    for path in ("/", "/account", "/account/tokens", "/search", "/admin/users"):
        response = browser.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path
    assert browser.get("/api/v1/me").status_code == 401
    assert db.session.scalar(select(UserSession).where(UserSession.user_id == user.id,
                                                       UserSession.ended_at.is_(None))) is None

    done = browser.submit("/login/second-factor", {"code": totp_code(secret, 1)})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert browser.is_signed_in()


def test_a_code_works_once_and_wrong_codes_count_towards_the_lock(browser, world):
    user = world["ky_analyst"]
    secret, _codes = enrol(browser, user)
    used = totp_code(secret)  # used by the enrolment

    browser.sign_in(user)
    replay = browser.submit("/login/second-factor", {"code": used})
    assert "Wrong or already used code" in replay.get_data(as_text=True) and not browser.is_signed_in()
    db.session.refresh(user)
    assert user.failed_logins == 1

    for _ in range(4):
        response = browser.submit("/login/second-factor", {"code": "12345x"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    db.session.refresh(user)
    assert user.locked_until is not None
    # The pending step is gone: even the right code now leads back to the password.
    again = browser.submit("/login/second-factor", {"code": totp_code(secret, 1)}, page="/login")
    assert again.status_code == 302 and again.headers["Location"] == "/login" and not browser.is_signed_in()


def test_a_recovery_code_signs_in_once(browser, other_browser, world):
    user = world["jm_officer2"]
    _secret, codes = enrol(browser, user)

    browser.sign_in(user)
    done = browser.submit("/login/second-factor", {"code": codes[3].upper().replace("-", " ")})
    assert done.status_code == 302
    assert "9 remain" in browser.get("/").get_data(as_text=True) and browser.is_signed_in()

    other_browser.sign_in(user)
    reused = other_browser.submit("/login/second-factor", {"code": codes[3]})
    assert "Wrong or already used code" in reused.get_data(as_text=True) and not other_browser.is_signed_in()
    assert other_browser.submit("/login/second-factor", {"code": codes[4]}).status_code == 302


def test_the_second_step_waits_five_minutes(browser, world):
    user = world["jm_manager"]
    secret, _codes = enrol(browser, user)
    browser.sign_in(user)
    with browser.session_transaction() as session:
        session["sign_in_pending"] = {**session["sign_in_pending"], "at": int(time.time()) - 301}
    late = browser.submit("/login/second-factor", {"code": totp_code(secret, 1)}, page="/login")
    assert late.status_code == 302 and late.headers["Location"] == "/login" and not browser.is_signed_in()


def test_going_to_the_second_step_without_the_password_leads_to_the_password(browser, world):
    response = browser.get("/login/second-factor")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert browser.get("/login/second-factor/setup").headers["Location"] == "/login"


def test_required_mfa_makes_a_user_without_one_set_it_up_at_sign_in(app, browser, world, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_MFA", True)
    user = world["ky_officer"]
    first = browser.sign_in(user)
    assert first.headers["Location"] == "/login/second-factor"
    assert browser.get("/login/second-factor").headers["Location"] == "/login/second-factor/setup"
    page = browser.get("/login/second-factor/setup").get_data(as_text=True)
    assert "<svg" in page and not browser.is_signed_in()
    secret = SECRET_RE.search(page).group(1)

    done = browser.submit("/login/second-factor/setup", {"code": totp_code(secret)})
    assert len(CODE_RE.findall(done.get_data(as_text=True))) == 10
    assert browser.is_signed_in()
    db.session.refresh(user)
    assert user.mfa_enabled

    # Where it is required, the user cannot switch it off.
    refused = browser.submit("/account/second-factor/remove", {"code": totp_code(secret, 1)}, page="/account/second-factor")
    assert refused.status_code == 302
    db.session.refresh(user)
    assert user.mfa_enabled


def test_without_the_requirement_a_user_signs_in_with_the_password_alone(app, browser, world):
    assert app.config["REQUIRE_MFA"] is False  # development and demo default
    assert browser.sign_in(world["jio_analyst"]).headers["Location"] == "/"


def test_new_recovery_codes_replace_the_old_ones_after_a_code(browser, world):
    user = world["jio_analyst"]
    secret, old = enrol(browser, user)
    browser.sign_in(user)
    browser.submit("/login/second-factor", {"code": totp_code(secret, 1)}, page="/login")
    fresh = browser.submit("/account/second-factor/recovery-codes", {"code": old[0]}, page="/account/second-factor")
    new = CODE_RE.findall(fresh.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    browser.submit("/logout", page="/account")
    browser.sign_in(user)
    assert "Wrong or already used" in browser.submit("/login/second-factor", {"code": old[5]}).get_data(as_text=True)
    assert browser.submit("/login/second-factor", {"code": new[5]}).status_code == 302


def test_a_manager_resets_the_second_factor_of_their_own_users_only(browser, other_browser, world):
    user, manager = world["jm_officer"], world["jm_manager"]
    secret, _codes = enrol(browser, user)
    browser.sign_in(user)
    browser.submit("/login/second-factor", {"code": totp_code(secret, 1)}, page="/login")
    assert browser.is_signed_in()

    other_browser.sign_in(manager)
    reset = other_browser.submit(f"/admin/users/{user.id}/reset-second-factor", page=f"/admin/users/{user.id}")
    assert reset.status_code == 302
    db.session.refresh(user)
    assert not user.mfa_enabled and user.totp_secret is None
    assert db.session.scalar(select(RecoveryCode).where(RecoveryCode.user_id == user.id)) is None
    assert not browser.is_signed_in()  # the reset ends the user's sessions

    ky_user = world["ky_officer"]
    elsewhere = other_browser.submit(f"/admin/users/{ky_user.id}/reset-second-factor", page="/admin/users")
    assert elsewhere.status_code == 404
