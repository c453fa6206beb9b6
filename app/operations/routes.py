"""Operation pages: list, create, edit, the live figures page, and bulk linking of reports."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from marshmallow import ValidationError
from sqlalchemy import select

from app.errors import ElixError, flatten_errors
from app.extensions import db
from app.operations import services
from app.operations.figures import Scope, operation_scope, seizure_page, summary_figures
from app.operations.forms import LinkRuleForm, OperationForm
from app.operations.models import Operation
from app.operations.schemas import OperationPatchSchema, OperationSchema
from app.organisations.models import Organisation
from app.permissions import viewer_for
from reports.map import caribbean_map

bp = Blueprint("operations", __name__, template_folder="templates", url_prefix="/operations")

SEIZURES_PER_PAGE = 50  # rows of the seizures table per page (the figures always cover every row)


@bp.before_request
@login_required
def _require_login() -> None:
    return None


def _organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.kind, Organisation.code)))


def _set_organisations(form: OperationForm, operation: Operation | None = None) -> None:
    organisations = _organisations()
    form.set_organisations(organisations, [o for o in organisations if services.may_lead(current_user, o)
                                           or (operation is not None and o.id == operation.lead_organisation_id)])


@bp.get("")
def index():
    return render_template("operations/index.html", operations=services.list_operations(current_user))


def _save(form: OperationForm, operation=None):  # noqa: ANN001,ANN202
    """Validate the form's payload with the API schema and save; the form's errors on failure."""
    payload = form.payload()
    try:
        if operation is None:
            data = OperationSchema().load(payload)
            operation = services.create_operation(current_user, data)
        else:
            payload.pop("code")
            data = OperationPatchSchema().load(payload)
            services.update_operation(current_user, operation, data)
    except ValidationError as exc:
        form_errors = form.add_errors(flatten_errors(exc.messages), payload["phases"])
    except ElixError as exc:
        db.session.rollback()
        form_errors = form.add_errors(exc.fields, payload["phases"]) or ([] if exc.fields else [exc.message])
    else:
        db.session.commit()
        return operation, []
    return None, form_errors


@bp.route("/new", methods=["GET", "POST"])
def new():
    if not current_user.has_role("analyst"):
        abort(403)
    form = OperationForm()
    _set_organisations(form)
    if request.method == "GET":
        form.lead_organisation.data = current_user.organisation.code
    errors: list[str] = []
    if form.validate_on_submit():
        operation, errors = _save(form)
        if operation is not None:
            flash(f"Operation {operation.code} created.", "success")
            return redirect(url_for("operations.detail", code=operation.code))
    return render_template("operations/form.html", form=form, operation=None, errors=errors), (
        422 if request.method == "POST" else 200)


@bp.route("/<code>/edit", methods=["GET", "POST"])
def edit(code: str):
    operation = services.get_operation(current_user, code)
    if not services.can_edit_operation(current_user, operation):
        abort(403)
    form = OperationForm()
    _set_organisations(form, operation)
    if request.method == "GET":
        form.fill(operation)
    form.code.data = operation.code  # the code never changes
    errors: list[str] = []
    if form.validate_on_submit():
        saved, errors = _save(form, operation)
        if saved is not None:
            flash("Operation saved.", "success")
            return redirect(url_for("operations.detail", code=operation.code))
    return render_template("operations/form.html", form=form, operation=operation, errors=errors), (
        422 if request.method == "POST" else 200)


@bp.get("/<code>")
def detail(code: str):
    operation = services.get_operation(current_user, code)
    scope = operation_scope(operation)
    figures = summary_figures(viewer_for(current_user), scope)
    members = [operation.lead_organisation, *operation.participants]
    return render_template("operations/detail.html", operation=operation, figures=figures,
                           seizures=requested_seizure_page(scope),
                           map_svg=location_map(figures["locations"], members),
                           can_edit=services.can_edit_operation(current_user, operation),
                           can_link=services.can_link_in_bulk(current_user, operation))


@bp.route("/<code>/links", methods=["GET", "POST"])
def links(code: str):
    """Bulk linking: the rule form, then a preview with the count, then the confirmed link."""
    operation = services.get_operation(current_user, code)
    if not services.can_link_in_bulk(current_user, operation):
        abort(403)
    form = LinkRuleForm()
    preview = None
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            if request.form.get("action") == "link":
                linked = services.link_reports(current_user, operation, form.rule())
                db.session.commit()
                flash(f"{linked} report{'s' if linked != 1 else ''} linked to {operation.code}.", "success")
                return redirect(url_for("operations.detail", code=operation.code))
            preview = services.preview_links(current_user, operation, form.rule())
        except ElixError as exc:
            db.session.rollback()
            errors = [m for messages in exc.fields.values() for m in messages] or [exc.message]
    return render_template("operations/links.html", operation=operation, form=form, preview=preview,
                           errors=errors)


def requested_seizure_page(scope: Scope) -> dict:
    """The page of the seizures table the query string asks for (`?page=`), within the pages there are."""
    page = min(max(request.args.get("page", 1, type=int), 1), 10_000)
    seizures = seizure_page(viewer_for(current_user), scope, page, SEIZURES_PER_PAGE)
    if page > seizures["pages"]:
        seizures = seizure_page(viewer_for(current_user), scope, seizures["pages"], SEIZURES_PER_PAGE)
    return seizures


def location_map(locations: list[dict], organisations: list[Organisation]) -> Markup:
    """The products' map (reports.map: Natural Earth shapes, proportional circles) sized for a page;
    the organisations' territories are shaded."""
    svg = caribbean_map(locations, highlight=[o.country for o in organisations if o.country],
                        title="Seizure locations")
    return Markup(str(svg).replace('class="map"', 'class="map w-100 h-auto"', 1))  # noqa: S704 - built escaped


@bp.app_template_global("report_url")
def report_url(reference: str) -> str | None:
    """The page of a report by its reference (None while the seizure pages offer no such route)."""
    from flask import current_app

    if "seizures.by_reference" not in current_app.view_functions:
        return None
    return url_for("seizures.by_reference", reference=reference)
