"""The search query as request parameters (API and page): repeated filters, dates, quantities, sort, page."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates_schema

from app import vocabularies as vocab
from app.seizures.schemas import UpperCode, one_of, validate_country
from search.query import FILTER_FIELDS, MAX_RESULT_WINDOW, SORTS, Filters, SearchQuery

ALL_SUBCATEGORIES = {code: label for subs in vocab.SUBCATEGORIES.values() for code, label in subs.items()}


def _codes(field: fields.Field) -> fields.List:
    return fields.List(field, load_default=list, validate=validate.Length(max=100))


class SearchArgsSchema(Schema):
    """Loads request.args (a MultiDict) into a search.query.SearchQuery."""

    class Meta:
        unknown = EXCLUDE  # the page's own parameters (e.g. an empty submit) are not errors

    q = fields.String(load_default="")  # its length and syntax are the parser's: a 400 with the position
    category = _codes(fields.String(validate=one_of(vocab.CATEGORIES, "category")))
    subcategory = _codes(fields.String(validate=one_of(ALL_SUBCATEGORIES, "subcategory")))
    country = _codes(UpperCode(validate=validate_country))
    organisation = _codes(UpperCode(validate=validate.Length(min=1, max=16)))
    route_country = _codes(UpperCode(validate=validate_country))
    transport_mode = _codes(fields.String(validate=one_of(vocab.TRANSPORT_MODES, "transport mode")))
    detection_method = _codes(fields.String(validate=one_of(vocab.DETECTION_METHODS, "detection method")))
    concealment_method = _codes(fields.String(validate=one_of(vocab.CONCEALMENT_METHODS, "concealment method")))
    operation = _codes(UpperCode(validate=validate.Length(min=1, max=64)))
    status = _codes(fields.String(validate=one_of(vocab.STATUSES, "status")))
    validation = _codes(fields.String(validate=one_of(vocab.VALIDATION_STATES, "validation state")))
    date_from = fields.Date(data_key="from", load_default=None)
    date_to = fields.Date(data_key="to", load_default=None)
    quantity_min = fields.Float(load_default=None, validate=validate.Range(min=0))
    quantity_max = fields.Float(load_default=None, validate=validate.Range(min=0))
    sort = fields.String(load_default="relevance", validate=one_of(list(SORTS), "sort"))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_RESULT_WINDOW))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=200))

    @validates_schema
    def _ranges_in_order(self, data: dict, **_kwargs) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("'from' is after 'to'", "from")
        low, high = data.get("quantity_min"), data.get("quantity_max")
        if low is not None and high is not None and low > high:
            raise ValidationError("quantity_min is above quantity_max", "quantity_min")
        if data.get("page", 1) * data.get("per_page", 25) > MAX_RESULT_WINDOW:
            raise ValidationError(f"page × per_page may not pass {MAX_RESULT_WINDOW}: narrow the search instead",
                                  "page")

    @post_load
    def _to_query(self, data: dict, **_kwargs) -> SearchQuery:
        filters = Filters(**{name: tuple(dict.fromkeys(data[name])) for name in FILTER_FIELDS},
                          date_from=data["date_from"], date_to=data["date_to"],
                          quantity_min=data["quantity_min"], quantity_max=data["quantity_max"])
        return SearchQuery(text=data["q"], filters=filters, sort=data["sort"], page=data["page"],
                           per_page=data["per_page"])


SEARCH_ARGS = SearchArgsSchema()  # built once: a schema copies its fields when instantiated (1 ms a request)


def load_search_args(args) -> SearchQuery:  # noqa: ANN001 - a werkzeug MultiDict
    """request.args -> SearchQuery (ValidationError names the bad parameter)."""
    lists = set(FILTER_FIELDS)
    raw = {key: (args.getlist(key) if key in lists else args.get(key)) for key in args}
    raw = {key: value for key, value in raw.items() if value not in ("", None) or key == "q"}
    raw = {key: ([v for v in value if v] if isinstance(value, list) else value) for key, value in raw.items()}
    return SEARCH_ARGS.load(raw)


def query_args(query: SearchQuery, **changes) -> list[tuple[str, str]]:
    """The query as URL parameters (for links: pages, facet toggles, the CSV export)."""
    values: dict = {"q": query.text, "sort": query.sort, "page": query.page, "per_page": query.per_page}
    values.update(changes)
    pairs: list[tuple[str, str]] = [(k, str(v)) for k, v in values.items() if v not in ("", None)]
    filters = changes.get("filters", query.filters)
    pairs = [(k, v) for k, v in pairs if k != "filters"]
    for name in FILTER_FIELDS:
        pairs += [(name, value) for value in getattr(filters, name)]
    for key, value in (("from", filters.date_from), ("to", filters.date_to),
                       ("quantity_min", filters.quantity_min), ("quantity_max", filters.quantity_max)):
        if value is not None:
            pairs.append((key, value.isoformat() if hasattr(value, "isoformat") else f"{value:g}"))
    return pairs
