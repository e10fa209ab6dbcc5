"""JSON API v1 (contract in API.md): the same services as the pages, JSON in and out."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The modules register their routes on bp when imported, so they come after it.
from reuse.api import dispositions, purchases, reports, views  # noqa: E402,F401
