"""JSON API v1 (contract in API.md): the same services as the pages, JSON in and out."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from reuse.api import views  # noqa: E402,F401
from reuse.api import reports  # noqa: E402,F401
