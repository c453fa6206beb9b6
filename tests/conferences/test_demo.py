"""The demo conference: Miami, 1-2 November 2017, 26 administrations and two RILOs; loaded once."""
from __future__ import annotations

from datetime import date

from app.conferences.demo import load_demo_conference
from app.conferences.models import Conference
from app.conferences.products import report_context
from app.demo import services as demo_services
from app.extensions import db
from app.operations.models import Operation
from app.users.services import find_user


def test_the_demo_conference_is_loaded_once_with_its_record(app):
    demo_services.load_demo(3, 300, today=date(2026, 11, 1))
    assert load_demo_conference() is True
    assert load_demo_conference() is False
    conferences = db.session.query(Conference).all()
    assert len(conferences) == 1
    aec = conferences[0]
    assert (aec.title, aec.starts_on, aec.ends_on) == ("Annual Enforcement Conference", date(2017, 11, 1),
                                                      date(2017, 11, 2))
    assert aec.venue.startswith("Miami")
    kinds = [p.organisation.kind for p in aec.participants]
    rilos = sorted(p.organisation.code for p in aec.participants if p.organisation.code.startswith("RILO"))
    assert kinds.count("administration") == 26 and rilos == ["RILO-CAR", "RILO-SAM"]
    titles = " | ".join(a.title for a in aec.agenda)
    for topic in ("Operation Hunter", "Tobacco smuggling", "Fuel smuggling", "Operation Caribbean Shield: the JIO"):
        assert topic in titles
    assert [op.code for op in aec.operations] == ["HUNTER-2017", "CARIBBEAN-SHIELD-2017"]
    assert len(aec.decisions) == 3 and all(a.owner and a.due_on for a in aec.action_items)
    shield = db.session.query(Operation).filter_by(code="CARIBBEAN-SHIELD-2017").one()
    assert [p.name for p in shield.phases] == ["pre_operational", "operational", "post_operational"]
    assert shield.executive_summary

    # The report the JIO analyst gets: regional figures and each operation's, from the demo reports.
    context = report_context(find_user("analyst@jio.example"), aec)
    assert context["regional_figures"]["reports"] > 0
    assert [o["code"] for o in context["operations"]] == ["HUNTER-2017", "CARIBBEAN-SHIELD-2017"]
    assert all(o["figures"]["reports"] > 0 for o in context["operations"])
