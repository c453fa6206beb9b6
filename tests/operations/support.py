"""Helpers shared by the operations, conferences and jobs tests: a request-scoped client (each request in
its own application context, as when served), sign-in through the login form, and the CSRF token of a page."""
from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.jobs.worker import work

from tests import factories

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class RequestScopedClient(FlaskClient):
    def open(self, *args, **kwargs):  # noqa: ANN002,ANN003,ANN201
        with self.application.app_context():
            return super().open(*args, **kwargs)


def csrf_token(html: str) -> str:
    match = CSRF_META.search(html)
    assert match, "the page carries no csrf-token meta tag"
    return match.group(1)


def sign_in(client: FlaskClient, user) -> str:  # noqa: ANN001
    """Sign `user` in through the login form; returns a CSRF token for later forms."""
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return csrf_token(client.get("/operations").get_data(as_text=True))


def at(day: str, hour: int = 12) -> str:
    """An ISO seizure time on `day` (YYYY-MM-DD), Kingston time (UTC-5)."""
    moment = datetime.fromisoformat(day).replace(hour=hour, tzinfo=timezone(timedelta(hours=-5)))
    return moment.isoformat()


def run_jobs(app: Flask) -> int:
    """Work the job queue in this process until it is empty (the worker uses its own session)."""
    db.session.commit()
    ran = work(app, threading.Event(), once=True, name="test-worker")
    db.session.expire_all()
    return ran


def caribbean_shield(world) -> dict:  # noqa: ANN001
    """Operation Caribbean Shield (lead JIO; JM and KY take part) and reports around it:
    three the JIO analyst may see, one KY keeps to itself (TLP:RED), a draft, a withdrawn one, and one
    not linked at all."""
    from datetime import date

    from app.operations.models import OperationPhase
    from app.seizures import services as seizure_services

    op = factories.operation("CARIBBEAN-SHIELD-2017", world.jio, [world.jm, world.ky], name="Caribbean Shield",
                             starts_on=date(2017, 9, 15), ends_on=date(2017, 11, 30),
                             focus_categories=["firearms", "ammunition"])
    op.phases = [OperationPhase(name="pre_operational", starts_on=date(2017, 9, 15), ends_on=date(2017, 9, 30)),
                 OperationPhase(name="operational", starts_on=date(2017, 10, 1), ends_on=date(2017, 11, 12)),
                 OperationPhase(name="post_operational", starts_on=date(2017, 11, 13), ends_on=date(2017, 11, 30))]
    code = [op.code]
    pistols = factories.report(
        world["jm_officer"], operations=code, seized_at=at("2017-10-05"), arrests=2,
        items=[{"category": "firearms", "subcategory": "pistol", "quantity": 3, "unit": "pieces"},
               {"category": "ammunition", "quantity": 120, "unit": "rounds"}],
        route=[{"role": "origin", "country": "US"}, {"role": "destination", "country": "JM"}])
    rifle = factories.report(
        world["jm_officer"], operations=code, seized_at=at("2017-10-20"), arrests=0, transport_mode="air",
        detection_methods=["canine"], concealment_methods=["luggage"],
        location={"name": "Sangster International Airport", "locode": "JMMBJ", "type": "airport",
                  "lat": 18.5037, "lon": -77.9134},
        items=[{"category": "firearms", "subcategory": "rifle", "quantity": 1, "unit": "pieces"}],
        marking={"tlp": "green", "distribution": "network", "handling": "P"})
    rounds = factories.report(
        world["ky_officer"], operations=code, seized_at=at("2017-11-01"), arrests=1, country="KY",
        location={"name": "George Town Port", "locode": "KYGEC", "type": "seaport", "lat": 19.29, "lon": -81.38},
        items=[{"category": "ammunition", "quantity": 500, "unit": "rounds"}],
        route=[{"role": "departure", "country": "HN"}, {"role": "destination", "country": "KY"}],
        marking={"tlp": "amber+strict", "distribution": "operation", "handling": "C"})
    hidden = factories.report(
        world["ky_officer"], operations=code, seized_at=at("2017-10-10"), arrests=7, country="KY",
        location={"name": "Secret Cove Landing", "type": "at_sea", "lat": 19.70, "lon": -79.80},
        items=[{"category": "firearms", "subcategory": "assault_rifle", "quantity": 99, "unit": "pieces"}],
        route=[{"role": "departure", "country": "VE"}, {"role": "destination", "country": "KY"}],
        persons=[{"role": "suspect", "name": "Hidden Q. Person"}],
        marking={"tlp": "red", "distribution": "organisation"})
    draft = factories.report(world["jm_officer"], submit=False, operations=code, seized_at=at("2017-10-07"),
                             items=[{"category": "firearms", "subcategory": "revolver", "quantity": 5,
                                     "unit": "pieces"}])
    withdrawn = factories.report(world["jm_officer"], operations=code, seized_at=at("2017-10-08"),
                                 items=[{"category": "firearms", "subcategory": "shotgun", "quantity": 4,
                                         "unit": "pieces"}])
    seizure_services.withdraw_report(world["jm_officer"], withdrawn)
    unlinked = factories.report(world["jm_officer"], seized_at=at("2017-10-09"))
    db.session.flush()
    return {"operation": op, "pistols": pistols, "rifle": rifle, "rounds": rounds, "hidden": hidden,
            "draft": draft, "withdrawn": withdrawn, "unlinked": unlinked}


def signed_in_client(app: Flask, user) -> tuple[RequestScopedClient, str]:  # noqa: ANN001
    """A fresh browser session signed in as `user`, and its CSRF token."""
    client = RequestScopedClient(app, app.response_class, use_cookies=True)
    return client, sign_in(client, user)
