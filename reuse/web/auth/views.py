from functools import partial

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, logout_user
from werkzeug.routing import BuildError

from reuse import auth_session
from reuse.deferred import after_response
from reuse.extensions import db, limiter
from reuse.i18n import LANGUAGES
from reuse.i18n import gettext as _
from reuse.models.organisation import MAX_EMAIL
from reuse.services import login_links, login_throttle, notifications, partners, permissions, users
from reuse.web import Refusal, safe_next
from reuse.web.auth import bp
from reuse.web.auth.forms import (
    ForgotPasswordForm,
    LoginForm,
    LoginLinkForm,
    LoginLinkRequestForm,
    PartnerPasswordForm,
    ResetPasswordForm,
)
from reuse.web.auth.oidc import ID_TOKEN, logout_target, sso_configured


def _account_key() -> str:
    return "login-account:" + request.form.get("email", "").strip().lower()[:MAX_EMAIL]


def _login_page(form: LoginForm, status: int = 200):
    """The sign-in page: the SSO button when configured, the password form unless it is off
    (then only behind the break-glass link for administrators, ?admin=1, or after a try)."""
    password_login = current_app.config["PASSWORD_LOGIN"]
    show_form = (password_login or request.args.get("admin") == "1"
                 or request.args.get("partner") == "1" or request.method == "POST")
    return render_template("auth/login.html", form=form, sso=sso_configured(),
                           password_login=password_login, show_form=show_form), status


def _may_use_password(user) -> bool:
    """With PASSWORD_LOGIN=off, passwords are the administrators' way in when SSO is down, and
    the partners' who set one (permissions.may_sign_in_with_password)."""
    return permissions.may_sign_in_with_password(
        user, password_login=current_app.config["PASSWORD_LOGIN"])


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


# -- partners: one-time sign-in links, and a password of their own ---------------------------

@bp.route("/login/partner", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_LIMIT_PER_ACCOUNT"],
               key_func=_account_key, methods=["POST"])
def partner_link_request():
    """A partner's person asks for a sign-in link. The same answer for every address, after
    the same work: the address is looked up and the e-mail sent once the answer is out."""
    form = LoginLinkRequestForm()
    if form.validate_on_submit():
        address = request.remote_addr or "unknown"
        try:
            # An address the sign-in throttle holds back gets no links either.
            login_throttle.check(address, form.email.data)
        except login_throttle.TooManyAttempts as refusal:
            form.form_errors.append(refusal.message)
            response = make_response(render_template("auth/partner_link_request.html",
                                                     form=form), 429)
            response.headers["Retry-After"] = str(refusal.retry_after)
            return response
        except login_throttle.CountsUnavailable as refusal:
            form.form_errors.append(refusal.message)
            return render_template("auth/partner_link_request.html", form=form), 503
        flash(_("Hvis adressen hører til en samarbeidspartner, har vi sendt en "
                "innloggingslenke. Den virker i %(minutes)s minutter.",
                minutes=login_links.minutes()), "info")
        response = redirect(url_for("auth.login"))
        after_response(response, partial(_queue_login_link, form.email.data,
                                         request.remote_addr or ""), "Login link")
        return response
    return render_template("auth/partner_link_request.html", form=form)


def _queue_login_link(email: str, remote_addr: str) -> None:
    login_links.request_link(email, remote_addr=remote_addr)
    db.session.commit()
    notifications.deliver_committed()


def _link_refused():
    return render_template("auth/login_link_invalid.html", minutes=login_links.minutes()), 410


def _partner_start() -> str:
    """Where a partner's person lands after signing in: their home page once it exists."""
    try:
        return url_for("partner.home")
    except BuildError:
        return "/"


@bp.route("/login/link/<token>", methods=["GET", "POST"])
def login_link(token: str):
    """GET only shows a button: mail scanners follow links, and would use a one-time link
    up before its owner could. The button's POST uses it and signs in."""
    form = LoginLinkForm()
    if request.method == "GET":
        if not login_links.is_usable(token):
            return _link_refused()
        return render_template("auth/login_link.html", form=form)
    if not form.validate_on_submit():
        abort(400)
    try:
        user = login_links.redeem(token)
    except login_links.LinkRefused:
        db.session.commit()  # a link that led nowhere stays used up
        return _link_refused()
    db.session.commit()
    session.clear()  # a new session at sign-in: nothing carried over from before
    auth_session.sign_in(user)
    flash(auth_session.signed_in_message(user), "success")
    return redirect(_partner_start())


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def partner_password():
    if not permissions.can_set_partner_password(current_user):
        abort(403)
    form = PartnerPasswordForm()
    if form.validate_on_submit():
        with Refusal(form) as refused:
            partners.set_own_password(current_user._get_current_object(), form.password.data,
                                      form.current_password.data)
        if not refused:
            db.session.commit()
            # This session goes on under the new session token; every other one has ended.
            signed_in_at = session.get(auth_session.SIGNED_IN_AT)
            auth_session.sign_in(current_user._get_current_object())
            session[auth_session.SIGNED_IN_AT] = signed_in_at
            flash(_("Passordet er lagret. Nå kan du også logge inn med e-post og passord."),
                  "success")
            return redirect(_partner_start())
    return render_template("auth/partner_password.html", form=form,
                           has_password=bool(current_user.password_hash)), \
        422 if form.errors else 200
