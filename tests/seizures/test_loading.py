"""Reading one report (app.seizures.services._load_report): its parts joined in one statement when their
product is small, a statement each when it is large; either way the same report comes back."""
from __future__ import annotations

from sqlalchemy import event

from app.api.seizures import dump_report
from app.extensions import db
from app.permissions import viewer_for
from app.seizures import services
from app.users.models import User

from tests import factories


def _read(user_id: int, report_id: str) -> tuple[dict, list[str]]:
    db.session.expunge_all()
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001,ANN002
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        viewer = viewer_for(db.session.get(User, user_id))
        viewer.operation_ids._loaded()  # not part of the report's reading
        statements.clear()
        body = dump_report(viewer, services.get_visible_report(viewer, report_id))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return body, [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def _parts(items: int, legs: int, persons: int) -> dict:
    base = factories.report_payload()
    return {"items": [{**base["items"][0], "description": f"lot {n}", "quantity": n + 1} for n in range(items)],
            "route": [{"role": "transit", "country": "DO"} for _ in range(legs)],
            "persons": [{**base["persons"][0], "name": f"Person {n}"} for n in range(persons)]}


def test_a_small_report_is_read_in_two_statements_a_large_one_part_by_part(world):
    officer = world["jm_officer"]
    officer_id = officer.id
    small = factories.report(officer, **_parts(2, 3, 2))
    large = factories.report(officer, **_parts(30, 20, 5))
    small_id, large_id = small.id, large.id
    db.session.commit()

    body, selects = _read(officer_id, small_id)
    assert len(selects) == 2, selects  # the parts' counts, then the report joined to its parts
    assert [i["description"] for i in body["items"]] == ["lot 0", "lot 1"]
    assert len(body["route"]) == 3 and [p["name"] for p in body["persons"]] == ["Person 0", "Person 1"]

    body, selects = _read(officer_id, large_id)
    assert len(selects) == 7, selects  # 30 x 20 x 5 rows would be 3 000: a statement per part
    assert [i["description"] for i in body["items"]] == [f"lot {n}" for n in range(30)]
    assert len(body["route"]) == 20 and len(body["persons"]) == 5


def test_both_ways_give_the_same_report(world, monkeypatch):
    officer_id = world["jm_officer"].id
    report = factories.report(world["jm_officer"], **_parts(3, 4, 2))
    report_id = report.id
    db.session.commit()
    joined, _ = _read(officer_id, report_id)
    monkeypatch.setattr(services, "JOINED_ROWS_MAX", 0)
    separate, selects = _read(officer_id, report_id)
    assert len(selects) == 7
    assert joined == separate
