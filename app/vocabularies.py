"""Every controlled list of ELIX, with translatable labels and the unit conversions.

Labels are marked with `N_` (a no-op marker that Babel extracts) and translated when served, so this
module has no Flask dependency and `search/` and `reports/` can use it too.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import pycountry


def N_(text: str) -> str:  # noqa: N802 - the gettext marker convention
    return text


CATEGORIES: dict[str, str] = {
    "tobacco": N_("Tobacco"), "fuel": N_("Fuel"), "firearms": N_("Firearms"),
    "ammunition": N_("Ammunition"), "explosives": N_("Explosives"), "drugs": N_("Drugs"),
    "alcohol": N_("Alcohol"), "currency": N_("Currency"), "counterfeits": N_("Counterfeits"),
    "wildlife": N_("Wildlife"), "other": N_("Other"),
}

SUBCATEGORIES: dict[str, dict[str, str]] = {
    "tobacco": {"cigarettes": N_("Cigarettes"), "cigars": N_("Cigars"), "raw_tobacco": N_("Raw tobacco"),
                "waterpipe_tobacco": N_("Waterpipe tobacco"), "e_cigarettes": N_("E-cigarettes")},
    "fuel": {"gasoline": N_("Gasoline"), "diesel": N_("Diesel"), "kerosene": N_("Kerosene"),
             "lpg": N_("LPG"), "other_fuel": N_("Other fuel")},
    "firearms": {"pistol": N_("Pistol"), "revolver": N_("Revolver"), "rifle": N_("Rifle"),
                 "shotgun": N_("Shotgun"), "submachine_gun": N_("Submachine gun"),
                 "assault_rifle": N_("Assault rifle"), "parts_components": N_("Parts and components"),
                 "other_firearm": N_("Other firearm")},
    "drugs": {"cocaine": N_("Cocaine"), "cannabis": N_("Cannabis"), "heroin": N_("Heroin"),
              "methamphetamine": N_("Methamphetamine"), "synthetic": N_("Synthetic drugs"),
              "other_drug": N_("Other drug")},
}

PROCEDURES = {
    "import": N_("Import"), "export": N_("Export"), "transit": N_("Transit"),
    "transhipment": N_("Transhipment"), "inland": N_("Inland"),
    "passenger_arrival": N_("Passenger arrival"), "passenger_departure": N_("Passenger departure"),
}
TRAFFIC = {
    "passenger": N_("Passenger"), "cargo": N_("Cargo"), "express_courier": N_("Express courier"),
    "postal": N_("Postal"), "small_craft": N_("Small craft"), "commercial_vessel": N_("Commercial vessel"),
    "private_aircraft": N_("Private aircraft"), "vehicle": N_("Vehicle"),
}
# UN/ECE Recommendation 19 codes alongside each mode.
TRANSPORT_MODES = {
    "sea": N_("Sea"), "air": N_("Air"), "road": N_("Road"), "rail": N_("Rail"), "postal": N_("Postal"),
    "courier": N_("Courier"), "pedestrian": N_("Pedestrian"), "other": N_("Other"),
}
TRANSPORT_MODE_REC19 = {"sea": "1", "rail": "2", "road": "3", "air": "4", "postal": "5",
                        "courier": "5", "pedestrian": "9", "other": "9"}
DETECTION_METHODS = {
    "risk_profiling": N_("Risk profiling"), "intelligence": N_("Intelligence"), "tip_off": N_("Tip-off"),
    "random": N_("Random selection"), "routine": N_("Routine control"), "canine": N_("Detector dog"),
    "xray": N_("X-ray / scanner"), "physical_exam": N_("Physical examination"),
    "document_check": N_("Document check"), "post_clearance_audit": N_("Post-clearance audit"),
    "joint_operation": N_("Joint operation"), "other": N_("Other"),
}
CONCEALMENT_METHODS = {
    "undeclared": N_("Undeclared"), "misdeclared": N_("Misdeclared"),
    "mixed_with_cargo": N_("Mixed with cargo"), "within_goods": N_("Within goods"),
    "false_compartment": N_("False compartment"), "natural_void": N_("Natural void"),
    "container_structure": N_("Container structure"), "parasitic_hull": N_("Parasitic (hull)"),
    "luggage": N_("Luggage"), "on_body": N_("On body"), "in_body": N_("In body"),
    "postal_item": N_("Postal item"), "courier_parcel": N_("Courier parcel"), "other": N_("Other"),
}
ROUTE_ROLES = {
    "origin": N_("Origin"), "departure": N_("Departure"), "transit": N_("Transit"),
    "transhipment": N_("Transhipment"), "destination": N_("Destination"),
    "intended_destination": N_("Intended destination"),
}
LOCATION_TYPES = {
    "seaport": N_("Seaport"), "airport": N_("Airport"), "land_border": N_("Land border"),
    "postal_centre": N_("Postal centre"), "courier_hub": N_("Courier hub"), "inland": N_("Inland"),
    "at_sea": N_("At sea"), "other": N_("Other"),
}
RECORD_TYPES = {"seizure": N_("Seizure"), "case": N_("Smuggling case")}
STATUSES = {"draft": N_("Draft"), "submitted": N_("Submitted"), "validated": N_("Validated"),
            "withdrawn": N_("Withdrawn")}
# Four-eyes validation state of a shared report (app.validation; drafts and withdrawn reports have none).
VALIDATION_STATES = {"awaiting": N_("Awaiting validation"), "returned": N_("Returned to owner"),
                     "validated": N_("Validated")}
PERSON_ROLES = {
    "suspect": N_("Suspect"), "consignee": N_("Consignee"), "consignor": N_("Consignor"),
    "passenger": N_("Passenger"), "driver": N_("Driver"), "master": N_("Master / captain"),
    "crew": N_("Crew member"), "courier": N_("Courier"), "other": N_("Other"),
}
DOCUMENT_TYPES = {"passport": N_("Passport"), "national_id": N_("National ID card"),
                  "driving_licence": N_("Driving licence"), "seaman_book": N_("Seaman's book"),
                  "other": N_("Other")}
LANGUAGES = {"en": N_("English"), "es": N_("Spanish"), "fr": N_("French"), "nl": N_("Dutch"),
             "pap": N_("Papiamento"), "ht": N_("Haitian Creole")}

# Markings: TLP 2.0, distribution (who may see), handling (3x5x2), Admiralty grading.
TLP = {"clear": N_("TLP:CLEAR"), "green": N_("TLP:GREEN"), "amber": N_("TLP:AMBER"),
       "amber+strict": N_("TLP:AMBER+STRICT"), "red": N_("TLP:RED")}
TLP_ORDER = ["clear", "green", "amber", "amber+strict", "red"]
DISTRIBUTIONS = {
    "organisation": N_("Reporting organisation only"),
    "operation": N_("Organisations of a linked operation"),
    "network": N_("The whole network"),
    "partners": N_("The network and partner organisations"),
}
# tlp -> the distributions it permits
TLP_ALLOWED_DISTRIBUTIONS = {"red": {"organisation"}, "amber+strict": {"organisation", "operation"}}
HANDLING_CODES = {"P": N_("P — lawful sharing permitted"),
                  "C": N_("C — lawful sharing permitted with conditions")}
SOURCE_RELIABILITY = {"A": N_("A — completely reliable"), "B": N_("B — usually reliable"),
                      "C": N_("C — fairly reliable"), "D": N_("D — not usually reliable"),
                      "E": N_("E — unreliable"), "F": N_("F — reliability cannot be judged")}
INFORMATION_CREDIBILITY = {"1": N_("1 — confirmed"), "2": N_("2 — probably true"),
                           "3": N_("3 — possibly true"), "4": N_("4 — doubtful"),
                           "5": N_("5 — improbable"), "6": N_("6 — truth cannot be judged")}

ORGANISATION_KINDS = {"administration": N_("Customs administration"),
                      "regional_office": N_("Regional office"), "partner": N_("Partner organisation")}
ROLES = {"officer": N_("Enforcement Liaison Officer"), "analyst": N_("Analyst"),
         "validator": N_("Validator"), "manager": N_("Manager"), "sysadmin": N_("System administrator")}
OPERATION_STATUSES = {"planned": N_("Planned"), "active": N_("Active"), "closed": N_("Closed")}


# --- units ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    code: str
    label: str
    dimension: str
    factor: float  # multiply by this to get the dimension's canonical unit


CANONICAL_UNITS = {"sticks": "sticks", "mass": "kg", "volume": "litres", "pieces": "pieces",
                   "rounds": "rounds"}
UNITS: dict[str, Unit] = {u.code: u for u in [
    Unit("sticks", N_("sticks"), "sticks", 1),
    Unit("packs", N_("packs (20 sticks)"), "sticks", 20),
    Unit("cartons", N_("cartons (200 sticks)"), "sticks", 200),
    Unit("master_cases", N_("master cases (10 000 sticks)"), "sticks", 10_000),
    Unit("kg", N_("kilograms"), "mass", 1),
    Unit("g", N_("grams"), "mass", 0.001),
    Unit("litres", N_("litres"), "volume", 1),
    Unit("gallons_us", N_("US gallons"), "volume", 3.785411784),
    Unit("gallons_imperial", N_("imperial gallons"), "volume", 4.54609),
    Unit("barrels", N_("barrels (oil)"), "volume", 158.987294928),
    Unit("pieces", N_("pieces"), "pieces", 1),
    Unit("rounds", N_("rounds"), "rounds", 1),
]}

# (category, subcategory or None) -> the dimensions its quantities may be given in.
_DIMENSIONS = {
    ("tobacco", "cigarettes"): ("sticks",), ("tobacco", "cigars"): ("mass",),
    ("tobacco", "raw_tobacco"): ("mass",), ("tobacco", "waterpipe_tobacco"): ("mass",),
    ("tobacco", "e_cigarettes"): ("pieces",), ("tobacco", None): ("sticks", "mass"),
    ("fuel", None): ("volume",), ("firearms", None): ("pieces",), ("ammunition", None): ("rounds",),
    ("explosives", None): ("mass",), ("drugs", None): ("mass",), ("alcohol", None): ("volume",),
    ("currency", None): ("currency",), ("counterfeits", None): ("pieces", "mass"),
    ("wildlife", None): ("pieces", "mass"), ("other", None): ("pieces", "mass", "volume"),
}


def allowed_dimensions(category: str, subcategory: str | None) -> tuple[str, ...]:
    return _DIMENSIONS.get((category, subcategory)) or _DIMENSIONS.get((category, None), ())


def allowed_units(category: str, subcategory: str | None = None) -> list[str]:
    """Unit codes accepted for an item of this category (currency: ISO 4217 codes)."""
    dims = allowed_dimensions(category, subcategory)
    if "currency" in dims:
        return sorted(currency_codes())
    return [u.code for u in UNITS.values() if u.dimension in dims]


class UnitError(ValueError):
    pass


class QuantityError(UnitError):
    """The quantity fits the unit but not the range ELIX records (the field to blame is the quantity)."""


# A trillion sticks, kg or litres (or currency units) is beyond any seizure; the bound keeps every stored
# quantity, and the sums that totals and figures make of them, finite.
MAX_NORMALISED_QUANTITY = 1e12
QUANTITY_DECIMALS = 6


def normalise_quantity(category: str, subcategory: str | None, quantity: float, unit: str) -> tuple[float, str]:
    """Return (quantity, unit) in the canonical unit; UnitError when the unit does not fit."""
    dims = allowed_dimensions(category, subcategory)
    if not dims:
        raise UnitError(f"unknown category {category!r}")
    if "currency" in dims:
        if unit not in currency_codes():
            raise UnitError("currency quantities take an ISO 4217 currency code as unit, e.g. USD")
        return _in_range(quantity, 1, unit), unit
    spec = UNITS.get(unit)
    if spec is None or spec.dimension not in dims:
        what = f"{category}/{subcategory}" if subcategory else category
        raise UnitError(f"{unit!r} is not a unit for {what}; allowed: {', '.join(allowed_units(category, subcategory))}")
    canonical = CANONICAL_UNITS[spec.dimension]
    return round(_in_range(quantity, spec.factor, canonical), QUANTITY_DECIMALS), canonical


def _in_range(quantity: float, factor: float, canonical: str) -> float:
    """quantity × factor, when it is above zero at the recorded precision and at most the maximum."""
    try:
        value = float(quantity) * factor
    except OverflowError:  # an integer too large for a float
        value = math.inf
    if not value <= MAX_NORMALISED_QUANTITY:  # also refuses NaN
        raise QuantityError(f"the quantity is over the largest recorded ({MAX_NORMALISED_QUANTITY:g} {canonical})")
    if round(value, QUANTITY_DECIMALS) <= 0:
        raise QuantityError(f"the quantity must be at least {10 ** -QUANTITY_DECIMALS:.6f} {canonical}")
    return value


# --- countries and currencies ------------------------------------------------------------------------

@lru_cache(maxsize=1)
def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> English short name, territories included."""
    return {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}


@lru_cache(maxsize=1)
def currency_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def is_country(code: str) -> bool:
    return code in countries()


def vocabulary_lists() -> dict[str, dict[str, str]]:
    """Every simple list by name (code -> untranslated label)."""
    return {
        "category": CATEGORIES, "procedure": PROCEDURES, "traffic": TRAFFIC,
        "transport_mode": TRANSPORT_MODES, "detection_method": DETECTION_METHODS,
        "concealment_method": CONCEALMENT_METHODS, "route_role": ROUTE_ROLES,
        "location_type": LOCATION_TYPES, "record_type": RECORD_TYPES, "status": STATUSES,
        "person_role": PERSON_ROLES, "document_type": DOCUMENT_TYPES, "language": LANGUAGES,
        "tlp": TLP, "distribution": DISTRIBUTIONS, "handling": HANDLING_CODES,
        "source_reliability": SOURCE_RELIABILITY, "information_credibility": INFORMATION_CREDIBILITY,
        "organisation_kind": ORGANISATION_KINDS, "role": ROLES, "operation_status": OPERATION_STATUSES,
        "validation_state": VALIDATION_STATES,
    }
