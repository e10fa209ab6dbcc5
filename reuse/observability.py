"""What operations needs: a health check for the load balancer and one log line per request.

Request log lines are JSON without secrets: no query strings, headers, cookies, tokens or
form data — only what was asked for, by whom (user id), how it went and how long it took.
A path can carry a secret too (/password/reset/<token>): logged paths are redacted, here and
in every other log line that names a request (Flask's "Exception on …", the development
server's and gunicorn's access lines, which also carry query strings).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from flask import Flask, g, jsonify, request
from flask_login import current_user
from sqlalchemy import text

from reuse.extensions import db

log = logging.getLogger("reuse.requests")

REDACTED = "[redacted]"
# Route arguments and query parameters whose names say they hold a secret.
SECRET_NAME = re.compile(r"token|passw|pwd|secret|code|key|sig|auth|session|csrf", re.I)
_SECRET_PARAMETER = re.compile(
    r"(?P<name>[?&;][^=&;#\s\"]*(?:token|passw|pwd|secret|code|key|sig|auth|session|csrf)"
    r"[^=&;#\s\"]*=)[^&;#\s\"]*", re.I)
# A path segment this long of URL-safe characters is a token, whatever the route calls it
# (a mistyped reset link is a 404 with the token still in it). Ids and file names are shorter.
_TOKEN_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_.~=%-]{40,}")
# Loggers whose lines name a request: Flask's own (exceptions), the development server's and
# gunicorn's access and error logs.
REQUEST_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def redact(text: str) -> str:
    """Text naming a URL (a path, a query string, a request line), with its secrets removed."""
    text = _SECRET_PARAMETER.sub(lambda m: m.group("name") + REDACTED, text)
    return _TOKEN_SEGMENT.sub(REDACTED, text)


def loggable_path() -> str:
    """This request's path for a log: route arguments named like secrets, and tokens, removed."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if SECRET_NAME.search(name) and isinstance(value, str) and value:
            path = path.replace(value, REDACTED)
    return redact(path)


class RedactSecrets(logging.Filter):
    """Removes secrets from the URLs in a log record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            # gunicorn's access log: its atoms (request line, path, query string) by name.
            record.args = {key: redact(value) if isinstance(value, str) else value
                           for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(redact(value) if isinstance(value, str) else value
                                for value in record.args)
        return True


def _install_filter(logger: logging.Logger) -> None:
    if not any(isinstance(existing, RedactSecrets) for existing in logger.filters):
        logger.addFilter(RedactSecrets())


def init_app(app: Flask) -> None:
    for logger in (app.logger, *map(logging.getLogger, REQUEST_LOGGERS)):
        _install_filter(logger)

    @app.get("/healthz")
    def healthz():
        """200 while the database answers; 503 otherwise, so the balancer routes elsewhere."""
        try:
            db.session.execute(text("SELECT 1"))
        except Exception:  # any failure to reach the database means unhealthy
            db.session.rollback()
            log.exception("health check: database unreachable")
            return jsonify({"status": "unavailable", "database": "unreachable"}), 503
        return jsonify({"status": "ok", "database": "ok"})

    @app.before_request
    def start_clock():
        g.request_started = time.perf_counter()
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        user_id = None
        if current_user and getattr(current_user, "is_authenticated", False):
            user_id = current_user.id
        log.info(json.dumps({
            "request_id": g.get("request_id"),
            "method": request.method,
            "path": loggable_path(),
            "endpoint": request.endpoint,
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "user_id": user_id,
            "remote_addr": request.remote_addr,
        }))
        response.headers.setdefault("X-Request-Id", g.get("request_id", ""))
        return response
