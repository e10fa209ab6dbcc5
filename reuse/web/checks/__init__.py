"""Reuse checks before buying, their printable receipts, and wanted requests."""

from flask import Blueprint

bp = Blueprint("checks", __name__)

from reuse.web.checks import views  # noqa: E402,F401
