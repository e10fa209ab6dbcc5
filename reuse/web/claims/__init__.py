"""Claiming items, answering claims, confirming hand-overs, and correcting their records."""

from flask import Blueprint

bp = Blueprint("claims", __name__)

from reuse.web.claims import views  # noqa: E402,F401
