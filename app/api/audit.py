"""GET /api/v1/audit: the audit trail, by the page rules (managers their organisation's, sysadmins all)."""
from __future__ import annotations

from flask import g, request

from app.api import bp
from app.audit import services
from app.audit.chain import as_json
from app.audit.schemas import load_filters


@bp.get("/audit")
def audit_trail():
    services.require_trail_reader(g.api_user)  # the role first: a 403 whatever the filters
    filters = load_filters(request.args)
    rows, total = services.trail_page(g.api_user, filters)
    return {"total": total, "page": filters["page"], "per_page": filters["per_page"],
            "results": [as_json(row) for row in rows]}
