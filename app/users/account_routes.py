"""The signed-in user's own account: overview, password, second factor, API tokens."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required

from app.errors import ValidationFailed
from app.extensions import db
from app.users import mfa, services, sessions
from app.users.forms import ChangePasswordForm, ConfirmForm, EnrolForm, SecondFactorForm, TokenForm
from app.users.routes import ENROL_SECRET, bp


def _me():  # noqa: ANN202
    return current_user._get_current_object()


@bp.get("/account")
@login_required
def account():
    user = _me()
    return render_template("users/account.html", user=user, codes_left=mfa.recovery_codes_left(user),
                           open_sessions=sessions.open_sessions(user),
                           mfa_required=current_app.config["REQUIRE_MFA"])


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = _me()
        try:
            services.change_password(user, form.current_password.data, form.new_password.data)
        except ValidationFailed as exc:
            db.session.commit()  # a wrong current password counts as a failed attempt
            for name, messages in exc.fields.items():
                getattr(form, name).errors.extend(messages)
        else:
            sessions.start(user)  # every session ended; this browser gets a new one
            db.session.commit()
            flash("Password changed. Every other session of yours has been signed out.", "success")
            return redirect(url_for("users.account"))
    return render_template("users/change_password.html", form=form)


@bp.route("/account/second-factor", methods=["GET", "POST"])
@login_required
def mfa_settings():
    user = _me()
    if user.mfa_enabled:
        return render_template("users/mfa_manage.html", codes_left=mfa.recovery_codes_left(user),
                               form=SecondFactorForm(), mfa_required=current_app.config["REQUIRE_MFA"])
    secret = session.get(ENROL_SECRET) or mfa.new_secret()
    session[ENROL_SECRET] = secret
    form = EnrolForm()
    if form.validate_on_submit():
        codes = mfa.enrol(user, secret, form.code.data)
        if codes is None:
            db.session.rollback()
            form.code.errors.append("Wrong code: check the time on your phone and type the code shown now.")
        else:
            session.pop(ENROL_SECRET, None)
            db.session.commit()
            return render_template("users/recovery_codes.html", codes=codes, first_time=True)
    return render_template("users/mfa_setup.html", form=form, qr=mfa.qr_svg(mfa.provisioning_uri(user, secret)),
                           secret=secret, action=url_for("users.mfa_settings"), during_sign_in=False)


def _confirmed_by_code(form: SecondFactorForm) -> bool:
    """Changing the second factor asks for a current code (or a recovery code) first."""
    user = _me()
    if not form.validate_on_submit():
        return False
    if mfa.verify_second_factor(user, form.code.data) is None:
        services.register_failure(user, step="second_factor")
        db.session.commit()
        flash("Wrong or already used code: nothing changed.", "error")
        return False
    return True


@bp.post("/account/second-factor/recovery-codes")
@login_required
def new_recovery_codes():
    form = SecondFactorForm()
    if not _me().mfa_enabled or not _confirmed_by_code(form):
        return redirect(url_for("users.mfa_settings"))
    codes = mfa.new_recovery_codes(_me())
    db.session.commit()
    return render_template("users/recovery_codes.html", codes=codes, first_time=False)


@bp.post("/account/second-factor/remove")
@login_required
def remove_second_factor():
    if current_app.config["REQUIRE_MFA"]:
        flash("A second factor is required here; ask your manager to reset it if you lost your device.", "error")
        return redirect(url_for("users.mfa_settings"))
    form = SecondFactorForm()
    if not _me().mfa_enabled or not _confirmed_by_code(form):
        return redirect(url_for("users.mfa_settings"))
    mfa.remove(_me(), _me(), "removed")
    db.session.commit()
    flash("The second factor is off.", "info")
    return redirect(url_for("users.account"))


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        try:
            _token, new_token = services.create_token(_me(), form.name.data, form.scope.data, int(form.expires_days.data))
        except ValidationFailed as exc:
            db.session.rollback()
            for name, messages in exc.fields.items():
                getattr(form, name).errors.extend(messages)
        else:
            db.session.commit()
            form = TokenForm(formdata=None)
    return render_template("users/tokens.html", form=form, tokens=services.tokens_of(_me()),
                           new_token=new_token, revoke_form=ConfirmForm(), now=services.utcnow())


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    form = ConfirmForm()
    if form.validate_on_submit():
        token = services.revoke_token(_me(), token_id)
        db.session.commit()
        flash(f"Token '{token.name}' revoked. Programs using it are refused from now on.", "success")
    return redirect(url_for("users.tokens"))
