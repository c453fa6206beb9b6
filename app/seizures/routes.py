"""Seizure report pages: the list, the create/edit form, the detail page, submit and withdraw.

Each route loads its input, checks access, calls one service and commits once. The form is
validated by the API's `SeizureReportSchema` (see app.seizures.forms).
"""
from __future__ import annotations

import json
import math
import re
import uuid

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import MultiDict

from app import vocabularies as vocab
from app.errors import Conflict, ElixError, Forbidden, flatten_errors
from app.extensions import db
from app.operations.services import list_operations
from app.permissions import can_edit, can_view_persons, viewer_for
from app.seizures import forms, idempotency, services
from app.seizures.models import SeizureReport
from app.seizures.schemas import SeizureReportSchema
from app.validation.services import panel as validation_panel

bp = Blueprint("seizures", __name__, template_folder="templates")

STALE_MESSAGE = ("This report was changed by someone else since you opened it. Your input is kept below: "
                 "open the current version, reload, and apply your change again.")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every page of this blueprint is for signed-in users."""


# --- list ------------------------------------------------------------------------------------------

@bp.get("/")
def index():
    officer = current_user.has_role("officer")
    status = request.args.get("status", "")
    status = status if status in vocab.STATUSES else ""
    default_scope = "organisation" if officer else "all"
    scope = request.args.get("scope", default_scope)
    scope = scope if scope in ("organisation", "all") else default_scope
    page = min(max(request.args.get("page", 1, type=int), 1), 10_000)
    per_page = current_app.config["PER_PAGE_DEFAULT"]

    stmt = services.visible_reports_query(
        viewer_for(current_user), statuses=[status] if status else (),
        organisations=[current_user.organisation.code] if scope == "organisation" else ())
    # The list shows items only: leave route legs, persons and operations unloaded.
    stmt = stmt.options(lazyload(SeizureReport.route), lazyload(SeizureReport.persons),
                        lazyload(SeizureReport.operations))
    reports, total = services.paginate(stmt, page, per_page)
    return render_template("seizures/index.html", reports=reports, total=total, page=page,
                           pages=max(1, math.ceil(total / per_page)), per_page=per_page, status=status,
                           scope=scope, default_scope=default_scope, officer=officer)


# --- create and edit --------------------------------------------------------------------------------

@bp.route("/reports/new", methods=["GET", "POST"])
def new():
    if not current_user.has_role("officer"):
        raise Forbidden("only Enforcement Liaison Officers create seizure reports")
    if request.method == "GET":
        return _render_form(None, forms.default_values(current_user), form_key=uuid.uuid4().hex)

    posted_key = request.form.get("form_key", "")
    form_key = posted_key if FORM_KEY.fullmatch(posted_key) else uuid.uuid4().hex
    action = request.form.get("action", "draft")
    rows_changed = _change_rows(action)
    if rows_changed is not None:
        return _render_form(None, rows_changed, form_key=form_key)
    key = f"form:{form_key}" if form_key == posted_key else None  # one report per form, however often sent
    if key and (earlier := idempotency.earlier_report(current_user, key, "")) is not None:
        return _already_saved(earlier)
    values = forms.values_from_formdata(request.form)
    try:
        data = SeizureReportSchema().load(forms.payload_from_values(values))
        report = services.create_report(current_user, data, submit=action == "submit")
        if key:
            idempotency.remember(current_user, key, "", report)
        db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        return _render_form(None, values, errors=flatten_errors(exc.messages), form_key=form_key), 422
    except ElixError as exc:
        db.session.rollback()
        return _render_form(None, values, errors=exc.fields, alert=exc.message, form_key=form_key), exc.status
    except IntegrityError:  # the same form, sent twice at once: the other request committed first
        db.session.rollback()
        earlier = idempotency.earlier_report(current_user, key, "") if key else None
        if earlier is None:
            raise
        return _already_saved(earlier)
    if report.status == "submitted":
        flash(f"Report {report.reference} submitted: it is now shared as its markings allow.", "success")
    else:
        flash(f"Draft {report.reference} saved. Only your organisation sees it until you submit it.", "success")
    return redirect(url_for(".detail", report_id=report.id))


FORM_KEY = re.compile("[0-9a-f]{32}")


def _already_saved(report: SeizureReport):  # noqa: ANN202
    """A form sent again (a double click, a reload, a retry on a poor line) shows the report it created."""
    flash(f"This form was already saved as {report.reference}: it was not saved a second time.", "info")
    return redirect(url_for(".detail", report_id=report.id))


@bp.route("/reports/<report_id>/edit", methods=["GET", "POST"])
def edit(report_id: str):
    report = services.get_visible_report(viewer_for(current_user), report_id)
    if not can_edit(current_user, report):
        raise Forbidden("only officers of the reporting organisation change this report")
    if report.status not in services.EDITABLE_STATUSES:
        flash(f"A {report.status} report cannot be changed.", "warning")
        return redirect(url_for(".detail", report_id=report.id))
    if request.method == "GET":
        return _render_form(report, forms.values_from_report(report), version=report.version)

    version = request.form.get("version", -1, type=int)
    action = request.form.get("action", "save")
    rows_changed = _change_rows(action)
    if rows_changed is not None:
        return _render_form(report, rows_changed, version=version)
    values = forms.values_from_formdata(request.form)
    stale = version != report.version
    try:
        data = SeizureReportSchema().load(forms.payload_from_values(values, report))
        services.update_report(current_user, report, data, version)
        if action == "submit" and report.status == "draft":
            services.submit_report(current_user, report)
        db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        return _render_form(report, values, version=version, errors=flatten_errors(exc.messages)), 422
    except Conflict as exc:
        db.session.rollback()
        return _render_form(report, values, version=version, errors=exc.fields,
                            alert=STALE_MESSAGE if stale else exc.message, stale=stale), 409
    except StaleDataError:  # a concurrent change between our read and our write
        db.session.rollback()
        return _render_form(report, values, version=version, alert=STALE_MESSAGE, stale=True), 409
    except ElixError as exc:
        db.session.rollback()
        return _render_form(report, values, version=version, errors=exc.fields, alert=exc.message), exc.status
    flash(f"Report {report.reference} {'submitted' if action == 'submit' else 'saved'}.", "success")
    return redirect(url_for(".detail", report_id=report.id))


def _change_rows(action: str) -> dict | None:
    """Without JavaScript the add/remove row buttons submit the form: redraw it with the row added
    or removed, saving nothing. None when `action` is not such a button."""
    kind, _, index = action.removeprefix("add-").removeprefix("remove-").partition("-")
    if kind not in forms.ROW_FIELDS or not action.startswith(("add-", "remove-")):
        return None
    formdata = request.form
    if action.startswith("remove-"):
        prefix = f"{kind}-{index}-"
        formdata = MultiDict([(k, v) for k, v in request.form.items(multi=True) if not k.startswith(prefix)])
    values = forms.values_from_formdata(formdata)
    if action.startswith("add-"):
        values[kind].append(forms.empty_row(kind))
    return values


def _render_form(report: SeizureReport | None, values: dict, *, version: int | None = None,
                 errors: dict | None = None, alert: str | None = None, stale: bool = False,
                 form_key: str | None = None) -> str:
    by_field = forms.errors_by_field(errors or {})
    return render_template(
        "seizures/form.html", report=report, values=values, version=version, errors=by_field,
        error_summary=[(name, forms.describe_field(name), messages) for name, messages in by_field.items()],
        alert=alert, stale=stale, operations=_operation_choices(values["operations"]),
        country_options=forms.country_options(tuple(forms.network_countries())),
        currency_options=forms.currency_options(), unit_groups=forms.UNIT_GROUPS,
        zones_json=json.dumps(forms.country_zones(), separators=(",", ":")),
        unit_dimensions_json=json.dumps(forms.unit_dimensions(), separators=(",", ":")),
        zone_choices=forms.zone_choices(values.get("country"), forms.offset_zone(report.seized_utc_offset)
                                        if report is not None and values.get("country") == report.country else None),
        empty_row=forms.empty_row, form_key=form_key,
    )


def _operation_choices(selected: list[str]) -> list[tuple[str, str]]:
    """The operations the user can see, and any already linked (kept even if no longer listed)."""
    choices = [(op.code, op.name) for op in list_operations(current_user)]
    known = {code for code, _name in choices}
    return choices + [(code, code) for code in selected if code not in known]


# --- detail and state changes ----------------------------------------------------------------------

@bp.get("/reports/<report_id>")
def detail(report_id: str):
    viewer = viewer_for(current_user)
    report = services.read_report(viewer, report_id)
    return render_template("seizures/detail.html", report=report,
                           show_persons=can_view_persons(viewer, report),
                           may_edit=can_edit(current_user, report),
                           editable=report.status in services.EDITABLE_STATUSES,
                           validation=validation_panel(current_user, viewer, report))


@bp.get("/reports/by-reference", defaults={"reference": None})
@bp.get("/reports/by-reference/<reference>")
def by_reference(reference: str | None):
    """A report by its reference (`JM-2026-000123`): for links, and the quick-find box of the menu."""
    reference = (reference or request.args.get("reference", "")).strip().upper()
    report = services.get_visible_report_by_reference(viewer_for(current_user), reference)
    return redirect(url_for(".detail", report_id=report.id))


@bp.post("/reports/<report_id>/submit")
def submit(report_id: str):
    report = services.get_visible_report(viewer_for(current_user), report_id)
    try:
        services.submit_report(current_user, report)
        db.session.commit()
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        flash(f"Report {report.reference} submitted: it is now shared as its markings allow.", "success")
    return redirect(url_for(".detail", report_id=report_id))


@bp.post("/reports/<report_id>/withdraw")
def withdraw(report_id: str):
    report = services.get_visible_report(viewer_for(current_user), report_id)
    try:
        services.withdraw_report(current_user, report)
        db.session.commit()
    except Conflict as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        flash(f"Report {report.reference} withdrawn: only your organisation sees it now.", "success")
    return redirect(url_for(".detail", report_id=report_id))
