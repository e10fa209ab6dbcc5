from functools import partial

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from reuse import auth_session
from reuse.deferred import after_response
from reuse.extensions import db, limiter
from reuse.i18n import LANGUAGES
from reuse.models import Role
from reuse.models.organisation import MAX_EMAIL
from reuse.services import login_throttle, notifications, users
from reuse.web import Refusal, safe_next
from reuse.web.auth import bp
from reuse.web.auth.forms import ForgotPasswordForm, LoginForm, ResetPasswordForm
from reuse.web.auth.oidc import ID_TOKEN, logout_target, sso_configured


def _account_key() -> str:
    return "login-account:" + request.form.get("email", "").strip().lower()[:MAX_EMAIL]


def _login_page(form: LoginForm, status: int = 200):
    """The sign-in page: the SSO button when configured, the password form unless it is off
    (then only behind the break-glass link for administrators, ?admin=1, or after a try)."""
    password_login = current_app.config["PASSWORD_LOGIN"]
    show_form = password_login or request.args.get("admin") == "1" or request.method == "POST"
    return render_template("auth/login.html", form=form, sso=sso_configured(),
                           password_login=password_login, show_form=show_form), status


def _may_use_password(user) -> bool:
    """With PASSWORD_LOGIN=off, passwords are the administrators' way in when SSO is down."""
    return current_app.config["PASSWORD_LOGIN"] or user.role == Role.ADMIN.value


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("catalog.browse"))
    form = LoginForm()
    if form.validate_on_submit():
        address = request.remote_addr or "unknown"
        try:
            login_throttle.check(address, form.email.data)
        except login_throttle.TooManyAttempts as refusal:
            # The same answer whether or not the account exists; the password is not checked.
            form.form_errors.append(refusal.message)
            response = make_response(_login_page(form, 429))
            response.headers["Retry-After"] = str(refusal.retry_after)
            return response
        except login_throttle.CountsUnavailable as refusal:
            form.form_errors.append(refusal.message)
            return _login_page(form, 503)
        user = users.authenticate(form.email.data, form.password.data)
        if user is not None and not _may_use_password(user):
            # The same answer as a wrong password: the page does not say who has an account.
            user = None
        if user is None:
            login_throttle.record_failure(address, form.email.data)
            form.form_errors.append(_("Feil e-post eller passord."))
        else:
            login_throttle.record_success(address, form.email.data)
            db.session.commit()  # a rehashed password, if the parameters changed
            session.clear()  # a new session at login: nothing carried over from before
            auth_session.sign_in(user)
            flash(auth_session.signed_in_message(user), "success")
            return redirect(safe_next(request.args.get("next"), url_for("catalog.browse")))
    return _login_page(form)


@bp.post("/logout")
@login_required
def logout():
    # Not just this cookie: a copied or stolen session cookie must stop working too.
    users.end_all_sessions(current_user)
    db.session.commit()
    id_token = session.get(ID_TOKEN)
    logout_user()
    session.clear()
    flash(_("Du er logget ut."), "info")
    # Signed in with the municipal account: end that sign-in too, or the next click on
    # "Logg inn med kommunekontoen" would let anyone at this computer straight back in.
    return redirect(logout_target(id_token) or url_for("auth.login"))


@bp.post("/language")
def choose_language():
    """Switch the interface language; remembered on the account, or for this session."""
    locale = request.form.get("locale", "")
    if locale in LANGUAGES:
        session["locale"] = locale
        if current_user.is_authenticated:
            users.set_locale(current_user, locale, set(LANGUAGES))
            db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("catalog.browse")))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_LIMIT_PER_ACCOUNT"],
               key_func=_account_key, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # The same answer whether or not the address has an account, after the same work: the
        # address is looked up, and the e-mail queued and sent, only once the answer is out.
        flash(_("Hvis adressen hører til en bruker, har vi sendt en lenke for å lage nytt "
                "passord. Den virker i én time."), "info")
        response = redirect(url_for("auth.login"))
        after_response(response, partial(_queue_password_reset, form.email.data,
                                         request.remote_addr or ""), "Password reset")
        return response
    return render_template("auth/forgot.html", form=form)


def _queue_password_reset(email: str, remote_addr: str) -> None:
    users.request_password_reset(email, remote_addr=remote_addr)
    db.session.commit()
    notifications.deliver_committed()


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = users.user_for_reset_token(token)
    if user is None:
        return render_template("auth/reset_invalid.html"), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        with Refusal(form) as refused:
            users.reset_password(user, form.password.data,
                                 revoke_tokens=form.revoke_everywhere.data)
        if not refused:
            db.session.commit()
            flash(_("Passordet er endret. Logg inn med det nye passordet."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, user=user)
