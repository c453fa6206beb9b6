"""What the JIO's validators did with the demo reports: the rows `app.validation.services` would store.

Every validated report was validated by one of the JIO's two validators, at its `validated_at`, with
every checklist item confirmed (a few with a comment). About one in seven submitted reports older than
ten days was returned to its owner with a comment and waits for them; the other submitted reports
await validation (the demo validator's queue). Choices are drawn from a generator seeded with the
report's id: the same seed gives the same decisions, and nothing depends on the order of loading.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from app.demo.generator import DemoReport
from app.validation.models import CHECKLIST

VALIDATORS = ("validator@jio.example", "validator2@jio.example")
RETURN_SHARE = 1 / 7
RETURN_AFTER = timedelta(days=10)  # only reports submitted this long before the demo's day are returned

VALIDATE_COMMENTS = (
    "Quantities checked against the detention notice.",
    "Consistent with the manifest and the container's routing.",
    "Route confirmed with the carrier's booking data.",
)
RETURN_COMMENTS = (
    ("category_quantity", "The quantity looks like packs rather than cartons: please check the unit against "
                          "the detention notice."),
    ("location_date", "The seizure date is after the vessel left port: please check the date and time zone."),
    ("markings", "The narrative names an ongoing investigation: should the distribution be 'organisation' "
                 "or TLP:AMBER+STRICT?"),
    ("location_date", "The UN/LOCODE and the location name point to different ports: which one is right?"),
    ("category_quantity", "Two items seem to describe the same goods: please merge them or explain the split."),
)


def decisions(report: DemoReport, report_row: dict, validator_ids: dict[str, tuple[int, int]], today: datetime,
              rows: list[dict]) -> None:
    """Append the validation actions of `report` to `rows`; mark `report_row` returned where it is.
    `validator_ids`: e-mail -> (user id, organisation id)."""
    rng = random.Random(f"validation:{report.id}")
    if report.status == "validated":
        user_id, organisation_id = validator_ids[VALIDATORS[rng.randrange(len(VALIDATORS))]]
        comment = rng.choice(VALIDATE_COMMENTS) if rng.random() < 0.15 else ""
        rows.append(_action(report.id, "validate", user_id, organisation_id, report.version,
                            dict.fromkeys(CHECKLIST, True), comment, report.validated_at))
        return
    eligible = (report.status == "submitted" and report.body["marking"]["distribution"] != "organisation"
                and report.submitted_at < today - RETURN_AFTER)
    if not eligible or rng.random() >= RETURN_SHARE:
        return
    user_id, organisation_id = validator_ids[VALIDATORS[rng.randrange(len(VALIDATORS))]]
    failed, comment = rng.choice(RETURN_COMMENTS)
    returned_at = report.submitted_at + timedelta(hours=rng.uniform(4, 96))
    report_row.update(returned_at=returned_at, updated_at=returned_at, version=report.version + 1)
    rows.append(_action(report.id, "return", user_id, organisation_id, report.version + 1,
                        {name: name != failed for name in CHECKLIST}, comment, returned_at))


def _action(report_id: str, action: str, user_id: int, organisation_id: int, version: int, checklist: dict,
            comment: str, at: datetime) -> dict:
    return {"report_id": report_id, "action": action, "user_id": user_id, "organisation_id": organisation_id,
            "report_version": version, "checklist": checklist, "comment": comment, "created_at": at}
