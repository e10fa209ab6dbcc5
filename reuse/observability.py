"""What operations needs: a health check for the load balancer and one log line per request.

Request log lines are JSON without secrets: no query strings, headers, cookies, tokens or
form data — only what was asked for, by whom (user id), how it went and how long it took.
"""

from __future__ import annotations

import json
import logging
import time
import uuid

from flask import Flask, g, jsonify, request
from flask_login import current_user
from sqlalchemy import text

from reuse.extensions import db

log = logging.getLogger("reuse.requests")


def init_app(app: Flask) -> None:
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
            "path": request.path,
            "endpoint": request.endpoint,
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "user_id": user_id,
            "remote_addr": request.remote_addr,
        }))
        response.headers.setdefault("X-Request-Id", g.get("request_id", ""))
        return response
