"""Demo seizure reports, generated without the database: report bodies exactly as
`POST /api/v1/seizures` takes them, plus the status and timestamps the workflow would have given them.

Everything is drawn from one `random.Random(seed)`; the only other input is `today`, the end of the
date range, so a seed gives the same reports on the same day. Report ids are derived from the seed
(uuid5), which is how a second load recognises reports that are already there.
"""
from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from app.demo import conveyances, narratives, people
from app.demo.commodities import ItemDraft, items_for, log_uniform, pick
from app.demo.network import OPERATIONS, Administration, OperationSpec, administrations, officer_email
from app.demo.scenarios import (DESTINATIONS, ONWARD, ORIGINS, OUTBOUND, REPORTING_WEIGHTS, SCENARIO_MIX,
                                SCENARIOS, TRANSHIPMENT_HUBS, TRANSITS, Scenario, category_mix)

DEMO_NAMESPACE = uuid.UUID("6d1c1f0e-2f0b-5c55-9a53-4c1e1b8e2017")
START = datetime(2016, 1, 1, tzinfo=timezone.utc)
LOCAL_HOURS = {h: w for h, w in zip(range(24), (1, 1, 1, 1, 2, 3, 5, 7, 9, 10, 10, 10, 9, 9, 10, 10, 9, 8, 7,
                                                 6, 5, 4, 3, 2))}
OPERATION_FOCUS = {"firearms": 60, "ammunition": 40}
OPERATION_MINIMUM = {"CARIBBEAN-SHIELD-2017": 12, "HUNTER-2017": 4, "BLACK-TIDE-2021": 3}
SECOND_LANGUAGE = {"CA": ("fr", 0.25), "SX": ("en", 0.5), "CW": ("en", 0.15), "BQ": ("en", 0.2)}


def report_id(seed: int, index: int) -> str:
    """The id of the index-th demo report of `seed`: the marker of demo data."""
    return str(uuid.uuid5(DEMO_NAMESPACE, f"elix-demo/{seed}/{index}"))


@dataclass
class DemoReport:
    id: str
    organisation: str
    author: str
    body: dict  # as the API takes it
    status: str
    version: int
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    validated_at: datetime | None
    withdrawn_at: datetime | None


def operation_counts(count: int) -> list[tuple[OperationSpec, int]]:
    wanted = [(op, max(OPERATION_MINIMUM.get(op.code, 1), round(count * op.share))) for op in OPERATIONS]
    total = sum(n for _, n in wanted)
    if total > count // 2:  # a tiny demo: keep most reports outside operations
        wanted = [(op, n * (count // 2) // total) for op, n in wanted]
    return wanted


def generate(seed: int, count: int, today: date) -> list[DemoReport]:
    """`count` demo reports seized from 2016-01-01 until `today` (exclusive), oldest first."""
    rng = random.Random(seed)
    gen = _Generator(rng, datetime.combine(today, time.min, timezone.utc))
    reports: list[DemoReport] = []
    for op, n in operation_counts(count):
        for _ in range(n):
            reports.append(gen.report(report_id(seed, len(reports)), op))
    while len(reports) < count:
        reports.append(gen.report(report_id(seed, len(reports))))
    reports.sort(key=lambda r: (r.created_at, r.id))
    return reports


class _Generator:
    def __init__(self, rng: random.Random, end: datetime) -> None:
        self.rng, self.end = rng, end
        self.members = {a.code: a for a in administrations()}
        self.weights = {code: REPORTING_WEIGHTS.get(code, 1) for code in self.members}
        self.fleet = conveyances.Fleet.build(rng)
        self.zones = {code: ZoneInfo(a.timezone) for code, a in self.members.items()}
        self.category_mixes = {code: category_mix(code) for code in self.members}

    # --- one report -------------------------------------------------------------------------------

    def report(self, report_id: str, op: OperationSpec | None = None) -> DemoReport:
        rng = self.rng
        admin = self._administration(op)
        category = pick(rng, OPERATION_FOCUS if op and op.code.startswith("CARIBBEAN") else
                        {c: 1 for c in op.focus_categories} if op else self.category_mixes[admin.code])
        outbound = rng.random() < OUTBOUND.get((admin.code, category), 0.6 if category == "currency" else 0)
        scenario = SCENARIOS[pick(rng, SCENARIO_MIX[category])]
        seized = self._seized_at(admin, op)
        items = items_for(rng, category, scenario.scale, year=seized.year, country=admin.code)
        if category == "drugs" and rng.random() < 0.1:
            items += items_for(rng, "firearms", "small", year=seized.year, country=admin.code)[:1]
        procedure = self._procedure(admin, scenario, outbound)
        route, origin, destination, transits = self._route(admin, category, scenario, procedure)
        location = self._location(admin, scenario)
        lang = self._language(admin)
        conveyance, subject_key, subject = self._conveyance(admin, scenario, outbound, origin or admin.code)
        detections = self._detections(scenario, op)
        concealments, cover = self._concealments(scenario, category)
        persons = (people.persons(rng, scenario.person_roles, country=admin.code, origin=origin)
                   if rng.random() < scenario.person_rate else [])
        arrests = self._arrests(persons)
        local = seized.astimezone(self.zones[admin.code])
        # The narrative names the port or the airport (a courier hub or mail centre sits at the airport).
        place = admin.seaport.name if location["type"] in ("seaport", "at_sea") else admin.airport.name
        body = {
            "record_type": "case" if rng.random() < 0.05 else "seizure",
            "seized_at": local.isoformat(timespec="seconds"),
            "country": admin.code, "location": location, "procedure": procedure, "traffic": scenario.traffic,
            "transport_mode": scenario.transport_mode, "detection_methods": detections,
            "concealment_methods": concealments,
            "concealment_details": narratives.concealment(concealments[0], cover, lang),
            "narrative": narratives.narrative(
                rng, lang, day=local.date(), place=place, detection=detections[0], subject_key=subject_key,
                subject=subject, items=items, concealment_text=narratives.concealment(concealments[0], cover, lang),
                origin=origin, destination=destination, transits=transits, arrests=arrests),
            "language": lang, "items": [self._item(i, lang) for i in items], "route": route,
            "conveyance": conveyance, "persons": persons, "arrests": arrests,
            "operations": [op.code] if op else [], "marking": self._marking(op),
        }
        return self._workflow(report_id, admin, body, seized, op)

    def _administration(self, op: OperationSpec | None) -> Administration:
        codes = [c for c in op.participants if c in self.members] if op else list(self.members)
        if op and op.lead in self.members:
            codes.append(op.lead)
        return self.members[self.rng.choices(codes, weights=[self.weights[c] for c in codes])[0]]

    def _seized_at(self, admin: Administration, op: OperationSpec | None) -> datetime:
        rng, zone = self.rng, self.zones[admin.code]
        if op:
            day = op.starts_on + timedelta(days=rng.randrange((op.ends_on - op.starts_on).days + 1))
        else:  # more reports in later years, as the network's use grew
            span = (self.end - START).total_seconds()
            day = (START + timedelta(seconds=span * rng.random() ** 0.8)).astimezone(zone).date()
        local = datetime.combine(day, time(pick(rng, LOCAL_HOURS), rng.randrange(60)), zone)
        seized = local.astimezone(timezone.utc)
        while seized > self.end - timedelta(hours=2):
            seized -= timedelta(days=1)
        return seized

    def _procedure(self, admin: Administration, scenario: Scenario, outbound: bool) -> str:
        if scenario.key == "passenger_air":
            return "passenger_departure" if outbound else "passenger_arrival"
        if outbound:
            return "export"
        if scenario.key == "container" and admin.code in TRANSHIPMENT_HUBS and self.rng.random() < 0.25:
            return "transhipment"
        if scenario.key == "vehicle" and self.rng.random() < 0.5:
            return "inland"
        return "import"

    def _place(self, country: str, scenario: Scenario) -> str | None:
        if scenario.transport_mode in ("sea", "road"):
            return conveyances.seaport_of(country, self.rng, self.members)
        return conveyances.airport_of(country, self.rng, self.members)

    def _route(self, admin: Administration, category: str, scenario: Scenario,
               procedure: str) -> tuple[list[dict], str | None, str | None, list[str]]:
        """Route legs, and the origin, destination and transits the narrative names."""
        rng, home = self.rng, admin.code
        here = admin.seaport.locode if scenario.transport_mode in ("sea", "road") else admin.airport.iata
        abroad = {c: w for c, w in ORIGINS[category].items() if c != home} or {"US": 1}
        pool = TRANSITS["air" if scenario.transport_mode in ("air", "courier", "postal") else "sea"]
        if procedure in ("export", "passenger_departure"):
            destination = pick(rng, {c: w for c, w in DESTINATIONS.get(category, DESTINATIONS["other"]).items()
                                     if c != home} or {"US": 1})
            transits = self._transits(pool, (home, destination), direct=scenario.key == "small_craft")
            legs = [{"role": "departure", "country": home, "place": here}]
            legs += [{"role": "transit", "country": c, "place": None} for c in transits]
            role = "intended_destination" if rng.random() < 0.3 else "destination"
            legs.append({"role": role, "country": destination, "place": self._place(destination, scenario)})
            return legs, None, destination, transits
        origin = pick(rng, abroad)
        departure = "PA" if origin in ("AE", "CN", "HK") and home != "PA" and rng.random() < 0.5 else origin
        legs = [{"role": "origin", "country": origin, "place": None}] if departure != origin else []
        legs.append({"role": "departure", "country": departure, "place": self._place(departure, scenario)})
        if procedure == "transhipment":
            onward = pick(rng, {c: w for c, w in ONWARD.items() if c not in (home, departure)})
            legs.append({"role": "transhipment", "country": home, "place": here})
            legs.append({"role": "destination", "country": onward, "place": self._place(onward, scenario)})
            return legs, origin, None, []
        transits = self._transits(pool, (home, origin, departure), direct=scenario.key in ("small_craft", "vehicle"))
        legs += [{"role": "transit", "country": c, "place": None} for c in transits]
        legs.append({"role": "destination", "country": home, "place": here})
        return legs, origin, None, transits

    def _transits(self, pool: dict, exclude: tuple[str, ...], *, direct: bool) -> list[str]:
        count = 0 if direct else pick(self.rng, {0: 55, 1: 35, 2: 10})
        choices = {c: w for c, w in pool.items() if c not in exclude}
        transits: list[str] = []
        while len(transits) < count and choices:
            transits.append(pick(self.rng, choices))
            choices.pop(transits[-1])
        return transits

    def _location(self, admin: Administration, scenario: Scenario) -> dict:
        rng = self.rng
        port, airport = admin.seaport, admin.airport
        kind = scenario.location_type
        if kind == "at_sea" and rng.random() < 0.3:
            kind = "seaport"  # small craft searched on landing
        if kind == "seaport":
            return {"name": port.name, "locode": port.locode, "type": "seaport", "lat": port.lat, "lon": port.lon}
        if kind == "at_sea":
            return {"name": f"At sea off {port.name}", "locode": None, "type": "at_sea",
                    "lat": round(port.lat + rng.uniform(-0.25, 0.25), 3),
                    "lon": round(port.lon + rng.uniform(-0.25, 0.25), 3)}
        names = {"airport": airport.name, "courier_hub": f"Express courier hub, {airport.name}",
                 "postal_centre": f"International mail centre, {admin.country_name}"}
        return {"name": names[kind], "locode": None, "type": kind, "lat": airport.lat, "lon": airport.lon}

    def _language(self, admin: Administration) -> str:
        other, share = SECOND_LANGUAGE.get(admin.code, (None, 0))
        return other if other and self.rng.random() < share else admin.language

    def _conveyance(self, admin: Administration, scenario: Scenario, outbound: bool,
                    counterpart: str) -> tuple[dict, str, dict]:
        """The conveyance, and the narrative's subject (template key and values)."""
        rng = self.rng
        conveyance = {"vessel_name": None, "imo": None, "flag": None, "containers": [], "flight": None,
                      "vehicle_plate": None}
        key = scenario.key
        if key in ("container", "barrel", "tanker"):
            vessel = rng.choice(self.fleet.tankers if key == "tanker" else self.fleet.cargo)
            conveyance.update(vessel_name=vessel.name, imo=vessel.imo, flag=vessel.flag)
            if key != "tanker":
                boxes = 1 if key == "barrel" else pick(rng, {1: 70, 2: 20, 3: 10})
                conveyance["containers"] = [conveyances.container_number(rng) for _ in range(boxes)]
            if key == "container" and outbound:
                key = "container_out"
        elif key == "small_craft":
            vessel = self.fleet.small_craft(rng, (admin.code, counterpart))
            conveyance.update(vessel_name=vessel.name, imo=vessel.imo, flag=vessel.flag)
            if vessel.name == conveyances.SMALL_CRAFT_UNNAMED:
                key = "small_craft_unnamed"
        elif key in ("passenger_air", "air_cargo"):
            conveyance["flight"] = conveyances.flight(rng, admin.code if outbound else counterpart,
                                                      cargo=key == "air_cargo")
            if key == "passenger_air" and outbound:
                key = "passenger_air_out"
        elif key == "vehicle":
            conveyance["vehicle_plate"] = conveyances.vehicle_plate(rng, admin.code)
            if rng.random() < 0.3:
                conveyance["containers"] = [conveyances.container_number(rng)]
        if key.startswith("container") and len(conveyance["containers"]) > 1:
            key = key.replace("container", "containers")
        subject = {"vessel": conveyance["vessel_name"], "containers": conveyance["containers"],
                   "flight": conveyance["flight"], "plate": conveyance["vehicle_plate"]}
        return conveyance, key, subject

    def _detections(self, scenario: Scenario, op: OperationSpec | None) -> list[str]:
        rng = self.rng
        methods = [pick(rng, scenario.detections)]
        if op and rng.random() < 0.5:
            methods.insert(0, "joint_operation")
        if rng.random() < 0.4:
            methods.append(rng.choice(("physical_exam", "xray")))
        return list(dict.fromkeys(methods))

    def _concealments(self, scenario: Scenario, category: str) -> tuple[list[str], str]:
        rng = self.rng
        method = pick(rng, scenario.concealments)
        if (method == "in_body" and category != "drugs") or (method == "on_body" and category not in (
                "drugs", "currency", "ammunition", "wildlife")):
            method = "luggage"
        if method == "parasitic_hull" and category not in ("drugs", "currency"):
            method = "false_compartment"
        methods = [method]
        if method in ("within_goods", "mixed_with_cargo", "container_structure") and rng.random() < 0.3:
            methods.append("misdeclared")
        return methods, rng.choice(scenario.covers)

    def _arrests(self, persons: list[dict]) -> int:
        natural = [p for p in persons if p["nationality"] is not None]
        if not natural:
            return 1 if self.rng.random() < 0.03 else 0
        if natural[0]["role"] in ("consignee", "consignor"):
            return 1 if self.rng.random() < 0.3 else 0
        return len(natural) if self.rng.random() < 0.75 else 0

    def _item(self, draft: ItemDraft, lang: str) -> dict:
        return {"category": draft.category, "subcategory": draft.subcategory,
                "description": narratives.description(draft, lang), "quantity": draft.quantity,
                "unit": draft.unit, "hs_code": draft.hs_code, "estimated_value": draft.estimated_value(),
                "details": dict(draft.details)}

    def _marking(self, op: OperationSpec | None) -> dict:
        rng = self.rng
        if op and rng.random() < 0.4:
            tlp, distribution = pick(rng, {"amber": 70, "amber+strict": 30}), "operation"
        else:
            tlp, distribution = pick(rng, {
                ("amber", "network"): 68, ("green", "network"): 12, ("amber", "partners"): 6,
                ("clear", "partners"): 2, ("red", "organisation"): 5, ("amber+strict", "organisation"): 3,
                ("amber", "organisation"): 4})
        return {"tlp": tlp, "distribution": distribution, "handling": pick(rng, {"P": 85, "C": 15}),
                "source_reliability": pick(rng, {"A": 5, "B": 45, "C": 35, "D": 10, "F": 5}),
                "information_credibility": pick(rng, {"1": 15, "2": 45, "3": 30, "4": 7, "6": 3})}

    # --- workflow ---------------------------------------------------------------------------------

    def _workflow(self, report_id: str, admin: Administration, body: dict, seized: datetime,
                  op: OperationSpec | None) -> DemoReport:
        """Status and timestamps: created hours after the seizure, submitted, validated or withdrawn."""
        rng = self.rng
        age = self.end - seized
        if op:
            status = pick(rng, {"validated": 85, "submitted": 15})
        else:
            recent = age < timedelta(days=90)
            status = pick(rng, {"draft": 20 if recent else 3, "withdrawn": 2.5,
                                "validated": 30 if recent else 75, "submitted": 50 if recent else 20})
        hours = [log_uniform(rng, 1, 72),  # until created
                 0 if rng.random() < 0.5 else log_uniform(rng, 0.2, 10),  # until submitted
                 log_uniform(rng, 2, 120) if status == "validated" else 0,
                 rng.uniform(24, 480) if status == "withdrawn" else 0]
        if status == "draft":
            hours[1] = 0
        if status == "validated" and body["marking"]["distribution"] == "organisation":
            # No regional validator sees a report kept within its organisation: it stays submitted.
            status, hours[2] = "submitted", 0
        room = age.total_seconds() / 3600 * 0.95
        if sum(hours) > room:  # a very recent seizure: the same steps, faster
            hours = [h * room / sum(hours) for h in hours]
        steps, at = [], seized
        for h in hours:
            at = at + timedelta(seconds=max(1, math.floor(h * 3600)))
            steps.append(at)
        created = steps[0]
        submitted = None if status == "draft" else steps[1] if hours[1] else created
        validated = steps[2] if status == "validated" else None
        withdrawn = steps[3] if status == "withdrawn" else None
        version = 1 + (submitted is not None and hours[1] > 0) + (validated is not None) + (withdrawn is not None)
        updated = withdrawn or validated or submitted or created
        return DemoReport(report_id, admin.code, officer_email(admin.code), body, status, version, created,
                          updated, submitted, validated, withdrawn)
