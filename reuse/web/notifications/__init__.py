"""The notifications page: a person's recent notifications, and marking them all read."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from reuse.web.notifications import views  # noqa: E402,F401
