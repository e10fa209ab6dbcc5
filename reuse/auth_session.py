"""Flask-Login wiring: how a session finds its user, and how long a sign-in lasts."""

from __future__ import annotations

import secrets

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from reuse.extensions import db, login_manager
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import User, utcnow
from reuse.services import notifications, permissions

SIGNED_IN_AT = "signed_in_at"


def sign_in(user: User) -> None:
    """Start a signed-in session, stamped with its start (the absolute lifetime counts from it)."""
    login_user(user)
    session[SIGNED_IN_AT] = int(utcnow().timestamp())


def signed_in_message(user: User) -> str:
    """What the page says after any way of signing in."""
    return _("Du er logget inn som %(name)s.", name=user.name)


def _sign_in_lifetime() -> int:
    return current_app.config["SIGN_IN_LIFETIME_SECONDS"]


def _sign_in_expired() -> bool:
    started = session.get(SIGNED_IN_AT)
    if not isinstance(started, int):
        return True  # signed in before sign-ins were stamped
    return not 0 <= utcnow().timestamp() - started < _sign_in_lifetime()


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Logg inn for å se siden.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @app.before_request
    def end_sign_in_past_its_lifetime():
        # A stolen or forgotten session cookie stops working after a fixed time, however
        # busy it is kept; the session's signature is signed by us, so the stamp is ours.
        if "_user_id" not in session or request.endpoint == "static":
            return None
        if not _sign_in_expired():
            return None
        logout_user()
        session.clear()
        flash(_("Du har vært logget inn i %(hours)s timer. Logg inn igjen for å fortsette.",
                hours=_sign_in_lifetime() // 3600), "info")
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=target))

    @app.before_request
    def keep_partners_to_their_pages():
        # The one gate between a partner's person and the municipality's own pages
        # (permissions.partner_may_use): anything else answers as if it did not exist, and
        # the front page is theirs.
        if not current_user.is_authenticated or not current_user.is_partner:
            return None
        if permissions.partner_may_use(request.endpoint):
            return None
        if request.endpoint == "catalog.browse":
            return redirect(url_for("partner.home"))
        abort(404)

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        user_id, _, token = session_id.partition(":")
        if not user_id.isdigit() or not token:
            return None
        # The header shows the user's unit and unread count on every page: one statement.
        found = db.session.execute(
            select(User, notifications.unread_column()).where(User.id == int(user_id))
            .options(joinedload(User.unit), joinedload(User.partner))).first()
        # A session from before the last logout (on any device) carries an old token.
        if found is None or not secrets.compare_digest(found[0].session_token, token):
            return None
        user, unread = found
        notifications.keep_unread(user, unread)
        return user
