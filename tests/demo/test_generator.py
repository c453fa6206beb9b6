"""The demo generator on its own (no database): determinism, validity and plausibility."""
from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest

from app import vocabularies as vocab
from app.demo import network
from app.demo.generator import START, generate, report_id
from app.identifiers import is_valid_container, is_valid_imo, is_valid_locode
from app.seizures.schemas import SeizureReportSchema

TODAY = datetime.now(timezone.utc).date()


@pytest.fixture(scope="module")
def reports():
    return generate(11, 1000, TODAY)


def test_same_seed_and_day_give_the_same_reports():
    first, second = generate(5, 150, date(2025, 6, 30)), generate(5, 150, date(2025, 6, 30))
    assert [dataclasses.asdict(r) for r in first] == [dataclasses.asdict(r) for r in second]


def test_another_seed_gives_other_reports():
    first, other = generate(5, 50, date(2025, 6, 30)), generate(6, 50, date(2025, 6, 30))
    assert {r.id for r in first}.isdisjoint({r.id for r in other})
    assert [r.body["items"] for r in first] != [r.body["items"] for r in other]


def test_ids_are_derived_from_the_seed_and_position():
    made = generate(5, 30, date(2025, 6, 30))
    assert sorted(r.id for r in made) == sorted(report_id(5, i) for i in range(30))
    assert report_id(5, 0) != report_id(6, 0)


@pytest.mark.parametrize("count", [0, 1, 7, 200])
def test_the_number_of_reports_is_respected(count):
    assert len(generate(3, count, TODAY)) == count


def test_every_body_passes_the_api_schema(reports):
    schema = SeizureReportSchema()
    for report in reports:
        schema.load(report.body)  # raises on the first invalid body


def test_identifiers_carry_valid_check_digits(reports):
    containers = [c for r in reports for c in r.body["conveyance"]["containers"]]
    imos = [r.body["conveyance"]["imo"] for r in reports if r.body["conveyance"]["imo"]]
    assert len(containers) > 100 and len(imos) > 100
    assert all(is_valid_container(c) for c in containers)
    assert all(is_valid_imo(i) for i in imos)
    locodes = [r.body["location"]["locode"] for r in reports if r.body["location"]["locode"]]
    assert locodes and all(is_valid_locode(code) for code in locodes)


def test_timestamps_follow_the_workflow_and_stay_in_range(reports):
    end = datetime.combine(TODAY, datetime.min.time(), timezone.utc)
    for r in reports:
        seized = datetime.fromisoformat(r.body["seized_at"])
        assert START <= seized < r.created_at <= r.updated_at <= end, r.id
        if r.status == "draft":
            assert r.submitted_at is None and r.version == 1
        else:
            assert r.created_at <= r.submitted_at <= r.updated_at
        assert (r.validated_at is not None) == (r.status == "validated")
        assert (r.withdrawn_at is not None) == (r.status == "withdrawn")
    assert min(r.created_at for r in reports) < datetime(2016, 3, 1, tzinfo=timezone.utc)
    assert max(r.created_at for r in reports) > end - timedelta(days=30)


def test_tobacco_fuel_and_small_arms_dominate(reports):
    main = Counter(r.body["items"][0]["category"] for r in reports)
    assert main["tobacco"] + main["fuel"] + main["firearms"] + main["ammunition"] > 0.55 * len(reports)
    assert {"drugs", "alcohol", "currency"} <= set(main)
    statuses = Counter(r.status for r in reports)
    assert statuses["submitted"] + statuses["validated"] > 0.9 * len(reports)
    assert statuses["draft"] and statuses["withdrawn"]


def test_quantities_are_plausible(reports):
    items = [i for r in reports for i in r.body["items"]]
    for item in items:
        normalised, unit = vocab.normalise_quantity(item["category"], item["subcategory"], item["quantity"], item["unit"])
        if item["subcategory"] == "cigarettes":
            assert unit == "sticks" and 4_900 <= normalised <= 5_100_000
            assert item["unit"] in ("packs", "cartons", "master_cases")
        if item["category"] == "fuel":
            assert item["unit"] in ("litres", "gallons_us", "gallons_imperial", "barrels")
        if item["category"] == "firearms" and item["subcategory"] != "parts_components":
            assert 1 <= item["quantity"] <= 90
    units = {i["unit"] for i in items}
    assert {"cartons", "master_cases", "barrels", "rounds", "kg", "pieces"} <= units


def test_narratives_are_written_in_the_administrations_language(reports):
    languages = {(r.organisation, r.body["language"]) for r in reports}
    assert ("DO", "es") in languages and ("SR", "nl") in languages and ("HT", "fr") in languages
    assert ("DO", "en") not in languages and ("JM", "es") not in languages
    spanish = next(r for r in reports if r.body["language"] == "es")
    assert " de " in spanish.body["narrative"] and " the " not in spanish.body["narrative"]
    assert len({r.body["narrative"] for r in reports}) == len(reports)


def test_markings_mix_sharing_levels(reports):
    markings = Counter((r.body["marking"]["tlp"], r.body["marking"]["distribution"]) for r in reports)
    assert markings[("amber", "network")] > 0.5 * len(reports)
    assert markings[("green", "network")] and markings[("red", "organisation")]
    assert any(dist == "partners" for _, dist in markings)
    assert any(r.body["persons"] for r in reports)


def test_caribbean_shield_seizures_are_firearms_of_participants_in_its_period(reports):
    shield = next(op for op in network.OPERATIONS if op.code == "CARIBBEAN-SHIELD-2017")
    linked = [r for r in reports if shield.code in r.body["operations"]]
    assert len(linked) >= 12
    for r in linked:
        seized = datetime.fromisoformat(r.body["seized_at"]).date()
        assert shield.starts_on <= seized <= shield.ends_on
        assert r.organisation in shield.participants
        assert r.body["items"][0]["category"] in ("firearms", "ammunition")
    assert any(r.body["marking"]["distribution"] == "operation" for r in linked)
