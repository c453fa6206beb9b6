"""What demo seizures contain: items per category with plausible quantities, units, HS codes,
details and values. `scale` says how much a conveyance carries: small (a passenger, a parcel, a car),
medium (a small craft, air cargo) or large (a container, a tanker)."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from app import vocabularies as vocab


@dataclass
class ItemDraft:
    category: str
    subcategory: str | None
    quantity: float
    unit: str
    hs_code: str | None
    noun: str  # key of the commodity's name in narratives.NOUNS
    label: str | None = None  # brand, make and model: not translated
    status: str | None = None  # counterfeit, illicit_white, contraband
    unit_price: float | None = None  # USD per canonical unit
    details: dict = field(default_factory=dict)

    @property
    def normalised(self) -> float:
        return vocab.normalise_quantity(self.category, self.subcategory, self.quantity, self.unit)[0]

    def estimated_value(self) -> dict | None:
        if self.unit_price is None:
            return None
        amount = self.normalised * self.unit_price
        digits = max(0, int(math.log10(amount)) - 2) if amount >= 1 else 0
        return {"amount": float(round(amount, -digits)), "currency": "USD"}


def log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def pick(rng: random.Random, weighted: dict):  # noqa: ANN201 - keys of any type
    """A key of `weighted` drawn with probability proportional to its value."""
    left = rng.random() * sum(weighted.values())
    for key, weight in weighted.items():
        left -= weight
        if left < 0:
            return key
    return key  # rounding left a crumb: the last key



# --- tobacco ------------------------------------------------------------------------------------------

CIGARETTE_BRANDS = {  # brand -> the statuses it is seized as
    "Marlboro": ("counterfeit", "contraband"), "Newport": ("counterfeit",), "Benson & Hedges": ("contraband",),
    "Craven A": ("contraband", "counterfeit"), "Du Maurier": ("contraband",), "Rothmans": ("counterfeit",),
    "Dunhill": ("counterfeit",), "Pall Mall": ("contraband",), "Belmont": ("contraband",),
    "Gold Mount": ("illicit_white",), "Modern": ("illicit_white",), "Ace": ("illicit_white",),
    "Jin Ling": ("illicit_white",), "Oris": ("illicit_white",), "Fortuna": ("contraband",),
    "Hollywood": ("contraband",),
}
CIGAR_BRANDS = ("Cohiba", "Montecristo", "Romeo y Julieta", "Partagás")
WATERPIPE_BRANDS = ("Al Fakher", "Starbuzz", "Adalya")
VAPE_BRANDS = ("Elf Bar", "Geek Bar", "Lost Mary", "unbranded")
STICKS = {"small": (5_000, 60_000), "medium": (20_000, 1_000_000), "large": (200_000, 5_000_000)}


def cigarettes(rng: random.Random, scale: str) -> ItemDraft:
    sticks = log_uniform(rng, *STICKS[scale])
    if sticks >= 200_000 and rng.random() < 0.6:
        unit, quantity = "master_cases", max(1, round(sticks / 10_000))
    elif sticks < 40_000 and rng.random() < 0.4:
        unit, quantity = "packs", max(250, round(sticks / 20))
    else:
        unit, quantity = "cartons", max(25, round(sticks / 200))
    brand = rng.choice(list(CIGARETTE_BRANDS))
    status = rng.choice(CIGARETTE_BRANDS[brand])
    return ItemDraft("tobacco", "cigarettes", quantity, unit, "240220", "cigarettes", brand, status,
                     round(rng.uniform(0.03, 0.08), 3), {"brand": brand, "status": status})


def tobacco(rng: random.Random, scale: str, year: int) -> list[ItemDraft]:
    kind = pick(rng, {"cigarettes": 82, "cigars": 5, "waterpipe_tobacco": 5, "raw_tobacco": 3,
                      "e_cigarettes": 5 if year >= 2019 else 0})
    factor = {"small": 1, "medium": 8, "large": 40}[scale]
    if kind == "cigarettes":
        return [cigarettes(rng, scale)]
    if kind == "cigars":
        brand = rng.choice(CIGAR_BRANDS)
        status = rng.choice(("counterfeit", "contraband"))
        return [ItemDraft("tobacco", "cigars", round(log_uniform(rng, 1, 6 * factor), 1), "kg", "240210", "cigars",
                          brand, status, round(rng.uniform(150, 600)), {"brand": brand, "status": status})]
    if kind == "waterpipe_tobacco":
        brand = rng.choice(WATERPIPE_BRANDS)
        return [ItemDraft("tobacco", "waterpipe_tobacco", round(log_uniform(rng, 10, 25 * factor)), "kg", "240311",
                          "waterpipe", brand, "contraband", round(rng.uniform(8, 15), 2), {"brand": brand})]
    if kind == "raw_tobacco":
        return [ItemDraft("tobacco", "raw_tobacco", round(log_uniform(rng, 50, 100 * factor)), "kg", "240120",
                          "raw_tobacco", None, "contraband", round(rng.uniform(3, 6), 2))]
    brand = rng.choice(VAPE_BRANDS)
    return [ItemDraft("tobacco", "e_cigarettes", round(log_uniform(rng, 50, 400 * factor)), "pieces", "854340",
                      "e_cigarettes", None if brand == "unbranded" else brand, "contraband",
                      round(rng.uniform(4, 12), 2), {"brand": brand})]


# --- fuel ----------------------------------------------------------------------------------------------

FUEL_HS = {"gasoline": "271012", "diesel": "271019", "kerosene": "271019", "lpg": "271112"}
LITRES = {"small": (200, 5_000), "medium": (1_000, 40_000), "large": (40_000, 2_000_000)}


def fuel(rng: random.Random, scale: str, imperial: bool) -> list[ItemDraft]:
    kind = pick(rng, {"diesel": 55, "gasoline": 30, "kerosene": 8, "lpg": 7})
    litres = log_uniform(rng, *LITRES[scale])
    if scale == "large" and rng.random() < 0.6:
        unit, quantity = "barrels", round(litres / 158.987294928)
    elif imperial and rng.random() < 0.6:
        unit, quantity = "gallons_imperial", round(litres / 4.54609)
    elif rng.random() < 0.4:
        unit, quantity = "gallons_us", round(litres / 3.785411784, -1 if litres > 2000 else 0)
    else:
        unit, quantity = "litres", round(litres, -2 if litres > 5000 else -1)
    details = {"packaging": rng.choice(("55-gallon drums", "jerrycans", "bladder tanks"))} if scale != "large" else {}
    if kind == "diesel" and rng.random() < 0.3:
        details["marker"] = "subsidised fuel marker detected"
    return [ItemDraft("fuel", kind, max(quantity, 1), unit, FUEL_HS[kind], kind, None, "contraband",
                      round(rng.uniform(0.4, 1.2), 2), details)]


# --- firearms and ammunition ------------------------------------------------------------------------

FIREARMS = {  # subcategory -> (make and model, calibre, unit price USD)
    "pistol": (("Glock 17", "9mm", 600), ("Glock 19", "9mm", 600), ("Taurus G2C", "9mm", 280),
               ("Smith & Wesson M&P9", "9mm", 500), ("Beretta 92FS", "9mm", 650), ("Hi-Point C9", "9mm", 190),
               ("SCCY CPX-2", "9mm", 250), ("Sig Sauer P320", "9mm", 580), ("Glock 22", ".40 S&W", 600),
               ("Springfield XD", ".40 S&W", 480), ("Ruger LCP", ".380 ACP", 300)),
    "revolver": (("Smith & Wesson Model 10", ".38 Special", 700), ("Taurus 85", ".38 Special", 400),
                 ("Rossi R352", ".38 Special", 350), ("Smith & Wesson 686", ".357 Magnum", 900)),
    "rifle": (("Ruger 10/22", ".22 LR", 350), ("Remington 700", ".308 Win", 800), ("Savage Axis", ".308 Win", 450)),
    "shotgun": (("Mossberg 500", "12 gauge", 450), ("Remington 870", "12 gauge", 500), ("Maverick 88", "12 gauge", 250)),
    "assault_rifle": (("AR-15 pattern rifle", "5.56x45mm", 900), ("AK-pattern pistol (Draco)", "7.62x39mm", 800),
                      ("Smith & Wesson M&P15", "5.56x45mm", 850)),
    "submachine_gun": (("Uzi-pattern submachine gun", "9mm", 1500), ("Intratec TEC-9", "9mm", 900)),
    "parts_components": (("pistol slides and frames", None, 150), ("AR-15 upper receivers", None, 300),
                         ("extended magazines", None, 30), ("auto sears ('switches')", None, 100),
                         ("unfinished lower receivers", None, 90), ("pistol barrels", None, 120)),
}
FIREARM_HS = {"pistol": "930200", "revolver": "930200", "rifle": "930330", "shotgun": "930320",
              "assault_rifle": "930190", "submachine_gun": "930190", "parts_components": "930510"}
CALIBRES = ("9mm", "9mm", "9mm", ".40 S&W", ".45 ACP", ".38 Special", "5.56x45mm", "7.62x39mm", ".223 Rem",
            "12 gauge", ".22 LR")
PIECES = {"small": (1, 4), "medium": (1, 12), "large": (2, 30)}
ROUNDS = {"small": (10, 400), "medium": (100, 3_000), "large": (500, 20_000)}


def ammunition(rng: random.Random, scale: str, calibre: str | None = None) -> ItemDraft:
    calibre = calibre or rng.choice(CALIBRES)
    rounds = round(log_uniform(rng, *ROUNDS[scale]))
    if rounds > 200:
        rounds = round(rounds, -1)
    return ItemDraft("ammunition", None, rounds, "rounds", "930621" if calibre == "12 gauge" else "930630",
                     "ammunition", calibre, None, round(rng.uniform(0.3, 1.5), 2), {"calibre": calibre})


def firearms(rng: random.Random, scale: str) -> list[ItemDraft]:
    kind = pick(rng, {"pistol": 50, "revolver": 12, "rifle": 7, "shotgun": 6, "assault_rifle": 11,
                      "submachine_gun": 3, "parts_components": 11})
    model, calibre, price = rng.choice(FIREARMS[kind])
    low, high = PIECES[scale]
    pieces = rng.randint(low, high) if rng.random() < 0.85 else rng.randint(low, high * 3)
    if kind == "parts_components":
        pieces = round(log_uniform(rng, 3, 60 if scale == "small" else 300))
    details = {"make_model": model}
    if calibre:
        details["calibre"] = calibre
        details["serial_numbers"] = rng.choice(("intact", "intact", "obliterated", "none (privately made)"))
    items = [ItemDraft("firearms", kind, pieces, "pieces", FIREARM_HS[kind], kind, model, None, price, details)]
    if calibre and rng.random() < 0.6:
        items.append(ammunition(rng, scale, calibre))
    if kind != "parts_components" and rng.random() < 0.25:
        items.append(ItemDraft("firearms", "parts_components", rng.randint(2, 20), "pieces", "930510",
                               "parts_components", "magazines", None, 30, {"make_model": "magazines"}))
    return items


# --- drugs, alcohol, currency and the rest ------------------------------------------------------------

DRUGS = {  # subcategory -> (kg range per scale factor, HS code, USD per kg)
    "cocaine": ((0.3, 4), "293971", (8_000, 30_000)), "cannabis": ((1, 20), "121190", (400, 2_000)),
    "heroin": ((0.2, 3), "293911", (30_000, 60_000)), "methamphetamine": ((0.1, 2), "293971", (10_000, 40_000)),
    "synthetic": ((0.05, 1), None, (5_000, 20_000)), "other_drug": ((0.1, 2), None, (2_000, 10_000)),
}
DRUG_SCALE = {"small": 1, "medium": 60, "large": 150}


def drugs(rng: random.Random, scale: str) -> list[ItemDraft]:
    kind = pick(rng, {"cocaine": 50, "cannabis": 35, "heroin": 3, "methamphetamine": 3, "synthetic": 5,
                      "other_drug": 4})
    (low, high), hs, (p_low, p_high) = DRUGS[kind]
    kg = log_uniform(rng, low * DRUG_SCALE[scale], high * DRUG_SCALE[scale])
    unit, quantity = ("g", round(kg * 1000)) if kg < 1 else ("kg", round(kg, 1 if kg < 100 else 0))
    packaging = {"cocaine": ("bricks", "pellets", "packages"), "cannabis": ("compressed bales", "vacuum-sealed bags")}
    details = {"packaging": rng.choice(packaging.get(kind, ("packages", "tablets")))}
    if kind in ("cocaine", "cannabis"):
        details["packages"] = max(1, round(kg / rng.uniform(0.5, 1.2)))
    return [ItemDraft("drugs", kind, quantity, unit, hs, kind, None, None, round(rng.uniform(p_low, p_high)), details)]


ALCOHOL = {"rum": ("220840", 8), "whisky": ("220830", 25), "vodka": ("220860", 12), "wine": ("220421", 6),
           "champagne": ("220410", 30), "beer": ("220300", 2)}
ALCOHOL_LITRES = {"small": (4, 60), "medium": (150, 5_000), "large": (2_000, 30_000)}


def alcohol(rng: random.Random, scale: str) -> list[ItemDraft]:
    product = rng.choice(list(ALCOHOL))
    hs, price = ALCOHOL[product]
    litres = log_uniform(rng, *ALCOHOL_LITRES[scale])
    unit, quantity = ("gallons_us", round(litres / 3.785411784)) if scale == "large" and rng.random() < 0.2 else \
        ("litres", round(litres, 1 if litres < 20 else -1 if litres > 500 else 0))
    return [ItemDraft("alcohol", None, max(quantity, 1), unit, hs, product, None, "contraband",
                      price, {"product": product})]


# ISO 4217 code -> units per USD (rough)
CURRENCIES = {"USD": 1, "EUR": 0.9, "GBP": 0.8, "CAD": 1.35, "JMD": 155, "TTD": 6.8, "XCD": 2.7, "BSD": 1,
              "BBD": 2, "GYD": 209, "DOP": 58, "HTG": 130, "COP": 4_000, "MXN": 18, "KYD": 0.83, "BZD": 2}
LOCAL_CURRENCY = {"JM": "JMD", "TT": "TTD", "AG": "XCD", "DM": "XCD", "GD": "XCD", "KN": "XCD", "LC": "XCD",
                  "VC": "XCD", "AI": "XCD", "MS": "XCD", "BS": "BSD", "BB": "BBD", "GY": "GYD", "DO": "DOP",
                  "HT": "HTG", "CO": "COP", "MX": "MXN", "KY": "KYD", "BZ": "BZD", "FR": "EUR", "NL": "EUR",
                  "ES": "EUR", "GB": "GBP", "CA": "CAD"}
CASH_USD = {"small": (10_000, 250_000), "medium": (50_000, 1_000_000), "large": (100_000, 3_000_000)}


def currency(rng: random.Random, scale: str, country: str) -> list[ItemDraft]:
    local = LOCAL_CURRENCY.get(country)
    code = local if local and rng.random() < 0.25 else ("EUR" if rng.random() < 0.1 else "USD")
    usd = round(log_uniform(rng, *CASH_USD[scale]), -2)
    amount = round(usd * CURRENCIES[code], -2)
    return [ItemDraft("currency", None, amount, code, None, "cash", None, None, 1 / CURRENCIES[code],
                      {"denominations": f"{code} {rng.choice((20, 50, 100, 100, 100))} notes"})]


COUNTERFEITS = {"phones": ("pieces", 40), "handbags": ("pieces", 25), "shoes": ("pieces", 20),
                "clothing": ("pieces", 8), "watches": ("pieces", 15), "medicines": ("kg", 60),
                "perfume": ("pieces", 10), "auto_parts": ("pieces", 12)}
WILDLIFE = {"parrots": ("pieces", (2, 30), 800), "songbirds": ("pieces", (2, 25), 1_500),
            "turtle_shell": ("pieces", (5, 150), 50), "conch": ("kg", (50, 2_000), 15),
            "sea_cucumber": ("kg", (100, 1_500), 60)}


def counterfeits(rng: random.Random, scale: str) -> list[ItemDraft]:
    product = rng.choice(list(COUNTERFEITS))
    unit, price = COUNTERFEITS[product]
    top = {"small": 80, "medium": 2_000, "large": 20_000}[scale]
    quantity = round(log_uniform(rng, 10, top)) if unit == "pieces" else round(log_uniform(rng, 1, top / 50), 1)
    return [ItemDraft("counterfeits", None, max(quantity, 1), unit, None, product, None, "counterfeit", price,
                      {"product": product})]


def wildlife(rng: random.Random, _scale: str) -> list[ItemDraft]:
    species = rng.choice(list(WILDLIFE))
    unit, (low, high), price = WILDLIFE[species]
    return [ItemDraft("wildlife", None, round(log_uniform(rng, low, high)), unit, None, species, None, None, price,
                      {"cites": "Appendix II" if species != "turtle_shell" else "Appendix I"})]


def explosives(rng: random.Random, _scale: str) -> list[ItemDraft]:
    return [ItemDraft("explosives", None, round(log_uniform(rng, 0.5, 25), 1), "kg", "360200", "explosives",
                      None, None, None, {"type": rng.choice(("commercial dynamite", "detonating cord", "C-4"))})]


def other(rng: random.Random, _scale: str) -> list[ItemDraft]:
    return [ItemDraft("other", None, round(log_uniform(rng, 2, 200)), "pieces", None, "jewellery", None, None,
                      round(rng.uniform(50, 400)), {"product": "undeclared jewellery"})]


def items_for(rng: random.Random, category: str, scale: str, *, year: int, country: str) -> list[ItemDraft]:
    """The items of one seizure whose main commodity is `category`."""
    if category == "tobacco":
        return tobacco(rng, scale, year)
    if category == "fuel":
        return fuel(rng, scale, imperial=country in ("GY", "TT", "BZ"))
    if category == "firearms":
        return firearms(rng, scale)
    if category == "ammunition":
        return [ammunition(rng, scale)]
    if category == "currency":
        return currency(rng, scale, country)
    makers = {"drugs": drugs, "alcohol": alcohol, "counterfeits": counterfeits, "wildlife": wildlife,
              "explosives": explosives, "other": other}
    return makers[category](rng, scale)
