"""Flask-Login wiring: how a session finds its user."""

from __future__ import annotations

import secrets

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from reuse.extensions import db, login_manager
from reuse.models import User


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Logg inn for å se siden.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        user_id, _, token = session_id.partition(":")
        if not user_id.isdigit() or not token:
            return None
        # The header shows the user's unit on every page: load it with the user.
        user = db.session.get(User, int(user_id), options=[joinedload(User.unit)])
        # A session from before the last logout (on any device) carries an old token.
        if user is None or not secrets.compare_digest(user.session_token, token):
            return None
        return user
