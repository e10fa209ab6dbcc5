"""Posting, changing and withdrawing a unit's items, and their photos."""

from flask import Blueprint

bp = Blueprint("listings", __name__)

from reuse.web.listings import views  # noqa: E402,F401
