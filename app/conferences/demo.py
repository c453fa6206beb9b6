"""The demo conference (`flask demo load`): the Annual Enforcement Conference, Miami, 1–2 November 2017,
and the phases and executive summary of Operation Caribbean Shield that its report presents. Idempotent:
the conference is found by title and dates, and fields already set are left as an analyst edited them."""
from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select

from app.conferences.models import Conference
from app.conferences.services import create_conference
from app.extensions import db
from app.operations.models import Operation, OperationPhase
from app.organisations.models import Organisation
from app.organisations.services import create_organisation
from app.users.models import User

log = logging.getLogger(__name__)

TITLE = "Annual Enforcement Conference"
STARTS_ON, ENDS_ON = date(2017, 11, 1), date(2017, 11, 2)
CREATOR = "analyst@jio.example"
SECOND_RILO = ("RILO-SAM", "Regional Intelligence Liaison Office for South America")

# 26 member administrations attend, with the number of their delegates.
DELEGATES = {
    "AG": 2, "AI": 1, "AW": 2, "BB": 3, "BM": 1, "BS": 3, "BZ": 2, "CW": 2, "DM": 1, "DO": 3, "GD": 2,
    "GY": 2, "HT": 2, "JM": 4, "KN": 2, "KY": 2, "LC": 2, "MS": 1, "SR": 2, "SX": 2, "TC": 2, "TT": 4,
    "VC": 2, "VG": 1, "US": 3, "CA": 2,
}
RILOS = {"RILO-CAR": 2, "RILO-SAM": 1}

AGENDA = [
    {"title": "Opening of the conference and adoption of the agenda", "presenter": "Chair of the conference",
     "presenter_organisation": "JIO",
     "summary": "The Chair welcomed the delegations of 26 administrations and two Regional Intelligence Liaison "
                "Offices. The agenda was adopted without changes."},
    {"title": "Operation Hunter: results of the regional tobacco operation", "presenter": "JIO analyst",
     "presenter_organisation": "JIO",
     "summary": "Operation Hunter (April–May 2017) targeted cigarettes shipped from free trade zones in "
                "containerised cargo and through transhipment hubs. The JIO presented the seizures reported by "
                "the participants and the routes they revealed."},
    {"title": "Tobacco smuggling in the region", "presenter": "Enforcement Liaison Officer",
     "presenter_organisation": "TT",
     "summary": "Counterfeit and illicit-white cigarettes continue to arrive in consolidated containers declared "
                "as foodstuffs; risk profiles on free trade zone consignors gave the best results."},
    {"title": "Fuel smuggling by small craft", "presenter": "Enforcement Liaison Officer",
     "presenter_organisation": "GY",
     "summary": "Fuel is moved by small craft and coastal tankers along the southern Caribbean coast; "
                "joint patrols and the exchange of vessel sightings were proposed."},
    {"title": "Operation Caribbean Shield: the JIO's report", "presenter": "Head of the Joint Intelligence Office",
     "presenter_organisation": "JIO",
     "summary": "The JIO reported the results of Operation Caribbean Shield (October–November 2017) against the "
                "trafficking of small arms, their parts and ammunition: seizures by category and "
                "administration, detection methods, routes and notable cases."},
    {"title": "Intelligence sharing between the RILOs", "presenter": "RILO for South America",
     "presenter_organisation": "RILO-SAM",
     "summary": "Cocaine and firearms routes between South America and the Caribbean overlap; the RILOs agreed "
                "to exchange alerts on shared routes."},
]
DECISIONS = [
    "The conference endorsed the results of Operation Caribbean Shield and asked the JIO to plan a follow-up "
    "operation on small arms and ammunition in 2018.",
    "Administrations will record every tobacco and fuel seizure in ELIX within 30 days, with normalised "
    "quantities, to make the regional figures complete.",
    "The JIO and the RILO for South America will exchange alerts on shared trafficking routes.",
]
ACTION_ITEMS = [
    {"text": "Circulate the final report of Operation Caribbean Shield to the administrations", "owner": "JIO",
     "due_on": date(2017, 12, 15)},
    {"text": "Propose the plan of a regional fuel smuggling operation", "owner": "Guyana Revenue Authority and JIO",
     "due_on": date(2018, 3, 31)},
    {"text": "Nominate a contact point for route alerts", "owner": "Every administration",
     "due_on": date(2018, 1, 31)},
]

# Inside the operation's period (2 October - 12 November 2017): a week of briefings and target selection,
# four weeks of intensified controls, a week of follow-up and reporting.
SHIELD_PHASES = [("pre_operational", date(2017, 10, 2), date(2017, 10, 8)),
                 ("operational", date(2017, 10, 9), date(2017, 11, 5)),
                 ("post_operational", date(2017, 11, 6), date(2017, 11, 12))]
SHIELD_SUMMARY = (
    "Operation Caribbean Shield brought together the customs administrations of the region, the CCLEC Joint "
    "Intelligence Office and the RILO for the Caribbean against the trafficking of small arms, their parts and "
    "ammunition. During the operation the participants intensified risk profiling and the "
    "examination of barrels, consolidated cargo, courier parcels and small craft. The figures that follow count "
    "the seizures linked to the operation that the reader's organisation may see."
)


def load_demo_conference() -> bool:
    """Add the demo conference if it is not there; True when it was created. Needs the demo network."""
    creator = db.session.scalar(select(User).where(User.email == CREATOR))
    if creator is None:
        raise RuntimeError("load the demo network first (the JIO analyst creates the conference)")
    _ensure_second_rilo()
    _shield_phases_and_summary()
    exists = db.session.scalar(select(Conference.id).where(Conference.title == TITLE,
                                                           Conference.starts_on == STARTS_ON))
    if exists is not None:
        return False
    known = set(db.session.scalars(select(Organisation.code)))
    participants = [{"organisation": code, "delegates": n} for code, n in {**DELEGATES, **RILOS}.items()
                    if code in known]
    operations = [code for code in ("HUNTER-2017", "CARIBBEAN-SHIELD-2017")
                  if db.session.scalar(select(Operation.id).where(Operation.code == code)) is not None]
    create_conference(creator, {
        "title": TITLE, "venue": "Miami, Florida, United States", "starts_on": STARTS_ON, "ends_on": ENDS_ON,
        "organiser": "JIO", "participants": participants,
        "agenda": [a for a in AGENDA if a["presenter_organisation"] in known],
        "decisions": [{"text": text} for text in DECISIONS], "action_items": ACTION_ITEMS,
        "figures_from": date(2017, 1, 1), "figures_to": date(2017, 10, 31),
        "figures_categories": ["tobacco", "fuel", "firearms", "ammunition"], "operations": operations,
    })
    log.info("demo conference %r created", TITLE)
    return True


def _ensure_second_rilo() -> None:
    code, name = SECOND_RILO
    if db.session.scalar(select(Organisation.id).where(Organisation.code == code)) is None:
        # A RILO outside the CCLEC network: a partner (DESIGN.md, Organisations).
        create_organisation(code, name, "partner")


def _shield_phases_and_summary() -> None:
    shield = db.session.scalar(select(Operation).where(Operation.code == "CARIBBEAN-SHIELD-2017"))
    if shield is None:
        return
    if not shield.phases:
        shield.phases = [OperationPhase(name=name, starts_on=start, ends_on=end) for name, start, end in SHIELD_PHASES
                         if shield.starts_on <= start and end <= shield.ends_on]
    if not shield.executive_summary:
        shield.executive_summary = SHIELD_SUMMARY
    db.session.flush()
