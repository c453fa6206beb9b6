"""The report form of the web pages: form fields <-> the API's JSON shape, and errors back to fields.

The form is validated by the API's own `SeizureReportSchema`: `values_from_formdata()` collects what
the user typed (kept as strings, to render it back unchanged), `payload_from_values()` turns that
into the dict the schema loads, and `errors_by_field()` maps the schema's flattened error keys
("items.0.unit") to form field names ("items-0-unit"). Repeated rows are named `items-<n>-<field>`;
rows left completely blank are dropped and the rest renumbered, so row n of the re-rendered form is
element n of the payload and its errors land next to it.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pycountry
import pytz
from markupsafe import Markup, escape
from marshmallow import ValidationError
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app import vocabularies as vocab
from app.extensions import db
from app.organisations.models import Organisation
from app.seizures.models import SeizureReport
from app.users.models import User

SIMPLE_FIELDS = (
    "record_type", "seized_at", "seized_zone", "country", "location-name", "location-locode", "location-type",
    "location-lat", "location-lon", "procedure", "traffic", "transport_mode", "concealment_details",
    "narrative", "language", "conveyance-vessel_name", "conveyance-imo", "conveyance-flag",
    "conveyance-containers", "conveyance-flight", "conveyance-vehicle_plate", "arrests", "marking-tlp",
    "marking-distribution", "marking-handling", "marking-source_reliability",
    "marking-information_credibility",
)
MULTI_FIELDS = ("detection_methods", "concealment_methods", "operations")
ROW_FIELDS = {
    "items": ("category", "subcategory", "description", "quantity", "unit", "hs_code", "value_amount",
              "value_currency", "details"),
    "route": ("role", "country", "place"),
    "persons": ("role", "name", "nationality", "document_type", "document_number", "document_country"),
}
# Fields that carry a default and so say nothing about whether the user filled the row in.
_ROW_DEFAULTS = {"value_currency", "details"}
_ROW_NAME = re.compile(r"^(items|route|persons)-(\d{1,4})-([a-z_]+)$")
_LIST_OF_SCALARS = ("conveyance.containers", "detection_methods", "concealment_methods", "operations")
LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"

FIELD_LABELS = {
    "record_type": "Record type", "seized_at": "Seized at", "seized_zone": "Time zone", "country": "Country of seizure",
    "location-name": "Location", "location-locode": "UN/LOCODE", "location-type": "Location type",
    "location-lat": "Latitude", "location-lon": "Longitude", "procedure": "Procedure", "traffic": "Traffic",
    "transport_mode": "Transport mode", "detection_methods": "Detection methods",
    "concealment_methods": "Concealment methods", "concealment_details": "Concealment details",
    "narrative": "Narrative", "language": "Language", "conveyance-vessel_name": "Vessel",
    "conveyance-imo": "IMO number", "conveyance-flag": "Flag", "conveyance-containers": "Containers",
    "conveyance-flight": "Flight", "conveyance-vehicle_plate": "Vehicle plate", "arrests": "Arrests",
    "operations": "Operations", "marking-tlp": "TLP", "marking-distribution": "Distribution",
    "marking-handling": "Handling", "marking-source_reliability": "Source reliability",
    "marking-information_credibility": "Information credibility", "items": "Items", "route": "Route",
    "persons": "Persons",
    "category": "Category", "subcategory": "Subcategory", "description": "Description",
    "quantity": "Quantity", "unit": "Unit", "hs_code": "HS code", "value_amount": "Estimated value",
    "value_currency": "Currency", "details": "Details", "role": "Role", "place": "Place", "name": "Name",
    "nationality": "Nationality", "document_type": "Document type", "document_number": "Document number",
    "document_country": "Document country",
}
UNIT_GROUPS = (("sticks", "Cigarettes (sticks)"), ("mass", "Mass"), ("volume", "Volume"), ("pieces", "Pieces"),
               ("rounds", "Rounds"))
_ROW_TITLES = {"items": "Item", "route": "Route leg", "persons": "Person"}


# --- the seizure's local time -------------------------------------------------------------------
# The officer types the seizure's local time and picks its time zone: one of the country's zones, or,
# when editing, the offset the report was recorded with ("UTC-05:00"), so that saving a report
# unchanged keeps its instant whatever the zones of its country.

_OFFSET = re.compile(r"^UTC([+-])(\d\d):(\d\d)$")


def country_zone_names_of(country: str | None) -> list[str]:
    """The time zones of `country` (IANA names, the country's main zone first)."""
    return list(pytz.country_timezones.get(country or "", ())) if country else []


def country_zone_name(country: str | None) -> str | None:
    """The zone a new report in `country` starts with: the first of the country's zones."""
    zones = country_zone_names_of(country)
    return zones[0] if zones else None


def country_zones() -> dict[str, list[str]]:
    """Country code -> its zones, for the form's zone select to follow the country select."""
    return {code: zones for code in vocab.countries() if (zones := country_zone_names_of(code))}


def offset_zone(minutes: int) -> str:
    """A recorded UTC offset as the zone select names it: -300 -> "UTC-05:00"."""
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def zone_choices(country: str | None, recorded: str | None = None) -> list[tuple[str, str, bool]]:
    """(value, label, recorded) for the zone select: the offset the edited report was recorded with
    (`recorded`, "UTC-05:00"), then the country's zones (UTC for a country without any)."""
    choices = [(recorded, f"{recorded.replace('-', '−')} (as recorded)", True)] if recorded else []
    zones = country_zone_names_of(country) or ["UTC"]
    return choices + [(zone, zone.replace("_", " "), False) for zone in zones]


class ZoneUnclear(ValueError):
    """The chosen zone is not one of the country's, which has several: the officer has to choose."""


def _zone(zone: str, country: str | None) -> tzinfo:
    """`zone`: an offset ("UTC-05:00"), one of the country's zones, or "" (the country's first)."""
    if match := _OFFSET.match(zone):
        sign, hours, minutes = match.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes))
        if offset < timedelta(hours=24):
            return timezone(-offset if sign == "-" else offset)
    return _country_zone(zone, country)


def _country_zone(zone: str | None, country: str | None) -> tzinfo:
    """One of the country's zones: `zone` if it is one, the first for "", the only one whatever `zone`
    says; ZoneUnclear when the country has several and `zone` (None: not chosen) is none of them."""
    zones = country_zone_names_of(country)
    name = zone if zone in zones else zones[0] if len(zones) == 1 or (zones and zone == "") else None
    if name is None and zones:
        raise ZoneUnclear(zone)
    try:
        return ZoneInfo(name) if name else timezone.utc
    except ZoneInfoNotFoundError:
        return timezone.utc


def _zone_at(country: str | None, moment: datetime) -> tzinfo | None:
    """The first of the country's zones that was at `moment`'s offset then (the zone a report recorded
    at that offset was in, so a changed date gets its own daylight saving time)."""
    for name in country_zone_names_of(country):
        try:
            zone = ZoneInfo(name)
        except ZoneInfoNotFoundError:
            continue
        if moment.astimezone(zone).utcoffset() == moment.utcoffset():
            return zone
    return None


def local_seizure_time(value: str, country: str | None, zone: str = "") -> str:
    """A datetime-local input ("2026-11-02T14:30") read in `zone` (a zone of the country, or an offset;
    "": the country's first zone), as ISO 8601 with its offset. Unparseable input is passed on
    unchanged for the schema to reject with its message; ZoneUnclear when `zone` is not the country's
    and the country has several."""
    return _read_local(value, lambda: _zone(zone, country))


def _read_local(value: str, zone: Callable[[], tzinfo]) -> str:
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        return value
    if naive.tzinfo is not None:
        return naive.isoformat()
    return naive.replace(tzinfo=zone()).isoformat()


# --- form data -> values -> payload --------------------------------------------------------------

def values_from_formdata(form: MultiDict) -> dict:
    """What the user typed: top-level fields as strings, multi-selects as lists, rows as lists of
    dicts (blank rows dropped, in the order of their index)."""
    values: dict = {name: (form.get(name) or "").strip() for name in SIMPLE_FIELDS}
    for name in MULTI_FIELDS:
        values[name] = [v for v in dict.fromkeys(form.getlist(name)) if v]
    found: dict[str, dict[int, dict[str, str]]] = {kind: {} for kind in ROW_FIELDS}
    for key in form:
        match = _ROW_NAME.match(key)
        if match and match.group(3) in ROW_FIELDS[match.group(1)]:
            kind, index, field = match.group(1), int(match.group(2)), match.group(3)
            found[kind].setdefault(index, {})[field] = (form.get(key) or "").strip()
    for kind, fields in ROW_FIELDS.items():
        rows = [{f: row.get(f, "") for f in fields} for _i, row in sorted(found[kind].items())]
        values[kind] = [row for row in rows if not _is_blank(row)]
    return values


def _is_blank(row: dict[str, str]) -> bool:
    return not any(value for field, value in row.items() if field not in _ROW_DEFAULTS)


def _or_none(value: str) -> str | None:
    return value if value != "" else None


def _put(target: dict, key: str, value: str) -> None:
    """Numbers and optional fields: leave a blank one out, so the schema's default or 'required' applies."""
    if value != "":
        target[key] = value


def payload_from_values(values: dict, report: SeizureReport | None = None) -> dict:
    """The dict `SeizureReportSchema().load()` takes; `report`: the report edited (its seizure time is
    kept to the second while the form shows it unchanged). ValidationError (seized_zone) when the zone
    is not the country's and the country has several."""
    v = values
    payload: dict = {
        "record_type": v["record_type"] or "seizure",
        "location": {"name": _or_none(v["location-name"]), "locode": _or_none(v["location-locode"].upper()),
                     "type": _or_none(v["location-type"]), "lat": _or_none(v["location-lat"]),
                     "lon": _or_none(v["location-lon"])},
        "procedure": _or_none(v["procedure"]), "traffic": _or_none(v["traffic"]),
        "transport_mode": _or_none(v["transport_mode"]),
        "detection_methods": list(v["detection_methods"]), "concealment_methods": list(v["concealment_methods"]),
        "concealment_details": v["concealment_details"], "narrative": v["narrative"],
        "language": v["language"] or "en",
        "items": [_item_payload(row) for row in v["items"]],
        "route": [_leg_payload(row) for row in v["route"]],
        "conveyance": {
            "vessel_name": _or_none(v["conveyance-vessel_name"]),
            "imo": _or_none(v["conveyance-imo"].upper().removeprefix("IMO").strip()),
            "flag": _or_none(v["conveyance-flag"]),
            "containers": split_containers(v["conveyance-containers"]),
            "flight": _or_none(v["conveyance-flight"].upper()),
            "vehicle_plate": _or_none(v["conveyance-vehicle_plate"].upper()),
        },
        "persons": [_person_payload(row) for row in v["persons"]],
        "operations": list(v["operations"]),
        "marking": {"tlp": v["marking-tlp"] or "amber", "distribution": v["marking-distribution"] or "network",
                    "handling": _or_none(v["marking-handling"]),
                    "source_reliability": _or_none(v["marking-source_reliability"]),
                    "information_credibility": _or_none(v["marking-information_credibility"])},
    }
    _put(payload, "country", v["country"])
    _put(payload, "seized_at", _seized_at(v, report))
    _put(payload, "arrests", int(v["arrests"]) if re.fullmatch(r"[0-9]{1,9}", v["arrests"]) else v["arrests"])
    return payload


def _seized_at(values: dict, report: SeizureReport | None) -> str:
    """The seizure time the form says. Editing with the zone "as recorded" (the report's offset): the
    report's own instant while the time and country are as they were (to the second: the input shows
    minutes); a changed time is read in the country's zone that had that offset (its own daylight
    saving time); in a changed country the officer chooses among its zones."""
    typed, zone, country = values["seized_at"], values["seized_zone"], values["country"]
    if not typed:
        return ""
    as_recorded = report is not None and zone == offset_zone(report.seized_utc_offset)
    if as_recorded and country == report.country and typed == report.seized_at_local.strftime(LOCAL_INPUT_FORMAT):
        return report.seized_at_local.isoformat()

    def resolve() -> tzinfo:
        if not as_recorded:
            return _zone(zone, country)
        if country != report.country:
            return _country_zone(None, country)
        return _zone_at(country, report.seized_at_local) or _zone(zone, country)

    try:
        return _read_local(typed, resolve)
    except ZoneUnclear:
        named = pycountry.countries.get(alpha_2=country)
        raise ValidationError({"seized_zone": [
            f"choose the time zone in {named.name if named else country}: it has several"]}) from None


def split_containers(text: str) -> list[str]:
    """Container numbers as typed, each once."""
    return list(dict.fromkeys(c for c in re.split(r"[\s,;]+", text.upper()) if c))


def _item_payload(row: dict[str, str]) -> dict:
    item: dict = {"subcategory": _or_none(row["subcategory"]), "description": row["description"],
                  "hs_code": _or_none(row["hs_code"].replace(".", ""))}
    for key in ("category", "quantity", "unit"):
        _put(item, key, row[key])
    if row["value_amount"]:
        item["estimated_value"] = {"amount": row["value_amount"], "currency": row["value_currency"].upper()}
    if row["details"]:
        try:
            item["details"] = json.loads(row["details"])
        except (ValueError, RecursionError):  # RecursionError: nested ~1 000 levels deep
            item["details"] = row["details"]  # the schema says it is not a mapping
    return item


def _leg_payload(row: dict[str, str]) -> dict:
    leg: dict = {"place": _or_none(row["place"])}
    _put(leg, "role", row["role"])
    _put(leg, "country", row["country"])
    return leg


def _person_payload(row: dict[str, str]) -> dict:
    person: dict = {"nationality": _or_none(row["nationality"])}
    _put(person, "role", row["role"])
    _put(person, "name", row["name"])
    if row["document_type"] or row["document_number"] or row["document_country"]:
        person["document"] = {"type": _or_none(row["document_type"]), "number": _or_none(row["document_number"]),
                              "country": _or_none(row["document_country"])}
    return person


# --- values for a new report and for an existing one ---------------------------------------------

def default_values(user: User) -> dict:
    values: dict = {name: "" for name in SIMPLE_FIELDS}
    values.update({name: [] for name in MULTI_FIELDS})
    values.update({kind: [] for kind in ROW_FIELDS})
    country = user.organisation.country or ""
    values.update({"record_type": "seizure", "country": country, "seized_zone": country_zone_name(country) or "",
                   "language": "en", "marking-tlp": "amber", "marking-distribution": "network"})
    return values


def values_from_report(report: SeizureReport) -> dict:
    def text(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:.6f}".rstrip("0").rstrip(".")
        return str(value)

    r = report
    values: dict = {
        "record_type": r.record_type, "seized_at": r.seized_at_local.strftime(LOCAL_INPUT_FORMAT),
        "seized_zone": offset_zone(r.seized_utc_offset),
        "country": r.country, "location-name": text(r.location_name), "location-locode": text(r.location_locode),
        "location-type": text(r.location_type), "location-lat": text(r.location_lat),
        "location-lon": text(r.location_lon), "procedure": text(r.procedure), "traffic": text(r.traffic),
        "transport_mode": text(r.transport_mode), "concealment_details": r.concealment_details or "",
        "narrative": r.narrative or "", "language": r.language, "conveyance-vessel_name": text(r.vessel_name),
        "conveyance-imo": text(r.imo), "conveyance-flag": text(r.flag),
        "conveyance-containers": " ".join(r.containers or []), "conveyance-flight": text(r.flight),
        "conveyance-vehicle_plate": text(r.vehicle_plate), "arrests": str(r.arrests or 0),
        "marking-tlp": r.tlp, "marking-distribution": r.distribution, "marking-handling": text(r.handling),
        "marking-source_reliability": text(r.source_reliability),
        "marking-information_credibility": text(r.information_credibility),
        "detection_methods": list(r.detection_methods or []),
        "concealment_methods": list(r.concealment_methods or []),
        "operations": [op.code for op in r.operations],
        "items": [{"category": i.category, "subcategory": text(i.subcategory), "description": i.description or "",
                   "quantity": text(i.quantity), "unit": i.unit, "hs_code": text(i.hs_code),
                   "value_amount": text(i.value_amount), "value_currency": text(i.value_currency),
                   "details": json.dumps(i.details, ensure_ascii=False) if i.details else ""} for i in r.items],
        "route": [{"role": leg.role, "country": leg.country, "place": text(leg.place)} for leg in r.route],
        "persons": [{"role": p.role, "name": p.name, "nationality": text(p.nationality),
                     "document_type": text(p.document_type), "document_number": text(p.document_number),
                     "document_country": text(p.document_country)} for p in r.persons],
    }
    return values


def empty_row(kind: str) -> dict[str, str]:
    row = {field: "" for field in ROW_FIELDS[kind]}
    if kind == "items":
        row["value_currency"] = "USD"
    return row


# --- errors ----------------------------------------------------------------------------------------

def field_name(error_key: str) -> str:
    """The form field an error key of the schema belongs to: "items.0.estimated_value.amount" ->
    "items-0-value_amount", "conveyance.containers.2" -> "conveyance-containers"."""
    key = error_key
    for prefix in _LIST_OF_SCALARS:
        if key.startswith(prefix + "."):
            key = prefix
    key = re.sub(r"\.estimated_value(\.amount)?$", ".value_amount", key)
    key = key.replace(".estimated_value.", ".value_").replace(".document.", ".document_")
    key = re.sub(r"\.document$", ".document_number", key)
    return key.replace(".", "-")


def errors_by_field(flat: dict[str, list[str]]) -> dict[str, list[str]]:
    by_field: dict[str, list[str]] = {}
    for key, messages in flat.items():
        by_field.setdefault(field_name(key), []).extend(messages)
    return by_field


def describe_field(name: str) -> str:
    """A label for a form field name, for the error summary: "items-0-unit" -> "Item 1 › Unit"."""
    match = _ROW_NAME.match(name)
    if match:
        kind, index, field = match.groups()
        return f"{_ROW_TITLES[kind]} {int(index) + 1} › {FIELD_LABELS.get(field, field)}"
    return FIELD_LABELS.get(name, "Report" if name == "_schema" else name)


# --- choices -----------------------------------------------------------------------------------------

def network_countries() -> list[str]:
    """Countries of the network's administrations: listed first in every country select."""
    stmt = (select(Organisation.country).where(Organisation.kind == "administration",
                                               Organisation.country.is_not(None)).distinct())
    return sorted(c for c in db.session.scalars(stmt) if vocab.is_country(c))


class OptionTags:
    """Pre-built <option>s for the long selects (countries, currencies): the form has a dozen of
    them with up to 250 options each, so the tags are built once and only the selection varies."""

    def __init__(self, groups: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]) -> None:
        self._groups = tuple((title, tuple(code for code, _text in options)) for title, options in groups)
        self._tags = {code: f'<option value="{escape(code)}">{escape(text)}</option>'
                      for _title, options in groups for code, text in options}

    def __call__(self, selected: str | None) -> Markup:
        parts: list[str] = []
        for title, codes in self._groups:
            parts.append(f'<optgroup label="{escape(title)}">' if title else "")
            parts.extend(self._tags[code] if code != selected else
                         self._tags[code].replace('">', '" selected>', 1) for code in codes)
            parts.append("</optgroup>" if title else "")
        return Markup("".join(parts))

    def __contains__(self, code: str) -> bool:
        return code in self._tags


@lru_cache(maxsize=16)
def country_options(network: tuple[str, ...]) -> OptionTags:
    """Country options: the network's administrations first, then every country and territory."""
    names = vocab.countries()
    listed = lambda codes: tuple((code, f"{names[code]} ({code})") for code in codes)  # noqa: E731
    return OptionTags((("Network members", listed(network)),
                       ("All countries and territories", listed(c for c in names if c not in network))))


@lru_cache(maxsize=1)
def currency_options() -> OptionTags:
    return OptionTags((("", tuple((c.alpha_3, f"{c.alpha_3} — {c.name}")
                                  for c in sorted(pycountry.currencies, key=lambda c: c.alpha_3))),))


def unit_dimensions() -> dict[str, dict[str, list[str]]]:
    """category -> subcategory ("" for none) -> the unit dimensions allowed, for the form's script."""
    return {category: {sub: list(vocab.allowed_dimensions(category, sub or None))
                       for sub in ("", *vocab.SUBCATEGORIES.get(category, {}))}
            for category in vocab.CATEGORIES}
