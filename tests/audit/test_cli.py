"""`flask audit verify` (exit 1 naming the first bad record) and `flask audit export` (JSON lines with the
hashes, from --since, to --output; the export itself on record)."""
from __future__ import annotations

import json

from sqlalchemy import text

from app import audit
from app.audit.chain import record_hash
from app.audit.models import GENESIS_HASH
from app.extensions import db

from tests.audit.conftest import drop_append_only_triggers, last, records


def _fill(world, n: int = 6) -> None:  # noqa: ANN001
    for i in range(n):
        audit.record("test.event", actor=world["jm_officer"], details={"i": i})


def test_verify_passes_an_intact_chain(app, world):
    _fill(world)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"{len(records())} records, chain intact" in result.output


def test_verify_fails_naming_the_first_bad_record(app, world):
    _fill(world)
    drop_append_only_triggers()
    db.session.execute(text("UPDATE audit_records SET address = '10.6.6.6' WHERE id = 3"))
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at record 3: record 3 was changed" in result.output


def test_export_writes_json_lines_a_receiver_can_verify(app, world, tmp_path):
    _fill(world)
    count = len(records())
    target = tmp_path / "trail.jsonl"
    result = app.test_cli_runner().invoke(args=["audit", "export", "--output", str(target)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == list(range(1, count + 1))
    previous = GENESIS_HASH
    for line in lines:  # what the separate log system does with them
        assert line["prev_hash"] == previous
        assert record_hash({**line, "at": _parse(line["at"])}) == line["hash"]
        previous = line["hash"]
    export = last("audit.export")
    assert export.id == count + 1 and export.address == "cli" and export.actor_id is None
    assert export.details == {"since": 0, "last": count, "rows": count, "to": "json-lines"}


def test_export_since_an_id_continues_where_the_last_one_ended(app, world):
    _fill(world)
    result = app.test_cli_runner().invoke(args=["audit", "export", "--since", "4"])
    assert result.exit_code == 0, result.output
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert ids == list(range(5, last("test.event").id + 1))
    assert app.test_cli_runner().invoke(args=["audit", "export", "--since", "-1"]).exit_code != 0


def _parse(stamp: str):  # noqa: ANN202
    from datetime import datetime

    return datetime.fromisoformat(stamp)
