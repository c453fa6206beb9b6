from __future__ import annotations

import re

from sqlalchemy import select

from app import vocabularies as vocab
from app.errors import ValidationFailed
from app.extensions import db
from app.organisations.models import Organisation

CODE_RE = re.compile(r"^[A-Z][A-Z0-9-]{1,15}$")


def create_organisation(code: str, name: str, kind: str, country: str | None = None) -> Organisation:
    errors: dict[str, list[str]] = {}
    if not CODE_RE.match(code):
        errors["code"] = ["2 to 16 capital letters, digits or dashes (ISO 3166 code for an administration)"]
    elif db.session.scalar(select(Organisation.id).where(Organisation.code == code)) is not None:
        errors["code"] = [f"an organisation {code!r} exists"]
    if kind not in vocab.ORGANISATION_KINDS:
        errors["kind"] = [f"one of {', '.join(vocab.ORGANISATION_KINDS)}"]
    if not name.strip():
        errors["name"] = ["required"]
    if country is None and kind == "administration" and vocab.is_country(code):
        country = code
    if country is not None and not vocab.is_country(country):
        errors["country"] = [f"unknown country {country!r}"]
    if errors:
        raise ValidationFailed("the organisation cannot be created", errors)
    org = Organisation(code=code, name=name.strip(), kind=kind, country=country)
    db.session.add(org)
    db.session.flush()
    return org
