"""Settings from the environment, with safe defaults for a laptop and strict ones for production."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_PHOTO_MAX_BYTES = 15 * 1024 * 1024
DEFAULT_PHOTOS_PER_ITEM = 8
# Pending and approved claims one person may have at a time: enough for a unit's real needs,
# too few to reserve the catalogue for two weeks.
DEFAULT_OPEN_CLAIMS_PER_PERSON = 10
# Failed logins (services/login_throttle.py): free ones per address and account before the
# waits begin, the longest wait, and the ceilings per address and per account; and reset
# e-mails asked for one address: enough for a person, too few to flood an inbox.
THROTTLE_DEFAULTS = {
    "LOGIN_FREE_FAILURES": 5,
    "LOGIN_MAX_DELAY_SECONDS": 15 * 60,
    "LOGIN_LIMIT_PER_ADDRESS": "50 per 15 minutes",
    "LOGIN_LIMIT_PER_ACCOUNT": "100 per hour",
    "PASSWORD_RESET_LIMIT_PER_ACCOUNT": "5 per hour",
}
# An e-mail the server keeps refusing is tried this often, waiting MAIL_RETRY_SECONDS after the
# first failure and twice as long after each next one (5 min … 5 h 20 min: about 10½ hours in
# all), then given up and logged.
DEFAULT_MAIL_MAX_ATTEMPTS = 8
DEFAULT_MAIL_RETRY_SECONDS = 300


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
    environment = os.environ.get("REUSE_ENV", "production")
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

    photo_max_bytes = _int_env("PHOTO_MAX_BYTES", DEFAULT_PHOTO_MAX_BYTES)
    photos_per_item = _int_env("PHOTOS_PER_ITEM", DEFAULT_PHOTOS_PER_ITEM)
    open_claims_per_person = _int_env("OPEN_CLAIMS_PER_PERSON", DEFAULT_OPEN_CLAIMS_PER_PERSON)
    if open_claims_per_person < 1:
        raise ConfigError("OPEN_CLAIMS_PER_PERSON must be at least 1")

    return {
        "REUSE_ENV": environment,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR") or str(PROJECT_ROOT / "uploads"),
        "PHOTO_MAX_BYTES": photo_max_bytes,
        "PHOTOS_PER_ITEM": photos_per_item,
        # Room for a full set of phone photos plus the form fields in one request.
        "MAX_CONTENT_LENGTH": photo_max_bytes * photos_per_item + 1024 * 1024,
        "ITEMS_PER_PAGE": _int_env("ITEMS_PER_PAGE", 24),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PERMANENT_SESSION_LIFETIME": _int_env("SESSION_LIFETIME_SECONDS", 8 * 3600),
        "WTF_CSRF_TIME_LIMIT": None,
        "CLAIM_COLLECT_DAYS": _int_env("CLAIM_COLLECT_DAYS", 14),
        "OPEN_CLAIMS_PER_PERSON": open_claims_per_person,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        **{name: _int_env(name, default) if isinstance(default, int)
           else os.environ.get(name) or default
           for name, default in THROTTLE_DEFAULTS.items()},
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        "TRUSTED_PROXIES": _int_env("TRUSTED_PROXIES", 0),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int_env("MAIL_PORT", 25),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "").lower() in {"1", "true", "yes"},
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "Gjenbruk <gjenbruk@bergen.kommune.no>"),
        "MAIL_MAX_ATTEMPTS": max(1, _int_env("MAIL_MAX_ATTEMPTS", DEFAULT_MAIL_MAX_ATTEMPTS)),
        "MAIL_RETRY_SECONDS": max(1, _int_env("MAIL_RETRY_SECONDS",
                                              DEFAULT_MAIL_RETRY_SECONDS)),
    }


def database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance_path / 'reuse.db'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy needs the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
