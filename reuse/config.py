"""Settings from the environment, with safe defaults for a laptop and strict ones for production."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

# Every setting's default, stated here and nowhere else. load_config() reads the environment
# over them; a test configuration is them with its few changes (with_defaults). Required ones
# (SECRET_KEY, BASE_URL, SQLALCHEMY_DATABASE_URI) have none; the SQLite file and UPLOAD_DIR
# default to the instance folder, which load_config() is given; and those that follow from
# other settings are derived in with_defaults().
DEFAULTS = {
    "REUSE_ENV": "production",
    "PHOTO_MAX_BYTES": 15 * 1024 * 1024,
    "PHOTOS_PER_ITEM": 8,
    "ITEMS_PER_PAGE": 24,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # How long a session lasts (the environment sets it as SESSION_LIFETIME_SECONDS).
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    # However active the person is, a sign-in ends this long after it began.
    "SIGN_IN_LIFETIME_SECONDS": 12 * 3600,
    "WTF_CSRF_TIME_LIMIT": None,
    "CLAIM_COLLECT_DAYS": 14,
    # The cascade (reuse.services.stages): days an item is offered to public bodies after its
    # internal period, then to non-profits as well, before it reaches its final stage.
    "CASCADE_PUBLIC_BODIES_DAYS": 14,
    "CASCADE_NONPROFITS_DAYS": 14,
    # A purchase line is covered by a reuse check its unit (or a unit above it) made for its
    # category (or a broader one) this many days before the order date, or on it.
    "PURCHASE_CHECK_WINDOW_DAYS": 30,
    # Pending and approved claims one person may have at a time: enough for a unit's real
    # needs, too few to reserve the catalogue for two weeks.
    "OPEN_CLAIMS_PER_PERSON": 10,
    # Active wanted requests one person may have: every one is matched against every new item.
    "WANTED_REQUESTS_PER_PERSON": 10,
    "RATELIMIT_STORAGE_URI": "memory://",
    # Failed logins (services/login_throttle.py): free ones per address and account before the
    # waits begin, the longest wait, and the ceilings per address and per account; and reset
    # e-mails asked for one address: enough for a person, too few to flood an inbox.
    "LOGIN_FREE_FAILURES": 5,
    "LOGIN_MAX_DELAY_SECONDS": 15 * 60,
    "LOGIN_LIMIT_PER_ADDRESS": "50 per 15 minutes",
    "LOGIN_LIMIT_PER_ACCOUNT": "100 per hour",
    "PASSWORD_RESET_LIMIT_PER_ACCOUNT": "5 per hour",
    # How long a partner's one-time sign-in link works (services/login_links.py).
    "LOGIN_LINK_MINUTES": 15,
    # More host names to answer besides BASE_URL's (create_app() merges them).
    "TRUSTED_HOSTS": (),
    "TRUSTED_PROXIES": 0,
    "MAIL_SERVER": "",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_SENDER": "Gjenbruk <gjenbruk@bergen.kommune.no>",
    # An e-mail the server keeps refusing is tried this often, waiting MAIL_RETRY_SECONDS after
    # the first failure and twice as long after each next one (5 min … 5 h 20 min: about 10½
    # hours in all), then given up and logged.
    "MAIL_MAX_ATTEMPTS": 8,
    "MAIL_RETRY_SECONDS": 300,
    # How long a sender has an e-mail to itself; a sender killed while sending leaves it to
    # another after this (services/notifications.py). Far longer than one SMTP exchange.
    "MAIL_LEASE_SECONDS": 300,
    # On: a request sends the e-mails it caused once its answer is out (one host, or no
    # worker). Off: requests only queue them and `worker` processes send (README "Hosts").
    "MAIL_FROM_REQUESTS": True,
    # Single sign-on with OpenID Connect (README "Single sign-on"): off while OIDC_ISSUER is
    # empty. The provider's endpoints and keys come from the issuer's discovery document.
    "OIDC_ISSUER": "",
    "OIDC_CLIENT_ID": "",
    "OIDC_CLIENT_SECRET": "",
    "OIDC_SCOPES": "openid email profile",
    # The ID token claim that holds the person's unit code; empty: people choose their unit.
    "OIDC_UNIT_CLAIM": "",
    # An existing account with the same e-mail is bound at the first sign-on only when the
    # configured issuer says the address is verified and this is on; off: never by e-mail.
    "OIDC_TRUST_EMAIL": True,
    # The ID token claim whose value is the SCIM externalId of the person's provisioned account
    # (Entra ID: `oid`, the object id, with externalId mapped from objectId). At the first
    # sign-on it binds that account whether or not the address is verified; set but empty: off.
    "OIDC_PROVISIONING_ID_CLAIM": "oid",
    # Off: the password form is hidden and only admins may still sign in with a password.
    "PASSWORD_LOGIN": True,
    # The code of the unit a provisioned person joins when their department names no open
    # unit; empty: such a person is refused (README, "Provisioning (SCIM 2.0)").
    "SCIM_DEFAULT_UNIT": "",
}
# How the environment sets them: whole numbers, and text where empty means "not set".
WHOLE_NUMBERS = ("PHOTO_MAX_BYTES", "PHOTOS_PER_ITEM", "ITEMS_PER_PAGE",
                 "SIGN_IN_LIFETIME_SECONDS", "CLAIM_COLLECT_DAYS", "OPEN_CLAIMS_PER_PERSON",
                 "WANTED_REQUESTS_PER_PERSON", "CASCADE_PUBLIC_BODIES_DAYS",
                 "CASCADE_NONPROFITS_DAYS", "LOGIN_FREE_FAILURES", "LOGIN_MAX_DELAY_SECONDS",
                 "TRUSTED_PROXIES", "MAIL_PORT", "MAIL_MAX_ATTEMPTS", "MAIL_RETRY_SECONDS",
                 "LOGIN_LINK_MINUTES", "PURCHASE_CHECK_WINDOW_DAYS", "MAIL_LEASE_SECONDS")
TEXTS = ("RATELIMIT_STORAGE_URI", "LOGIN_LIMIT_PER_ADDRESS",
         "LOGIN_LIMIT_PER_ACCOUNT", "PASSWORD_RESET_LIMIT_PER_ACCOUNT", "MAIL_SERVER",
         "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_SENDER", "OIDC_ISSUER", "OIDC_CLIENT_ID",
         "OIDC_CLIENT_SECRET", "OIDC_SCOPES", "OIDC_UNIT_CLAIM", "SCIM_DEFAULT_UNIT")
# Switches: on/off (also true/false, yes/no, 1/0).
SWITCHES = ("OIDC_TRUST_EMAIL", "PASSWORD_LOGIN", "MAIL_FROM_REQUESTS")
# Limits that allow nothing at 0.
AT_LEAST_ONE = ("OPEN_CLAIMS_PER_PERSON", "WANTED_REQUESTS_PER_PERSON",
                "CASCADE_PUBLIC_BODIES_DAYS", "CASCADE_NONPROFITS_DAYS", "LOGIN_LINK_MINUTES",
                "PURCHASE_CHECK_WINDOW_DAYS")
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"
# `make run` is reached by either name; nothing else is served without being listed.
DEVELOPMENT_HOSTS = ("127.0.0.1", "localhost")


class ConfigError(RuntimeError):
    """The environment does not describe a runnable application."""


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _flag_env(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.lower() in {"1", "true", "yes"}


def _switch_env(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in {"on", "true", "yes", "1"}:
        return True
    if raw in {"off", "false", "no", "0"}:
        return False
    raise ConfigError(f"{name} must be on or off, got {raw!r}")


def _development_secret_key(instance_path: Path) -> str:
    """Keep one generated key in instance/ so sessions survive a restart of `make run`."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_config(instance_path: Path) -> dict:
    """Build the Flask config from environment variables (documented in the README)."""
    environment = os.environ.get("REUSE_ENV", DEFAULTS["REUSE_ENV"])
    if environment not in {"production", "development"}:
        raise ConfigError("REUSE_ENV must be 'production' or 'development'")
    production = environment == "production"

    secret_key = os.environ.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigError(
                "SECRET_KEY is not set. Set it to a long random value "
                "(or REUSE_ENV=development for a local key kept in instance/)."
            )
        secret_key = _development_secret_key(instance_path)

    base_url = os.environ.get("BASE_URL", "").strip()
    if not base_url:
        if production:
            raise ConfigError(
                "BASE_URL is not set. Set it to the site's public address, e.g. "
                "https://gjenbruk.bergen.kommune.no: links in e-mails are built from it, "
                "and only requests for its host are answered."
            )
        base_url = DEVELOPMENT_BASE_URL

    settings = {name: _int_env(name, DEFAULTS[name]) for name in WHOLE_NUMBERS}
    settings |= {name: os.environ.get(name) or DEFAULTS[name] for name in TEXTS}
    for name in AT_LEAST_ONE:
        if settings[name] < 1:
            raise ConfigError(f"{name} must be at least 1")
    for name in ("MAIL_MAX_ATTEMPTS", "MAIL_RETRY_SECONDS", "MAIL_LEASE_SECONDS"):
        settings[name] = max(1, settings[name])
    settings |= {name: _switch_env(name, DEFAULTS[name]) for name in SWITCHES}
    # Unset: the default; set but empty: no binding by provisioning id (so not in TEXTS).
    settings["OIDC_PROVISIONING_ID_CLAIM"] = os.environ.get(
        "OIDC_PROVISIONING_ID_CLAIM", DEFAULTS["OIDC_PROVISIONING_ID_CLAIM"]).strip()
    settings["OIDC_ISSUER"] = settings["OIDC_ISSUER"].strip()
    if settings["OIDC_ISSUER"]:
        if urlsplit(settings["OIDC_ISSUER"]).scheme not in {"http", "https"}:
            raise ConfigError(f"OIDC_ISSUER must be an http(s) address, got "
                              f"{settings['OIDC_ISSUER']!r}")
        if not settings["OIDC_CLIENT_ID"]:
            raise ConfigError("OIDC_ISSUER is set but OIDC_CLIENT_ID is not: single sign-on "
                              "needs the client id the provider gave this site.")
        if "openid" not in settings["OIDC_SCOPES"].split():
            raise ConfigError("OIDC_SCOPES must include openid")
    elif not settings["PASSWORD_LOGIN"]:
        raise ConfigError("PASSWORD_LOGIN=off needs single sign-on: set OIDC_ISSUER and "
                          "OIDC_CLIENT_ID, or nobody but administrators could sign in.")
    return with_defaults({
        **settings,
        "REUSE_ENV": environment,
        "SECRET_KEY": secret_key,
        "BASE_URL": checked_base_url(base_url),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        # Beside the database, in the instance folder: an installed package has no project
        # folder to keep them in. Hosts that share the work share this folder (README).
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR") or str(instance_path / "uploads"),
        "PERMANENT_SESSION_LIFETIME": _int_env("SESSION_LIFETIME_SECONDS",
                                               DEFAULTS["PERMANENT_SESSION_LIFETIME"]),
        "TRUSTED_HOSTS": tuple(host.strip() for host in os.environ.get("TRUSTED_HOSTS", "")
                               .split(",") if host.strip()),
        "MAIL_USE_TLS": _flag_env("MAIL_USE_TLS", DEFAULTS["MAIL_USE_TLS"]),
    })


def with_defaults(settings: Mapping) -> dict:
    """The defaults, then `settings`, then what follows from them where `settings` is silent."""
    config = {**DEFAULTS, **settings}
    production = config["REUSE_ENV"] == "production"
    config.setdefault("SESSION_COOKIE_SECURE", production)
    config.setdefault("REMEMBER_COOKIE_SECURE", production)
    # Room for a full set of phone photos plus the form fields in one request.
    config.setdefault("MAX_CONTENT_LENGTH",
                      config["PHOTO_MAX_BYTES"] * config["PHOTOS_PER_ITEM"] + 1024 * 1024)
    return config


def checked_base_url(url: str) -> str:
    """BASE_URL without a trailing slash; a clear error for anything but http(s)://host[/path]."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query \
            or parts.fragment or parts.username or parts.password:
        raise ConfigError(f"BASE_URL must look like https://host[:port][/path], got {url!r}")
    return url.rstrip("/")


def trusted_hosts(config) -> list[str]:
    """The host names requests may be addressed to (Flask's TRUSTED_HOSTS; others get 400).

    BASE_URL's host, any extra TRUSTED_HOSTS, and in development the loopback names. A request
    for another host, however its Host or X-Forwarded-Host header was made, is refused before
    any view runs, so nothing can be built from a host the site does not own.
    """
    hosts = []
    if config.get("BASE_URL"):
        hosts.append(urlsplit(config["BASE_URL"]).hostname)
    hosts.extend(config.get("TRUSTED_HOSTS") or [])
    if config["REUSE_ENV"] == "development":
        hosts.extend(DEVELOPMENT_HOSTS)
    return list(dict.fromkeys(host.lower() for host in hosts))


def database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance_path / 'reuse.db'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy needs the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
