"""The seizure report contract of DESIGN.md as marshmallow schemas (load validates, dump serialises)."""
from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta, timezone

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load, validate, validates, validates_schema

from app import vocabularies as vocab
from app.identifiers import is_valid_container, is_valid_imo, is_valid_locode

FUTURE_TOLERANCE = timedelta(minutes=10)
# JSON can carry an unpaired surrogate ("\ud800"), which no database can store as UTF-8, and NUL, which
# PostgreSQL stores in no text (app.api checks a whole body; `details` are checked here for the form too).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = "must not contain NUL characters (\\u0000) or unpaired surrogates (\\ud800-\\udfff)"
JSON_SAFE_INTEGER = 2**53  # beyond it JSON readers differ (JavaScript's numbers, the search index)


def one_of(choices: dict | list, what: str) -> validate.Validator:
    allowed = list(choices)
    return validate.OneOf(allowed, error=f"unknown {what} {{input!r}}; allowed: {', '.join(allowed)}")


def validate_country(code: str) -> None:
    if not vocab.is_country(code):
        raise ValidationError(f"unknown country {code!r}; use an ISO 3166-1 alpha-2 code such as JM, KY, CW")


def validate_currency(code: str) -> None:
    if code not in vocab.currency_codes():
        raise ValidationError(f"unknown currency {code!r}; use an ISO 4217 code such as USD, XCD, EUR")


def validate_locode(code: str) -> None:
    if not is_valid_locode(code):
        raise ValidationError(f"{code!r} is not a UN/LOCODE (5 characters: country code + 3, e.g. JMKIN)")


def validate_container(number: str) -> None:
    if not is_valid_container(number):
        raise ValidationError(f"{number!r} is not a valid ISO 6346 container number (e.g. MSCU1234566; check digit)")


def validate_imo(number: str) -> None:
    if not is_valid_imo(number):
        raise ValidationError(f"{number!r} is not a valid IMO number (7 digits with check digit)")


def validate_positive(value: float) -> None:
    if not math.isfinite(value) or value <= 0:
        raise ValidationError("must be a number greater than zero")


def validate_not_blank(text: str) -> None:
    if not text.strip():
        raise ValidationError("must not be blank")


def validate_unique(values: list) -> None:
    if repeated := sorted({str(v) for v in values if values.count(v) > 1}):
        raise ValidationError(f"each value once: {', '.join(repeated)} given more than once")


def Text(max_length: int, **kwargs) -> fields.String:  # noqa: N802 - a field factory
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


def Code(choices: dict, what: str, **kwargs) -> fields.String:  # noqa: N802
    return fields.String(validate=one_of(choices, what), **kwargs)


EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2100, 12, 31)


def Day(**kwargs) -> fields.Date:  # noqa: N802
    """A stored calendar day (an operation's or a conference's dates): 9999-12-31 is a typo there, and one
    stored broke the pages that count seizures up to the day after it (a 500). Filters take any date
    (app.database.day_after)."""
    return fields.Date(validate=validate.Range(EARLIEST_DAY, LATEST_DAY, error="must be between {min} and {max}"),
                       **kwargs)


class UpperCode(fields.String):
    """A filter's organisation, operation or country code, in any case: the codes are upper case, and `jm`
    found nothing (organisations, operations) or was refused (countries)."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:  # noqa: ANN001
        return super()._deserialize(value, attr, data, **kwargs).upper()


class BaseSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


class LocationSchema(BaseSchema):
    name = Text(200, allow_none=True)
    locode = fields.String(allow_none=True, validate=validate_locode)
    type = Code(vocab.LOCATION_TYPES, "location type", allow_none=True)
    lat = fields.Float(allow_none=True, validate=validate.Range(-90, 90))
    lon = fields.Float(allow_none=True, validate=validate.Range(-180, 180))

    @validates_schema
    def _both_coordinates(self, data: dict, **_kwargs) -> None:
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise ValidationError("give both lat and lon, or neither", "lat")


class MoneySchema(BaseSchema):
    # Bounded as quantities are (vocab.MAX_NORMALISED_QUANTITY): 1e300 was stored, and printed 300 digits wide.
    amount = fields.Float(required=True, validate=validate.Range(
        min=0, max=vocab.MAX_NORMALISED_QUANTITY, error="must be between 0 and 1,000,000,000,000"))
    currency = fields.String(required=True, validate=validate_currency)


class NormalisedSchema(BaseSchema):
    quantity = fields.Float()
    unit = fields.String()


class ItemSchema(BaseSchema):
    category = Code(vocab.CATEGORIES, "category", required=True)
    subcategory = fields.String(allow_none=True)
    description = Text(500, load_default="")
    quantity = fields.Float(required=True, validate=validate_positive)
    unit = fields.String(required=True, validate=validate.Length(min=1, max=20))
    normalised = fields.Nested(NormalisedSchema, dump_only=True)
    hs_code = fields.String(allow_none=True, validate=validate.Regexp(r"^\d{4,10}$", error="an HS code is 4 to 10 digits"))
    estimated_value = fields.Nested(MoneySchema, allow_none=True)
    details = fields.Dict(keys=fields.String(validate=validate.Length(max=50)),
                          values=fields.Raw(), load_default=dict)

    @validates_schema
    def _fits_category(self, data: dict, **_kwargs) -> None:
        category = data.get("category")
        if category is None:
            return
        subcategory = data.get("subcategory")
        known = vocab.SUBCATEGORIES.get(category, {})
        if subcategory is not None and subcategory not in known:
            allowed = ", ".join(known) or "none for this category"
            raise ValidationError(f"unknown subcategory {subcategory!r} for {category}; allowed: {allowed}",
                                  "subcategory")
        if "unit" in data and "quantity" in data:
            try:
                vocab.normalise_quantity(category, subcategory, data["quantity"], data["unit"])
            except vocab.UnitError as exc:
                raise ValidationError(str(exc), "quantity" if isinstance(exc, vocab.QuantityError) else "unit") from exc

    @pre_load
    def _ignore_normalised(self, data, **_kwargs):  # noqa: ANN001
        # `normalised` is server-assigned; accept it back (a GET response re-sent) and ignore it.
        if isinstance(data, dict) and "normalised" in data:
            data = {k: v for k, v in data.items() if k != "normalised"}
        return data

    @validates("details")
    def _details_small(self, value: dict, **_kwargs) -> None:
        if len(value) > 30 or any(isinstance(v, (dict, list)) for v in value.values()):
            raise ValidationError("details are up to 30 flat key/value pairs")
        for key, item in value.items():  # each was a 500 on PostgreSQL or in the search index
            if UNSTORABLE.search(key) or isinstance(item, str) and UNSTORABLE.search(item):
                raise ValidationError(f"keys and values {UNSTORABLE_MESSAGE}")
            if isinstance(item, float) and not math.isfinite(item):
                raise ValidationError(f"{UNSTORABLE.sub('?', key)!r}: a number must be finite (not NaN or Infinity)")
            if isinstance(item, int) and not -JSON_SAFE_INTEGER <= item <= JSON_SAFE_INTEGER:
                raise ValidationError(f"{UNSTORABLE.sub('?', key)!r}: a whole number must lie within ±2^53; "
                                      "write a longer one as text")


class RouteLegSchema(BaseSchema):
    role = Code(vocab.ROUTE_ROLES, "route role", required=True)
    country = fields.String(required=True, validate=validate_country)
    place = Text(100, allow_none=True)


class ConveyanceSchema(BaseSchema):
    vessel_name = Text(120, allow_none=True)
    imo = fields.String(allow_none=True, validate=validate_imo)
    flag = fields.String(allow_none=True, validate=validate_country)
    containers = fields.List(fields.String(validate=validate_container), load_default=list,
                             validate=[validate.Length(max=100), validate_unique])
    flight = Text(16, allow_none=True)
    vehicle_plate = Text(20, allow_none=True)


class DocumentSchema(BaseSchema):
    type = Code(vocab.DOCUMENT_TYPES, "document type", allow_none=True)
    number = Text(64, allow_none=True)
    country = fields.String(allow_none=True, validate=validate_country)


class PersonSchema(BaseSchema):
    role = Code(vocab.PERSON_ROLES, "person role", required=True)
    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), validate_not_blank])
    nationality = fields.String(allow_none=True, validate=validate_country)
    document = fields.Nested(DocumentSchema, allow_none=True)


class MarkingSchema(BaseSchema):
    tlp = Code(vocab.TLP, "TLP", load_default="amber")
    distribution = Code(vocab.DISTRIBUTIONS, "distribution", load_default="network")
    handling = Code(vocab.HANDLING_CODES, "handling code", allow_none=True)
    source_reliability = Code(vocab.SOURCE_RELIABILITY, "source reliability", allow_none=True)
    information_credibility = Code(vocab.INFORMATION_CREDIBILITY, "information credibility", allow_none=True)

    @validates_schema
    def _tlp_fits_distribution(self, data: dict, **_kwargs) -> None:
        tlp, distribution = data.get("tlp", "amber"), data.get("distribution", "network")
        allowed = vocab.TLP_ALLOWED_DISTRIBUTIONS.get(tlp)
        if allowed is not None and distribution not in allowed:
            raise ValidationError(f"TLP:{tlp.upper()} requires distribution {' or '.join(sorted(allowed))}",
                                  "distribution")


def _default_marking() -> dict:
    return {"tlp": "amber", "distribution": "network"}


class SeizureReportSchema(BaseSchema):
    id = fields.String(dump_only=True)
    reference = fields.String(dump_only=True)
    record_type = Code(vocab.RECORD_TYPES, "record type", load_default="seizure")
    status = fields.String(dump_only=True)
    reporting_organisation = fields.Function(lambda r: r.organisation.code, dump_only=True,
                                             metadata={"type": "string", "description": "organisation code"})
    created_by = fields.Function(lambda r: r.created_by.email, dump_only=True,
                                 metadata={"type": "string", "format": "email"})
    seized_at = fields.AwareDateTime(required=True, attribute="seized_at_local",
                                     error_messages={"naive": "give a time zone offset, e.g. 2026-11-02T14:30:00-05:00"})
    country = fields.String(required=True, validate=validate_country)
    location = fields.Nested(LocationSchema, load_default=dict)
    procedure = Code(vocab.PROCEDURES, "procedure", allow_none=True)
    traffic = Code(vocab.TRAFFIC, "traffic", allow_none=True)
    transport_mode = Code(vocab.TRANSPORT_MODES, "transport mode", allow_none=True)
    detection_methods = fields.List(Code(vocab.DETECTION_METHODS, "detection method"), load_default=list,
                                    validate=validate_unique)
    concealment_methods = fields.List(Code(vocab.CONCEALMENT_METHODS, "concealment method"), load_default=list,
                                      validate=validate_unique)
    concealment_details = Text(2000, load_default="")
    narrative = Text(20_000, load_default="")
    language = Code(vocab.LANGUAGES, "language", load_default="en")
    items = fields.List(fields.Nested(ItemSchema), required=True,
                        validate=validate.Length(min=1, max=200, error="a report has 1 to 200 items"))
    route = fields.List(fields.Nested(RouteLegSchema), load_default=list, validate=validate.Length(max=20))
    conveyance = fields.Nested(ConveyanceSchema, load_default=dict)
    persons = fields.List(fields.Nested(PersonSchema), load_default=list, validate=validate.Length(max=100))
    arrests = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0, max=10_000))
    operations = fields.Method("_dump_operations", deserialize="_load_operations", load_default=list,
                               metadata={"type": "array", "items": {"type": "string"},
                                         "description": "codes of linked operations"})
    marking = fields.Nested(MarkingSchema, load_default=_default_marking)
    version = fields.Integer(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True, default_timezone=timezone.utc)
    updated_at = fields.AwareDateTime(dump_only=True, default_timezone=timezone.utc)
    submitted_at = fields.AwareDateTime(dump_only=True, allow_none=True, default_timezone=timezone.utc)
    validated_at = fields.AwareDateTime(dump_only=True, allow_none=True, default_timezone=timezone.utc)
    validation = fields.Method("_dump_validation", dump_only=True, metadata={
        "type": "object", "description": "four-eyes validation: state (awaiting, returned, validated; null for "
        "drafts and withdrawn reports), validated_by {organisation, user}, returned_at, last_comment "
        "{text, action, by, at} (the comment only for the reporting organisation and regional validators)"})

    def _dump_validation(self, report) -> dict:  # noqa: ANN001
        from app.validation.schemas import validation_summary  # app.validation builds on this module

        return validation_summary(report)

    def _dump_operations(self, report) -> list[str]:  # noqa: ANN001
        return sorted(op.code for op in report.operations)  # as loaded; a change's session keeps the order given

    def _load_operations(self, value) -> list[str]:  # noqa: ANN001
        if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= 64 for v in value):
            raise ValidationError("a list of operation codes, e.g. [\"CARIBBEAN-SHIELD-2017\"]")
        return list(dict.fromkeys(value))

    @validates("seized_at")
    def _not_in_future(self, value: datetime, **_kwargs) -> None:
        if value > datetime.now(timezone.utc) + FUTURE_TOLERANCE:
            raise ValidationError("the seizure date is in the future")
        if value.year < 1990:
            raise ValidationError("the seizure date is before 1990")

    @post_load
    def _fill_marking_defaults(self, data: dict, **_kwargs) -> dict:
        data["marking"] = {**_default_marking(), **data.get("marking", {})}
        return data


class SeizureReportPatchSchema(SeizureReportSchema):
    """PATCH body: any top-level field of the report, plus the `version` the client last read."""

    expected_version = fields.Integer(required=True, data_key="version", load_only=True)


# The date filters' days (here and in search) are UTC days, one calendar for every administration: a
# seizure at 22:30 in Kingston (UTC-05:00) counts on the next day, though its page shows its local day.
SEIZURE_DAY = ("a day of `seized_at` in UTC (a seizure late in the evening west of Greenwich falls on "
               "the next UTC day); inclusive")


class ReportListQuerySchema(BaseSchema):
    status = fields.List(Code(vocab.STATUSES, "status"), load_default=list)
    organisation = fields.List(UpperCode(validate=validate.Length(max=16)), load_default=list)
    category = fields.List(Code(vocab.CATEGORIES, "category"), load_default=list)
    date_from = fields.Date(data_key="from", load_default=None)
    date_to = fields.Date(data_key="to", load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=200))

    @validates_schema
    def _range_in_order(self, data: dict, **_kwargs) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("'from' is after 'to'", "from")
