"""The password policy (12 characters, not a common password, no forced rotation), the change
page, and one-time set-password links."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.database import utcnow
from app.demo.network import DEMO_PASSWORD
from app.errors import ValidationFailed
from app.extensions import db
from app.users import services
from app.users.models import PasswordLink
from app.users.passwords import common_passwords, password_problems
from tests import factories


@pytest.mark.parametrize("password", [
    "short pass",                  # 10 characters
    "qwertyuiopasdfgh"[:11],       # 11 characters
    "1q2w3e4r5t6y",                # on the list as it is
    "PASSWORD1234567",             # a listed word with trailing digits
    "sunshine!!!!2026",            # ... or trailing symbols and digits
    "qwertyqwertyqwerty",          # a listed word repeated
    "aaaaaaaaaaaaaaaa",            # one character
])
def test_weak_passwords_are_refused(app, password):
    with app.app_context():
        assert password_problems(password)


@pytest.mark.parametrize("password", [
    factories.PASSWORD, DEMO_PASSWORD, "Tobacco-seizures at Kingston!", "rum punch and dominoes",
])
def test_good_passwords_pass(app, password):
    with app.app_context():
        assert password_problems(password) == []


def test_the_bundled_list_is_large_and_lower_case(app):
    words = common_passwords()
    assert len(words) > 19000 and "password" in words and "qwerty123456" in words
    assert all(w == w.lower() for w in list(words)[:2000])


def test_the_e_mail_name_is_not_a_password(app):
    with app.app_context():
        assert password_problems("winston.jones 2026", email="winston.jones@jm.example")


def test_creating_a_user_applies_the_policy(app, world):
    with pytest.raises(ValidationFailed) as refused:
        services.create_user("new.officer@jm.example", "JM", ["officer"], "password1234")
    assert "password" in refused.value.fields


def test_change_password_page(browser, world):
    user = world["jm_officer"]
    browser.sign_in(user)
    page = browser.get("/account/password").get_data(as_text=True)
    assert "never expire" in page

    wrong = browser.submit("/account/password", {"current_password": "not my password at all", "new_password":
                                                 "a fine new passphrase", "confirm": "a fine new passphrase"})
    assert "wrong password" in wrong.get_data(as_text=True)
    common = browser.submit("/account/password", {"current_password": factories.PASSWORD,
                                                  "new_password": "qwerty123456", "confirm": "qwerty123456"})
    assert "commonly used" in common.get_data(as_text=True)
    differ = browser.submit("/account/password", {"current_password": factories.PASSWORD,
                                                  "new_password": "a fine new passphrase", "confirm": "another one"})
    assert "the two passwords differ" in differ.get_data(as_text=True)
    db.session.refresh(user)
    assert user.password_changed_at is None and services.verify_password(user, factories.PASSWORD)

    done = browser.submit("/account/password", {"current_password": factories.PASSWORD,
                                                "new_password": "a fine new passphrase", "confirm": "a fine new passphrase"})
    assert done.status_code == 302
    db.session.refresh(user)
    assert services.verify_password(user, "a fine new passphrase")


def test_a_set_password_link_works_once(browser, other_browser, world):
    user = world["jm_officer2"]
    token = services.create_password_link(user, world["jm_manager"])
    page = browser.get(f"/set-password/{token}")
    assert page.status_code == 200 and user.email in page.get_data(as_text=True)
    weak = browser.submit(f"/set-password/{token}", {"new_password": "letmein12345", "confirm": "letmein12345"})
    assert "commonly used" in weak.get_data(as_text=True)

    done = browser.submit(f"/set-password/{token}", {"new_password": "my own new passphrase",
                                                     "confirm": "my own new passphrase"})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert browser.sign_in(user, "my own new passphrase").status_code == 302
    assert other_browser.get(f"/set-password/{token}").status_code == 404  # used


def test_an_expired_or_replaced_link_is_refused(browser, world):
    user = world["jm_officer2"]
    first = services.create_password_link(user, None)
    second = services.create_password_link(user, None)
    assert browser.get(f"/set-password/{first}").status_code == 404  # the newer link replaced it
    link = db.session.query(PasswordLink).filter_by(used_at=None).one()
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert browser.get(f"/set-password/{second}").status_code == 404
    assert browser.get("/set-password/made-up-token").status_code == 404
