"""/audit: the audit trail for managers (their organisation's) and sysadmins (all of it), and its CSV export.

Others get 403, as on the /admin pages (and the 403 itself is on record as a permission denial).
"""
from __future__ import annotations

import csv
import io
import json
import math
from datetime import datetime, timezone
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required
from marshmallow import ValidationError

from app.audit import services
from app.audit.chain import as_json
from app.audit.schemas import TrailFiltersSchema, load_filters
from app.errors import flatten_errors
from app.search.export import safe_cell

bp = Blueprint("audit", __name__, url_prefix="/audit", template_folder="templates")

CSV_COLUMNS = ("id", "at", "actor_email", "organisation", "action", "subject_type", "subject_ref", "subject_id",
               "subject_organisation", "outcome", "address", "details", "prev_hash", "hash")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every /audit page needs a signed-in user (the services check the role and the scope)."""


@bp.get("")
def index():
    me = current_user._get_current_object()
    services.require_trail_reader(me)  # the role first: a 403 whatever the filters
    try:
        filters = load_filters(request.args)
    except ValidationError as exc:
        return render_template("audit/index.html", rows=[], total=0, filters=_raw_filters(), page=1, pages=1,
                               errors=flatten_errors(exc.messages), codes={}, query=""), 422
    rows, total = services.trail_page(me, filters)
    return render_template("audit/index.html", rows=rows, total=total, filters=_raw_filters(), errors={},
                           page=filters["page"], pages=max(1, math.ceil(total / filters["per_page"])),
                           codes=services.organisation_codes(rows), query=_query_without_page())


@bp.get("/export.csv")
def export_csv():
    me = current_user._get_current_object()
    services.require_trail_reader(me)  # the role first: a 403 whatever the filters
    try:
        filters = load_filters(request.args)
    except ValidationError as exc:
        fields = flatten_errors(exc.messages)
        return Response("; ".join(f"{k}: {', '.join(v)}" for k, v in fields.items()), 422, mimetype="text/plain")
    rows = services.trail_rows(me, filters)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
    return Response(_csv(rows, services.organisation_codes(rows)), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="elix-audit-{stamp}.csv"', "Cache-Control": "private, no-store"})


def _csv(rows: list, codes: dict[int, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = as_json(row)
        values["organisation"] = codes.get(row.organisation_id)
        values["subject_organisation"] = codes.get(row.subject_organisation_id)
        values["details"] = json.dumps(row.details, sort_keys=True, ensure_ascii=False)
        writer.writerow([safe_cell(values[column]) for column in CSV_COLUMNS])
    return out.getvalue()


def _raw_filters() -> dict:
    return {name: request.args.get(field.data_key or name, "") for name, field in TrailFiltersSchema().fields.items()}


def _query_without_page() -> str:
    return urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "page" and v])
