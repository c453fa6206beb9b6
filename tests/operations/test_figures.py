"""The figures of a scope equal the database truth for what the viewer may see, and nothing else."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.operations.figures import Scope, compute_figures, operation_scope
from app.permissions import can_view, viewer_for
from app.seizures.models import SeizureReport

from tests import factories
from tests.operations.support import at, caribbean_shield


def truth(viewer, reports, categories=()) -> dict:  # noqa: ANN001
    """The figures recomputed in Python from the ORM with the loaded-report rule (can_view)."""
    included = [r for r in reports if can_view(viewer, r) and r.status in ("submitted", "validated")
                and (not categories or set(r.categories) & set(categories))]
    totals: dict[tuple, float] = defaultdict(float)
    counts: dict[tuple, set] = defaultdict(set)
    for r in included:
        for item in r.items:
            if categories and item.category not in categories:
                continue
            key = (item.category, item.subcategory, item.normalised_unit)
            totals[key] += item.normalised_quantity
            counts[key].add(r.id)
    return {
        "reports": len(included), "arrests": sum(r.arrests for r in included),
        "by_category": {k: (round(v, 6), len(counts[k])) for k, v in totals.items()},
        "by_administration": Counter(r.organisation.code for r in included),
        "references": sorted({r.reference for r in included}),
        "tlps": {r.tlp for r in included},
    }


def as_comparable(figures: dict) -> dict:
    return {
        "reports": figures["reports"], "arrests": figures["arrests"],
        "by_category": {(row["category"], row["subcategory"], row["unit"]): (row["quantity"], row["reports"])
                        for row in figures["by_category"]},
        "by_administration": Counter({row["code"]: row["reports"] for row in figures["by_administration"]}),
        "references": sorted({row["reference"] for row in figures["seizures"]}),
    }


def linked_reports(op) -> list[SeizureReport]:  # noqa: ANN001
    return [r for r in db.session.scalars(select(SeizureReport)) if op in r.operations]


def test_operation_figures_equal_the_database_truth_for_each_viewer(world):
    s = caribbean_shield(world)
    op = s["operation"]
    for name in ("jio_analyst", "jm_analyst", "ky_analyst", "partner_analyst"):
        viewer = viewer_for(world[name])
        figures = compute_figures(viewer, operation_scope(op))
        expected = truth(viewer, linked_reports(op))
        assert {k: v for k, v in as_comparable(figures).items()} == {
            k: v for k, v in expected.items() if k != "tlps"}, name


def test_a_report_the_viewer_may_not_see_contributes_nothing(world):
    s = caribbean_shield(world)
    figures = compute_figures(viewer_for(world["jio_analyst"]), operation_scope(s["operation"]))
    assert figures["reports"] == 3
    assert figures["arrests"] == 3
    by_key = {(r["category"], r["subcategory"]): r for r in figures["by_category"]}
    assert ("firearms", "assault_rifle") not in by_key
    assert by_key[("firearms", "pistol")]["quantity"] == 3
    assert by_key[("ammunition", None)]["quantity"] == 620
    assert by_key[("ammunition", None)]["reports"] == 2
    text = repr(figures)
    for absent in (s["hidden"].reference, "Secret Cove", "99", "VE →", s["draft"].reference,
                   s["withdrawn"].reference, s["unlinked"].reference, "Winston Uniquename", "Hidden Q. Person"):
        assert absent not in text, absent
    assert figures["tlp"] == "amber+strict"  # the KY operation-only report, not the invisible red one

    # KY itself sees its own red report: then it counts, and the product is red.
    ky = compute_figures(viewer_for(world["ky_analyst"]), operation_scope(s["operation"]))
    assert ky["reports"] == 4 and ky["tlp"] == "red"
    assert s["hidden"].reference in {row["reference"] for row in ky["seizures"]}


def test_every_part_of_the_figures(world):
    s = caribbean_shield(world)
    figures = compute_figures(viewer_for(world["jio_analyst"]), operation_scope(s["operation"]))
    assert figures["by_administration"] == [
        {"code": "JM", "name": "Jamaica Customs Agency", "reports": 2},
        {"code": "KY", "name": "Cayman Islands Customs", "reports": 1}]
    assert {r["code"]: r["reports"] for r in figures["by_transport_mode"]} == {"sea": 2, "air": 1}
    assert {r["code"]: r["reports"] for r in figures["by_detection_method"]} == {
        "risk_profiling": 2, "xray": 2, "canine": 1}
    assert {r["code"]: r["reports"] for r in figures["by_concealment_method"]} == {"within_goods": 2, "luggage": 1}
    # The operation runs 15 Sep - 30 Nov 2017: 77 days, shown day by day without gaps.
    timeline = figures["timeline"]
    assert timeline[0]["period"] == "2017-09-15" and timeline[-1]["period"] == "2017-11-30"
    assert len(timeline) == 77 and sum(p["reports"] for p in timeline) == 3
    assert {p["period"] for p in timeline if p["reports"]} == {"2017-10-05", "2017-10-20", "2017-11-01"}
    assert {(loc["name"], loc["reports"]) for loc in figures["locations"]} == {
        ("Kingston Container Terminal", 1), ("Sangster International Airport", 1), ("George Town Port", 1)}
    assert {r["route"]: r["reports"] for r in figures["top_routes"]} == {
        "US → JM": 1, "PA → DO → JM": 1, "HN → KY": 1}
    notable = {c["reference"]: c for c in figures["notable_cases"]}
    assert set(notable) == {s["pistols"].reference, s["rounds"].reference}  # the largest firearms, ammunition
    assert notable[s["rounds"].reference]["summary"].startswith("Ammunition: 500 rounds; by sea")
    annex = figures["seizures"]
    assert [(row["reference"], row["commodity"], row["quantity"]) for row in annex] == [
        (s["pistols"].reference, "Pistol", 3.0), (s["pistols"].reference, "Ammunition", 120.0),
        (s["rifle"].reference, "Rifle", 1.0), (s["rounds"].reference, "Ammunition", 500.0)]
    assert annex[0]["date"] == "2017-10-05" and annex[0]["administration"] == "JM"
    assert annex[2]["transport_mode"] == "Air" and annex[2]["detection_method"] == "Detector dog"


def test_a_place_without_coordinates_counts_as_a_location_off_the_map(world):
    s = caribbean_shield(world)
    pistol = [{"category": "firearms", "subcategory": "pistol", "quantity": 1, "unit": "pieces"}]
    for location in ({"locode": "JMOCJ"},  # named by its LOCODE only: a place of its own, off the map
                     {"name": "Sangster International Airport", "locode": "JMMBJ"},  # a place on the map already
                     {}):  # no place given: at no place
        factories.report(world["jm_officer"], operations=[s["operation"].code], seized_at=at("2017-10-06"),
                         location=location, items=pistol)
    figures = compute_figures(viewer_for(world["jio_analyst"]), operation_scope(s["operation"]))
    assert [(loc["name"], loc["lat"] is None, loc["reports"]) for loc in figures["locations"]] == [
        ("Sangster International Airport", False, 2), ("George Town Port", False, 1), ("JMOCJ", True, 1),
        ("Kingston Container Terminal", False, 1)]

    from reports.map import caribbean_map
    from reports.templating import outside_map

    assert outside_map(figures["locations"]) == 1
    located = [loc for loc in figures["locations"] if loc["lat"] is not None]
    assert caribbean_map(figures["locations"]) == caribbean_map(located)  # drawn: the places with coordinates


def test_a_period_and_categories_scope(world):
    caribbean_shield(world)
    tobacco = factories.report(world["jm_officer"], seized_at=at("2017-06-01"),
                               items=[{"category": "tobacco", "subcategory": "cigarettes", "quantity": 10,
                                       "unit": "master_cases"},
                                      {"category": "fuel", "subcategory": "diesel", "quantity": 2,
                                       "unit": "barrels"}])
    factories.report(world["jm_officer"], seized_at=at("2016-12-31"),
                     items=[{"category": "tobacco", "subcategory": "cigarettes", "quantity": 1, "unit": "packs"}])
    viewer = viewer_for(world["jio_analyst"])
    scope = Scope(date_from=date(2017, 1, 1), date_to=date(2017, 12, 31), categories=("tobacco", "firearms"),
                  timeline_from=date(2017, 1, 1), timeline_to=date(2017, 12, 31))
    figures = compute_figures(viewer, scope)
    every = list(db.session.scalars(select(SeizureReport)))
    in_2017 = [r for r in every if r.seized_at.year == 2017]
    expected = truth(viewer, in_2017, categories=("tobacco", "firearms"))
    assert {k: v for k, v in as_comparable(figures).items()} == {k: v for k, v in expected.items() if k != "tlps"}
    assert tobacco.reference in expected["references"]
    assert ("fuel", "diesel", "litres") not in as_comparable(figures)["by_category"]  # not a chosen category
    assert len(figures["timeline"]) == 12 and figures["timeline"][5] == {"period": "2017-06", "reports": 1}
