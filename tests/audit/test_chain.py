"""The hash chain: it verifies; a changed, removed or inserted record is named; the triggers refuse
UPDATE and DELETE (SQLite and PostgreSQL)."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from app import audit
from app.audit.chain import record_hash, verify
from app.audit.models import GENESIS_HASH
from app.extensions import db

from tests.audit.conftest import drop_append_only_triggers, records


@pytest.fixture
def chain(app, world) -> list:
    """Ten records appended outside a request (as a CLI command does), after those the world made."""
    for n in range(10):
        audit.record("test.event", actor=world["jm_officer"], details={"n": n, "text": "ü ✓"})
    rows = records()
    assert len(rows) >= 10
    return rows


def test_records_chain_from_the_genesis_hash_with_gap_free_ids(chain):
    assert [r.id for r in chain] == list(range(1, len(chain) + 1))
    assert chain[0].prev_hash == GENESIS_HASH
    for before, after in zip(chain, chain[1:]):
        assert after.prev_hash == before.hash
    for row in chain:
        assert record_hash(row._asdict()) == row.hash
    assert verify(db.session).ok and verify(db.session).checked == len(chain)


def test_a_record_carries_actor_organisation_address_and_details(chain, world):
    row = chain[-1]
    officer = world["jm_officer"]
    assert (row.actor_id, row.actor_email, row.organisation_id) == (officer.id, officer.email, officer.organisation_id)
    assert row.address == "cli" and row.outcome == "success" and row.details == {"n": 9, "text": "ü ✓"}
    assert row.at.tzinfo is not None


def test_a_changed_record_is_named(chain):
    drop_append_only_triggers()
    db.session.execute(text("UPDATE audit_records SET details = :d WHERE id = 4"), {"d": '{"n": 99}'})
    verdict = verify(db.session)
    assert not verdict.ok and verdict.bad_id == 4 and "changed" in verdict.problem
    assert verdict.checked == 3


def test_a_changed_hash_is_named_by_the_next_record(chain):
    """Rewriting a record *and* its hash moves the break to the next record, which no longer chains."""
    drop_append_only_triggers()
    row = chain[3]
    forged = {**row._asdict(), "action": "forged"}
    db.session.execute(text("UPDATE audit_records SET action = 'forged', hash = :h WHERE id = 4"),
                       {"h": record_hash(forged)})
    verdict = verify(db.session)
    assert not verdict.ok and verdict.bad_id == 5 and "does not chain" in verdict.problem


def test_a_removed_record_is_named(chain):
    drop_append_only_triggers()
    db.session.execute(text("DELETE FROM audit_records WHERE id = 6"))
    verdict = verify(db.session)
    assert not verdict.ok and verdict.bad_id == 7 and "record 6 was removed" in verdict.problem


def test_records_removed_at_the_end_are_detected_by_the_head(chain):
    drop_append_only_triggers()
    db.session.execute(text("DELETE FROM audit_records WHERE id >= :n"), {"n": len(chain) - 1})
    verdict = verify(db.session)
    assert not verdict.ok and verdict.bad_id == len(chain) - 1 and "at the end" in verdict.problem


def test_a_record_inserted_in_the_middle_is_named(chain):
    """Make room (ids shifted up by one above 5) and insert a record of one's own making at 6."""
    drop_append_only_triggers()
    db.session.execute(text("UPDATE audit_records SET id = -id WHERE id > 5"))
    db.session.execute(text("UPDATE audit_records SET id = 1 - id WHERE id < 0"))
    forged = {**chain[4]._asdict(), "id": 6, "action": "inserted", "prev_hash": "f" * 64}
    forged["hash"] = record_hash(forged)
    db.session.execute(text(
        "INSERT INTO audit_records (id, at, actor_id, actor_email, organisation_id, action, subject_type, subject_id,"
        " subject_ref, subject_organisation_id, outcome, address, details, prev_hash, hash) SELECT 6, at, actor_id,"
        " actor_email, organisation_id, 'inserted', subject_type, subject_id, subject_ref, subject_organisation_id,"
        " outcome, address, details, :prev, :hash FROM audit_records WHERE id = 5"),
        {"prev": forged["prev_hash"], "hash": forged["hash"]})
    verdict = verify(db.session)
    assert not verdict.ok and verdict.bad_id == 6 and "does not chain to record 5" in verdict.problem


def test_a_record_inserted_with_a_copied_link_is_refused_by_the_database(chain):
    """Two records cannot follow the same record: prev_hash is unique, so a fork is impossible."""
    drop_append_only_triggers()
    with pytest.raises(DatabaseError), db.session.begin_nested():
        db.session.execute(text(
            "INSERT INTO audit_records (id, at, action, outcome, address, details, prev_hash, hash)"
            " SELECT 1000, at, action, outcome, address, details, prev_hash, :h FROM audit_records WHERE id = 5"),
            {"h": "e" * 64})


@pytest.mark.parametrize("statement", [
    "UPDATE audit_records SET outcome = 'denied' WHERE id = 2",
    "DELETE FROM audit_records WHERE id = 2",
    "DELETE FROM audit_records",
    "DELETE FROM audit_chain_head",
])
def test_the_triggers_refuse_update_and_delete(chain, statement):
    with pytest.raises(DatabaseError, match="append-only|cannot be deleted"), db.session.begin_nested():
        db.session.execute(text(statement))
    assert len(records()) == len(chain) and verify(db.session).ok


def test_emptying_the_table_at_once_is_refused(chain, dialect):
    """PostgreSQL's TRUNCATE fires no row trigger: a statement trigger refuses it. (SQLite has no TRUNCATE;
    its DELETE without WHERE is still a row-by-row delete and the row trigger refuses it.)"""
    statement = "TRUNCATE audit_records" if dialect == "postgresql" else "DELETE FROM audit_records WHERE 1 = 1"
    with pytest.raises(DatabaseError, match="append-only"), db.session.begin_nested():
        db.session.execute(text(statement))
    assert len(records()) == len(chain)
