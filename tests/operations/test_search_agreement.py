"""The figures of an operation equal what the search API counts for the same scope and viewer."""
from __future__ import annotations

from collections import defaultdict

from app.extensions import db
from app.operations.figures import compute_figures, operation_scope
from app.permissions import viewer_for

from tests import factories
from tests.operations.support import at, caribbean_shield


def test_operation_figures_equal_the_search_api_for_every_viewer(api, world):
    s = caribbean_shield(world)
    factories.report(world["ky_officer"], seized_at=at("2017-10-25"), operations=[s["operation"].code], country="KY",
                     items=[{"category": "tobacco", "subcategory": "cigarettes", "quantity": 3, "unit": "master_cases"},
                            {"category": "tobacco", "subcategory": "cigarettes", "quantity": 5, "unit": "cartons"},
                            {"category": "fuel", "subcategory": "diesel", "quantity": 2, "unit": "barrels"}])
    db.session.commit()
    code = s["operation"].code
    counted = {}
    for name in ("jio_analyst", "jm_analyst", "ky_analyst", "jio_validator"):
        user = world[name]
        figures = compute_figures(viewer_for(user), operation_scope(s["operation"]))
        found = api.as_(user).get(f"/search?operation={code}&status=submitted&status=validated&per_page=1")
        assert found.status_code == 200, found.get_json()
        body = found.get_json()
        assert body["total"] == figures["reports"], name
        counted[name] = figures["reports"]

        # Quantity totals per category and subcategory in the canonical unit, and per category (all
        # subcategories: the search's subcategory None).
        ours = {(r["category"], r["subcategory"], r["unit"]): (r["quantity"], r["reports"])
                for r in figures["by_category"] if r["subcategory"] is not None}
        per_category: dict[tuple, float] = defaultdict(float)
        for r in figures["by_category"]:
            per_category[(r["category"], r["unit"])] += r["quantity"]
        theirs = {(t["category"], t["subcategory"], t["unit"]): (t["quantity"], t["reports"]) for t in body["totals"]}
        for key, (quantity, reports) in ours.items():
            assert theirs[key][1] == reports and abs(theirs[key][0] - quantity) < 1e-6, (name, key)
        for (category, unit), quantity in per_category.items():
            assert abs(theirs[(category, None, unit)][0] - quantity) < 1e-6, (name, category)
        assert {k for k in theirs if k[1] is not None} == set(ours), name

        facets = body["facets"]
        assert {b["value"]: b["count"] for b in facets["organisation"]} == {
            r["code"]: r["reports"] for r in figures["by_administration"]}, name
        for facet, part in (("transport_mode", "by_transport_mode"), ("detection_method", "by_detection_method"),
                            ("concealment_method", "by_concealment_method")):
            assert {b["value"]: b["count"] for b in facets[facet]} == {
                r["code"]: r["reports"] for r in figures[part]}, (name, facet)
        months: dict[str, int] = defaultdict(int)
        for point in figures["timeline"]:
            months[point["period"][:7]] += point["reports"]
        assert {m["month"]: m["count"] for m in body["histogram"] if m["count"]} == {
            m: n for m, n in months.items() if n}, name
    assert counted == {"jio_analyst": 4, "jm_analyst": 4, "ky_analyst": 5, "jio_validator": 4}


def test_period_and_category_figures_equal_the_search_api(api, world):
    from datetime import date

    from app.operations.figures import Scope

    caribbean_shield(world)
    factories.report(world["jm_officer"], seized_at=at("2017-06-01"),
                     items=[{"category": "tobacco", "subcategory": "cigarettes", "quantity": 10, "unit": "master_cases"},
                            {"category": "fuel", "subcategory": "diesel", "quantity": 2, "unit": "barrels"}])
    factories.report(world["jm_officer"], seized_at=at("2016-12-31"),
                     items=[{"category": "tobacco", "subcategory": "cigarettes", "quantity": 1, "unit": "packs"}])
    db.session.commit()
    scope = Scope(date_from=date(2017, 1, 1), date_to=date(2017, 12, 31), categories=("tobacco", "firearms"))
    for name in ("jio_analyst", "ky_analyst"):
        figures = compute_figures(viewer_for(world[name]), scope)
        body = api.as_(world[name]).get("/search?category=tobacco&category=firearms&from=2017-01-01&to=2017-12-31"
                                        "&status=submitted&status=validated&per_page=1").get_json()
        assert body["total"] == figures["reports"] > 0, name
        theirs = {(t["category"], t["subcategory"], t["unit"]): (t["quantity"], t["reports"]) for t in body["totals"]
                  if t["category"] in scope.categories and t["subcategory"] is not None}
        ours = {(r["category"], r["subcategory"], r["unit"]): (r["quantity"], r["reports"])
                for r in figures["by_category"]}
        assert theirs == ours, name
