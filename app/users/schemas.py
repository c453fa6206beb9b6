from __future__ import annotations

from marshmallow import fields

from app.organisations.schemas import OrganisationSchema
from app.seizures.schemas import BaseSchema


class MeSchema(BaseSchema):
    email = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    roles = fields.List(fields.String(), dump_only=True)
    organisation = fields.Nested(OrganisationSchema, dump_only=True)
