"""The notifications page: a person's recent notifications by day, opening one, marking read."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from reuse.web.notifications import views  # noqa: E402,F401
