"""Flask-Login wiring: how a session finds its user."""

from __future__ import annotations

from flask import Flask

from reuse.extensions import db, login_manager
from reuse.models import User


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Logg inn for å se siden."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        return db.session.get(User, int(user_id))
