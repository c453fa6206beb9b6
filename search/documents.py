"""The search document of a seizure report: what both backends index.

`build_document(source)` takes the *source record* of a report: the report as the API dumps it with
persons (app.seizures.schemas.SeizureReportSchema), plus two internal fields the sharing rule needs:
`organisation_id` (int) and `operation_ids` (list of int). It returns a flat, JSON-ready dict:

    id, reference, version (the report's version: a document never replaces a newer one),
    status, validation (awaiting | returned | validated, None for drafts and withdrawn reports),
    organisation (code), organisation_id, distribution, tlp,
    operation_ids [int], operations [code],
    seized_at (ISO 8601 UTC), seized_month ("YYYY-MM"), country, location {name, locode, type, lat, lon},
    transport_mode, procedure, traffic, detection_methods [..], concealment_methods [..],
    categories [..], subcategories [..],
    items [{category, subcategory, description, quantity (canonical), unit (canonical), hs_code}],
    route [{role, country, place}], route_countries [..],
    vessel_name, imo, flag, containers [..], flight, vehicle_plate, locodes [..],
    narrative, concealment_details, language,
    persons_text (names and document numbers: only ever matched for the reporting organisation and
                  regional-office validators, never returned, highlighted or faceted),
    summary (one line: "50 cartons cigarettes (10 000 sticks) · Kingston Container Terminal, JM")
"""
from __future__ import annotations

from datetime import datetime, timezone


def build_document(source: dict) -> dict:
    """The search document of one report (see the module docstring)."""
    location = source.get("location") or {}
    conveyance = source.get("conveyance") or {}
    marking = source.get("marking") or {}
    items = [_item(item) for item in source.get("items") or []]
    route = [{"role": leg.get("role"), "country": leg.get("country"), "place": leg.get("place")}
             for leg in source.get("route") or []]
    seized = datetime.fromisoformat(source["seized_at"]).astimezone(timezone.utc)
    locodes = [location.get("locode"), *(leg["place"] for leg in route)]
    return {
        "id": source["id"],
        "reference": source["reference"],
        "version": int(source.get("version") or 1),
        "status": source["status"],
        "validation": (source.get("validation") or {}).get("state"),
        "organisation": source["reporting_organisation"],
        "organisation_id": int(source["organisation_id"]),
        "distribution": marking.get("distribution", "network"),
        "tlp": marking.get("tlp", "amber"),
        "operation_ids": sorted(int(i) for i in source.get("operation_ids") or []),
        "operations": list(source.get("operations") or []),
        "seized_at": seized.isoformat().replace("+00:00", "Z"),
        "seized_month": seized.strftime("%Y-%m"),
        "country": source["country"],
        "location": {key: location.get(key) for key in ("name", "locode", "type", "lat", "lon")},
        "transport_mode": source.get("transport_mode"),
        "procedure": source.get("procedure"),
        "traffic": source.get("traffic"),
        "detection_methods": list(source.get("detection_methods") or []),
        "concealment_methods": list(source.get("concealment_methods") or []),
        "categories": _unique(item["category"] for item in items),
        "subcategories": _unique(item["subcategory"] for item in items if item["subcategory"]),
        "items": items,
        "route": route,
        "route_countries": _unique(leg["country"] for leg in route if leg["country"]),
        "vessel_name": conveyance.get("vessel_name"),
        "imo": conveyance.get("imo"),
        "flag": conveyance.get("flag"),
        "containers": list(conveyance.get("containers") or []),
        "flight": conveyance.get("flight"),
        "vehicle_plate": conveyance.get("vehicle_plate"),
        "locodes": _unique(code for code in locodes if code and len(code) == 5 and code.isalnum()),
        "narrative": source.get("narrative") or "",
        "concealment_details": source.get("concealment_details") or "",
        "language": source.get("language") or "en",
        "persons_text": _persons_text(source.get("persons") or []),
        "summary": summary(source),
    }


def _item(item: dict) -> dict:
    normalised = item.get("normalised") or {"quantity": item["quantity"], "unit": item["unit"]}
    return {"category": item["category"], "subcategory": item.get("subcategory"),
            "description": item.get("description") or "", "quantity": float(normalised["quantity"]),
            "unit": normalised["unit"], "hs_code": item.get("hs_code")}


def _persons_text(persons: list[dict]) -> str:
    parts: list[str] = []
    for person in persons:
        parts.append(person.get("name") or "")
        document = person.get("document") or {}
        parts.append(document.get("number") or "")
    return " ".join(part for part in parts if part)


def _unique(values) -> list:  # noqa: ANN001
    return list(dict.fromkeys(values))


def number(value: float) -> str:
    """10000 -> "10 000", 2.5 -> "2.5" (a space groups thousands in every language of the network)."""
    if float(value).is_integer():
        return f"{value:,.0f}".replace(",", " ")
    whole, _, fraction = f"{value:,.3f}".rstrip("0").partition(".")
    return whole.replace(",", " ") + ("." + fraction if fraction else "")


def summary(source: dict) -> str:
    """One line: "50 cartons cigarettes (10 000 sticks) · Kingston Container Terminal, JM"."""
    raw_items = source.get("items") or []
    parts = []
    for raw in raw_items[:2]:
        what = (raw.get("subcategory") or raw["category"]).replace("_", " ")
        text = f"{number(raw['quantity'])} {raw['unit'].replace('_', ' ')} {what}"
        normalised = raw.get("normalised") or {}
        if normalised and normalised.get("unit") != raw["unit"]:
            text += f" ({number(normalised['quantity'])} {normalised['unit']})"
        parts.append(text)
    if len(raw_items) > 2:
        parts.append(f"{len(raw_items) - 2} more")
    location = (source.get("location") or {}).get("name")
    place = ", ".join(p for p in (location, source.get("country")) if p)
    return " · ".join(p for p in (" + ".join(parts), place) if p)
