"""How demo seizures happen: per commodity, the ways goods travel (container, barrels, small craft,
passenger, courier…) with their detection and concealment methods, and where they come from."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    key: str
    transport_mode: str
    traffic: str
    location_type: str  # seaport, airport, courier_hub, postal_centre, at_sea
    scale: str  # see commodities
    concealments: dict[str, int]
    detections: dict[str, int]
    covers: tuple[str, ...]  # keys of narratives.COVERS
    person_roles: tuple[str, ...]
    person_rate: float  # share of reports that name persons


SCENARIOS = {s.key: s for s in (
    Scenario("container", "sea", "cargo", "seaport", "large",
             {"within_goods": 40, "misdeclared": 25, "mixed_with_cargo": 15, "container_structure": 10,
              "false_compartment": 10},
             {"risk_profiling": 35, "xray": 30, "intelligence": 15, "physical_exam": 10, "canine": 5,
              "document_check": 5},
             ("fish", "rice", "auto_parts", "furniture", "bananas", "clothing", "tiles", "canned_food", "scrap",
              "building", "food"), ("consignee", "consignor"), 0.3),
    Scenario("barrel", "sea", "cargo", "seaport", "medium", {"within_goods": 80, "misdeclared": 20},
             {"xray": 40, "risk_profiling": 30, "physical_exam": 20, "intelligence": 10},
             ("household", "clothing", "food", "canned_food"), ("consignee",), 0.5),
    Scenario("small_craft", "sea", "small_craft", "at_sea", "medium",
             {"undeclared": 50, "false_compartment": 20, "natural_void": 20, "parasitic_hull": 10},
             {"intelligence": 30, "routine": 25, "tip_off": 20, "joint_operation": 15, "risk_profiling": 10},
             ("fish", "food"), ("master", "crew"), 0.6),
    Scenario("tanker", "sea", "commercial_vessel", "seaport", "large", {"misdeclared": 60, "undeclared": 40},
             {"document_check": 40, "intelligence": 30, "post_clearance_audit": 15, "risk_profiling": 15},
             ("lubricants",), ("master",), 0.4),
    Scenario("passenger_air", "air", "passenger", "airport", "small",
             {"luggage": 55, "on_body": 20, "in_body": 10, "undeclared": 15},
             {"canine": 25, "xray": 25, "risk_profiling": 25, "routine": 10, "random": 10, "intelligence": 5},
             ("clothing",), ("passenger", "courier"), 0.8),
    Scenario("air_cargo", "air", "cargo", "airport", "medium", {"within_goods": 50, "misdeclared": 50},
             {"xray": 40, "risk_profiling": 40, "canine": 20}, ("auto_parts", "clothing", "food", "furniture"),
             ("consignee",), 0.3),
    Scenario("courier", "courier", "express_courier", "courier_hub", "small",
             {"courier_parcel": 70, "misdeclared": 30}, {"xray": 45, "risk_profiling": 35, "canine": 20},
             ("clothing", "auto_parts", "food"), ("consignee",), 0.4),
    Scenario("postal", "postal", "postal", "postal_centre", "small", {"postal_item": 80, "misdeclared": 20},
             {"xray": 50, "canine": 25, "random": 25}, ("clothing", "food"), ("consignee",), 0.3),
    Scenario("vehicle", "road", "vehicle", "seaport", "medium",
             {"false_compartment": 40, "natural_void": 30, "undeclared": 30},
             {"routine": 35, "intelligence": 25, "tip_off": 20, "canine": 20}, ("building", "food"),
             ("driver",), 0.7),
)}

# category -> scenario key -> weight
SCENARIO_MIX = {
    "tobacco": {"container": 55, "small_craft": 12, "passenger_air": 10, "vehicle": 8, "air_cargo": 5,
                "courier": 5, "postal": 5},
    "fuel": {"small_craft": 45, "tanker": 30, "vehicle": 25},
    "firearms": {"barrel": 30, "container": 12, "courier": 15, "postal": 10, "passenger_air": 10,
                 "small_craft": 18, "vehicle": 5},
    "ammunition": {"barrel": 25, "container": 10, "courier": 20, "postal": 10, "passenger_air": 15,
                   "small_craft": 15, "vehicle": 5},
    "drugs": {"container": 30, "small_craft": 25, "passenger_air": 25, "courier": 10, "postal": 5, "air_cargo": 5},
    "alcohol": {"container": 50, "small_craft": 25, "passenger_air": 15, "vehicle": 10},
    "currency": {"passenger_air": 60, "small_craft": 15, "courier": 15, "vehicle": 10},
    "counterfeits": {"container": 60, "courier": 25, "postal": 15},
    "wildlife": {"passenger_air": 40, "small_craft": 30, "courier": 15, "container": 15},
    "explosives": {"container": 50, "small_craft": 50},
    "other": {"container": 50, "passenger_air": 50},
}

# The main commodity of a seizure, network-wide, and what changes it for some administrations.
CATEGORY_MIX = {"tobacco": 30, "fuel": 18, "firearms": 16, "ammunition": 5, "drugs": 13, "alcohol": 7,
                "currency": 5, "counterfeits": 3, "wildlife": 2, "explosives": 0.5, "other": 0.5}
FUEL_ADMINISTRATIONS = ("TT", "GY", "SR", "CW", "AW", "BQ", "HT", "GD", "VC")
FIREARM_ADMINISTRATIONS = ("JM", "HT", "TT", "BS", "TC", "US", "DO")
DRUG_ADMINISTRATIONS = ("CO", "PA", "NL", "ES", "GB", "SR", "GY", "VE", "BS")
FAR_ADMINISTRATIONS = ("CA", "FR", "NL", "ES", "GB", "US", "MX", "BM")
TRANSHIPMENT_HUBS = ("JM", "BS", "PA", "DO", "TT", "CO")


def category_mix(code: str) -> dict[str, float]:
    mix = dict(CATEGORY_MIX)
    if code in FUEL_ADMINISTRATIONS:
        mix["fuel"] *= 3
    if code in FAR_ADMINISTRATIONS:
        mix["fuel"] *= 0.1
    if code in FIREARM_ADMINISTRATIONS:
        mix["firearms"] *= 2.5
        mix["ammunition"] *= 2
    if code in DRUG_ADMINISTRATIONS:
        mix["drugs"] *= 2
    return mix


# Relative number of reports per administration (the others weigh 1).
REPORTING_WEIGHTS = {"JM": 14, "TT": 10, "DO": 9, "BS": 6, "GY": 6, "BB": 5, "CW": 5, "SR": 4, "KY": 4, "HT": 4,
                     "PA": 4, "CO": 4, "AW": 3, "BZ": 3, "LC": 3, "KN": 3, "AG": 3, "VC": 3, "GD": 3, "TC": 3,
                     "SX": 3, "US": 3, "DM": 2, "VG": 2, "BM": 2, "CR": 2, "GT": 2, "HN": 2, "MX": 2, "NL": 2}

ORIGINS = {
    "tobacco": {"PA": 30, "AE": 10, "CN": 6, "CW": 6, "AW": 4, "SX": 5, "US": 10, "DO": 8, "TT": 4, "VE": 4,
                "SR": 4, "GY": 3, "HK": 3},
    "fuel": {"VE": 70, "TT": 10, "GY": 5, "SR": 5, "DO": 5, "CO": 5},
    "firearms": {"US": 82, "HT": 3, "DO": 4, "VE": 5, "CO": 3, "BR": 3},
    "drugs": {"CO": 35, "VE": 20, "JM": 12, "SR": 6, "GY": 6, "PA": 6, "EC": 8, "VC": 4, "DO": 3},
    "alcohol": {"US": 30, "SX": 15, "PA": 20, "GB": 10, "DO": 10, "BB": 5, "FR": 5, "NL": 5},
    "currency": {"US": 40, "PA": 15, "CO": 10, "VE": 10, "DO": 10, "NL": 5, "GB": 5, "CA": 5},
    "counterfeits": {"CN": 50, "PA": 20, "US": 10, "HK": 15, "AE": 5},
    "wildlife": {"GY": 30, "SR": 20, "VE": 20, "DO": 10, "HT": 10, "BS": 10},
    "explosives": {"US": 40, "VE": 30, "CO": 30},
    "other": {"US": 50, "PA": 30, "VE": 20},
}
ORIGINS["ammunition"] = ORIGINS["firearms"]

# Outbound seizures: where the goods were going.
DESTINATIONS = {
    "firearms": {"JM": 25, "HT": 25, "TT": 10, "BS": 10, "DO": 10, "TC": 5, "BB": 5, "LC": 5, "VC": 5},
    "drugs": {"US": 35, "NL": 15, "ES": 10, "GB": 10, "BE": 10, "CA": 5, "FR": 5, "BS": 5, "TC": 5},
    "currency": {"PA": 25, "CO": 20, "US": 20, "VE": 15, "DO": 10, "CW": 10},
    "other": {"US": 40, "VE": 20, "PA": 20, "HT": 20},
}
DESTINATIONS["ammunition"] = DESTINATIONS["firearms"]
# Where goods transhipped at a hub were going next.
ONWARD = {"US": 30, "NL": 10, "GB": 10, "ES": 5, "CA": 5, "BS": 10, "TT": 10, "BB": 10, "HT": 10}

# Share of an administration's seizures of a category that are outbound.
OUTBOUND = {("US", "firearms"): 0.9, ("US", "ammunition"): 0.9, ("CO", "drugs"): 0.6, ("PA", "drugs"): 0.5,
            ("VE", "drugs"): 0.6, ("JM", "drugs"): 0.4, ("DO", "drugs"): 0.5, ("SR", "drugs"): 0.5,
            ("GY", "drugs"): 0.5}

TRANSITS = {"sea": {"PA": 25, "JM": 15, "BS": 15, "DO": 15, "TT": 10, "CW": 10, "US": 10},
            "air": {"US": 30, "PA": 25, "TT": 10, "BB": 10, "AG": 5, "SX": 10, "DO": 10}}
