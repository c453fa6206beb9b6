from __future__ import annotations

from marshmallow import fields

from app import vocabularies as vocab
from app.seizures.schemas import BaseSchema, Code


class OrganisationSchema(BaseSchema):
    code = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    kind = Code(vocab.ORGANISATION_KINDS, "organisation kind", dump_only=True)
    country = fields.String(dump_only=True, allow_none=True)
