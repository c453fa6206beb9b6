"""The contract every search backend passes, written once.

A backend's test file subclasses `SearchBackendContract` and provides a `backend` fixture; a backend
whose changes are not searchable at once overrides `refresh(backend)`. Reports are seeded through
the app's services (factories.report); `sync` then indexes every report's document into the backend
under test, as the outbox worker would.
"""
from __future__ import annotations

from datetime import date

import pytest

from app.permissions import viewer_for
from app.search import services
from app.seizures import services as seizure_services
from search.documents import build_document
from search.query import Filters, QueryError, SearchQuery, SearchResult
from tests import factories

OPERATION = "CARIBBEAN-SHIELD-2025"


def _payload(**fields) -> dict:
    base = {"route": [], "persons": [], "operations": [],
            "conveyance": {"vessel_name": None, "imo": None, "flag": None, "containers": [], "flight": None,
                           "vehicle_plate": None}}
    return {**base, **fields}


def seed_corpus(world) -> dict:  # noqa: ANN001
    """Reports A–G through the app's services (see SearchBackendContract for who sees what)."""
    jm, ky = world["jm_officer"], world["ky_officer"]
    factories.operation(OPERATION, world.ky, [world.jm], focus_categories=["firearms"])
    reports = {
        "A": factories.report(jm, **_payload(
            seized_at="2025-03-10T10:00:00-05:00", language="en",
            narrative="Smuggled cigarettes discovered in a reefer container from Panama; cartons hidden "
                      "behind frozen fish.",
            items=[{"category": "tobacco", "subcategory": "cigarettes", "description": "Counterfeit Marlboro",
                    "quantity": 50, "unit": "cartons"},
                   {"category": "tobacco", "subcategory": "raw_tobacco", "quantity": 20, "unit": "kg"}],
            route=[{"role": "departure", "country": "PA", "place": "PAMIT"},
                   {"role": "transit", "country": "DO"}, {"role": "destination", "country": "JM"}],
            persons=[{"role": "consignee", "name": "Winston Uniquename", "nationality": "JM",
                      "document": {"type": "passport", "number": "P9988776", "country": "JM"}}],
            detection_methods=["risk_profiling", "xray"], concealment_methods=["within_goods"])),
        "B": factories.report(ky, **_payload(
            seized_at="2025-03-20T09:00:00-05:00", language="es", country="KY",
            location={"name": "George Town Port", "locode": "KYGEC", "type": "seaport"},
            narrative="Se incautaron cigarrillos ocultos en contenedores refrigerados procedentes de Colombia.",
            concealment_details="",
            items=[{"category": "tobacco", "subcategory": "cigarettes", "quantity": 10, "unit": "master_cases"}],
            route=[{"role": "origin", "country": "CO"}, {"role": "destination", "country": "KY"}],
            persons=[{"role": "suspect", "name": "Carlos Fuentesprado",
                      "document": {"type": "passport", "number": "CO123456", "country": "CO"}}],
            detection_methods=["intelligence"], concealment_methods=["container_structure"])),
        "C": factories.report(jm, **_payload(
            seized_at="2025-05-02T15:00:00-05:00", language="fr", transport_mode="road", traffic="vehicle",
            location={"name": "Poste frontière", "type": "land_border"},
            narrative="Saisie de carburant : les douaniers ont découvert des bidons d'essence dissimulés "
                      "dans un camion.", concealment_details="réservoir caché",
            items=[{"category": "fuel", "subcategory": "gasoline", "quantity": 100, "unit": "gallons_us"}],
            route=[{"role": "origin", "country": "HT"}, {"role": "destination", "country": "JM"}],
            detection_methods=["canine"], concealment_methods=["false_compartment"])),
        "D": factories.report(ky, **_payload(
            seized_at="2025-06-15T12:00:00-05:00", language="en", country="KY", transport_mode="courier",
            traffic="express_courier", location={"name": "Owen Roberts courier hub", "type": "courier_hub"},
            narrative="Two pistols and ammunition concealed in a barrel of grease shipped by courier.",
            concealment_details="",
            items=[{"category": "firearms", "subcategory": "pistol", "quantity": 2, "unit": "pieces"},
                   {"category": "ammunition", "quantity": 150, "unit": "rounds"}],
            route=[{"role": "origin", "country": "US"}, {"role": "destination", "country": "KY"}],
            detection_methods=["xray"], concealment_methods=["courier_parcel"], operations=[OPERATION],
            marking={"tlp": "amber", "distribution": "operation"})),
        "E": factories.report(jm, submit=False, **_payload(
            seized_at="2025-06-20T08:00:00-05:00", language="en", transport_mode="air", traffic="passenger",
            narrative="Draft: cigarettes smuggled by air in a suitcase.",
            items=[{"category": "tobacco", "subcategory": "cigarettes", "quantity": 5, "unit": "cartons"}],
            detection_methods=["random"], concealment_methods=["luggage"])),
        "F": factories.report(ky, **_payload(
            seized_at="2025-06-22T08:00:00-05:00", language="en", country="KY", transport_mode="air",
            narrative="Cigarettes smuggled in luggage; kept within the organisation.",
            items=[{"category": "tobacco", "subcategory": "cigarettes", "quantity": 2, "unit": "cartons"}],
            detection_methods=["random"], concealment_methods=["luggage"],
            marking={"tlp": "amber", "distribution": "organisation"})),
        "G": factories.report(jm, **_payload(
            seized_at="2025-06-25T08:00:00-05:00", language="en", transport_mode="air", traffic="postal",
            narrative="Counterfeit perfume bottles <sold> as genuine & cheap.", concealment_details="",
            items=[{"category": "counterfeits", "quantity": 300, "unit": "pieces"}],
            detection_methods=["document_check"], concealment_methods=["misdeclared"],
            marking={"tlp": "green", "distribution": "partners"})),
    }
    return reports


class SearchBackendContract:
    """Seven reports (A–G) by JM and KY officers; who sees what:
    JM analyst A B C D(operation) E(own draft) G · KY analyst A B C D F(organisation only) G ·
    JIO analyst and validator A B C G · WCO partner analyst G (partners distribution)."""

    def refresh(self, backend) -> None:  # noqa: ANN001
        """Make indexed documents searchable (nothing to do for the embedded backend)."""

    def sync(self, backend) -> None:  # noqa: ANN001
        backend.index(services.documents_for(services.all_report_ids()))
        self.refresh(backend)

    @pytest.fixture
    def corpus(self, world, backend) -> dict:  # noqa: ANN001
        reports = seed_corpus(world)
        self.sync(backend)
        return {name: report.id for name, report in reports.items()}

    # --- helpers ------------------------------------------------------------------------------------

    def search(self, backend, user, text: str = "", *, sort: str = "relevance", page: int = 1, per_page: int = 20,
               **filters) -> SearchResult:  # noqa: ANN001
        values = {k: tuple(v) if isinstance(v, (list, tuple)) else v for k, v in filters.items()}
        return backend.search(SearchQuery(text=text, filters=Filters(**values), sort=sort, page=page,
                                          per_page=per_page), viewer_for(user))

    def found(self, corpus: dict, result: SearchResult) -> set[str]:
        names = {report_id: name for name, report_id in corpus.items()}
        return {names[hit.id] for hit in result.hits}

    def ordered(self, corpus: dict, result: SearchResult) -> list[str]:
        names = {report_id: name for name, report_id in corpus.items()}
        return [names[hit.id] for hit in result.hits]

    # --- matching -------------------------------------------------------------------------------------

    def test_everything_visible_without_text(self, backend, world, corpus) -> None:  # noqa: ANN001
        assert self.found(corpus, self.search(backend, world["jio_analyst"])) == {"A", "B", "C", "G"}
        assert self.search(backend, world["jio_analyst"]).total == 4

    def test_english_stemming(self, backend, world, corpus) -> None:  # noqa: ANN001
        assert self.found(corpus, self.search(backend, world["jio_analyst"], "smuggling")) == {"A"}
        assert self.found(corpus, self.search(backend, world["jio_analyst"], "discover")) == {"A"}

    def test_spanish_stemming(self, backend, world, corpus) -> None:  # noqa: ANN001
        assert self.found(corpus, self.search(backend, world["jio_analyst"], "refrigerado")) == {"B"}
        assert self.found(corpus, self.search(backend, world["jio_analyst"], "cigarrillo")) == {"B"}

    def test_french_stemming(self, backend, world, corpus) -> None:  # noqa: ANN001
        assert self.found(corpus, self.search(backend, world["jio_analyst"], "dissimulée")) == {"C"}
        assert self.found(corpus, self.search(backend, world["jio_analyst"], "carburants")) == {"C"}

    def test_accents_do_not_matter(self, backend, world, corpus) -> None:  # noqa: ANN001
        assert self.found(corpus, self.search(backend, world["jio_analyst"], "decouvert")) == {"C"}

    def test_phrases_keep_word_order(self, backend, world, corpus) -> None:  # noqa: ANN001
        assert self.found(corpus, self.search(backend, world["jio_analyst"], '"frozen fish"')) == {"A"}
        assert self.found(corpus, self.search(backend, world["jio_analyst"], '"fish frozen"')) == set()

    def test_exclusion(self, backend, world, corpus) -> None:  # noqa: ANN001
        assert self.found(corpus, self.search(backend, world["jio_analyst"], "cigarettes")) == {"A", "B"}
        assert self.found(corpus, self.search(backend, world["jio_analyst"], "cigarettes -panama")) == {"B"}
        assert self.found(corpus, self.search(backend, world["jio_analyst"], "-cigarettes")) == {"C", "G"}

    def test_prefix(self, backend, world, corpus) -> None:  # noqa: ANN001
        assert self.found(corpus, self.search(backend, world["ky_analyst"], "pist*")) == {"D"}
        assert self.found(corpus, self.search(backend, world["ky_analyst"], "cigarr*")) == {"B"}

    def test_or(self, backend, world, corpus) -> None:  # noqa: ANN001
        assert self.found(corpus, self.search(backend, world["jm_analyst"], "pistols OR carburant")) == {"C", "D"}
        assert self.found(corpus, self.search(backend, world["jm_analyst"], "grease pistols OR carburant")) == {"D"}

    def test_a_malformed_query_is_a_query_error(self, backend, world, corpus) -> None:  # noqa: ANN001
        with pytest.raises(QueryError) as caught:
            self.search(backend, world["jio_analyst"], 'cigarettes "frozen')
        assert caught.value.position == 11

    # --- filters ---------------------------------------------------------------------------------------

    @pytest.mark.parametrize("user, filters, expected", [
        ("jio_analyst", {"category": ["fuel"]}, {"C"}),
        ("jio_analyst", {"category": ["fuel", "counterfeits"]}, {"C", "G"}),
        ("jio_analyst", {"subcategory": ["cigarettes"]}, {"A", "B"}),
        ("jio_analyst", {"country": ["KY"]}, {"B"}),
        ("jio_analyst", {"organisation": ["JM"]}, {"A", "C", "G"}),
        ("jio_analyst", {"route_country": ["PA"]}, {"A"}),
        ("jio_analyst", {"transport_mode": ["road"]}, {"C"}),
        ("ky_analyst", {"detection_method": ["xray"]}, {"A", "D"}),
        ("jio_analyst", {"concealment_method": ["false_compartment"]}, {"C"}),
        ("jm_analyst", {"operation": [OPERATION]}, {"D"}),
        ("jm_analyst", {"status": ["draft"]}, {"E"}),
        ("jio_analyst", {"date_from": date(2025, 5, 1), "date_to": date(2025, 6, 25)}, {"C", "G"}),
        ("jio_analyst", {"date_to": date(2025, 3, 10)}, {"A"}),
        ("jio_analyst", {"quantity_min": 50_000}, {"B"}),
        ("jio_analyst", {"quantity_max": 25}, {"A"}),
        ("jio_analyst", {"category": ["tobacco"], "quantity_max": 25}, {"A"}),
        ("jio_analyst", {"subcategory": ["cigarettes"], "quantity_max": 25}, set()),
        ("jio_analyst", {"category": ["tobacco"], "country": ["JM"]}, {"A"}),
    ])
    def test_filters(self, backend, world, corpus, user: str, filters: dict, expected: set) -> None:  # noqa: ANN001
        result = self.search(backend, world[user], **filters)
        assert self.found(corpus, result) == expected
        assert result.total == len(expected)

    def test_filters_and_text_combine(self, backend, world, corpus) -> None:  # noqa: ANN001
        result = self.search(backend, world["ky_analyst"], "cigarettes", country=["KY"])
        assert self.found(corpus, result) == {"B", "F"}

    # --- facets, histogram, totals ---------------------------------------------------------------------------

    def test_exact_facet_counts(self, backend, world, corpus) -> None:  # noqa: ANN001
        facets = {name: {b.value: b.count for b in buckets}
                  for name, buckets in self.search(backend, world["jio_analyst"]).facets.items()}
        assert facets["category"] == {"tobacco": 2, "fuel": 1, "counterfeits": 1}
        assert facets["subcategory"] == {"cigarettes": 2, "raw_tobacco": 1, "gasoline": 1}
        assert facets["country"] == {"JM": 3, "KY": 1}
        assert facets["organisation"] == {"JM": 3, "KY": 1}
        assert facets["route_country"] == {"PA": 1, "DO": 1, "JM": 2, "CO": 1, "KY": 1, "HT": 1}
        assert facets["transport_mode"] == {"sea": 2, "road": 1, "air": 1}
        assert facets["detection_method"] == {"risk_profiling": 1, "xray": 1, "intelligence": 1, "canine": 1,
                                              "document_check": 1}
        assert facets["concealment_method"] == {"within_goods": 1, "container_structure": 1,
                                                "false_compartment": 1, "misdeclared": 1}
        assert facets["operation"] == {}
        assert facets["status"] == {"submitted": 4}

    def test_facets_follow_the_query(self, backend, world, corpus) -> None:  # noqa: ANN001
        result = self.search(backend, world["ky_analyst"], "cigarettes")
        facets = {name: {b.value: b.count for b in buckets} for name, buckets in result.facets.items()}
        assert facets["country"] == {"JM": 1, "KY": 2}
        assert facets["concealment_method"] == {"within_goods": 1, "container_structure": 1, "luggage": 1}

    def test_facet_buckets_are_ordered_by_count(self, backend, world, corpus) -> None:  # noqa: ANN001
        buckets = self.search(backend, world["jio_analyst"]).facets["country"]
        assert [(b.value, b.count) for b in buckets] == [("JM", 3), ("KY", 1)]

    def test_month_histogram_has_no_gaps(self, backend, world, corpus) -> None:  # noqa: ANN001
        result = self.search(backend, world["jio_analyst"])
        assert result.histogram == [("2025-03", 2), ("2025-04", 0), ("2025-05", 1), ("2025-06", 1)]

    def test_totals_in_canonical_units(self, backend, world, corpus) -> None:  # noqa: ANN001
        totals = {(t.category, t.subcategory, t.unit): (round(t.quantity, 3), t.reports)
                  for t in self.search(backend, world["jio_analyst"]).totals}
        assert totals == {
            ("tobacco", None, "sticks"): (110_000, 2), ("tobacco", "cigarettes", "sticks"): (110_000, 2),
            ("tobacco", None, "kg"): (20, 1), ("tobacco", "raw_tobacco", "kg"): (20, 1),
            ("fuel", None, "litres"): (378.541, 1), ("fuel", "gasoline", "litres"): (378.541, 1),
            ("counterfeits", None, "pieces"): (300, 1),
        }

    def test_totals_count_only_items_in_the_quantity_range(self, backend, world, corpus) -> None:  # noqa: ANN001
        totals = {(t.category, t.subcategory, t.unit): (t.quantity, t.reports)
                  for t in self.search(backend, world["jio_analyst"], quantity_max=25).totals}
        assert totals == {("tobacco", None, "kg"): (20, 1), ("tobacco", "raw_tobacco", "kg"): (20, 1)}

    # --- sorting and pages --------------------------------------------------------------------------------

    def test_sorting(self, backend, world, corpus) -> None:  # noqa: ANN001
        analyst = world["jio_analyst"]
        assert self.ordered(corpus, self.search(backend, analyst, sort="date_desc")) == ["G", "C", "B", "A"]
        assert self.ordered(corpus, self.search(backend, analyst, sort="date_asc")) == ["A", "B", "C", "G"]
        assert self.ordered(corpus, self.search(backend, analyst, sort="quantity_desc")) == ["B", "A", "C", "G"]
        assert self.ordered(corpus, self.search(backend, analyst, sort="relevance")) == ["G", "C", "B", "A"]

    def test_relevance_puts_the_better_match_first(self, backend, world, corpus) -> None:  # noqa: ANN001
        result = self.search(backend, world["ky_analyst"], "smuggled cigarettes OR luggage")
        assert self.ordered(corpus, result)[0] == "F"

    def test_pagination(self, backend, world, corpus) -> None:  # noqa: ANN001
        result = self.search(backend, world["jio_analyst"], sort="date_desc", page=2, per_page=3)
        assert (result.total, result.page, result.per_page) == (4, 2, 3)
        assert self.ordered(corpus, result) == ["A"]
        assert self.search(backend, world["jio_analyst"], page=3, per_page=3).hits == []

    def test_hits_only_gives_the_same_hits_and_total(self, backend, world, corpus) -> None:  # noqa: ANN001
        full = self.search(backend, world["jm_analyst"], "cigarettes", sort="date_asc")
        bare = backend.search(SearchQuery(text="cigarettes", sort="date_asc", hits_only=True),
                              viewer_for(world["jm_analyst"]))
        assert ([h.id for h in bare.hits], bare.total) == ([h.id for h in full.hits], full.total)
        assert full.facets["category"] and any(h.highlights for h in full.hits)
        assert (bare.facets, bare.histogram, bare.totals) == ({}, [], [])
        assert not any(h.highlights for h in bare.hits)

    def test_results_stop_at_ten_thousand(self, backend, world, corpus) -> None:  # noqa: ANN001
        self.search(backend, world["jio_analyst"], page=50, per_page=200)
        with pytest.raises(QueryError):
            self.search(backend, world["jio_analyst"], page=51, per_page=200)

    # --- the sharing rule -----------------------------------------------------------------------------------

    @pytest.mark.parametrize("user, expected", [
        ("jm_analyst", {"A", "B", "C", "D", "E", "G"}),
        ("ky_analyst", {"A", "B", "C", "D", "F", "G"}),
        ("jio_analyst", {"A", "B", "C", "G"}),
        ("jio_validator", {"A", "B", "C", "G"}),
        ("partner_analyst", {"G"}),
    ])
    def test_sharing_rule_on_hits(self, backend, world, corpus, user: str, expected: set) -> None:  # noqa: ANN001
        result = self.search(backend, world[user])
        assert self.found(corpus, result) == expected
        assert result.total == len(expected)

    def test_sharing_rule_on_text_matches(self, backend, world, corpus) -> None:  # noqa: ANN001
        assert self.found(corpus, self.search(backend, world["jm_analyst"], "smuggled")) == {"A", "E"}
        assert self.found(corpus, self.search(backend, world["ky_analyst"], "smuggled")) == {"A", "F"}
        assert self.found(corpus, self.search(backend, world["partner_analyst"], "smuggled")) == set()

    def test_sharing_rule_on_facets_histogram_and_totals(self, backend, world, corpus) -> None:  # noqa: ANN001
        partner = self.search(backend, world["partner_analyst"])
        assert {b.value: b.count for b in partner.facets["category"]} == {"counterfeits": 1}
        assert {b.value: b.count for b in partner.facets["organisation"]} == {"JM": 1}
        assert partner.histogram == [("2025-06", 1)]
        assert [(t.category, t.quantity) for t in partner.totals] == [("counterfeits", 300)]
        jm = self.search(backend, world["jm_analyst"], subcategory=["cigarettes"])
        sticks = {t.subcategory: t.quantity for t in jm.totals if t.unit == "sticks"}
        assert sticks == {None: 111_000, "cigarettes": 111_000}  # A, B and JM's own draft E; never KY's F

    def test_operation_distribution_reaches_participants_only(self, backend, world, corpus) -> None:  # noqa: ANN001
        assert "D" in self.found(corpus, self.search(backend, world["jm_analyst"], "pistols"))
        assert "D" not in self.found(corpus, self.search(backend, world["jio_analyst"], "pistols"))
        assert self.search(backend, world["jio_analyst"], operation=[OPERATION]).total == 0

    # --- persons ------------------------------------------------------------------------------------------

    @pytest.mark.parametrize("user, expected", [
        ("jm_analyst", {"A"}), ("jio_validator", {"A"}),
        ("ky_analyst", set()), ("jio_analyst", set()), ("partner_analyst", set()),
    ])
    def test_persons_are_searchable_only_by_those_who_may_see_them(self, backend, world, corpus, user: str,
                                                                   expected: set) -> None:  # noqa: ANN001
        assert self.found(corpus, self.search(backend, world[user], "Uniquename")) == expected
        assert self.found(corpus, self.search(backend, world[user], "P9988776")) == expected

    def test_persons_exclusion_applies_only_where_persons_are_visible(self, backend, world, corpus) -> None:  # noqa: ANN001
        assert "A" not in self.found(corpus, self.search(backend, world["jm_analyst"], "cigarettes -Uniquename"))
        assert "A" in self.found(corpus, self.search(backend, world["ky_analyst"], "cigarettes -Uniquename"))

    def test_persons_are_never_highlighted_or_returned(self, backend, world, corpus) -> None:  # noqa: ANN001
        result = self.search(backend, world["jm_analyst"], "Uniquename cigarettes")
        assert self.found(corpus, result) == {"A"}
        shown = repr(result.hits[0])
        assert "Uniquename" not in shown and "P9988776" not in shown

    # --- highlights -----------------------------------------------------------------------------------------

    def test_highlights_mark_matches_and_escape_the_rest(self, backend, world, corpus) -> None:  # noqa: ANN001
        result = self.search(backend, world["jio_analyst"], "perfume")
        assert self.found(corpus, result) == {"G"}
        fragments = result.hits[0].highlights["narrative"]
        assert fragments == ["Counterfeit <mark>perfume</mark> bottles &lt;sold&gt; as genuine &amp; cheap."]

    def test_highlights_follow_stemming(self, backend, world, corpus) -> None:  # noqa: ANN001
        result = self.search(backend, world["jio_analyst"], "refrigerado")
        assert "<mark>refrigerados</mark>" in result.hits[0].highlights["narrative"][0]

    def test_hits_carry_display_fields(self, backend, world, corpus) -> None:  # noqa: ANN001
        hit = self.search(backend, world["jio_analyst"], "carburant").hits[0]
        assert hit.id == corpus["C"]
        assert hit.reference.startswith("JM-")
        assert (hit.country, hit.organisation, hit.categories) == ("JM", "JM", ("fuel",))
        assert hit.seized_at.startswith("2025-05-02T20:00:00")
        assert hit.summary == "100 gallons us gasoline (378.541 litres) · Poste frontière, JM"

    # --- index maintenance -----------------------------------------------------------------------------------

    def test_an_updated_report_is_found_by_its_new_text_only(self, backend, world, corpus) -> None:  # noqa: ANN001
        from app.extensions import db
        from app.seizures.models import SeizureReport

        report = db.session.get(SeizureReport, corpus["G"])
        data = {"narrative": "Fake handbags, not perfume any more."}
        seizure_services.update_report(world["jm_officer"], report, data, report.version)
        self.sync(backend)
        assert self.found(corpus, self.search(backend, world["jio_analyst"], "handbags")) == {"G"}
        assert self.found(corpus, self.search(backend, world["jio_analyst"], "bottles")) == set()

    def test_an_older_version_never_replaces_a_newer_one(self, backend, world, corpus) -> None:  # noqa: ANN001
        newer = build_document(services.load_sources([corpus["G"]])[corpus["G"]])
        older = {**newer, "version": newer["version"] - 1, "narrative": "Stale sunglasses text."}
        backend.index([older])
        self.refresh(backend)
        assert self.found(corpus, self.search(backend, world["jio_analyst"], "sunglasses")) == set()
        assert self.found(corpus, self.search(backend, world["jio_analyst"], "perfume")) == {"G"}

    def test_delete_and_count(self, backend, world, corpus) -> None:  # noqa: ANN001
        assert backend.count() == 7
        assert backend.delete([corpus["G"], "00000000-0000-0000-0000-000000000000"]) == 1
        self.refresh(backend)
        assert backend.count() == 6
        assert self.search(backend, world["partner_analyst"]).total == 0

    def test_rebuild_keeps_only_the_given_documents(self, backend, world, corpus) -> None:  # noqa: ANN001
        sources = services.load_sources([corpus["A"], corpus["C"]])
        assert backend.rebuild(build_document(s) for s in sources.values()) == 2
        self.refresh(backend)
        assert backend.count() == 2
        assert self.found(corpus, self.search(backend, world["jio_analyst"])) == {"A", "C"}

    def test_ping(self, backend) -> None:  # noqa: ANN001
        assert backend.ping() is True
