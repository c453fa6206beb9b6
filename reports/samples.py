"""Synthetic product contexts (reports/context.py shapes) for tests, benchmarks and previews.

Deterministic for a given seed; the figures are consistent with the seizures they summarise (every
count is derived from the generated seizure rows), so a test can compare the PDF's text with them.
"""
from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date, timedelta

ADMINISTRATIONS = [
    ("JM", "Jamaica Customs Agency", "Kingston", 17.97, -76.79),
    ("KY", "Cayman Islands Customs and Border Control", "George Town", 19.29, -81.38),
    ("TT", "Trinidad and Tobago Customs and Excise Division", "Port of Spain", 10.65, -61.51),
    ("BB", "Barbados Revenue Authority — Customs", "Bridgetown", 13.10, -59.62),
    ("DO", "Dirección General de Aduanas", "Santo Domingo", 18.47, -69.89),
    ("BS", "Bahamas Customs Department", "Nassau", 25.05, -77.35),
    ("KN", "St Kitts and Nevis Customs and Excise", "Basseterre", 17.30, -62.72),
    ("AI", "Anguilla Customs Department", "The Valley", 18.22, -63.06),
    ("PA", "Autoridad Nacional de Aduanas", "Colón", 9.36, -79.90),
    ("BZ", "Belize Customs and Excise", "Belize City", 17.50, -88.20),
]
PLACES = ["container terminal", "international airport", "ferry terminal", "postal centre", "courier hub",
          "fishing port", "land border post", "marina"]
COMMODITIES = [
    ("drugs", "Drugs", "cocaine", "Cocaine", "kg"), ("drugs", "Drugs", "cannabis", "Cannabis", "kg"),
    ("tobacco", "Tobacco", "cigarettes", "Cigarettes", "sticks"), ("firearms", "Firearms", "pistol", "Pistol", "pieces"),
    ("ammunition", "Ammunition", None, None, "rounds"), ("fuel", "Fuel", "diesel", "Diesel", "litres"),
    ("currency", "Currency", None, None, "USD"),
]
MODES = ["Sea", "Air", "Postal", "Courier", "Road"]
DETECTIONS = ["Risk profiling", "Intelligence", "X-ray / scanner", "Detector dog", "Routine control"]
CONCEALMENTS = ["False compartment", "Within goods", "Luggage", "On body", "Mixed with cargo", "Undeclared"]
COUNTRIES = ["CO", "VE", "PA", "DO", "JM", "TT", "US", "KY", "BS", "NL"]


def figures(seizure_count: int, *, start: date, days: int, seed: int = 1, monthly: bool = False) -> dict:
    """A Figures dict with `seizure_count` annex rows spread over `days` days from `start`."""
    rng = random.Random(seed)
    rows, reports = [], []
    for index in range(seizure_count):
        code, admin, city, lat, lon = ADMINISTRATIONS[rng.randrange(len(ADMINISTRATIONS))]
        category, label, sub, sub_label, unit = COMMODITIES[rng.randrange(len(COMMODITIES))]
        day = start + timedelta(days=rng.randrange(days))
        place = f"{city}, {PLACES[rng.randrange(len(PLACES))]}"
        quantity = (round(rng.uniform(0.5, 900), 3) if unit in ("kg", "litres")
                    else rng.randrange(*{"pieces": (1, 30), "rounds": (10, 5000)}.get(unit, (200, 200000))))
        rows.append({
            "reference": f"{code}-{day.year}-{index + 1:05d}", "date": day.isoformat(), "administration": admin,
            "place": place, "commodity": sub_label or label, "quantity": quantity, "unit": unit,
            "transport_mode": MODES[rng.randrange(len(MODES))],
            "detection_method": DETECTIONS[rng.randrange(len(DETECTIONS))],
        })
        reports.append({"code": code, "admin": admin, "city": city, "lat": lat + rng.uniform(-0.05, 0.05),
                        "lon": lon + rng.uniform(-0.05, 0.05), "category": (category, label, sub, sub_label, unit),
                        "quantity": quantity, "concealment": CONCEALMENTS[rng.randrange(len(CONCEALMENTS))],
                        "route": " → ".join(rng.sample(COUNTRIES, rng.randrange(2, 4))), "day": day,
                        "mode": rows[-1]["transport_mode"], "detection": rows[-1]["detection_method"],
                        "arrests": rng.randrange(0, 3)})
    by_category: dict[tuple, list] = defaultdict(lambda: [0, 0.0])
    for report in reports:
        by_category[report["category"]][0] += 1
        by_category[report["category"]][1] += report["quantity"]
    timeline = Counter((r["day"].strftime("%Y-%m") if monthly else r["day"].isoformat()) for r in reports)
    periods = []
    cursor = start
    while cursor < start + timedelta(days=days):
        key = cursor.strftime("%Y-%m") if monthly else cursor.isoformat()
        if not periods or periods[-1]["period"] != key:
            periods.append({"period": key, "reports": timeline.get(key, 0)})
        cursor += timedelta(days=1)
    locations = defaultdict(lambda: [0, 0.0, 0.0, ""])
    for report in reports:
        entry = locations[report["city"]]
        entry[0] += 1
        entry[1], entry[2], entry[3] = report["lat"], report["lon"], report["code"]

    def counted(key: str) -> list[dict]:
        return [{"code": name.lower().replace(" ", "_"), "label": name, "reports": count}
                for name, count in Counter(r[key] for r in reports).most_common()]

    return {
        "reports": len(reports),
        "arrests": sum(r["arrests"] for r in reports),
        "by_category": [
            {"category": c[0], "label": c[1], "subcategory": c[2], "subcategory_label": c[3], "unit": c[4],
             "quantity": round(v[1], 3), "reports": v[0]}
            for c, v in sorted(by_category.items(), key=lambda item: (-item[1][0], item[0][1]))],
        "by_administration": [{"code": code, "name": name, "reports": count} for (code, name), count in
                              Counter((r["code"], r["admin"]) for r in reports).most_common()],
        "by_transport_mode": counted("mode"),
        "by_detection_method": counted("detection"),
        "by_concealment_method": counted("concealment"),
        "timeline": periods,
        "locations": [{"name": name, "country": v[3], "lat": round(v[1], 4), "lon": round(v[2], 4), "reports": v[0]}
                      for name, v in sorted(locations.items(), key=lambda item: (-item[1][0], item[0]))],
        "top_routes": [{"route": route, "reports": count}
                       for route, count in Counter(r["route"] for r in reports).most_common(10)],
        "notable_cases": [
            {"reference": row["reference"], "date": row["date"], "administration": row["administration"],
             "place": row["place"],
             "summary": f"Officers seized {row['quantity']} {row['unit']} of {row['commodity'].lower()} "
                        f"after {row['detection_method'].lower()} at the {row['place'].split(', ')[1]}."}
            for row in rows[:3]],
        "seizures": rows,
        "tlp": "amber",
    }


MARKING = {"tlp": "amber", "distribution": "operation", "handling": "P"}


def operation_summary(seizure_count: int = 200, *, seed: int = 1) -> dict:
    """An OperationSummaryContext for Operation Caribbean Shield (2 October – 12 November 2017)."""
    start = date(2017, 10, 2)
    return {
        "title": "Operation Caribbean Shield", "code": "OCS-2017",
        "description": ("A six-week joint customs operation against the smuggling of drugs, firearms and "
                        "tobacco through the ports and airports of the Caribbean.\n\nParticipating "
                        "administrations intensified controls on high-risk consignments and shared seizure "
                        "reports in real time through ELIX."),
        "executive_summary": ("Operation Caribbean Shield brought together ten customs administrations of the "
                              "region under the coordination of the Joint Intelligence Office."),
        "period": {"starts_on": "2017-10-02", "ends_on": "2017-11-12", "phases": [
            {"name": "Pre-operational", "starts_on": "2017-09-18", "ends_on": "2017-10-01"},
            {"name": "Operational", "starts_on": "2017-10-02", "ends_on": "2017-11-12"},
            {"name": "Post-operational", "starts_on": "2017-11-13", "ends_on": "2017-12-15"}]},
        "lead": {"code": "JIO", "name": "Joint Intelligence Office"},
        "participants": [{"code": code, "name": name} for code, name, *_ in ADMINISTRATIONS],
        "focus_categories": ["Drugs", "Firearms", "Tobacco"],
        "prepared_by": {"name": "Analyst One", "organisation": "Joint Intelligence Office"},
        "generated_at": "2017-11-20T14:05:00Z",
        "marking": dict(MARKING),
        "figures": figures(seizure_count, start=start, days=42, seed=seed),
    }


def conference_report(seizure_count: int = 2000, *, seed: int = 2, operations: int = 2) -> dict:
    """A ConferenceReportContext: the Annual Enforcement Conference with a year of regional figures."""
    regional = figures(seizure_count, start=date(2017, 1, 1), days=365, seed=seed, monthly=True)
    regional["seizures"] = []  # the conference report has no annex
    ops = []
    for index in range(operations):
        op = operation_summary(60 + 40 * index, seed=seed + index + 1)
        op["figures"]["seizures"] = []
        ops.append({"code": f"OP-{index + 1}", "name": ["Operation Caribbean Shield", "Operation Hunter",
                                                       "Operation Fuel Line"][index % 3],
                    "period": op["period"], "figures": op["figures"]})
    participants = [{"code": code, "name": name, "delegates": 2 + i % 3}
                    for i, (code, name, *_) in enumerate(ADMINISTRATIONS)]
    participants += [{"code": "RILO-CAR", "name": "RILO Caribbean", "delegates": 2},
                     {"code": "RILO-SA", "name": "RILO South America", "delegates": 1}]
    return {
        "title": "Annual Enforcement Conference", "venue": "Miami",
        "starts_on": "2017-11-01", "ends_on": "2017-11-02",
        "organiser": {"code": "JIO", "name": "Joint Intelligence Office"},
        "participants": participants,
        "agenda": [
            {"title": "Operation Hunter: results", "presenter": "Head of enforcement",
             "presenter_organisation": "Jamaica Customs Agency",
             "summary": "Results of the operation against firearms trafficking."},
            {"title": "Tobacco smuggling in the region", "presenter": "Senior analyst",
             "presenter_organisation": "RILO Caribbean", "summary": "Trends in illicit cigarette flows."},
            {"title": "Fuel smuggling", "presenter": "Intelligence officer",
             "presenter_organisation": "Trinidad and Tobago Customs and Excise Division",
             "summary": "Diversion of subsidised fuel by small craft."},
            {"title": "Operation Caribbean Shield: the JIO's report", "presenter": "Head of the JIO",
             "presenter_organisation": "Joint Intelligence Office",
             "summary": "Key figures of the six-week operation."},
        ],
        "decisions": [{"text": "Hold a joint operation on fuel smuggling in 2018."},
                      {"text": "Share all firearms seizures through ELIX within 48 hours."}],
        "action_items": [{"text": "Draft the plan of the 2018 fuel operation", "owner": "Joint Intelligence Office",
                          "due_on": "2018-02-28"},
                         {"text": "Nominate national contact points", "owner": "All administrations",
                          "due_on": "2017-12-15"}],
        "figures_period": {"from": "2017-01-01", "to": "2017-12-31"},
        "figures_categories": ["Drugs", "Firearms", "Tobacco", "Fuel"],
        "regional_figures": regional,
        "operations": ops,
        "prepared_by": {"name": "Analyst One", "organisation": "Joint Intelligence Office"},
        "generated_at": "2017-11-03T09:30:00Z",
        "marking": dict(MARKING),
    }
