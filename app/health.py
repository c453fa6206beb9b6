"""GET /healthz: is the database reachable, which version runs."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    from app import __version__

    try:
        db.session.execute(text("SELECT 1"))
        database = {"ok": True, "dialect": db.engine.dialect.name}
    except SQLAlchemyError as exc:
        database = {"ok": False, "error": type(exc).__name__}
    ok = database["ok"]
    return jsonify({"status": "ok" if ok else "degraded", "version": __version__, "database": database}), (
        200 if ok else 503)
