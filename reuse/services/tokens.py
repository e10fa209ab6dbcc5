"""API bearer tokens: shown once, stored as a SHA-256 digest, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from reuse.extensions import db
from reuse.models import ApiToken, User, utcnow
from reuse.services import audit, characters
from reuse.services.errors import Conflict, NotFound

PREFIX = "reuse_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough; no salt or stretching needed.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, label: str = "") -> tuple[ApiToken, str]:
    """A new token for the user; the plain text is returned here and never stored."""
    characters.check(label, _("Navn"), field="label")
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, label=label.strip()[:120], token_hash=_digest(plain))
    db.session.add(token)
    db.session.flush()
    audit.record(user, "api_token.created", token, label=token.label)
    return token, plain


def user_for_token(plain: str) -> User | None:
    """The active user a valid, unrevoked token belongs to."""
    if not plain.startswith(PREFIX) or len(plain) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(plain)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = utcnow()
    # "Last used" to the minute is enough, and spares a write on every API read.
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
    return token.user


def revoke_token(token_id: int, revoked_by: User | None = None) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_("Fant ingen API-nøkkel med id %(id)s.", id=token_id))
    if token.revoked_at is not None:
        raise Conflict(_("API-nøkkel %(id)s er allerede trukket tilbake.", id=token_id))
    token.revoked_at = utcnow()
    audit.record(revoked_by, "api_token.revoked", token)
    return token


def revoke_all_for(user: User) -> int:
    """Revoke every live token of a user (when the account is closed)."""
    live = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                     ApiToken.revoked_at.is_(None))).all()
    for token in live:
        token.revoked_at = utcnow()
    return len(live)
