"""/admin: managers manage their organisation's users; sysadmins every user and the organisations."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.errors import ValidationFailed
from app.extensions import db
from app.users import management, mfa, sessions
from app.users.forms import ConfirmForm, InviteForm, OrganisationForm, RenameOrganisationForm, RolesForm

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every /admin page needs a signed-in user (the services check the role and the scope)."""


def _me():  # noqa: ANN202
    return current_user._get_current_object()


def _field_errors(form, exc: ValidationFailed) -> None:  # noqa: ANN001
    for name, messages in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + messages
        else:
            flash(f"{exc.message}: {'; '.join(messages)}", "error")


def _link_url(token: str) -> str:
    return url_for("users.set_password", token=token, _external=True)


@bp.get("/users")
def users():
    org_code = request.args.get("org") or None
    listed = db.session.scalars(management.users_query(_me(), org_code)).all()
    orgs = management.organisations(_me()) if _me().has_role("sysadmin") else []
    return render_template("users/admin/users.html", users=listed, organisations=orgs, org_code=org_code)


@bp.route("/users/invite", methods=["GET", "POST"])
def invite():
    actor = _me()
    management.users_query(actor)  # managers and sysadmins only
    form = InviteForm()
    form.roles.choices = {r: r for r in management.grantable_roles(actor)}
    if actor.has_role("sysadmin"):
        form.organisation.choices = {o.code: f"{o.code} — {o.name}" for o in management.organisations(actor)}
    else:
        form.organisation.choices = {actor.organisation.code: actor.organisation.name}
        form.organisation.validate_choice = False  # a manager's invitation is for their organisation, whatever is sent
    if request.method == "GET":
        form.organisation.data = actor.organisation.code
    if form.validate_on_submit():
        try:
            user, token = management.invite(actor, form.email.data, form.name.data or "", form.roles.data or [],
                                            form.organisation.data)
        except ValidationFailed as exc:
            db.session.rollback()
            _field_errors(form, exc)
        else:
            db.session.commit()
            return render_template("users/admin/link.html", user=user, link=_link_url(token), invited=True)
    return render_template("users/admin/invite.html", form=form)


@bp.get("/users/<int:user_id>")
def user(user_id: int):
    actor = _me()
    subject = management.managed_user(actor, user_id)
    roles_form = RolesForm(formdata=None, roles=list(subject.roles))
    roles_form.roles.choices = {r: r for r in management.grantable_roles(actor)}
    return render_template("users/admin/user.html", subject=subject, roles_form=roles_form, confirm=ConfirmForm(),
                           open_sessions=sessions.open_sessions(subject),
                           codes_left=mfa.recovery_codes_left(subject) if subject.mfa_enabled else None)


def _act(user_id: int, action, success: str):  # noqa: ANN001,ANN202
    """Load the user in scope, check the CSRF token, act, commit once."""
    actor = _me()
    subject = management.managed_user(actor, user_id)
    if not ConfirmForm().validate_on_submit():
        flash("The form expired; try again.", "error")
        return redirect(url_for("admin.user", user_id=user_id))
    try:
        result = action(actor, subject)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(f"{exc.message}: {'; '.join(m for ms in exc.fields.values() for m in ms)}", "error")
        return redirect(url_for("admin.user", user_id=user_id))
    db.session.commit()
    if isinstance(result, str):
        return render_template("users/admin/link.html", user=subject, link=_link_url(result), invited=False)
    flash(success.format(user=subject.email, result=result), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/roles")
def set_roles(user_id: int):
    roles = request.form.getlist("roles")
    return _act(user_id, lambda actor, subject: management.set_roles(actor, subject, roles), "Roles of {user} saved.")


@bp.post("/users/<int:user_id>/deactivate")
def deactivate(user_id: int):
    return _act(user_id, lambda actor, subject: management.set_active(actor, subject, False),
                "{user} is deactivated and signed out.")


@bp.post("/users/<int:user_id>/reactivate")
def reactivate(user_id: int):
    return _act(user_id, lambda actor, subject: management.set_active(actor, subject, True), "{user} is active again.")


@bp.post("/users/<int:user_id>/reset-second-factor")
def reset_second_factor(user_id: int):
    return _act(user_id, management.reset_mfa,
                "The second factor of {user} is reset; they set up a new one at their next sign-in.")


@bp.post("/users/<int:user_id>/sign-out")
def sign_out_everywhere(user_id: int):
    return _act(user_id, management.sign_out_everywhere, "{user} is signed out everywhere ({result} sessions ended).")


@bp.post("/users/<int:user_id>/password-link")
def password_link(user_id: int):
    return _act(user_id, management.new_password_link, "")


@bp.route("/organisations", methods=["GET", "POST"])
def organisations():
    actor = _me()
    orgs = management.organisations(actor)
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            org = management.add_organisation(actor, form.code.data, form.name.data, form.kind.data, form.country.data)
        except ValidationFailed as exc:
            db.session.rollback()
            _field_errors(form, exc)
        else:
            db.session.commit()
            flash(f"Organisation {org.code} created.", "success")
            return redirect(url_for("admin.organisations"))
    return render_template("users/admin/organisations.html", organisations=orgs, form=form,
                           rename_form=RenameOrganisationForm(formdata=None))


@bp.post("/organisations/<int:organisation_id>/name")
def rename_organisation(organisation_id: int):
    actor = _me()
    management.organisations(actor)
    form = RenameOrganisationForm()
    if form.validate_on_submit():
        try:
            management.rename_organisation(actor, organisation_id, form.name.data)
        except ValidationFailed as exc:
            db.session.rollback()
            flash(f"{exc.message}: {'; '.join(m for ms in exc.fields.values() for m in ms)}", "error")
        else:
            db.session.commit()
            flash("Organisation renamed.", "success")
    else:  # was silent: the page came back unchanged, with no word of why
        problems = "; ".join(m.rstrip(".") for messages in form.errors.values() for m in messages)
        flash(f"The organisation cannot be renamed: {problems}. Give it a name of 1 to 200 characters.", "error")
    return redirect(url_for("admin.organisations"))


