"""Files uploaded in the browser and waiting for a confirmation: a purchase file (the lead's
import preview) or the organisation's unit register (the admin's import preview).

Kept in the file store every worker and host shares (reuse.storage), under a random token:
a preview is planned afresh from the kept file on each request, never from anything the
browser sends back. A file nobody confirms or cancels (the tab closed) is deleted by run-jobs
once it is older than a working day.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta

from reuse import storage
from reuse.i18n import lazy_gettext as _l

PURCHASES = "purchase-import-"
UNITS = "unit-import-"
KINDS = (PURCHASES, UNITS)
KEPT_FOR = timedelta(hours=12)
# What a preview page left open says when its confirmation names a file replaced since.
REPLACED = _l("Du har lastet opp en annen fil siden denne siden ble vist, og ingenting er "
              "importert. Se over hva den nye filen vil gjøre.")


def _name(kind: str, token: str) -> str | None:
    if kind not in KINDS:
        raise ValueError(f"no such upload: {kind!r}")
    # keep()'s tokens are hex; anything else names no kept file ("ø" is alphanumeric too).
    return f"{kind}{token}" if token.isascii() and token.isalnum() else None


def keep(kind: str, data: bytes) -> str:
    """Store an uploaded file; the token that names it."""
    token = secrets.token_hex(16)
    storage.store().write(_name(kind, token), data)
    return token


def exists(kind: str, token: str) -> bool:
    name = _name(kind, token)
    return name is not None and storage.store().exists(name)


def read(kind: str, token: str) -> bytes | None:
    """The kept file, or None when it is gone (confirmed, cancelled, or removed as stale)."""
    name = _name(kind, token)
    if name is None:
        return None
    try:
        return storage.store().read(name)
    except FileNotFoundError:
        return None


def forget(kind: str, token: str) -> None:
    name = _name(kind, token)
    if name is not None:
        storage.store().delete(name)


def is_the_one(kept_token: str, sent_token: str) -> bool:
    """Whether a page's confirmation names the file kept now. A newer upload in another tab
    replaces the session's file; the older page's buttons must not act on it. (Compared as
    bytes: anything a browser sends, non-ASCII included, is an answer, not an error.)"""
    return secrets.compare_digest(sent_token.encode(), kept_token.encode())


def remove_stale(kept_for: timedelta = KEPT_FOR) -> int:
    """run-jobs: delete kept files older than kept_for; how many."""
    cutoff = time.time() - kept_for.total_seconds()
    files = storage.store()
    stale = [name for kind in KINDS for name, modified in files.entries(kind)
             if modified < cutoff]
    for name in stale:
        files.delete(name)
    return len(stale)
