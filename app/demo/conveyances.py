"""Means of transport and places for demo reports: vessels with valid IMO numbers, ISO 6346
containers, flights, vehicle plates, and the ports and airports outside the network."""
from __future__ import annotations

import random
from dataclasses import dataclass

from app.identifiers import container_check_digit

# Country -> (seaport UN/LOCODEs, airport IATA codes) for places that are not a member's main port.
FOREIGN_PLACES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "US": (("USMIA", "USPEF", "USJAX", "USHOU"), ("MIA", "FLL", "JFK", "ATL")),
    "PA": (("PAONX", "PAMIT", "PABLB"), ("PTY",)),
    "CO": (("COCTG", "COBAQ", "COTRB", "COSMR"), ("BOG", "MDE")),
    "VE": (("VEPBL", "VELAG", "VEGUI"), ("CCS",)),
    "DO": (("DOCAU", "DOHAI"), ("SDQ", "PUJ")),
    "AE": (("AEJEA",), ("DXB",)),
    "CN": (("CNNGB", "CNSHK"), ("PVG",)),
    "HK": (("HKHKG",), ("HKG",)),
    "EC": (("ECGYE",), ("GYE",)),
    "BR": (("BRSSZ",), ("GRU",)),
    "BE": (("BEANR",), ("BRU",)),
    "NL": (("NLRTM",), ("AMS",)),
    "GB": (("GBFXT", "GBSOU"), ("LHR", "LGW")),
    "ES": (("ESALG", "ESVLC"), ("MAD",)),
    "FR": (("FRLEH",), ("CDG", "ORY")),
    "CA": (("CAMTR", "CAHAL"), ("YYZ",)),
    "JM": (("JMKIN",), ("KIN", "MBJ")),
    "BS": (("BSFPO", "BSNAS"), ("NAS",)),
    "TT": (("TTPTS", "TTPOS"), ("POS",)),
}

CONTAINER_OWNERS = ("MSCU", "MEDU", "MAEU", "MRKU", "MSKU", "CMAU", "CGMU", "HLXU", "HLBU", "ZIMU", "SMLU",
                    "TGHU", "TCNU", "SEGU", "FCIU", "CAIU", "TRHU", "GESU", "BMOU", "CRXU")

CARGO_VESSELS = ("MSC Anna", "MSC Kingston", "Maersk Cartagena", "Maersk Kalmar", "CMA CGM Fort St Georges",
                 "CMA CGM Rhone", "Seaboard Pride", "Seaboard Voyager", "Tropic Lissette", "Tropic Hope",
                 "Crowley Tiscortes", "Zim Caribbean", "Hapag Santo Domingo Express", "King Ore",
                 "Caribbean Trader", "Bahamas Express", "Caribe Mariner", "Frontier Spirit", "Bomar Rebecca",
                 "Vega Sagittarius", "Atlantic Navigator", "Balboa Express", "Cap San Antonio", "AS Carlotta")
CARGO_FLAGS = ("PA", "LR", "MH", "MT", "BS", "AG", "PT", "CY", "SG", "DK", "DE", "AG", "LR", "PA")

TANKERS = ("MT Caribbean Star", "MT Paria Spirit", "MT Orinoco Dawn", "MT Gulf Trader", "MT Essequibo",
           "MT Arawak", "MT Sea Breeze", "MT Bonaire Pearl", "MT Pitch Lake", "MT Cimarron", "MT Boca Grande")
TANKER_FLAGS = ("PA", "LR", "VE", "TT", "KN", "CM", "TG", "MH", "SL")

SMALL_CRAFT = ("Miss Annie", "Lady Jenny", "Blessed Assurance", "Sea Hawk", "Nuestra Señora del Valle",
               "La Gaviota", "Don Chico", "Bon Dieu Bon", "Sweet Jesus", "Captain Rolly", "Island Girl",
               "Mi Esperanza", "Sea Queen", "Reina del Mar", "Ti Mouche", "Stella Maris", "Blue Marlin II",
               "Good Hope", "El Pescador", "Dolphin Express")
SMALL_CRAFT_UNNAMED = "go-fast boat (no name)"

# carrier IATA code -> countries it flies from (besides the network's hubs)
PASSENGER_CARRIERS = {
    "BW": ("TT", "JM", "GY", "BB", "SR", "US", "CA"), "AA": ("US",), "B6": ("US",), "DL": ("US",),
    "UA": ("US",), "NK": ("US",), "KX": ("KY", "US", "JM"), "UP": ("BS", "US"), "WM": ("SX", "AG", "KN"),
    "DM": ("DO",), "CM": ("PA", "CO"), "AV": ("CO",), "PY": ("SR",), "KL": ("NL",), "AF": ("FR",),
    "BA": ("GB",), "VS": ("GB",), "WS": ("CA",), "AC": ("CA",), "IB": ("ES",), "UX": ("ES",),
}
CARGO_CARRIERS = ("M6", "FX", "5X", "BW")

# Vehicle plate shapes: '#' a digit, '@' a letter.
PLATE_SHAPES = {"JM": "#### @@", "TT": "T@@ ####", "GY": "G@@ ####", "DO": "L######", "HT": "@@-#####",
                "SR": "@@-##-##", "BZ": "C-#####", "US": "@@@ ####", "BS": "@@####", "BB": "@####"}
PLATE_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def imo_number(rng: random.Random, used: set[str]) -> str:
    """A 7-digit IMO number whose last digit is the weighted check digit of the first six."""
    while True:
        digits = [rng.choice((8, 9, 9, 9))] + [rng.randrange(10) for _ in range(5)]
        check = sum(d * w for d, w in zip(digits, range(7, 1, -1))) % 10
        number = "".join(map(str, digits)) + str(check)
        if number not in used:
            used.add(number)
            return number


def container_number(rng: random.Random) -> str:
    first_ten = rng.choice(CONTAINER_OWNERS) + f"{rng.randrange(1_000_000):06d}"
    return first_ten + str(container_check_digit(first_ten))


def vehicle_plate(rng: random.Random, country: str) -> str:
    shape = PLATE_SHAPES.get(country, "@@ ####")
    return "".join(str(rng.randrange(10)) if c == "#" else rng.choice(PLATE_LETTERS) if c == "@" else c
                   for c in shape)


@dataclass(frozen=True)
class Vessel:
    name: str
    imo: str | None
    flag: str | None


@dataclass
class Fleet:
    """The ships of one demo run: the same ship keeps its IMO number and flag in every report."""

    cargo: list[Vessel]
    tankers: list[Vessel]

    @classmethod
    def build(cls, rng: random.Random) -> Fleet:
        used: set[str] = set()
        cargo = [Vessel(name, imo_number(rng, used), rng.choice(CARGO_FLAGS)) for name in CARGO_VESSELS]
        tankers = [Vessel(name, imo_number(rng, used), rng.choice(TANKER_FLAGS)) for name in TANKERS]
        return cls(cargo, tankers)

    def small_craft(self, rng: random.Random, flags: tuple[str, ...]) -> Vessel:
        # Small craft carry no IMO number.
        name = SMALL_CRAFT_UNNAMED if rng.random() < 0.2 else rng.choice(SMALL_CRAFT)
        return Vessel(name, None, rng.choice(flags) if name != SMALL_CRAFT_UNNAMED else None)


def flight(rng: random.Random, origin: str, *, cargo: bool = False) -> str:
    if cargo:
        carrier = rng.choice(CARGO_CARRIERS)
    else:
        carriers = [code for code, countries in PASSENGER_CARRIERS.items() if origin in countries]
        carrier = rng.choice(carriers or ["BW", "AA", "CM", "B6"])
    return f"{carrier} {rng.randint(1, 2999) if rng.random() < 0.8 else rng.randint(3000, 9999)}"


def seaport_of(country: str, rng: random.Random, members: dict) -> str | None:
    """A seaport UN/LOCODE in `country` (None when the demo knows none)."""
    ports = FOREIGN_PLACES.get(country, ((), ()))[0]
    if country in members and (not ports or rng.random() < 0.5):
        return members[country].seaport.locode
    return rng.choice(ports) if ports else None


def airport_of(country: str, rng: random.Random, members: dict) -> str | None:
    """An airport IATA code in `country`."""
    airports = FOREIGN_PLACES.get(country, ((), ()))[1]
    if country in members and (not airports or rng.random() < 0.5):
        return members[country].airport.iata
    return rng.choice(airports) if airports else None
