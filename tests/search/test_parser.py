"""The free-text query language (search/parser.py): examples, errors with positions, and properties."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.parser import AnyOf, Phrase, Query, Term, parse
from search.query import MAX_QUERY_LENGTH, QueryError


def test_words_are_required_and_phrases_kept_whole() -> None:
    assert parse('cigarettes "frozen fish"') == Query(required=(Term("cigarettes"), Phrase(("frozen", "fish"))))


def test_exclusions_prefixes_and_or() -> None:
    query = parse('tobacco diesel OR gasoline -marlboro -"raw tobacco" cig*')
    assert query.required == (Term("tobacco"), AnyOf((Term("diesel"), Term("gasoline"))), Term("cig", prefix=True))
    assert query.excluded == (Term("marlboro"), Phrase(("raw", "tobacco")))


def test_or_chains_and_lowercase_or_is_a_word() -> None:
    assert parse("a OR b OR c d").required == (AnyOf((Term("a"), Term("b"), Term("c"))), Term("d"))
    assert parse("fuel or diesel").required == (Term("fuel"), Term("or"), Term("diesel"))


def test_empty_and_punctuation_only_queries_match_everything() -> None:
    assert parse("").is_empty and parse("   ").is_empty and parse("( & )").is_empty


def test_an_exclusion_alone_is_a_query() -> None:
    assert parse("-tobacco") == Query(excluded=(Term("tobacco"),))


@pytest.mark.parametrize("text, position, says", [
    ('cigarettes "frozen fish', 11, "unbalanced quote"),
    ("tobacco - fuel", 8, "lone '-'"),
    ("tobacco -", 8, "lone '-'"),
    ("OR tobacco", 0, "OR needs"),
    ("tobacco OR", 8, "OR needs"),
    ("tobacco OR OR fuel", 8, "OR needs"),
    ("tobacco OR -fuel", 8, "exclusion"),
    ("*cig", 0, "may only end a word"),
    ("ci*g", 2, "may only end a word"),
    ("c*", 1, "at least 2"),
    ('"frozen fi*"', 10, "inside a phrase"),
    ('a ""', 2, "empty phrase"),
])
def test_errors_say_what_and_where(text: str, position: int, says: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(text)
    assert caught.value.position == position
    assert says in caught.value.message


def test_queries_over_the_limit_are_refused() -> None:
    parse("a" * MAX_QUERY_LENGTH)
    with pytest.raises(QueryError) as caught:
        parse("a" * (MAX_QUERY_LENGTH + 1))
    assert caught.value.position == MAX_QUERY_LENGTH


@settings(max_examples=400)
@given(st.text(max_size=120))
def test_any_text_parses_or_fails_with_a_position_inside_it(text: str) -> None:
    try:
        query = parse(text)
    except QueryError as exc:
        assert exc.position is None or 0 <= exc.position <= len(text)
    else:
        assert parse(query.render()) == query


_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéñ0123456789", min_size=2, max_size=8).filter(lambda w: w != "OR")
_atom = st.one_of(
    _word.map(Term),
    _word.map(lambda w: Term(w, prefix=True)),
    st.lists(_word, min_size=1, max_size=3).map(lambda ws: Phrase(tuple(ws))),
)


@given(st.lists(st.one_of(_atom, st.lists(_atom, min_size=2, max_size=3, unique=True).map(lambda o: AnyOf(tuple(o)))),
                max_size=5, unique=True),
       st.lists(_atom, max_size=3, unique=True))
def test_rendered_queries_parse_back_to_themselves(required: list, excluded: list) -> None:
    query = Query(tuple(required), tuple(excluded))
    assert parse(query.render()) == query
