"""Properties of the pure parts that hostile input reaches first: the query parser, unit normalisation,
and the check digits of container and IMO numbers."""
from __future__ import annotations

import math

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from app import vocabularies as vocab
from app.identifiers import is_valid_container, is_valid_imo
from search.parser import parse
from search.query import MAX_QUERY_LENGTH, QueryError

PROPERTY = settings(max_examples=300, derandomize=True, deadline=None)

# --- the query parser ----------------------------------------------------------------------------------

# The characters the grammar gives a meaning to, next to words, odd whitespace, NUL and astral characters.
_SYNTAX = st.sampled_from(['"', "-", "*", " OR ", "OR", " ", "\t", "\u3000", "\x00", "(", "_", "é", "𝔘", "\u200b"])
_QUERY_TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(_SYNTAX, st.text(alphabet="abcxyz09", min_size=1, max_size=4)), max_size=60).map("".join),
)


@PROPERTY
@given(_QUERY_TEXT)
@example('a "b')
@example("-")
@example("a OR")
@example("x* y** z")
@example("\x00")
def test_the_parser_parses_or_refuses_with_a_position_inside_the_query(text: str) -> None:
    try:
        query = parse(text)
    except QueryError as exc:
        assert exc.message and str(exc) == exc.message
        assert exc.position is None or 0 <= exc.position < len(text), (exc.position, len(text))
        return
    rendered = query.render()
    # The canonical text can outgrow the input (`a"b"` renders as `a "b"`), so past the limit it is refused.
    if len(rendered) <= MAX_QUERY_LENGTH:
        assert parse(rendered) == query
        assert parse(rendered).render() == rendered


@PROPERTY
@given(st.integers(min_value=0, max_value=3 * MAX_QUERY_LENGTH), st.sampled_from(["a", " ", "ab ", '"', "-x "]))
def test_the_length_limit_is_exactly_the_maximum(length: int, piece: str) -> None:
    text = (piece * (length // len(piece) + 1))[:length]
    try:
        parse(text)
    except QueryError as exc:
        if length > MAX_QUERY_LENGTH:
            assert exc.position == MAX_QUERY_LENGTH
        else:
            assert "longer than" not in exc.message
    else:
        assert length <= MAX_QUERY_LENGTH


# --- units -----------------------------------------------------------------------------------------------

_CATEGORY_SUBCATEGORY = st.sampled_from(
    [(category, None) for category in vocab.CATEGORIES]
    + [(category, sub) for category, subs in vocab.SUBCATEGORIES.items() for sub in subs])
_UNIT = st.sampled_from(sorted(vocab.UNITS) + ["USD", "EUR", "usd", "XYZ", "", "kilograms", "litres "])
_QUANTITY = st.one_of(st.floats(allow_nan=False, allow_infinity=False, min_value=0, exclude_min=True),
                      st.integers(min_value=1, max_value=10**400))


def test_every_conversion_factor_is_positive_and_finite() -> None:
    for unit in vocab.UNITS.values():
        assert math.isfinite(unit.factor) and unit.factor > 0, unit
        assert unit.dimension in vocab.CANONICAL_UNITS
        assert vocab.UNITS[vocab.CANONICAL_UNITS[unit.dimension]].factor == 1


@PROPERTY
@given(_CATEGORY_SUBCATEGORY, _QUANTITY, _UNIT)
@example(("drugs", "cocaine"), 1e308, "kg")
@example(("tobacco", "cigarettes"), 1e308, "master_cases")
@example(("drugs", "cocaine"), 5e-324, "g")
@example(("fuel", None), 10**400, "barrels")
def test_normalisation_gives_a_finite_positive_quantity_or_a_unit_error(category_subcategory, quantity, unit) -> None:
    category, subcategory = category_subcategory
    try:
        normalised, canonical = vocab.normalise_quantity(category, subcategory, quantity, unit)
    except vocab.UnitError as exc:
        assert str(exc)
        return
    assert math.isfinite(normalised) and normalised > 0, (quantity, unit, normalised)
    dimensions = vocab.allowed_dimensions(category, subcategory)
    if "currency" in dimensions:
        assert canonical == unit in vocab.currency_codes()
    else:
        spec = vocab.UNITS[unit]
        assert spec.dimension in dimensions, "a unit outside the category's dimensions was accepted"
        assert canonical == vocab.CANONICAL_UNITS[spec.dimension]
        assert normalised == pytest.approx(float(quantity) * spec.factor, rel=1e-9, abs=1e-6)


@PROPERTY
@given(_CATEGORY_SUBCATEGORY, st.sampled_from(sorted(vocab.UNITS)))
def test_a_unit_of_another_dimension_is_always_refused(category_subcategory, unit: str) -> None:
    category, subcategory = category_subcategory
    assume(vocab.UNITS[unit].dimension not in vocab.allowed_dimensions(category, subcategory))
    with pytest.raises(vocab.UnitError):
        vocab.normalise_quantity(category, subcategory, 1, unit)


@PROPERTY
@given(_CATEGORY_SUBCATEGORY, st.floats(min_value=1e-3, max_value=1e6), st.data())
def test_converting_between_compatible_units_keeps_the_normalised_quantity(category_subcategory, quantity,
                                                                          data) -> None:
    """q in unit a equals q·factor(a)/factor(b) in unit b: both normalise to the same canonical quantity."""
    category, subcategory = category_subcategory
    units = [u for u in vocab.allowed_units(category, subcategory) if u in vocab.UNITS]
    assume(units)
    a = data.draw(st.sampled_from(units))
    b = data.draw(st.sampled_from([u for u in units if vocab.UNITS[u].dimension == vocab.UNITS[a].dimension]))
    in_b = quantity * vocab.UNITS[a].factor / vocab.UNITS[b].factor
    normal_a, canonical_a = vocab.normalise_quantity(category, subcategory, quantity, a)
    normal_b, canonical_b = vocab.normalise_quantity(category, subcategory, in_b, b)
    assert canonical_a == canonical_b
    assert normal_a == pytest.approx(normal_b, rel=1e-9, abs=2e-6)


# --- identifiers -----------------------------------------------------------------------------------------

_OWNER = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3)
_SERIAL = st.text(alphabet="0123456789", min_size=6, max_size=6)


def _letter_values() -> dict[str, int]:
    """ISO 6346 letter values, written out independently of app.identifiers: A=10, skipping 11, 22 and 33."""
    values, value = {}, 10
    for code in range(ord("A"), ord("Z") + 1):
        value += value % 11 == 0
        values[chr(code)] = value
        value += 1
    return values


LETTERS = _letter_values()


def _remainder(first_ten: str) -> int:
    return sum((int(c) if c.isdigit() else LETTERS[c]) * 2 ** i for i, c in enumerate(first_ten)) % 11


def test_the_letter_values_of_iso_6346() -> None:
    assert [LETTERS[c] for c in "AKLUVZ"] == [10, 21, 23, 32, 34, 38]


@PROPERTY
@given(_OWNER, st.sampled_from("UJZR"), _SERIAL, st.integers(min_value=4, max_value=10), st.integers(1, 9))
def test_a_container_number_with_one_digit_changed_is_invalid(owner, category, serial, position, shift) -> None:
    """Every single-digit change moves the weighted sum mod 11 (weights 2^i are invertible mod 11). The one
    blind spot is ISO 6346's own: remainders 10 and 0 both give check digit 0 (the standard advises owners
    against serials with remainder 10), so a change between those two goes unnoticed."""
    first_ten = owner + category + serial
    number = first_ten + str(_remainder(first_ten) % 10)
    assert is_valid_container(number)
    changed = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1:]
    blind_spot = position < 10 and {_remainder(number[:10]), _remainder(changed[:10])} == {0, 10}
    assert is_valid_container(changed) == blind_spot, (number, changed)


_IMO_WEIGHTS = (7, 6, 5, 4, 3, 2)


def _imo(first_six: str) -> str:
    return first_six + str(sum(int(d) * w for d, w in zip(first_six, _IMO_WEIGHTS)) % 10)


@PROPERTY
@given(st.text(alphabet="0123456789", min_size=6, max_size=6), st.integers(0, 6), st.integers(1, 9))
def test_an_imo_number_with_one_digit_changed_is_invalid_unless_the_weight_hides_it(first_six, position, shift) -> None:
    """The IMO check digit is a weighted sum mod 10 with weights 7..2: a change of d at a position of weight w
    goes unnoticed exactly when d·w is a multiple of 10 (an even change under weight 5, a change of 5 under an
    even weight). That is the IMO scheme, not a bug here; every other single-digit change is caught."""
    number = _imo(first_six)
    assert is_valid_imo(number) and is_valid_imo("IMO " + number)
    new = (int(number[position]) + shift) % 10
    changed = number[:position] + str(new) + number[position + 1:]
    weight = _IMO_WEIGHTS[position] if position < 6 else None
    hidden = weight is not None and ((new - int(number[position])) * weight) % 10 == 0
    assert is_valid_imo(changed) == hidden, (number, changed)
