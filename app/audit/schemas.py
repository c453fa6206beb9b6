"""The audit trail's filters (page, CSV export and API share them) and a record as the API gives it."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from app.audit.models import OUTCOMES

MAX_PAGE = 10_000


class TrailFiltersSchema(Schema):
    """Loads request.args. Empty parameters (an empty form field) mean "any"."""

    class Meta:
        unknown = EXCLUDE  # the page's own parameters (e.g. the submit button) are not errors

    actor = fields.String(load_default=None, validate=validate.Length(max=254),
                          metadata={"description": "part of the actor's login e-mail"})
    action = fields.String(load_default=None, validate=validate.Length(max=64),
                           metadata={"description": "an action (report.read), or a family ending in a dot (report.)"})
    outcome = fields.String(load_default=None, validate=validate.OneOf(OUTCOMES))
    subject = fields.String(load_default=None, validate=validate.Length(max=254),
                            metadata={"description": "a subject reference (JM-2026-000123, an e-mail, a code) or id"})
    date_from = fields.Date(data_key="from", load_default=None)
    date_to = fields.Date(data_key="to", load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))

    @validates_schema
    def _range_in_order(self, data: dict, **_kwargs) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("'from' is after 'to'", "from")


def load_filters(args) -> dict:  # noqa: ANN001 - a werkzeug MultiDict
    """request.args -> filters (ValidationError names the bad parameter)."""
    return TrailFiltersSchema().load({key: value.strip() for key, value in args.items() if value.strip()})


class AuditRecordSchema(Schema):
    """A record with every hashed field and its hash: a receiver can verify the chain from these."""

    id = fields.Integer()
    at = fields.String(metadata={"description": "UTC, ISO 8601 with microseconds (as hashed)"})
    actor_id = fields.Integer(allow_none=True)
    actor_email = fields.String(allow_none=True)
    organisation_id = fields.Integer(allow_none=True)
    action = fields.String()
    subject_type = fields.String(allow_none=True)
    subject_id = fields.String(allow_none=True)
    subject_ref = fields.String(allow_none=True)
    subject_organisation_id = fields.Integer(allow_none=True)
    outcome = fields.String(validate=validate.OneOf(OUTCOMES))
    address = fields.String()
    details = fields.Dict()
    prev_hash = fields.String()
    hash = fields.String()


class AuditPageSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    results = fields.List(fields.Nested(AuditRecordSchema))
