"""Wanted requests: an e-mail when another unit posts what someone is looking for."""

from flask import Blueprint

bp = Blueprint("wanted", __name__)

from reuse.web.wanted import views  # noqa: E402,F401
