"""Language analysis for the embedded backend, done in Python so SQLite and PostgreSQL index the same tokens.

SQLite FTS5 stems only English, so every backend-side stem comes from Snowball here: a document is
stemmed in its own language at index time, and at query time each word is expanded to its stem in
every language we stem (plus the word itself, which matches documents in languages without a
stemmer and the unstemmed `raw` text). Tokens are lower case without accents; letters and digits only.
"""
from __future__ import annotations

import html
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

import snowballstemmer

from search.parser import Phrase, Query, Term

STEMMERS = {"en": "english", "es": "spanish", "fr": "french", "nl": "dutch"}
_WORD = re.compile(r"[^\W_]+")
_local = threading.local()


def fold(text: str) -> str:
    """Lower case, accents removed (NFKD without combining marks). Decomposed before and after lowering:
    letters such as ℍ or 𝐇 decompose to a capital H, which lowering first left upper case."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def token_spans(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, lowered, folded) for each token of `text`, with offsets into the original text.
    `lowered` keeps accents (Snowball stems accented words better); `folded` is the indexed form."""
    for match in _WORD.finditer(text):
        start, end = match.span()
        for lowered, folded in _analyse_word(match.group()):
            yield start, end, lowered, folded


@lru_cache(maxsize=500_000)
def _analyse_word(word: str) -> tuple[tuple[str, str], ...]:
    lowered = word.casefold()
    pieces = _WORD.findall(fold(lowered))
    if len(pieces) == 1:
        return ((lowered, pieces[0]),)
    return tuple((piece, piece) for piece in pieces)


def tokens(text: str) -> list[str]:
    """The folded tokens of `text`."""
    return [folded for _start, _end, _lowered, folded in token_spans(text)]


def words(text: str) -> list[tuple[str, str]]:
    """(lowered, folded) pairs of `text`."""
    return [(lowered, folded) for _start, _end, lowered, folded in token_spans(text)]


def _stemmer(language: str):  # noqa: ANN202 - snowballstemmer has no public type
    cache = getattr(_local, "stemmers", None)
    if cache is None:
        cache = _local.stemmers = {}
    if language not in cache:
        cache[language] = snowballstemmer.stemmer(STEMMERS[language])
    return cache[language]


@lru_cache(maxsize=200_000)
def stem(language: str | None, lowered: str) -> str:
    """The folded stem of a lower-case word in `language`; the folded word in languages we do not stem."""
    if language not in STEMMERS:
        return fold(lowered)
    return fold(_stemmer(language).stemWord(lowered))


def stems(language: str | None, pairs: Iterable[tuple[str, str]]) -> list[str]:
    return [stem(language, lowered) for lowered, _folded in pairs]


def forms(lowered: str, folded: str) -> list[str]:
    """Every indexed form a query word may match: itself folded, and its stem in each language
    (from the word as typed and without accents, for users who leave accents out)."""
    found = [folded]
    for language in STEMMERS:
        found += [stem(language, lowered), stem(language, folded)]
    return [form for form in dict.fromkeys(found) if form]  # a stemmer may leave nothing of a word


def phrase_variants(pairs: list[tuple[str, str]]) -> list[tuple[str, ...]]:
    """A phrase folded as written, and stemmed in each language (a document is stemmed in one language)."""
    variants = [tuple(folded for _lowered, folded in pairs)]
    for language in STEMMERS:
        variants.append(tuple(stem(language, lowered) for lowered, _folded in pairs))
        variants.append(tuple(stem(language, folded) for _lowered, folded in pairs))
    return [variant for variant in dict.fromkeys(variants) if all(variant)]  # no word stemmed away


def atom_words(atom: Term | Phrase) -> list[tuple[str, str]]:
    """The (lowered, folded) words of a parsed term or phrase."""
    return words(atom.text) if isinstance(atom, Term) else [pair for w in atom.words for pair in words(w)]


# --- highlighting ----------------------------------------------------------------------------------

FRAGMENT_CHARS = 180


class Highlighter:
    """Marks the words of a query in a document's text: `<mark>` around matches, everything else escaped.
    Phrases highlight each of their words; exclusions are never highlighted."""

    def __init__(self, query: Query) -> None:
        self.words: set[str] = set()
        self.prefixes: list[str] = []
        for atom in query.atoms():
            pieces = atom_words(atom)
            if isinstance(atom, Term) and atom.prefix and pieces:
                self.prefixes.append(pieces.pop()[1])
            for lowered, folded in pieces:
                self.words.update(forms(lowered, folded))

    @property
    def _clues(self) -> list[str]:
        """Substrings any matching word must contain: the first letters of each form (stems keep them)."""
        if not hasattr(self, "_clue_list"):
            self._clue_list = list({w[:4] for w in self.words} | {p[:4] for p in self.prefixes})
        return self._clue_list

    def __bool__(self) -> bool:
        return bool(self.words or self.prefixes)

    def _matches(self, lowered: str, folded: str, language: str | None) -> bool:
        if folded in self.words or stem(language, lowered) in self.words:
            return True
        return any(folded.startswith(prefix) for prefix in self.prefixes)

    def fragments(self, text: str | None, language: str | None, limit: int = 2) -> list[str]:
        """Up to `limit` escaped fragments of `text` around matched words, or [] when nothing matches."""
        if not text or not self:
            return []
        folded = fold(text)
        if not any(clue in folded for clue in self._clues):
            return []  # no word of the query can be in this text: skip tokenising it
        spans = [(s, e) for s, e, lowered, folded in token_spans(text) if self._matches(lowered, folded, language)]
        spans = list(dict.fromkeys(spans))
        fragments: list[str] = []
        index = 0
        while index < len(spans) and len(fragments) < limit:
            start, end = _window(text, spans[index][0])
            inside = [span for span in spans if span[0] >= start and span[1] <= end]
            fragments.append(_render(text, start, end, inside))
            index += len(inside) or 1
            while index < len(spans) and spans[index][0] < end:
                index += 1
        return fragments


def _window(text: str, first: int) -> tuple[int, int]:
    start = max(0, first - FRAGMENT_CHARS // 3)
    end = min(len(text), start + FRAGMENT_CHARS)
    if start > 0:
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", first, end)
        end = space if space > first else end
    return start, end


def _render(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    out = ["…" if start > 0 else ""]
    cursor = start
    for span_start, span_end in spans:
        out.append(html.escape(text[cursor:span_start], quote=False))
        out.append("<mark>" + html.escape(text[span_start:span_end], quote=False) + "</mark>")
        cursor = span_end
    out.append(html.escape(text[cursor:end], quote=False))
    out.append("…" if end < len(text) else "")
    return "".join(out)
