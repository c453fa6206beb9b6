"""Validation pages: the validator's queue, and the checklist form (also shown on the report page).

Each route loads its input, checks access, calls one service and commits once.
"""
from __future__ import annotations

import math

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app import vocabularies as vocab
from app.errors import Conflict, Forbidden, ValidationFailed
from app.extensions import db
from app.organisations.models import NETWORK_KINDS, Organisation
from app.permissions import viewer_for
from app.seizures.services import get_visible_report
from app.validation import services
from app.validation.models import CHECKLIST

bp = Blueprint("validation", __name__, template_folder="templates")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every page of this blueprint is for signed-in users."""


def _require_validator() -> None:
    if not services.is_regional_validator(current_user):
        raise Forbidden("the validation queue is for validators of a regional office (JIO, RILO)")


@bp.get("/validation")
def queue():
    _require_validator()
    organisation = request.args.get("organisation", "")
    category = request.args.get("category", "")
    category = category if category in vocab.CATEGORIES else ""
    page = min(max(request.args.get("page", 1, type=int), 1), 10_000)
    per_page = current_app.config["PER_PAGE_DEFAULT"]
    stmt = services.queue_query(viewer_for(current_user), current_user,
                                organisations=[organisation] if organisation else (),
                                categories=[category] if category else ())
    reports, total = services.queue_page(stmt, page, per_page)
    organisations = db.session.scalars(select(Organisation).where(Organisation.kind.in_(NETWORK_KINDS))
                                       .order_by(Organisation.code)).all()
    return render_template("validation/queue.html", reports=reports, total=total, page=page, per_page=per_page,
                           pages=max(1, math.ceil(total / per_page)), organisation=organisation,
                           category=category, organisations=organisations)


@bp.route("/reports/<report_id>/validation", methods=["GET", "POST"])
def decide(report_id: str):
    """The checklist: validate (every item confirmed) or return to the owner (a comment required)."""
    report = get_visible_report(viewer_for(current_user), report_id)
    services.check_may_decide(current_user, report)
    if request.method == "GET":
        return _render(report, {})
    values = {"checklist": {name: request.form.get(name) == "yes" for name in CHECKLIST},
              "comment": request.form.get("comment", "")[:4000], "decision": request.form.get("decision", "")}
    reviewed = request.form.get("version", -1, type=int)  # the page's version; none (an old page): stale
    try:
        if values["decision"] == "validate":
            services.validate_report(current_user, report, values["checklist"], values["comment"], reviewed)
        elif values["decision"] == "return":
            services.return_report(current_user, report, values["comment"], values["checklist"], reviewed)
        else:
            raise ValidationFailed("choose Validate or Return to owner", {"decision": ["validate or return"]})
        db.session.commit()
    except (ValidationFailed, Conflict) as exc:
        db.session.rollback()
        if isinstance(exc, services.ChangedSinceRead):  # confirm each item again, on what is there now
            values["checklist"], values["changed"] = {}, True
        return _render(report, values, errors=exc.fields, alert=exc.message), exc.status
    if values["decision"] == "validate":
        flash(f"Report {report.reference} validated.", "success")
    else:
        flash(f"Report {report.reference} returned to {report.organisation.code} with your comment.", "success")
    return redirect(url_for("seizures.detail", report_id=report.id))


def _render(report, values: dict, *, errors: dict | None = None, alert: str | None = None) -> str:  # noqa: ANN001
    return render_template("validation/decide.html", report=report, values=values, errors=errors or {},
                           alert=alert, checklist=CHECKLIST)
