"""An operation a user may not see does not exist for them, in a report's `operations` too: naming it is the
same 422 as naming a code that does not exist (else a partner could probe which operations exist, and link
its reports into operations it is not part of)."""
from __future__ import annotations

from tests import factories


def test_an_invisible_operation_is_an_unknown_operation_in_a_report(app, world, api) -> None:  # noqa: ANN001
    factories.operation("HIDDEN-OP", world.jio, [world.jm])
    partner_officer = factories.user(world.partner, "officer")
    answers = {}
    for code in ("HIDDEN-OP", "NO-SUCH-OP"):
        response = api.as_(partner_officer).post("/seizures", json=factories.report_payload(
            operations=[code], country="JM", marking={"tlp": "amber", "distribution": "partners"}))
        answers[code] = (response.status_code, response.get_json()["error"]["fields"]["operations.0"][0]
                         .replace(code, "<code>"))
    assert answers["HIDDEN-OP"] == answers["NO-SUCH-OP"] == (422, "unknown operation '<code>'")


def test_a_visible_operation_and_one_already_linked_are_accepted(app, world, api) -> None:  # noqa: ANN001
    op = factories.operation("SHARED-OP", world.jio, [world.jm, world.partner])
    partner_officer = factories.user(world.partner, "officer")
    created = api.as_(partner_officer).post("/seizures", json=factories.report_payload(
        operations=["SHARED-OP"], marking={"tlp": "amber", "distribution": "partners"}))
    assert created.status_code == 201, created.get_json()
    op.participants.remove(world.partner)  # the partner leaves the operation: the link stays editable
    body = created.get_json()
    changed = api.as_(partner_officer).patch(f"/seizures/{body['id']}", json={"narrative": "changed",
                                                                               "version": body["version"]})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["operations"] == ["SHARED-OP"]
