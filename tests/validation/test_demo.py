"""`flask demo load` gives the demo reports validation states: deterministic, idempotent, by the rules."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from sqlalchemy import func, select

from app.demo import services as demo
from app.demo.generator import report_id
from app.extensions import db
from app.permissions import viewer_for
from app.seizures.models import SeizureReport, report_editors
from app.users.models import User
from app.users.services import find_user
from app.validation import services
from app.validation.models import ValidationAction

TODAY = datetime.now(timezone.utc).date()
SEED, COUNT = 33, 400


def loaded() -> list[SeizureReport]:
    ids = [report_id(SEED, i) for i in range(COUNT)]
    return list(db.session.scalars(select(SeizureReport).where(SeizureReport.id.in_(ids))))


def decisions() -> list[tuple]:
    # By e-mail, not user id: PostgreSQL does not give sequence numbers back on rollback.
    return sorted(db.session.execute(select(ValidationAction.report_id, ValidationAction.action, User.email,
                                            ValidationAction.created_at, ValidationAction.comment)
                                     .join(User, User.id == ValidationAction.user_id)).all())


def test_the_demo_reports_carry_validation_states(app):
    demo.load_demo(SEED, COUNT, today=TODAY)
    reports = loaded()
    states = Counter(r.validation_state for r in reports)
    assert states["validated"] > states["awaiting"] > states["returned"] > 0
    assert states["validated"] > 0.5 * len(reports)

    jio_validators = {find_user(e).id for e in ("validator@jio.example", "validator2@jio.example")}
    for report in reports:
        actions = report.validation_actions
        if report.validation_state == "validated":
            assert [a.action for a in actions] == ["validate"]
            assert actions[0].user_id in jio_validators and actions[0].created_at == report.validated_at
            assert report.distribution != "organisation"  # a regional validator could see it
        elif report.validation_state == "returned":
            assert [a.action for a in actions] == ["return"] and actions[0].comment
            assert actions[0].created_at == report.returned_at == report.updated_at
            assert actions[0].report_version == report.version
            assert not all(actions[0].checklist.values())
        else:
            assert actions == []
    assert {a.user_id for r in reports for a in r.validation_actions} == jio_validators

    editors = db.session.execute(select(report_editors.c.report_id, report_editors.c.user_id)).all()
    assert set(editors) >= {(r.id, r.created_by_id) for r in reports}

    validator = find_user("validator@jio.example")
    queue = services.queue_query(viewer_for(validator), validator)
    awaiting = db.session.scalar(select(func.count()).select_from(queue.subquery()))
    assert 0 < awaiting <= states["awaiting"]


def test_a_second_load_adds_no_decision_and_the_same_seed_decides_the_same(app):
    first_load = db.session.begin_nested()
    demo.load_demo(SEED, COUNT, today=TODAY)
    first = decisions()
    first_load.rollback()
    assert not loaded()
    demo.load_demo(SEED, COUNT, today=TODAY)
    assert decisions() == first and first
    demo.load_demo(SEED, COUNT, today=TODAY)
    assert decisions() == first
