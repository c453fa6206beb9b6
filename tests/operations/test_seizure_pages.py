"""The seizures table of the operation and conference pages and of the figures API comes a page at a time;
the figures around it are still computed over every included report."""
from __future__ import annotations

import re

from app.extensions import db
from app.operations.figures import compute_figures, operation_scope, seizure_page, summary_figures
from app.permissions import viewer_for

from tests.conferences.test_api import conference_body
from tests.operations.support import caribbean_shield, sign_in


def visible_rows(world, s) -> list[dict]:  # noqa: ANN001
    """The JIO analyst's annex of Caribbean Shield: pistols and their rounds, the rifle, KY's rounds."""
    return compute_figures(viewer_for(world["jio_analyst"]), operation_scope(s["operation"]))["seizures"]


def test_the_pages_together_are_the_whole_annex_in_its_order(world):
    s = caribbean_shield(world)
    viewer, scope = viewer_for(world["jio_analyst"]), operation_scope(s["operation"])
    whole = compute_figures(viewer, scope)
    pages = [seizure_page(viewer, scope, page, 3) for page in (1, 2)]
    assert [p["total"] for p in pages] == [4, 4] and [p["pages"] for p in pages] == [2, 2]
    assert [len(p["results"]) for p in pages] == [3, 1]
    assert pages[0]["results"] + pages[1]["results"] == whole["seizures"]
    assert seizure_page(viewer, scope, 3, 3)["results"] == []
    assert summary_figures(viewer, scope) == {**whole, "seizures": []}


def test_the_operation_page_shows_one_page_of_seizures_and_figures_over_all(monkeypatch, client, world):
    monkeypatch.setattr("app.operations.routes.SEIZURES_PER_PAGE", 2)
    s = caribbean_shield(world)
    db.session.commit()
    rows = visible_rows(world, s)
    sign_in(client, world["jio_analyst"])
    url = f"/operations/{s['operation'].code}"
    first, second = (client.get(f"{url}?page={n}").get_data(as_text=True) for n in (1, 2))
    for html in (first, second):
        assert "Seizures (4 items, page" in html and re.search(r'id="kf-reports">3<', html)
        assert "George Town Port" in html  # the locations table covers every report on every page
        assert s["hidden"].reference not in html
    assert "page 1 of 2" in first and "page 2 of 2" in second
    table = [re.search(r'<table class="table table-sm mb-0" id="seizures">.*?</table>', html, re.S).group(0)
             for html in (first, second)]
    assert [table[0].count("<tr>") - 1, table[1].count("<tr>") - 1] == [2, 2]
    assert rows[0]["reference"] in table[0] and rows[3]["reference"] in table[1]
    assert rows[3]["reference"] not in table[0]
    assert 'href="?page=2#seizures-title"' in first and 'aria-current="page"><span class="page-link">2<' in second
    # No arrow leads before the first page or past the last (a disabled link to page 0 answered 422).
    assert '<span class="page-link">‹ Earlier</span>' in first and '<span class="page-link">Later ›</span>' in second
    assert "?page=0" not in first and "?page=3" not in second
    # Past the last page: the last page; not a number: the first.
    assert "page 2 of 2" in client.get(f"{url}?page=99").get_data(as_text=True)
    assert "page 1 of 2" in client.get(f"{url}?page=x").get_data(as_text=True)


def test_the_conference_page_pages_its_regional_seizures(monkeypatch, client, api, world):
    monkeypatch.setattr("app.operations.routes.SEIZURES_PER_PAGE", 3)
    caribbean_shield(world)
    created = api.as_(world["jio_analyst"]).post("/conferences", json=conference_body(figures_to="2017-11-30"))
    assert created.status_code == 201, created.get_json()
    sign_in(client, world["jio_analyst"])
    html = client.get(f"/conferences/{created.get_json()['id']}?page=2").get_data(as_text=True)
    assert "Seizures (4 items, page 2 of 2)" in html and re.search(r'id="kf-reports">3<', html)


def test_the_figures_api_pages_the_seizures_and_keeps_every_figure(api, world):
    s = caribbean_shield(world)
    db.session.commit()
    rows = visible_rows(world, s)
    analyst = api.as_(world["jio_analyst"])
    url = f"/operations/{s['operation'].code}/figures"
    body = analyst.get(f"{url}?page=2&per_page=3").get_json()
    assert body["reports"] == 3 and body["arrests"] == 3
    assert {k: body["seizures"][k] for k in ("total", "page", "per_page", "pages")} == {
        "total": 4, "page": 2, "per_page": 3, "pages": 2}
    assert body["seizures"]["results"] == rows[3:]
    default = analyst.get(url).get_json()["seizures"]
    assert default["per_page"] == 50 and default["results"] == rows
    for query, field in (("per_page=0", "per_page"), ("per_page=201", "per_page"), ("page=x", "page"),
                         ("sort=date", "sort")):
        response = analyst.get(f"{url}?{query}")
        assert response.status_code == 422, query
        assert field in response.get_json()["error"]["fields"], query
