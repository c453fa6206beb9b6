"""The validation contract: the checklist a validator answers, the return comment, the queue's query,
and the `validation` block of the report JSON."""
from __future__ import annotations

from datetime import timezone

from marshmallow import ValidationError, fields, validate, validates

from app import vocabularies as vocab
from app.seizures.schemas import BaseSchema, Code, Text
from app.validation.models import CHECKLIST

COMMENT_MAX = 4000


class ChecklistSchema(BaseSchema):
    """Each item answered true (checked) or false (a problem found)."""

    category_quantity = fields.Boolean(required=True, metadata={"description": CHECKLIST["category_quantity"]})
    location_date = fields.Boolean(required=True, metadata={"description": CHECKLIST["location_date"]})
    markings = fields.Boolean(required=True, metadata={"description": CHECKLIST["markings"]})


def Reviewed() -> fields.Integer:  # noqa: N802 - a field factory
    return fields.Integer(strict=True, load_default=None, metadata={
        "description": "the version of the report the validator read: a 409 when it changed since (send it: "
                       "the decision is then on what was reviewed)"})


class ValidateSchema(BaseSchema):
    """POST /seizures/<id>/validate: every checklist item must be answered true."""

    checklist = fields.Nested(ChecklistSchema, required=True)
    comment = Text(COMMENT_MAX, load_default="")
    version = Reviewed()


class ReturnSchema(BaseSchema):
    """POST /seizures/<id>/return: the comment tells the owner what to fix; the checklist, if sent,
    says which items failed (answers may be partial)."""

    comment = Text(COMMENT_MAX, required=True)
    checklist = fields.Nested(ChecklistSchema(partial=True), load_default=dict)
    version = Reviewed()

    @validates("comment")
    def _not_blank(self, value: str, **_kwargs) -> None:
        if not value.strip():
            raise ValidationError("say what the owner should check or correct")


class QueueQuerySchema(BaseSchema):
    organisation = fields.List(fields.String(validate=validate.Length(max=16)), load_default=list)
    category = fields.List(Code(vocab.CATEGORIES, "category"), load_default=list)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=200))


class ActorSchema(BaseSchema):
    organisation = fields.Function(lambda a: a.organisation.code)
    user = fields.Function(lambda a: a.user.email)


class ValidationActionSchema(BaseSchema):
    """One entry of a report's validation history."""

    action = fields.String()
    by = fields.Function(lambda a: ActorSchema().dump(a))
    at = fields.AwareDateTime(attribute="created_at", default_timezone=timezone.utc)
    report_version = fields.Integer()
    checklist = fields.Dict(keys=fields.String(), values=fields.Boolean())
    comment = fields.String()


_ACTOR = ActorSchema()
_AT = fields.AwareDateTime(default_timezone=timezone.utc)


def validation_summary(report, *, with_comment: bool = True) -> dict:  # noqa: ANN001 - a SeizureReport
    """The `validation` block of the report JSON. The comment is for the reporting organisation and
    regional validators only (the caller decides, with app.permissions.can_view_persons)."""
    decisions = [a for a in report.validation_actions if a.action in ("validate", "return")]
    last = decisions[-1] if decisions else None
    commented = next((a for a in reversed(report.validation_actions) if a.comment), None)
    state = report.validation_state
    return {
        "state": state,
        "validated_by": _ACTOR.dump(last) if state == "validated" and last and last.action == "validate" else None,
        "returned_at": _AT.serialize("returned_at", report),
        "last_comment": {"text": commented.comment, "action": commented.action, "by": _ACTOR.dump(commented),
                         "at": _AT.serialize("created_at", commented)} if commented and with_comment else None,
    }
