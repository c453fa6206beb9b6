"""Probes: GET /livez (the process answers; nothing else is looked at) and GET /healthz (is the database
reachable, which version runs, the search backend and its outbox lag)."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/livez")
def livez():
    """Liveness for a supervisor or load balancer: cheap enough to poll every second, and the floor of
    `make bench` (the server, the network and the client with no application work)."""
    from app import __version__

    return {"status": "ok", "version": __version__}


@bp.get("/healthz")
def healthz():
    from app import __version__

    try:
        db.session.execute(text("SELECT 1"))
        database = {"ok": True, "dialect": db.engine.dialect.name}
    except SQLAlchemyError as exc:
        database = {"ok": False, "error": type(exc).__name__}
    ok = database["ok"]
    search = _search_status() if ok else {"ok": False}
    # Failed outbox rows (documents the engine refused) need someone to look: degraded until retried.
    status = "ok" if ok and search["ok"] and not search.get("outbox", {}).get("failed") else "degraded"
    return jsonify({"status": status, "version": __version__, "database": database, "search": search}), (
        200 if ok else 503)


def _search_status() -> dict:
    """The search backend may be down without the app being down: officers keep saving, the outbox grows."""
    from app.search.services import status

    try:
        return status()
    except SQLAlchemyError as exc:
        db.session.rollback()
        return {"ok": False, "error": type(exc).__name__}
