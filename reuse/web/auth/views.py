from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from reuse.extensions import db
from reuse.i18n import LANGUAGES
from reuse.services import users
from reuse.web import safe_next
from reuse.web.auth import bp
from reuse.web.auth.forms import LoginForm


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("catalog.browse"))
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(_("Feil e-post eller passord."))
        else:
            db.session.commit()  # a rehashed password, if the parameters changed
            session.clear()  # a new session at login: nothing carried over from before
            login_user(user)
            flash(_("Du er logget inn som %(name)s.", name=user.name), "success")
            return redirect(safe_next(request.args.get("next"), url_for("catalog.browse")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    flash(_("Du er logget ut."), "info")
    return redirect(url_for("auth.login"))


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
