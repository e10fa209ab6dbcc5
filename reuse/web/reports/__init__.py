"""Reports for the sustainability lead and the units: figures, goals, factors, exports."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from reuse.web.reports import purchase_tools, views  # noqa: E402,F401
