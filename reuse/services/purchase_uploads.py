"""Purchase files uploaded in the browser and waiting for the lead to confirm the preview.

Kept beside the photos, in the upload store every worker and host shares, under a random
token: the preview is planned afresh from the kept file on each request, never from anything
the browser sends back. A file nobody confirms or cancels (the tab closed) is deleted by
run-jobs once it is older than a working day.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from pathlib import Path

from reuse.services import photos

PREFIX = "purchase-import-"
KEPT_FOR = timedelta(hours=12)


def _path(token: str) -> Path | None:
    if not token.isalnum():
        return None
    return photos.upload_dir() / f"{PREFIX}{token}"


def keep(data: bytes) -> str:
    """Store an uploaded file; the token that names it."""
    token = secrets.token_hex(16)
    _path(token).write_bytes(data)
    return token


def exists(token: str) -> bool:
    path = _path(token)
    return path is not None and path.is_file()


def read(token: str) -> bytes | None:
    """The kept file, or None when it is gone (confirmed, cancelled, or removed as stale)."""
    path = _path(token)
    if path is None or not path.is_file():
        return None
    return path.read_bytes()


def forget(token: str) -> None:
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)


def remove_stale(kept_for: timedelta = KEPT_FOR) -> int:
    """run-jobs: delete kept files older than kept_for; how many."""
    cutoff = time.time() - kept_for.total_seconds()
    removed = 0
    for path in photos.upload_dir().glob(f"{PREFIX}*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
