"""The conference contract (API JSON = the web form's fields)."""
from __future__ import annotations

from datetime import timezone

from marshmallow import ValidationError, fields, validate, validates_schema

from app import vocabularies as vocab
from app.seizures.schemas import BaseSchema, Code, Day, Text

ORG_CODE = validate.Length(min=1, max=16)


class ParticipantSchema(BaseSchema):
    organisation = fields.Function(lambda p: p.organisation.code, deserialize=lambda v: v, required=True)
    delegates = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1000))

    @validates_schema
    def _code(self, data: dict, **_kwargs) -> None:
        if not isinstance(data.get("organisation"), str) or not 0 < len(data["organisation"]) <= 16:
            raise ValidationError("an organisation code, e.g. JM", "organisation")


class AgendaItemSchema(BaseSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    presenter = Text(200, load_default="")
    presenter_organisation = fields.Function(
        lambda a: a.presenter_organisation.code if getattr(a, "presenter_organisation", None) else None,
        deserialize=lambda v: v, load_default=None, allow_none=True)
    summary = Text(10_000, load_default="")

    @validates_schema
    def _code(self, data: dict, **_kwargs) -> None:
        code = data.get("presenter_organisation")
        if code is not None and (not isinstance(code, str) or not 0 < len(code) <= 16):
            raise ValidationError("an organisation code, e.g. JIO, or null", "presenter_organisation")


class DecisionSchema(BaseSchema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class ActionItemSchema(BaseSchema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    owner = Text(200, load_default="")
    due_on = Day(load_default=None, allow_none=True)


class ConferenceSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    venue = Text(200, load_default="")
    starts_on = Day(required=True)
    ends_on = Day(required=True)
    organiser = fields.Function(lambda c: c.organiser.code, deserialize=lambda v: v, required=True)
    participants = fields.List(fields.Nested(ParticipantSchema), load_default=list,
                               validate=validate.Length(max=200))
    agenda = fields.List(fields.Nested(AgendaItemSchema), load_default=list, validate=validate.Length(max=100))
    decisions = fields.List(fields.Nested(DecisionSchema), load_default=list, validate=validate.Length(max=100))
    action_items = fields.List(fields.Nested(ActionItemSchema), load_default=list,
                               validate=validate.Length(max=100))
    figures_from = Day(load_default=None, allow_none=True)
    figures_to = Day(load_default=None, allow_none=True)
    figures_categories = fields.List(Code(vocab.CATEGORIES, "category"), load_default=list)
    operations = fields.Function(lambda c: [op.code for op in c.operations], deserialize=lambda v: v,
                                 load_default=list)
    created_at = fields.AwareDateTime(dump_only=True, default_timezone=timezone.utc)
    updated_at = fields.AwareDateTime(dump_only=True, allow_none=True, default_timezone=timezone.utc)

    @validates_schema
    def _check(self, data: dict, **_kwargs) -> None:
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError("the conference ends before it starts", "ends_on")
        if data.get("figures_from") and data.get("figures_to") and data["figures_to"] < data["figures_from"]:
            raise ValidationError("the figures period ends before it starts", "figures_to")
        if ("figures_from" in data or "figures_to" in data) and \
                (data.get("figures_from") is None) != (data.get("figures_to") is None):
            raise ValidationError("give both ends of the figures period, or neither", "figures_from")
        if "organiser" in data and not isinstance(data["organiser"], str):
            raise ValidationError("an organisation code, e.g. JIO", "organiser")
        operations = data.get("operations", [])
        if not isinstance(operations, list) or not all(isinstance(o, str) and 0 < len(o) <= 64 for o in operations):
            raise ValidationError("a list of operation codes", "operations")
        codes = [p["organisation"] for p in data.get("participants", []) if isinstance(p, dict)]
        for i, code in enumerate(codes):
            if codes.index(code) != i:
                raise ValidationError({f"participants.{i}.organisation": [f"{code} is listed twice"]})
