"""Administration in the browser: units, people, categories, tokens and the audit log.

`admin` administers everything; `unit_admin` their own unit and the units under it. Every
page asks the one permission gate (reuse.services.permissions), and every change goes
through the same services as the command line, which audit it.
"""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from reuse.web.admin import (  # noqa: E402,F401
    audit,
    categories,
    partners,
    people,
    tokens,
    units,
    views,
)
