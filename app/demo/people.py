"""Fictitious persons for demo reports (nominal data), named after the region's naming customs."""
from __future__ import annotations

import random

FIRST_NAMES = {
    "en": ("Andre", "Marlon", "Kemar", "Shanique", "Tamika", "Dwayne", "Ricardo", "Keisha", "Devon", "Omar",
           "Leroy", "Nadine", "Garfield", "Sheldon", "Kerry-Ann", "Jermaine", "Akeem", "Rohan", "Trevor", "Sasha"),
    "es": ("José", "Luis", "Carlos", "Miguel", "Juan", "Yesenia", "María", "Ana", "Pedro", "Rafael", "Wilmer",
           "Yoel", "Ramón", "Francisco", "Luisa", "Yohandry", "Darwin", "Leidy"),
    "fr": ("Jean", "Pierre", "Marie", "Jacques", "Wilson", "Rosemond", "Fritz", "Nadège", "Guerline", "Widlin",
           "Kervens", "Stéphane", "Jude", "Mackenson"),
    "nl": ("Jan", "Pieter", "Ruben", "Jurgen", "Shurandy", "Giovanni", "Dwight", "Roderick", "Iwan", "Priya",
           "Ravi", "Naomi", "Sharon", "Melvin", "Jairo"),
}
LAST_NAMES = {
    "en": ("Campbell", "Williams", "Brown", "Thompson", "Johnson", "Clarke", "Gordon", "Henry", "Francis",
           "Ramdass", "Persaud", "Mohammed", "Charles", "Joseph", "Baptiste", "Edwards", "Grant", "Reid", "Bailey",
           "Singh", "Rolle", "Ebanks", "Forbes"),
    "es": ("Rodríguez", "Pérez", "Martínez", "García", "González", "Hernández", "Sánchez", "Ramírez", "Castillo",
           "Mejía", "Vargas", "Reyes", "Peña", "Figueroa", "Brito"),
    "fr": ("Joseph", "Pierre", "Jean-Louis", "Charles", "Baptiste", "Augustin", "Désir", "Louis", "Étienne",
           "Saint-Fleur", "Dorvil", "Théodore", "Céus"),
    "nl": ("de Windt", "Martina", "Maduro", "Croes", "Ras", "Kock", "Djaoen", "Sewdien", "Pinas", "Bottse",
           "Jansen", "de Vries", "Tromp", "Wijngaarde", "Rosaria"),
}
COMPANIES = ("Island Traders Ltd", "Caribe Import Export SRL", "Blue Water Logistics", "Tropical Wholesale Inc",
             "Sunrise General Merchants", "Global Freight Consolidators", "Bahía Comercial S.A.",
             "Windward Distributors", "Zona Libre Trading Corp", "Atlantic Barrel Shipping LLC")
NAME_LANGUAGE = {**dict.fromkeys(("DO", "CO", "VE", "PA", "CU", "MX", "CR", "GT", "HN", "NI", "ES", "EC"), "es"),
                 **dict.fromkeys(("HT", "FR"), "fr"),
                 **dict.fromkeys(("SR", "CW", "AW", "SX", "NL", "BQ"), "nl")}
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def full_name(rng: random.Random, nationality: str) -> str:
    lang = NAME_LANGUAGE.get(nationality, "en")
    name = f"{rng.choice(FIRST_NAMES[lang])} {rng.choice(LAST_NAMES[lang])}"
    if lang == "es" and rng.random() < 0.5:
        name += f" {rng.choice(LAST_NAMES['es'])}"
    return name


def document(rng: random.Random, role: str, nationality: str, country: str) -> dict | None:
    if role in ("passenger", "courier", "suspect") or (role in ("master", "crew") and rng.random() < 0.5):
        number = rng.choice(LETTERS) + rng.choice(LETTERS + "0123456789") + f"{rng.randrange(10**7):07d}"
        return {"type": "passport", "number": number, "country": nationality}
    if role in ("master", "crew"):
        return {"type": "seaman_book", "number": f"SB{rng.randrange(10**6):06d}", "country": nationality}
    if role == "driver":
        return {"type": "driving_licence", "number": f"{rng.randrange(10**9):09d}", "country": country}
    if rng.random() < 0.5:
        return {"type": "national_id", "number": f"{rng.randrange(10**10):010d}", "country": nationality}
    return None


def persons(rng: random.Random, roles: tuple[str, ...], *, country: str, origin: str | None) -> list[dict]:
    """One to four persons of the scenario's roles; the first role leads."""
    count = 1 if roles[0] in ("consignee", "driver") else rng.choice((1, 1, 1, 2))
    if roles[0] == "master":
        count = rng.randint(1, 4)
    found = []
    for index in range(count):
        role = roles[0] if index == 0 else roles[-1]
        if role in ("consignee", "consignor") and rng.random() < 0.3:
            found.append({"role": role, "name": rng.choice(COMPANIES), "nationality": None, "document": None})
            continue
        nationality = country if rng.random() < 0.6 or not origin else origin
        found.append({"role": role, "name": full_name(rng, nationality), "nationality": nationality,
                      "document": document(rng, role, nationality, country)})
    return found
