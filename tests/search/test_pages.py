"""The search page, driven through HTTP as a signed-in user."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import factories
from tests.search.contract import seed_corpus


def sign_in(client, user) -> None:  # noqa: ANN001
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*\bvalue="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code in (302, 303)


@pytest.fixture
def corpus(world) -> dict:  # noqa: ANN001
    return {name: report.reference for name, report in seed_corpus(world).items()}


@pytest.fixture
def jio(client, world):  # noqa: ANN001
    sign_in(client, world["jio_analyst"])
    return client


def page_of(response) -> str:  # noqa: ANN001
    assert response.status_code == 200
    return response.get_data(as_text=True)


def shown(page: str) -> set[str]:
    return set(re.findall(r'<li class="card[^"]*" data-reference="([^"]+)"', page))


def test_the_search_page_needs_a_login(client) -> None:  # noqa: ANN001
    response = client.get("/search")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_nav_links_to_search(jio) -> None:  # noqa: ANN001
    assert 'href="/search"' in page_of(jio.get("/search"))


def test_a_search_shows_hits_with_highlights_facets_chart_and_totals(jio, corpus) -> None:  # noqa: ANN001
    page = page_of(jio.get("/search?q=cigarettes"))
    assert shown(page) == {corpus["A"], corpus["B"]}
    assert "<strong>2</strong> reports" in page
    assert "<mark>cigarettes</mark>" in page
    assert page.count('data-marking>TLP:AMBER · P · B2</span>') == 2  # each hit's marking
    assert re.search(r'data-facet="country".*?JM.*?facet-count">1<.*?KY.*?facet-count">1<', page, re.S)
    assert '<svg class="histogram"' in page and "<title>2025-03: 2</title>" in page
    totals = page[page.index('id="totals"'):]
    assert "110 000" in totals and "sticks" in totals


def test_escaped_text_around_highlights(jio, corpus) -> None:  # noqa: ANN001
    page = page_of(jio.get("/search?q=perfume"))
    assert "Counterfeit <mark>perfume</mark> bottles &lt;sold&gt; as genuine &amp; cheap." in page
    assert "<sold>" not in page


def test_facet_links_toggle_a_filter(jio, corpus) -> None:  # noqa: ANN001
    page = page_of(jio.get("/search"))
    link = re.search(r'<a class="facet-link[^"]*" href="([^"]+)" data-value="fuel">', page).group(1)
    assert parse_qs(urlsplit(link.replace("&amp;", "&")).query)["category"] == ["fuel"]
    filtered = page_of(jio.get("/search" + link.replace("&amp;", "&")))
    assert shown(filtered) == {corpus["C"]}
    back = re.search(r'<a class="facet-link[^"]*" href="([^"]+)" data-value="fuel">', filtered).group(1)
    assert "category" not in parse_qs(urlsplit(back.replace("&amp;", "&")).query)


def test_date_range_and_pagination(jio, corpus) -> None:  # noqa: ANN001
    page = page_of(jio.get("/search?from=2025-05-01&to=2025-06-30"))
    assert shown(page) == {corpus["C"], corpus["G"]}
    first = page_of(jio.get("/search?sort=date_asc&per_page=3"))
    assert shown(first) == {corpus["A"], corpus["B"], corpus["C"]}
    assert 'aria-current="page"><span class="page-link">1<' in first and "page=2" in first and "page=0" not in first
    second = page_of(jio.get("/search?sort=date_asc&per_page=3&page=2"))
    assert shown(second) == {corpus["G"]}


def test_a_malformed_query_says_where(jio, corpus) -> None:  # noqa: ANN001
    page = page_of(jio.get('/search?q=tobacco+OR'))
    assert "OR needs a word or phrase on each side" in page and "at character 9" in page
    assert shown(page) == set()


def test_bad_parameters_are_explained(jio) -> None:  # noqa: ANN001
    page = page_of(jio.get("/search?from=2025-05-01&to=2025-04-01"))
    assert "&#39;from&#39; is after &#39;to&#39;" in page


def test_the_export_link_carries_the_query(jio, corpus) -> None:  # noqa: ANN001
    page = page_of(jio.get("/search?q=cigarettes&category=tobacco"))
    link = re.search(r'id="export-link" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert link.startswith("/api/v1/search/export.csv?")
    assert parse_qs(urlsplit(link).query) == {"q": ["cigarettes"], "sort": ["relevance"], "category": ["tobacco"]}
    export = jio.get(link)  # the session works for the API's GET
    assert export.status_code == 200 and export.get_data(as_text=True).count("\n") == 3


def test_others_reports_stay_invisible(client, world, corpus) -> None:  # noqa: ANN001
    sign_in(client, world["partner_analyst"])
    page = page_of(client.get("/search?q=cigarettes"))
    assert shown(page) == set() and 'id="no-results"' in page
    assert shown(page_of(client.get("/search"))) == {corpus["G"]}


def test_the_page_says_search_is_unavailable_when_the_engine_is_down(jio, engine_stopped) -> None:  # noqa: ANN001
    response = jio.get("/search?q=cigarettes")
    assert response.status_code == 503 and response.headers["Retry-After"]
    page = response.get_data(as_text=True)
    assert "Search is unavailable, try again in a minute." in page
    assert 'name="q"' in page  # the form is still there


def test_a_page_past_the_last_says_so_and_links_back(jio, corpus) -> None:  # noqa: ANN001
    page = page_of(jio.get("/search?q=cigarettes&per_page=1&page=9"))
    assert shown(page) == set() and 'id="no-results"' not in page
    assert "Page 9 is past the last page of these 2 reports" in page
    assert re.search(r'href="[^"]*page=2[^"]*">go to page 2</a>', page)
    assert 'aria-label="Result pages"' in page
