"""Reference endpoints: organisations, vocabularies, the current user, the OpenAPI document."""
from __future__ import annotations

from flask import g
from flask_babel import gettext
from sqlalchemy import select

from app import vocabularies as vocab
from app.api import bp
from app.extensions import db
from app.organisations.models import Organisation
from app.organisations.schemas import OrganisationSchema
from app.users.schemas import MeSchema


@bp.get("/organisations")
def list_organisations():
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.kind, Organisation.code)).all()
    return {"total": len(orgs), "results": OrganisationSchema(many=True).dump(orgs)}


@bp.get("/vocabularies")
def vocabularies():
    def translated(entries: dict[str, str]) -> list[dict]:
        return [{"code": code, "label": gettext(label)} for code, label in entries.items()]

    body = {name: translated(entries) for name, entries in vocab.vocabulary_lists().items()}
    body["category"] = [
        {**entry, "subcategories": translated(vocab.SUBCATEGORIES.get(entry["code"], {})),
         "units": vocab.allowed_units(entry["code"]) if entry["code"] != "currency" else ["<ISO 4217 code>"],
         "canonical_units": sorted({vocab.CANONICAL_UNITS[d] for d in vocab.allowed_dimensions(entry["code"], None)
                                    if d in vocab.CANONICAL_UNITS})}
        for entry in body["category"]
    ]
    body["unit"] = [{"code": u.code, "label": gettext(u.label), "canonical": vocab.CANONICAL_UNITS[u.dimension],
                     "factor": u.factor} for u in vocab.UNITS.values()]
    body["country"] = [{"code": code, "label": name} for code, name in sorted(vocab.countries().items())]
    return body


@bp.get("/me")
def me():
    return MeSchema().dump(g.api_user)


@bp.get("/openapi.json")
def openapi():
    from app.api.openapi import openapi_document

    return openapi_document()
