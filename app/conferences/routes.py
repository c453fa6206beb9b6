"""Conference pages: list, create, edit, and the record with its regional figures and the report button."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select

from app.conferences import services
from app.conferences.forms import ConferenceForm
from app.conferences.products import regional_scope
from app.conferences.schemas import ConferenceSchema
from app.errors import ElixError, flatten_errors
from app.extensions import db
from app.operations.figures import summary_figures
from app.operations.routes import location_map, requested_seizure_page
from app.operations.services import list_operations, may_lead
from app.organisations.models import Organisation
from app.permissions import viewer_for

bp = Blueprint("conferences", __name__, template_folder="templates", url_prefix="/conferences")


@bp.before_request
@login_required
def _require_login() -> None:
    return None


def _form(conference=None) -> ConferenceForm:  # noqa: ANN001
    organisations = list(db.session.scalars(select(Organisation).order_by(Organisation.kind, Organisation.code)))
    form = ConferenceForm()
    organisers = [o for o in organisations if may_lead(current_user, o)
                  or (conference is not None and o.id == conference.organiser_id)]
    form.prepare(organisations, list_operations(current_user), conference, is_post=request.method == "POST",
                 organisers=organisers)
    if request.method == "GET" and conference is None:
        form.organiser.data = current_user.organisation.code
    return form


def _save(form: ConferenceForm, conference=None):  # noqa: ANN001,ANN202
    payload, origin = form.payload()
    try:
        data = ConferenceSchema().load(payload)
        if conference is None:
            conference = services.create_conference(current_user, data)
        else:
            services.update_conference(current_user, conference, data)
    except ValidationError as exc:
        return None, form.add_errors(flatten_errors(exc.messages), origin)
    except ElixError as exc:
        db.session.rollback()
        return None, form.add_errors(exc.fields, origin) or ([] if exc.fields else [exc.message])
    db.session.commit()
    return conference, []


@bp.get("")
def index():
    return render_template("conferences/index.html", conferences=services.list_conferences(current_user))


@bp.route("/new", methods=["GET", "POST"])
def new():
    if not current_user.has_role("analyst"):
        abort(403)
    form = _form()
    errors: list[str] = []
    if form.validate_on_submit():
        conference, errors = _save(form)
        if conference is not None:
            flash("Conference created.", "success")
            return redirect(url_for("conferences.detail", conference_id=conference.id))
    return render_template("conferences/form.html", form=form, conference=None, errors=errors), (
        422 if request.method == "POST" else 200)


@bp.route("/<int:conference_id>/edit", methods=["GET", "POST"])
def edit(conference_id: int):
    conference = services.get_conference(current_user, conference_id)
    if not services.can_edit_conference(current_user, conference):
        abort(403)
    form = _form(conference)
    errors: list[str] = []
    if form.validate_on_submit():
        saved, errors = _save(form, conference)
        if saved is not None:
            flash("Conference saved.", "success")
            return redirect(url_for("conferences.detail", conference_id=conference.id))
    return render_template("conferences/form.html", form=form, conference=conference, errors=errors), (
        422 if request.method == "POST" else 200)


@bp.get("/<int:conference_id>")
def detail(conference_id: int):
    conference = services.get_conference(current_user, conference_id)
    scope = regional_scope(conference)
    figures = summary_figures(viewer_for(current_user), scope)
    organisations = [p.organisation for p in conference.participants]
    return render_template("conferences/detail.html", conference=conference, figures=figures, scope=scope,
                           seizures=requested_seizure_page(scope),
                           map_svg=location_map(figures["locations"], organisations),
                           can_edit=services.can_edit_conference(current_user, conference),
                           operations=services.operations_shown(current_user, conference))
