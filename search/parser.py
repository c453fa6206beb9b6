"""The free-text query language, parsed into a small AST that every backend compiles.

    cigarettes "frozen fish" -marlboro diesel OR gasoline cig*

- words and "quoted phrases" are required (implicit AND);
- `-word` / `-"a phrase"` excludes;
- `OR` (upper case) joins the word or phrase on each side into one alternative; it binds tighter
  than the implicit AND: `tobacco fuel OR diesel` is `tobacco AND (fuel OR diesel)`;
- `word*` matches words starting with `word` (at least two characters before the `*`).

Words are kept as typed: the backends analyse them (case, accents, stemming per language).
Punctuation-only words such as `(` or `&` carry no text and are dropped. `parse` is pure: the same
string always gives the same AST or the same QueryError.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from search.query import MAX_QUERY_LENGTH, QueryError

MAX_CLAUSES = 64
MIN_PREFIX = 2
_TEXT_CHAR = re.compile(r"[^\W_]")  # a character that can be part of a searchable token


@dataclass(frozen=True)
class Term:
    text: str
    prefix: bool = False

    def render(self) -> str:
        return self.text + ("*" if self.prefix else "")


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]

    def render(self) -> str:
        return '"' + " ".join(self.words) + '"'


Atom = Term | Phrase


@dataclass(frozen=True)
class AnyOf:
    """At least one of the options (written with OR)."""

    options: tuple[Atom, ...]

    def render(self) -> str:
        return " OR ".join(option.render() for option in self.options)


Clause = Term | Phrase | AnyOf


@dataclass(frozen=True)
class Query:
    """Every `required` clause must match and no `excluded` atom may match. Both empty: everything."""

    required: tuple[Clause, ...] = ()
    excluded: tuple[Atom, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.required and not self.excluded

    def atoms(self) -> list[Atom]:
        """The positive atoms (what highlighting looks for)."""
        found: list[Atom] = []
        for clause in self.required:
            found.extend(clause.options if isinstance(clause, AnyOf) else (clause,))
        return found

    def render(self) -> str:
        """The canonical text of the query; `parse(q.render()) == q`."""
        return " ".join([c.render() for c in self.required] + ["-" + a.render() for a in self.excluded])


@dataclass(frozen=True)
class _Token:
    kind: str  # "atom" or "or"
    position: int
    atom: Atom | None = None
    negated: bool = False


def parse(text: str) -> Query:
    """Parse a free-text query; QueryError (with the 0-based position) when it is malformed."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"the query is longer than {MAX_QUERY_LENGTH} characters", MAX_QUERY_LENGTH)
    return _combine(_tokens(text))


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        start, negated = i, False
        if char == "-":
            negated = True
            i += 1
            if i >= n or text[i].isspace() or text[i] == "-":
                raise QueryError("a lone '-' excludes nothing: write -word or -\"a phrase\"", start)
        if text[i] == '"':
            atom, i = _phrase(text, i)
        else:
            end = i
            while end < n and not text[end].isspace() and text[end] != '"':
                end += 1
            word = text[i:end]
            if word == "OR" and not negated:
                tokens.append(_Token("or", start))
                i = end
                continue
            atom = _term(word, i)
            i = end
        tokens.append(_Token("atom", start, atom, negated))
    return tokens


def _phrase(text: str, start: int) -> tuple[Phrase | None, int]:
    close = text.find('"', start + 1)
    if close < 0:
        raise QueryError('unbalanced quote: close the phrase with "', start)
    body = text[start + 1:close]
    star = body.find("*")
    if star >= 0:
        raise QueryError("'*' cannot be used inside a phrase", start + 1 + star)
    words = tuple(w for w in body.split() if _TEXT_CHAR.search(w))
    if not body.strip():
        raise QueryError("empty phrase: put words between the quotes", start)
    return (Phrase(words) if words else None), close + 1


def _term(word: str, start: int) -> Term | None:
    star = word.find("*")
    if star >= 0 and star != len(word) - 1:
        raise QueryError("'*' may only end a word (e.g. cig*)", start + star)
    prefix = star >= 0
    stem = word[:-1] if prefix else word
    if prefix and len(_TEXT_CHAR.findall(stem)) < MIN_PREFIX:
        raise QueryError(f"a prefix needs at least {MIN_PREFIX} letters or digits before '*'", start + star)
    if not _TEXT_CHAR.search(stem):
        return None
    return Term(stem, prefix)


def _combine(tokens: list[_Token]) -> Query:
    required: list[Clause] = []
    excluded: list[Atom] = []
    group: list[Atom] | None = None  # the options of the OR being built
    for index, token in enumerate(tokens):
        if token.kind == "or":
            before = tokens[index - 1] if index else None
            after = tokens[index + 1] if index + 1 < len(tokens) else None
            if before is None or before.kind != "atom" or after is None or after.kind != "atom":
                raise QueryError("OR needs a word or phrase on each side", token.position)
            if before.negated or after.negated:
                raise QueryError("an exclusion (-word) cannot be part of OR", token.position)
            continue
        joined_to_previous = index > 0 and tokens[index - 1].kind == "or"
        if token.negated:
            if token.atom is not None:
                excluded.append(token.atom)
            continue
        if joined_to_previous and group is not None:
            if token.atom is not None:
                group.append(token.atom)
            continue
        _close(group, required)
        group = [token.atom] if token.atom is not None else []
    _close(group, required)
    if len(required) + len(excluded) > MAX_CLAUSES:
        raise QueryError(f"the query has more than {MAX_CLAUSES} words and phrases", None)
    return Query(tuple(required), tuple(_dedupe(excluded)))


def _close(group: list[Atom] | None, required: list[Clause]) -> None:
    if not group:
        return
    options = _dedupe(group)
    clause: Clause = options[0] if len(options) == 1 else AnyOf(tuple(options))
    if clause not in required:
        required.append(clause)


def _dedupe(atoms: list[Atom]) -> list[Atom]:
    return list(dict.fromkeys(atoms))
