"""Bergen kommune's internal reuse marketplace."""

from __future__ import annotations

import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from reuse.config import load_config, trusted_hosts, with_defaults
from reuse.extensions import csrf, db, limiter, listen_once, login_manager, migrate
from reuse.services.fulltext import include_in_schema_comparison
from reuse.services.numbers import MAX_INT as MAX_ID


def create_app(test_config: dict | None = None) -> Flask:
    # Templates, static files and migrations are inside the package (reuse/templates,
    # reuse/static, reuse/migrations), so an installed package serves as the checkout does.
    # REUSE_INSTANCE_PATH: the host's own folder (development key, SQLite file); several
    # hosts each have theirs and share only what the README's "several hosts" names.
    app = Flask(__name__, instance_relative_config=True,
                instance_path=os.environ.get("REUSE_INSTANCE_PATH") or None)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if test_config is None:
        app.config.from_mapping(load_config(Path(app.instance_path)))
    else:
        app.config.from_mapping(with_defaults(test_config))

    app.json = ApiJSONProvider(app)
    # Flask answers 400 to a request whose Host is not in this list (an empty one allows all,
    # which only a test configuration without BASE_URL gets).
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config) or None
    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        # The proxies' client address and scheme only. X-Forwarded-Host is not trusted: a
        # proxy that does not set it passes the client's own through, and the host the site
        # answers for comes from the Host header, checked against TRUSTED_HOSTS above.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0,
                                x_prefix=0)
    # Ids in URLs beyond what the database holds would overflow SQLite's integers.
    app.url_map.converters["int"] = BoundedIntegerConverter
    _configure_database(app)
    # The full-text index (migration 0007) lives beside the models; autogenerate leaves it be.
    # Given here, not imported by migrations/env.py: migrations import nothing of the app.
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"),
                     render_as_batch=True, compare_type=True,
                     include_object=include_in_schema_comparison)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    from reuse import auth_session, cli, errors, i18n, observability, security, templating
    from reuse.api import bp as api_bp
    from reuse.scim import bp as scim_bp
    from reuse.services import login_throttle, month_totals, notifications, photos
    from reuse.web.admin import bp as admin_bp
    from reuse.web.auth import bp as auth_bp
    from reuse.web.catalog import bp as catalog_bp
    from reuse.web.checks import bp as checks_bp
    from reuse.web.claims import bp as claims_bp
    from reuse.web.listings import bp as listings_bp
    from reuse.web.notifications import bp as notifications_bp
    from reuse.web.partner import bp as partner_bp
    from reuse.web.reports import bp as reports_bp
    from reuse.web.wanted import bp as wanted_bp

    auth_session.init_app(app)
    login_throttle.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    observability.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    month_totals.init_app(app)
    notifications.init_app(app)
    photos.init_app(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(listings_bp)
    app.register_blueprint(claims_bp)
    app.register_blueprint(checks_bp)
    app.register_blueprint(wanted_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(scim_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(partner_bp)

    @app.after_request
    def send_committed_notifications(response):
        # E-mails go out only for what was committed, and only after the answer has been
        # sent: SMTP time must not show in it (a password reset for a known address answered
        # slower than for an unknown one), nor anything that fails there change it
        # (reuse.deferred logs it; run-jobs sends what is left).
        notifications.deliver_after(response)
        return response

    return app


class BoundedIntegerConverter(IntegerConverter):
    """<int:...> in every route: at most 2^31 − 1, the largest id a 32-bit key can hold."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class ApiJSONProvider(DefaultJSONProvider):
    """ISO 8601 dates and timestamps, and decimals as JSON numbers (API.md).

    Figures are computed as exact decimals; only here, at the edge, do they become numbers.
    Their at most three decimals survive the trip: a float's repr is the shortest text that
    reads back as the same value, which for these magnitudes is the decimal itself.
    """

    @staticmethod
    def default(value):
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, (datetime, date)):
            return value.isoformat()
        return DefaultJSONProvider.default(value)


def _configure_database(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        # Concurrent requests wait for the write lock instead of failing at once.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 30}})
    listen_once(Engine, "connect", _sqlite_pragmas)
    db.init_app(app)


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
