from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from app import vocabularies as vocab
from app.seizures.schemas import BaseSchema, Code, Text

CODE_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,63}$"


class OperationSchema(BaseSchema):
    code = fields.String(required=True, validate=validate.Regexp(
        CODE_PATTERN, error="3 to 64 capital letters, digits and dashes, e.g. CARIBBEAN-SHIELD-2017"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = Text(5000, load_default="")
    lead_organisation = fields.Function(lambda op: op.lead_organisation.code,
                                        deserialize=lambda v: v, required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    participants = fields.Function(lambda op: [o.code for o in op.participants],
                                   deserialize=lambda v: v, load_default=list)
    focus_categories = fields.List(Code(vocab.CATEGORIES, "category"), load_default=list)
    status = Code(vocab.OPERATION_STATUSES, "operation status", load_default="planned")

    @validates_schema
    def _check(self, data: dict, **_kwargs) -> None:
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError("the operation ends before it starts", "ends_on")
        if "lead_organisation" in data and not isinstance(data["lead_organisation"], str):
            raise ValidationError("an organisation code, e.g. JIO", "lead_organisation")
        participants = data.get("participants", [])
        if not isinstance(participants, list) or not all(isinstance(p, str) for p in participants):
            raise ValidationError("a list of organisation codes", "participants")
