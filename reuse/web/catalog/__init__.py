"""Finding items: browsing, searching, the item page and the photos."""

from flask import Blueprint

bp = Blueprint("catalog", __name__)

from reuse.web.catalog import endings, views  # noqa: E402,F401
