"""Signing in (password, then the second factor), signing out, and set-password links."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from app.database import utcnow
from app.errors import ValidationFailed
from app.extensions import db, login_manager
from app.security import client_address
from app.users import mfa, rate_limits, services, sessions
from app.users.events import account_event
from app.users.forms import EnrolForm, LoginForm, NewPasswordForm, SecondFactorForm
from app.users.models import User

bp = Blueprint("users", __name__, template_folder="templates")

PENDING = "sign_in_pending"  # {"uid", "at", "next"}: the password passed, the second factor not yet
PENDING_SECONDS = 300
ENROL_SECRET = "mfa_enrol_secret"
REFUSED = ("Wrong e-mail or password, or the account is locked or deactivated. "
           "After five failed attempts an account is locked for ten minutes.")

login_manager.user_loader(sessions.load_user)


def safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target \
            and not urlsplit(target).netloc:
        return target
    return url_for("seizures.index")


def rate_limited():  # noqa: ANN201
    """The per-address limit of sign-in attempts (password, second factor, set-password): the
    refusal page, or None. Counted before the form is even read."""
    verdict = rate_limits.hit([(f"login:{client_address()}", rate_limits.configured("RATE_LIMIT_LOGIN"))])
    if verdict.allowed:
        return None
    account_event("sign_in", outcome="rate_limited", endpoint=request.endpoint)
    page = render_template("errors/error.html", title="Too many attempts",
                           message=f"Too many sign-in attempts from your address. "
                                   f"Try again in {verdict.retry_after} seconds.")
    return page, 429, {"Retry-After": str(verdict.retry_after)}


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("seizures.index"))
    if request.method == "POST" and (limited := rate_limited()):
        return limited
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.check_password(form.email.data, form.password.data)
        except services.SignInRefused:
            db.session.commit()  # the failure count and any lock stay
            form.password.errors.append(REFUSED)
            return render_template("users/login.html", form=form)
        if services.needs_second_factor(user):
            db.session.commit()
            session[PENDING] = {"uid": user.id, "at": int(time.time()), "next": safe_next(request.args.get("next"))}
            return redirect(url_for("users.second_factor"))
        services.complete_sign_in(user, "password")
        db.session.commit()
        return redirect(safe_next(request.args.get("next")))
    return render_template("users/login.html", form=form)


def _pending_user() -> User | None:
    """The user who passed the password step in this browser in the last five minutes."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("uid"))
    return user if user is not None and user.active else None


def _restart(message: str):  # noqa: ANN202
    session.pop(PENDING, None)
    session.pop(ENROL_SECRET, None)
    flash(message, "warning")
    return redirect(url_for("users.login"))


@bp.route("/login/second-factor", methods=["GET", "POST"])
def second_factor():
    user = _pending_user()
    if user is None:
        return _restart("Sign in with your password first (the second step waits five minutes).")
    if not user.mfa_enabled:
        return redirect(url_for("users.second_factor_setup"))
    if request.method == "POST" and (limited := rate_limited()):
        return limited
    form = SecondFactorForm()
    if form.validate_on_submit():
        if user.locked_until is not None and user.locked_until > utcnow():
            return _restart(REFUSED)
        method = mfa.verify_second_factor(user, form.code.data)
        if method is None:
            services.register_failure(user, step="second_factor")
            db.session.commit()
            if user.locked_until is not None:
                return _restart(REFUSED)
            form.code.errors.append("Wrong or already used code.")
        else:
            target = session[PENDING].get("next")
            services.complete_sign_in(user, method)
            left = mfa.recovery_codes_left(user) if method == "recovery_code" else None
            db.session.commit()
            if left is not None:
                flash(f"You signed in with a recovery code; {left} remain. Create new ones under Account "
                      f"if you have lost your authenticator.", "warning")
            return redirect(safe_next(target))
    return render_template("users/second_factor.html", form=form)


@bp.route("/login/second-factor/setup", methods=["GET", "POST"])
def second_factor_setup():
    """Sign-in when a second factor is required and the user has none yet: enrol, then enter."""
    user = _pending_user()
    if user is None:
        return _restart("Sign in with your password first (the second step waits five minutes).")
    if user.mfa_enabled:
        return redirect(url_for("users.second_factor"))
    if request.method == "POST" and (limited := rate_limited()):
        return limited
    secret = session.get(ENROL_SECRET) or mfa.new_secret()
    session[ENROL_SECRET] = secret
    form = EnrolForm()
    if form.validate_on_submit():
        codes = mfa.enrol(user, secret, form.code.data)
        if codes is None:
            db.session.rollback()
            form.code.errors.append("Wrong code: check the time on your phone and type the code shown now.")
        else:
            services.complete_sign_in(user, "totp_enrolment")
            db.session.commit()
            return render_template("users/recovery_codes.html", codes=codes, first_time=True)
    uri = mfa.provisioning_uri(user, secret)
    return render_template("users/mfa_setup.html", form=form, qr=mfa.qr_svg(uri), secret=secret,
                           action=url_for("users.second_factor_setup"), during_sign_in=True)


@bp.post("/session/alive")
@login_required
def session_alive():
    """The page's script says the user is at work (typing in a form, or "Stay signed in"): the idle
    clock starts again now (app.users.sessions). An ended session is sent to sign in."""
    sessions.touch()
    return "", 204


@bp.post("/logout")
@login_required
def logout():
    user = current_user._get_current_object()
    sessions.end_current("logout")
    account_event("sign_out", actor=user, subject=user)
    db.session.commit()
    flash("You are signed out.", "info")
    return redirect(url_for("users.login"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    if request.method == "POST" and (limited := rate_limited()):
        return limited
    link = services.password_link(token)
    if link is None:
        return render_template("errors/error.html", title="Link not valid",
                               message="This link was used already or has expired. Ask your manager for a new one."), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.use_password_link(token, form.new_password.data)
        except ValidationFailed as exc:
            db.session.rollback()
            form.new_password.errors.extend(exc.fields.get("new_password", [exc.message]))
        else:
            db.session.commit()
            if current_user.is_authenticated:
                sessions.end_current("password_set")
            flash("Your password is set. Sign in with it.", "success")
            return redirect(url_for("users.login"))
    return render_template("users/set_password.html", form=form, user=link.user)


from app.users import account_routes  # noqa: E402,F401  (the account pages register on bp)
