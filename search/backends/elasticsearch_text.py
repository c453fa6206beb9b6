"""Free text (the parser's AST) as Elasticsearch queries, and the highlights that go with it.

A word or phrase matches the text fields (the folded field and each language sub-field, so a Spanish
plural finds its singular through `.es`), item descriptions (nested), the coded facts as words
(categories, country names: search.mapping.to_source), place and vessel names, and identifiers
(reference, containers, IMO, LOCODEs, flight, plate: exact, case-insensitive).
Persons' names and document numbers are matched only in documents whose persons the viewer may see:
the persons clause carries that condition itself, so neither a match nor an exclusion can reveal
anything about another organisation's persons.

Highlights (`<mark>`, HTML-escaped text) come from the narrative, the concealment details and the item
descriptions only, under the same field names as in the embedded backend.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from search import parser
from search.mapping import language_fields
from search.query import Viewer

TOP_HIGHLIGHTS = ("narrative", "concealment_details")
IDENTIFIER_FIELDS = ("reference", "containers", "imo", "locodes", "flight", "vehicle_plate", "vessel_name")
HIGHLIGHT_TAGS = {"pre_tags": ["<mark>"], "post_tags": ["</mark>"], "encoder": "html"}
ITEMS_INNER_HITS = "highlight_items"


@dataclass
class TextQuery:
    """The bool clauses of the text, and the positive atoms to highlight."""

    bool_parts: dict
    highlight_atoms: list = field(default_factory=list)


def text_query(parsed: parser.Query, viewer: Viewer, languages: tuple[str, ...]) -> TextQuery:
    """Compile a parsed query (required clauses, excluded atoms); see the module docstring."""
    fields = _Fields(viewer, languages)
    parts: dict = {}
    if parsed.required:
        parts["must"] = [fields.clause(clause) for clause in parsed.required]
    if parsed.excluded:
        parts["must_not"] = [fields.atom(atom) for atom in parsed.excluded]
    atoms = parsed.atoms()
    if atoms:
        # Only there to collect item highlights: optional, and it does not change the score.
        parts["should"] = [{"nested": {
            "path": "items", "score_mode": "none",
            "query": {"bool": {"should": [fields.items(atom) for atom in atoms], "minimum_should_match": 1}},
            "inner_hits": {"name": ITEMS_INNER_HITS, "size": 3, "_source": False,
                           "highlight": {**HIGHLIGHT_TAGS, "fields": {
                               name: {} for name in language_fields("items.description", languages)}}},
        }}]
        parts["minimum_should_match"] = 0
    return TextQuery(parts, atoms)


def highlight_section(text: TextQuery, languages: tuple[str, ...]) -> dict | None:
    """The `highlight` of the search: narrative and concealment details, against the positive words
    and phrases only (never an excluded word, never the persons)."""
    if not text.highlight_atoms:
        return None
    fields = [name for base in TOP_HIGHLIGHTS for name in language_fields(base, languages)]
    return {**HIGHLIGHT_TAGS, "number_of_fragments": 2, "fragment_size": 180, "require_field_match": False,
            "fields": {name: {} for name in fields},
            "highlight_query": {"bool": {"should": [_match(atom, list(TOP_HIGHLIGHTS), languages)
                                                     for atom in text.highlight_atoms],
                                         "minimum_should_match": 1}}}


def read_highlights(raw: dict) -> dict[str, list[str]]:
    """Field -> fragments: for each field, the language variant that marked the most words."""
    highlights = {}
    for base in TOP_HIGHLIGHTS:
        if fragments := _best(raw.get("highlight") or {}, base):
            highlights[base] = fragments
    inner = (raw.get("inner_hits") or {}).get(ITEMS_INNER_HITS)
    if inner:
        descriptions = [fragment for item in inner["hits"]["hits"]
                        for fragment in _best(item.get("highlight") or {}, "items.description")[:1]]
        if descriptions:
            highlights["items.description"] = descriptions[:3]
    return highlights


def _best(highlight: dict, base: str) -> list[str]:
    """Of `base` and its language variants, the fragments with the most marks (the base wins ties)."""
    variants = [highlight[name] for name in sorted(highlight) if name == base or name.startswith(base + ".")]
    if not variants:
        return []
    best = max(variants, key=lambda fragments: sum(f.count("<mark>") for f in fragments))
    return [_plain_escapes(fragment) for fragment in best]


def _plain_escapes(fragment: str) -> str:
    """The highlighter's HTML encoder also escapes / ' and ", which text content does not need: keep
    only &amp; &lt; &gt;, like the embedded backend."""
    return fragment.replace("&#x2F;", "/").replace("&#x27;", "'").replace("&quot;", '"')


class _Fields:
    """Which fields an atom is matched against, for one viewer and the index's languages."""

    def __init__(self, viewer: Viewer, languages: tuple[str, ...]) -> None:
        self.viewer = viewer
        self.languages = languages

    def clause(self, clause: parser.Clause) -> dict:
        if isinstance(clause, parser.AnyOf):
            return {"bool": {"should": [self.atom(option) for option in clause.options], "minimum_should_match": 1}}
        return self.atom(clause)

    def atom(self, atom: parser.Atom) -> dict:
        """One word, prefix or phrase against every field the viewer may search."""
        should = [
            _match(atom, ["narrative", "concealment_details", "facts"], self.languages,
                   ["location.name", "vessel_name.text"]),
            {"nested": {"path": "items", "query": self.items(atom)}},
            *_identifiers(atom),
        ]
        persons = _match(atom, [], (), ["persons_text"])
        if not self.viewer.regional_validator:
            # Only the viewer's own organisation's persons: neither a match nor an exclusion may depend
            # on another organisation's nominal data.
            persons = {"bool": {"must": [persons],
                                "filter": [{"term": {"organisation_id": self.viewer.organisation_id}}]}}
        should.append(persons)
        return {"bool": {"should": should, "minimum_should_match": 1}}

    def items(self, atom: parser.Atom) -> dict:
        return _match(atom, ["items.description"], self.languages)


def _match(atom: parser.Atom, multilingual: list[str], languages: tuple[str, ...],
           plain: list[str] = ()) -> dict:
    """A multi_match of `atom` over the multilingual fields (with their language sub-fields) and `plain`."""
    if isinstance(atom, parser.Term) and atom.prefix:
        # A prefix is compared with the unstemmed words: a stem is not a prefix of what was written.
        return {"multi_match": {"query": _plain(atom.text), "type": "phrase_prefix",
                                "fields": [*multilingual, *plain]}}
    fields = [name for base in multilingual for name in language_fields(base, languages)] + list(plain)
    # A word the analyzer splits ("JM-2017-000123", "e-cigarettes") is matched as the phrase of its
    # parts, not as any one of them.
    text = " ".join(atom.words) if isinstance(atom, parser.Phrase) else atom.text
    return {"multi_match": {"query": _plain(text), "type": "phrase", "fields": fields}}


def _plain(text: str) -> str:
    """Compatibility letters as their plain letters (𝐜𝐢𝐠 → cig, ℍ → H, ＭＳＣＵ → MSCU), as the embedded
    backend folds them (search.text.fold): the index's lowercase and asciifolding filters leave them."""
    return unicodedata.normalize("NFKC", text)


def _identifiers(atom: parser.Atom) -> list[dict]:
    """Exact (or prefix) identifiers, case-insensitive; a phrase can only be a vessel name."""
    if isinstance(atom, parser.Phrase):
        return [{"term": {"vessel_name": _plain(" ".join(atom.words))}}]
    kind = "prefix" if atom.prefix else "term"
    return [{kind: {name: {"value": _plain(atom.text), "case_insensitive": True}}} for name in IDENTIFIER_FIELDS]
