"""Units and their normalisation to the canonical unit of each category; countries."""
from __future__ import annotations

import pytest

from app import vocabularies as vocab
from app.vocabularies import UnitError, normalise_quantity


@pytest.mark.parametrize("category,subcategory,quantity,unit,expected", [
    ("tobacco", "cigarettes", 7, "sticks", (7, "sticks")),
    ("tobacco", "cigarettes", 3, "packs", (60, "sticks")),
    ("tobacco", "cigarettes", 50, "cartons", (10_000, "sticks")),
    ("tobacco", "cigarettes", 2, "master_cases", (20_000, "sticks")),
    ("tobacco", None, 1.5, "master_cases", (15_000, "sticks")),
    ("tobacco", "cigars", 250, "g", (0.25, "kg")),
    ("tobacco", "raw_tobacco", 40, "kg", (40, "kg")),
    ("tobacco", "e_cigarettes", 12, "pieces", (12, "pieces")),
    ("fuel", "diesel", 1000, "litres", (1000, "litres")),
    ("fuel", "gasoline", 100, "gallons_us", (378.541178, "litres")),
    ("fuel", "gasoline", 1, "gallons_us", (3.785412, "litres")),
    ("fuel", "kerosene", 100, "gallons_imperial", (454.609, "litres")),
    ("fuel", None, 10, "barrels", (1589.872949, "litres")),
    ("fuel", None, 1, "barrels", (158.987295, "litres")),
    ("alcohol", None, 5, "gallons_imperial", (22.73045, "litres")),
    ("firearms", "pistol", 3, "pieces", (3, "pieces")),
    ("ammunition", None, 500, "rounds", (500, "rounds")),
    ("drugs", "cocaine", 1500, "g", (1.5, "kg")),
    ("drugs", "cannabis", 1, "g", (0.001, "kg")),
    ("explosives", None, 2, "kg", (2, "kg")),
    ("currency", None, 25_000, "USD", (25_000, "USD")),
    ("wildlife", None, 4, "pieces", (4, "pieces")),
    ("other", None, 20, "litres", (20, "litres")),
])
def test_quantities_are_normalised_to_the_canonical_unit(category, subcategory, quantity, unit, expected):
    normalised, canonical = normalise_quantity(category, subcategory, quantity, unit)
    assert canonical == expected[1]
    assert normalised == pytest.approx(expected[0], abs=1e-6)


@pytest.mark.parametrize("unit,factor", [
    ("packs", 20), ("cartons", 200), ("master_cases", 10_000), ("gallons_us", 3.785411784),
    ("gallons_imperial", 4.54609), ("barrels", 158.987294928), ("g", 0.001),
    ("sticks", 1), ("kg", 1), ("litres", 1), ("pieces", 1), ("rounds", 1),
])
def test_conversion_factors(unit, factor):
    assert vocab.UNITS[unit].factor == factor


@pytest.mark.parametrize("category,subcategory,unit", [
    ("firearms", "pistol", "litres"),  # litres of pistols
    ("firearms", None, "kg"),
    ("fuel", "diesel", "sticks"),
    ("fuel", None, "kg"),
    ("tobacco", "cigarettes", "kg"),  # cigarettes are counted in sticks
    ("tobacco", "cigars", "cartons"),
    ("drugs", "cocaine", "pieces"),
    ("drugs", None, "litres"),
    ("ammunition", None, "pieces"),
    ("alcohol", None, "kg"),
    ("currency", None, "kg"),
    ("currency", None, "usd"),
    ("currency", None, "XYZ"),
    ("tobacco", None, "crates"),
    ("weapons", None, "pieces"),  # unknown category
])
def test_units_that_do_not_fit_the_category_are_refused(category, subcategory, unit):
    with pytest.raises(UnitError):
        normalise_quantity(category, subcategory, 1, unit)


def test_the_unit_error_names_the_allowed_units():
    with pytest.raises(UnitError, match=r"'litres' is not a unit for firearms/pistol; allowed: pieces"):
        normalise_quantity("firearms", "pistol", 3, "litres")


def test_allowed_units_per_category():
    assert vocab.allowed_units("firearms") == ["pieces"]
    assert vocab.allowed_units("tobacco", "cigarettes") == ["sticks", "packs", "cartons", "master_cases"]
    assert vocab.allowed_units("fuel") == ["litres", "gallons_us", "gallons_imperial", "barrels"]
    assert "USD" in vocab.allowed_units("currency") and "XCD" in vocab.allowed_units("currency")


def test_every_category_and_subcategory_has_units():
    for category in vocab.CATEGORIES:
        assert vocab.allowed_units(category), category
        for subcategory in vocab.SUBCATEGORIES.get(category, {}):
            assert vocab.allowed_units(category, subcategory), (category, subcategory)


@pytest.mark.parametrize("code", ["AI", "AW", "BM", "BQ", "CW", "KY", "MS", "SX", "TC", "VG",
                                  "JM", "BB", "TT", "BS", "HT", "DO", "PA", "GP", "MQ", "PR", "VI"])
def test_countries_include_the_caribbean_territories(code):
    assert vocab.is_country(code)


@pytest.mark.parametrize("code", ["XX", "ZZ", "jm", "JAM", "", "EU", "UK"])
def test_unknown_country_codes(code):
    assert not vocab.is_country(code)


def test_tlp_constraints():
    assert vocab.TLP_ALLOWED_DISTRIBUTIONS == {"red": {"organisation"}, "amber+strict": {"organisation", "operation"}}
