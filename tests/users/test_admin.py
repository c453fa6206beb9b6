"""/admin: a manager manages the users of their own organisation only (another organisation's user
is a 404), sysadmins manage every user and the organisations."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.organisations.models import Organisation
from app.users.models import User

LINK_RE = re.compile(r'id="password-link">https?://[^/]+(/set-password/[^<]+)<')
ACTIONS = ("roles", "deactivate", "reactivate", "reset-second-factor", "sign-out", "password-link")


@pytest.fixture
def manager(browser, world):  # noqa: ANN001
    browser.sign_in(world["jm_manager"])
    return browser


def test_a_manager_lists_the_users_of_their_organisation_only(manager, world):
    page = manager.get("/admin/users").get_data(as_text=True)
    assert world["jm_officer"].email in page and world["jm_analyst"].email in page
    assert world["ky_officer"].email not in page and world["sysadmin"].email not in page
    assert manager.get("/admin/users?org=KY").get_data(as_text=True).count("@ky.example") == 0


def test_another_organisations_user_does_not_exist_for_a_manager(manager, world):
    stranger = world["ky_officer"]
    assert manager.get(f"/admin/users/{stranger.id}").status_code == 404
    for action in ACTIONS:
        response = manager.submit(f"/admin/users/{stranger.id}/{action}", {"roles": ["analyst"]}, page="/admin/users")
        assert response.status_code == 404, action
    db.session.refresh(stranger)
    assert stranger.active and stranger.roles == ["officer"]


def test_users_without_a_management_role_are_refused(browser, world):
    browser.sign_in(world["jm_officer"])
    assert browser.get("/admin/users").status_code == 403
    assert browser.get(f"/admin/users/{world['jm_officer2'].id}").status_code == 403
    assert browser.get("/admin/organisations").status_code == 403
    assert "/admin/users" not in browser.get("/").get_data(as_text=True)


def test_admin_pages_need_a_sign_in(browser, world):
    response = browser.get("/admin/users")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_manager_invites_a_user_who_sets_a_password_and_signs_in(manager, other_browser, world):
    invited = manager.submit("/admin/users/invite", {"email": "New.Officer@jm.example", "name": "New Officer",
                                                     "roles": ["officer", "analyst"]})
    assert invited.status_code == 200, invited.get_data(as_text=True)[:500]
    path = LINK_RE.search(invited.get_data(as_text=True)).group(1)
    user = db.session.scalar(select(User).where(User.email == "new.officer@jm.example"))
    assert user.organisation.code == "JM" and user.roles == ["officer", "analyst"]
    assert other_browser.post("/login", data={"email": user.email, "password": "!",
                                              "csrf_token": other_browser.csrf()}).status_code == 200

    other_browser.submit(path, {"new_password": "my chosen passphrase", "confirm": "my chosen passphrase"})
    assert other_browser.sign_in(user, "my chosen passphrase").status_code == 302


def test_a_manager_cannot_invite_into_another_organisation_or_grant_sysadmin(manager, world):
    elsewhere = manager.submit("/admin/users/invite", {"email": "x@ky.example", "roles": ["officer"],
                                                       "organisation": "KY"}, page="/admin/users/invite")
    user = db.session.scalar(select(User).where(User.email == "x@ky.example"))
    assert elsewhere.status_code == 200 and user.organisation.code == "JM"  # their own organisation, whatever is sent
    sysadmin = manager.submit("/admin/users/invite", {"email": "y@jm.example", "roles": ["sysadmin"]},
                              page="/admin/users/invite")
    assert db.session.scalar(select(User).where(User.email == "y@jm.example")) is None
    assert "not a valid choice" in sysadmin.get_data(as_text=True)
    validator = manager.submit("/admin/users/invite", {"email": "z@jm.example", "roles": ["validator"]},
                               page="/admin/users/invite")
    assert "validators work at a regional office" in validator.get_data(as_text=True)


def test_a_manager_changes_roles_and_deactivates(manager, other_browser, world):
    user = world["jm_officer2"]
    manager.submit(f"/admin/users/{user.id}/roles", {"roles": ["analyst"]}, page=f"/admin/users/{user.id}")
    db.session.refresh(user)
    assert user.roles == ["analyst"]

    manager.submit(f"/admin/users/{user.id}/deactivate", page=f"/admin/users/{user.id}")
    db.session.refresh(user)
    assert not user.active
    assert other_browser.sign_in(user).status_code == 200  # refused

    manager.submit(f"/admin/users/{user.id}/reactivate", page=f"/admin/users/{user.id}")
    db.session.refresh(user)
    assert user.active and other_browser.sign_in(user).status_code == 302


def test_a_manager_keeps_their_own_management_role_and_access(manager, world):
    me = world["jm_manager"]
    manager.submit(f"/admin/users/{me.id}/roles", {"roles": ["officer"]}, page=f"/admin/users/{me.id}")
    manager.submit(f"/admin/users/{me.id}/deactivate", page=f"/admin/users/{me.id}")
    db.session.refresh(me)
    assert me.roles == ["manager"] and me.active


def test_a_new_password_link_from_the_manager(manager, other_browser, world):
    user = world["jm_analyst"]
    page = manager.submit(f"/admin/users/{user.id}/password-link", page=f"/admin/users/{user.id}")
    path = LINK_RE.search(page.get_data(as_text=True)).group(1)
    assert other_browser.get(path).status_code == 200


def test_a_sysadmin_manages_every_user_and_the_organisations(browser, world):
    browser.sign_in(world["sysadmin"])
    page = browser.get("/admin/users").get_data(as_text=True)
    assert world["ky_officer"].email in page and world["partner_analyst"].email in page
    only_ky = browser.get("/admin/users?org=KY").get_data(as_text=True)
    assert world["ky_officer"].email in only_ky and world["jm_officer"].email not in only_ky

    stranger = world["ky_officer"]
    browser.submit(f"/admin/users/{stranger.id}/roles", {"roles": ["officer", "manager"]}, page=f"/admin/users/{stranger.id}")
    db.session.refresh(stranger)
    assert stranger.roles == ["officer", "manager"]

    created = browser.submit("/admin/organisations", {"code": "BB", "name": "Barbados Revenue Authority",
                                                      "kind": "administration"})
    assert created.status_code == 302
    org = db.session.scalar(select(Organisation).where(Organisation.code == "BB"))
    assert org.country == "BB"
    browser.submit(f"/admin/organisations/{org.id}/name", {"name": "Barbados Customs"}, page="/admin/organisations")
    db.session.refresh(org)
    assert org.name == "Barbados Customs"
    for bad in ("", "B" * 201):  # said nothing before: the page came back as it was
        page = browser.submit(f"/admin/organisations/{org.id}/name", {"name": bad}, page="/admin/organisations",
                              follow_redirects=True).get_data(as_text=True)
        assert "The organisation cannot be renamed: " in page and "1 to 200 characters" in page
        assert not re.search(r"cannot be renamed: [^<]*\.\.", page)  # one full stop, not WTForms' and ours
        db.session.refresh(org)
        assert org.name == "Barbados Customs"
    invited = browser.submit("/admin/users/invite", {"email": "elo@bb.example", "roles": ["officer"],
                                                     "organisation": "BB"})
    assert invited.status_code == 200
    assert db.session.scalar(select(User).where(User.email == "elo@bb.example")).organisation.code == "BB"


def test_a_manager_does_not_act_on_a_sysadmin_of_their_organisation(browser, world):
    from tests import factories

    jio_manager = factories.user(world.jio, "manager")
    browser.sign_in(jio_manager)
    admin = world["sysadmin"]
    response = browser.submit(f"/admin/users/{admin.id}/deactivate", page=f"/admin/users/{admin.id}")
    assert response.status_code == 403
    db.session.refresh(admin)
    assert admin.active
