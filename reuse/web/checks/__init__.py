"""Reuse checks before buying and their printable receipts."""

from flask import Blueprint

bp = Blueprint("checks", __name__)

from reuse.web.checks import views  # noqa: E402,F401
