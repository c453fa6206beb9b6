"""The demo network: the CCLEC administrations (from data/cclec_members.csv), the regional offices,
the partners, the demo accounts and the past operations. Plain data, no database."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

MEMBERS_CSV = Path(__file__).parent / "data" / "cclec_members.csv"
DEMO_PASSWORD = "elix-demo-2026"  # noqa: S105 - a published demo password, printed by `make run`
NARRATIVE_LANGUAGES = ("en", "es", "fr", "nl")


@dataclass(frozen=True)
class Place:
    name: str
    locode: str | None
    iata: str | None
    lat: float
    lon: float


@dataclass(frozen=True)
class Administration:
    code: str
    country_name: str
    name: str  # the customs administration
    languages: tuple[str, ...]
    timezone: str
    seaport: Place
    airport: Place

    @property
    def language(self) -> str:
        """The first of its languages that report narratives are written in."""
        return next((lang for lang in self.languages if lang in NARRATIVE_LANGUAGES), "en")


@dataclass(frozen=True)
class OrganisationSpec:
    code: str
    name: str
    kind: str
    country: str | None


@dataclass(frozen=True)
class UserSpec:
    email: str
    organisation: str
    roles: tuple[str, ...]
    name: str
    listed: bool = True  # shown in the table of logins


@dataclass(frozen=True)
class OperationSpec:
    code: str
    name: str
    description: str
    lead: str
    starts_on: date
    ends_on: date
    participants: tuple[str, ...]
    focus_categories: tuple[str, ...]
    share: float  # fraction of the generated reports that belong to the operation


@lru_cache(maxsize=1)
def administrations() -> tuple[Administration, ...]:
    with MEMBERS_CSV.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Administration(
                code=row["code"], country_name=row["name"], name=row["administration"],
                languages=tuple(row["languages"].split(";")), timezone=row["timezone"],
                seaport=Place(row["seaport_name"], row["seaport_locode"] or None, None,
                              float(row["seaport_lat"]), float(row["seaport_lon"])),
                airport=Place(row["airport_name"], None, row["airport_iata"],
                              float(row["airport_lat"]), float(row["airport_lon"])),
            )
            for row in csv.DictReader(handle)
        )


def administration(code: str) -> Administration:
    return next(a for a in administrations() if a.code == code)


OTHER_ORGANISATIONS = (
    OrganisationSpec("JIO", "CCLEC Joint Intelligence Office", "regional_office", None),
    OrganisationSpec("RILO-CAR", "Regional Intelligence Liaison Office for the Caribbean", "regional_office", None),
    OrganisationSpec("WCO", "World Customs Organization", "partner", "BE"),
    OrganisationSpec("IPOL", "INTERPOL", "partner", "FR"),
)


def organisations() -> list[OrganisationSpec]:
    members = [OrganisationSpec(a.code, a.name, "administration", a.code) for a in administrations()]
    return members + list(OTHER_ORGANISATIONS)


_KEY_USERS = (
    UserSpec("officer@jm.example", "JM", ("officer",), "Jamaica ELO (demo)"),
    UserSpec("officer@kn.example", "KN", ("officer",), "St Kitts and Nevis ELO (demo)"),
    UserSpec("officer@tt.example", "TT", ("officer",), "Trinidad and Tobago ELO (demo)"),
    UserSpec("analyst@jm.example", "JM", ("analyst",), "Jamaica analyst (demo)"),
    UserSpec("manager@jm.example", "JM", ("manager",), "Jamaica national contact point (demo)"),
    UserSpec("validator@jio.example", "JIO", ("validator",), "JIO validator (demo)"),
    UserSpec("validator2@jio.example", "JIO", ("validator",), "JIO second validator (demo)", listed=False),
    UserSpec("analyst@jio.example", "JIO", ("analyst",), "JIO analyst (demo)"),
    UserSpec("sysadmin@jio.example", "JIO", ("sysadmin",), "JIO system administrator (demo)"),
    UserSpec("validator@rilo-car.example", "RILO-CAR", ("validator",), "RILO Caribbean validator (demo)"),
    UserSpec("analyst@wco.example", "WCO", ("analyst",), "WCO analyst (demo)"),
)


def officer_email(code: str) -> str:
    return f"officer@{code.lower()}.example"


def users() -> list[UserSpec]:
    """The listed accounts, then one officer per administration (the authors of its reports)."""
    listed = {u.email for u in _KEY_USERS}
    officers = [UserSpec(officer_email(a.code), a.code, ("officer",), f"{a.country_name} ELO (demo)", listed=False)
                for a in administrations() if officer_email(a.code) not in listed]
    return list(_KEY_USERS) + officers


OPERATION_CREATOR = "analyst@jio.example"

OPERATIONS = (
    OperationSpec(
        code="CARIBBEAN-SHIELD-2017", name="Operation Caribbean Shield",
        description=("A six-week regional operation against the trafficking of small arms, their parts and "
                     "ammunition into and through the Caribbean, coordinated by the CCLEC Joint Intelligence "
                     "Office with the RILO for the Caribbean. Participating administrations intensified risk "
                     "profiling and examination of barrels, consolidated cargo, courier parcels and small craft "
                     "arriving from the United States and neighbouring countries."),
        lead="JIO", starts_on=date(2017, 10, 2), ends_on=date(2017, 11, 12),
        participants=("AG", "BB", "BS", "BZ", "DM", "DO", "GD", "GY", "HT", "JM", "KN", "KY", "LC", "RILO-CAR",
                      "SR", "TC", "TT", "VC"),
        focus_categories=("firearms", "ammunition"), share=0.02),
    OperationSpec(
        code="HUNTER-2017", name="Operation Hunter",
        description=("A regional operation against the smuggling of cigarettes and other tobacco products "
                     "shipped from free trade zones, focusing on containerised cargo and transhipment."),
        lead="JIO", starts_on=date(2017, 4, 3), ends_on=date(2017, 5, 14),
        participants=("AG", "BB", "CW", "DO", "GY", "JM", "KN", "LC", "SR", "SX", "TT", "VC"),
        focus_categories=("tobacco",), share=0.01),
    OperationSpec(
        code="BLACK-TIDE-2021", name="Operation Black Tide",
        description=("A joint operation against the smuggling of fuel by small craft and coastal tankers "
                     "in the southern Caribbean."),
        lead="TT", starts_on=date(2021, 3, 1), ends_on=date(2021, 4, 11),
        participants=("AW", "BQ", "CW", "GD", "GY", "JIO", "SR", "VC"),
        focus_categories=("fuel",), share=0.007),
)
