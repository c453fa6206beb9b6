from __future__ import annotations

from datetime import timezone

from marshmallow import ValidationError, fields, validate, validates_schema

from app import vocabularies as vocab
from app.operations.models import PHASES
from app.seizures.schemas import BaseSchema, Code, Day, Text

CODE_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,63}$"


class PhaseSchema(BaseSchema):
    name = Code(PHASES, "phase", required=True)
    starts_on = Day(required=True)
    ends_on = Day(required=True)


def check_phases(data: dict) -> None:
    """Phases lie inside the operation's period, each at most once, in order and without overlap."""
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    phases = data.get("phases") or []
    names = [p["name"] for p in phases]
    order = list(PHASES)
    for i, phase in enumerate(phases):
        if phase["ends_on"] < phase["starts_on"]:
            raise ValidationError({f"phases.{i}.ends_on": ["the phase ends before it starts"]})
        if starts_on and ends_on and not (starts_on <= phase["starts_on"] and phase["ends_on"] <= ends_on):
            raise ValidationError({f"phases.{i}.starts_on": [
                f"the phase must lie within the operation's period ({starts_on} to {ends_on})"]})
        if names.count(phase["name"]) > 1:
            raise ValidationError({f"phases.{i}.name": [f"the {phase['name']} phase is given twice"]})
    ordered = sorted(phases, key=lambda p: order.index(p["name"]))
    for before, after in zip(ordered, ordered[1:]):
        if after["starts_on"] <= before["ends_on"]:
            i = phases.index(after)
            raise ValidationError({f"phases.{i}.starts_on": [
                f"the {PHASES[after['name']].lower()} phase must start after the "
                f"{PHASES[before['name']].lower()} phase ends ({before['ends_on']})"]})


class OperationSchema(BaseSchema):
    code = fields.String(required=True, validate=validate.Regexp(
        CODE_PATTERN, error="3 to 64 capital letters, digits and dashes, e.g. CARIBBEAN-SHIELD-2017"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = Text(5000, load_default="")
    executive_summary = Text(20_000, load_default="")
    lead_organisation = fields.Function(lambda op: op.lead_organisation.code,
                                        deserialize=lambda v: v, required=True)
    starts_on = Day(required=True)
    ends_on = Day(required=True)
    phases = fields.List(fields.Nested(PhaseSchema), load_default=list, validate=validate.Length(max=3))
    participants = fields.Function(lambda op: [o.code for o in op.participants],
                                   deserialize=lambda v: v, load_default=list)
    focus_categories = fields.List(Code(vocab.CATEGORIES, "category"), load_default=list)
    status = Code(vocab.OPERATION_STATUSES, "operation status", load_default="planned")
    created_at = fields.AwareDateTime(dump_only=True, default_timezone=timezone.utc)
    updated_at = fields.AwareDateTime(dump_only=True, allow_none=True, default_timezone=timezone.utc)

    @validates_schema
    def _check(self, data: dict, **_kwargs) -> None:
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError("the operation ends before it starts", "ends_on")
        if "lead_organisation" in data and not isinstance(data["lead_organisation"], str):
            raise ValidationError("an organisation code, e.g. JIO", "lead_organisation")
        participants = data.get("participants", [])
        if not isinstance(participants, list) or not all(isinstance(p, str) for p in participants):
            raise ValidationError("a list of organisation codes", "participants")
        check_phases(data)


class OperationPatchSchema(OperationSchema):
    """PATCH body: any field of the operation but its code (the code is its identity in links and URLs)."""

    class Meta(BaseSchema.Meta):
        exclude = ("code",)


class LinkRuleSchema(BaseSchema):
    """A bulk-link rule: shared reports of the operation's organisations, optionally of some categories,
    seized within the operation's period or one of its phases."""

    categories = fields.List(Code(vocab.CATEGORIES, "category"), load_default=list)
    phase = fields.String(load_default=None, allow_none=True,
                          validate=validate.OneOf(list(PHASES), error=f"one of {', '.join(PHASES)}, or null for "
                                                                      "the whole period"))


class SeizurePageQuerySchema(BaseSchema):
    """`?page=&per_page=` of the seizures table in an operation's figures."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
