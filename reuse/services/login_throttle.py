"""Login throttling: slow the guesser down without locking the owner out.

Three counts of *failed* logins, kept in the rate limiter's storage (Redis when
RATELIMIT_STORAGE_URI names it, so every worker sees the same counts):

- per address and account together: the first LOGIN_FREE_FAILURES are free; after that the
  address waits 1 s, 2 s, 4 s … (at most LOGIN_MAX_DELAY_SECONDS) before its next try at that
  account. A successful login clears it. A guesser at one address is slowed to a crawl while
  the owner at another address is not touched.
- per address across accounts (LOGIN_LIMIT_PER_ADDRESS), against password spraying: a few
  guesses at many accounts from one address.
- per account across addresses (LOGIN_LIMIT_PER_ACCOUNT), a high ceiling against guessing
  from many addresses. Once it is reached, only addresses the account signed in from in the
  last KNOWN_ADDRESS_DAYS days may still try, so the owner at their usual address still can.

Nothing here looks the account up: known and unknown e-mail addresses are counted, refused
and told alike. Keys are keyed hashes, so the storage holds neither e-mail nor IP addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time

from flask import Flask, current_app
from limits import RateLimitItem, parse
from limits.strategies import FixedWindowRateLimiter

from reuse.config import ConfigError
from reuse.extensions import limiter
from reuse.i18n import gettext as _
from reuse.i18n import ngettext
from reuse.models.organisation import MAX_EMAIL
from reuse.services.errors import DomainError

# How long failures at one (address, account) pair are remembered without a success.
PAIR_MEMORY_SECONDS = 24 * 3600
KNOWN_ADDRESS_DAYS = 30
# A wait is stored a little longer than it lasts, so a slow request never finds it gone early.
_WAIT_SLACK_SECONDS = 60

log = logging.getLogger("reuse.security")


def _now() -> float:
    """The clock the waits are measured by (tests move it instead of sleeping)."""
    return time.time()


class TooManyAttempts(DomainError):
    """This address must wait before it tries this account again."""

    code = "too_many_attempts"

    def __init__(self, retry_after: int):
        self.retry_after = max(1, retry_after)
        super().__init__(wait_message(self.retry_after))


class CountsUnavailable(DomainError):
    """The storage of the failure counts (Redis) does not answer. Sign-in is refused until it
    does: letting every guess through unthrottled would be the attacker's best moment."""

    code = "login_unavailable"

    def __init__(self):
        super().__init__(_("Innloggingen er midlertidig utilgjengelig. Prøv igjen om noen "
                           "minutter."))


def wait_message(seconds: int) -> str:
    if seconds < 120:
        return ngettext("For mange mislykkede forsøk. Vent %(num)s sekund før du prøver igjen.",
                        "For mange mislykkede forsøk. Vent %(num)s sekunder før du prøver igjen.",
                        seconds)
    minutes = math.ceil(seconds / 60)
    return ngettext("For mange mislykkede forsøk. Vent %(num)s minutt før du prøver igjen.",
                    "For mange mislykkede forsøk. Vent %(num)s minutter før du prøver igjen.",
                    minutes)


def init_app(app: Flask) -> None:
    """Check the limits' syntax at start-up, and say so loudly when counts are per worker."""
    for name in ("LOGIN_FREE_FAILURES", "LOGIN_MAX_DELAY_SECONDS"):
        if not isinstance(app.config[name], int) or app.config[name] < 1:
            raise ConfigError(f"{name} must be a whole number of at least 1")
    for name in ("LOGIN_LIMIT_PER_ADDRESS", "LOGIN_LIMIT_PER_ACCOUNT",
                 "PASSWORD_RESET_LIMIT_PER_ACCOUNT"):
        try:
            parse(app.config[name])
        except ValueError as exc:
            raise ConfigError(f"{name} must read like '50 per 15 minutes', "
                              f"got {app.config[name]!r}") from exc
    if (app.config["REUSE_ENV"] == "production"
            and app.config["RATELIMIT_STORAGE_URI"].startswith("memory://")):
        log.warning("RATELIMIT_STORAGE_URI is memory://: failed-login counts are kept per "
                    "worker process, so N workers allow N times the attempts. Set "
                    "RATELIMIT_STORAGE_URI=redis://host:6379/0 to share them.")


def _key(kind: str, *parts: str) -> str:
    secret = current_app.secret_key.encode()
    digest = hmac.new(secret, "\0".join(parts).encode(), hashlib.sha256).hexdigest()[:32]
    return f"login/{kind}/{digest}"


def _account(email: str) -> str:
    return email.strip().lower()[:MAX_EMAIL]


def _limit(name: str) -> RateLimitItem:
    return parse(current_app.config[name])


def _windows() -> FixedWindowRateLimiter:
    return FixedWindowRateLimiter(limiter.storage)


def _pair_wait(address: str, account: str) -> int:
    """Seconds this address must still wait before trying this account; 0 for none."""
    storage = limiter.storage
    failures = storage.get(_key("pair", address, account))
    if failures < current_app.config["LOGIN_FREE_FAILURES"]:
        return 0
    # One wait per failure count, written once: concurrent failures never overwrite each other.
    not_before_ms = storage.get(_key("wait", address, account, str(failures)))
    return max(0, math.ceil(not_before_ms / 1000 - _now()))


def _window_wait(item: RateLimitItem, *identifiers: str) -> int:
    windows = _windows()
    if windows.test(item, *identifiers):
        return 0
    return max(1, math.ceil(windows.get_window_stats(item, *identifiers).reset_time - time.time()))


def _is_known_address(address: str, account: str) -> bool:
    return limiter.storage.get(_key("known", address, account)) > 0


def check(address: str, email: str) -> None:
    """Raise TooManyAttempts if this address may not try this account now.

    Called before the password is checked: a refused attempt costs no hashing and counts
    for nothing.
    """
    account = _account(email)
    try:
        wait = _pair_wait(address, account)
        wait = max(wait, _window_wait(_limit("LOGIN_LIMIT_PER_ADDRESS"), "address",
                                      _key("address", address)))
        account_wait = _window_wait(_limit("LOGIN_LIMIT_PER_ACCOUNT"), "account",
                                    _key("account", account))
        if account_wait and not _is_known_address(address, account):
            wait = max(wait, account_wait)
    except limiter.storage.base_exceptions as exc:
        log.error("Failed-login counts are unavailable (%s): sign-in refused until %s answers",
                  exc, current_app.config["RATELIMIT_STORAGE_URI"].split("://")[0])
        raise CountsUnavailable() from exc
    if wait:
        raise TooManyAttempts(wait)


def record_failure(address: str, email: str) -> None:
    try:
        _record_failure(address, email)
    except limiter.storage.base_exceptions:
        # The storage went away after check(): the answer stays "wrong password", uncounted.
        log.exception("A failed login could not be counted")


def record_success(address: str, email: str) -> None:
    """Forget this pair's failures and remember the address as one the owner uses."""
    try:
        _record_success(address, email)
    except limiter.storage.base_exceptions:
        # A right password still signs the owner in; only the bookkeeping is lost.
        log.exception("A successful login could not be recorded")


def _record_failure(address: str, email: str) -> None:
    account = _account(email)
    storage = limiter.storage
    failures = storage.incr(_key("pair", address, account), PAIR_MEMORY_SECONDS)
    free = current_app.config["LOGIN_FREE_FAILURES"]
    if failures >= free:
        # The exponent is capped so a long run of failures never makes a huge number.
        delay = min(2 ** min(failures - free, 30), current_app.config["LOGIN_MAX_DELAY_SECONDS"])
        storage.incr(_key("wait", address, account, str(failures)),
                     delay + _WAIT_SLACK_SECONDS, amount=int((_now() + delay) * 1000))
    windows = _windows()
    windows.hit(_limit("LOGIN_LIMIT_PER_ADDRESS"), "address", _key("address", address))
    windows.hit(_limit("LOGIN_LIMIT_PER_ACCOUNT"), "account", _key("account", account))


def _record_success(address: str, email: str) -> None:
    account = _account(email)
    storage = limiter.storage
    storage.clear(_key("pair", address, account))
    known = _key("known", address, account)
    # Cleared first so the 30 days run from the latest login, not the first.
    storage.clear(known)
    storage.incr(known, KNOWN_ADDRESS_DAYS * 24 * 3600)
