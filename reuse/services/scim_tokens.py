"""Tokens for the provisioning endpoint (/scim/v2): held by the identity provider, not a person.

Like API tokens they are shown once and stored as a SHA-256 digest; unlike them they act as no
user and open nothing but /scim/v2 (and an API token never opens /scim/v2).
"""

from __future__ import annotations

import secrets

from sqlalchemy import select

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.models import ScimToken, User, utcnow
from reuse.models.claims import MAX_TOKEN_LABEL
from reuse.services import audit, characters
from reuse.services.errors import Conflict, NotFound
from reuse.services.tokens import LAST_USED_RESOLUTION, digest

PREFIX = "reuse_scim_"


def create_token(created_by: User | None, label: str = "") -> tuple[ScimToken, str]:
    """A new provisioning token; the plain text is returned here and never stored."""
    characters.check(label, _("Navn"), field="label")
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ScimToken(label=label.strip()[:MAX_TOKEN_LABEL], token_hash=digest(plain),
                      created_by=created_by)
    db.session.add(token)
    db.session.flush()
    audit.record(created_by, "scim_token.created", token, label=token.label)
    return token, plain


def authenticate(plain: str) -> ScimToken | None:
    """The live provisioning token with this text, or None."""
    if not plain.startswith(PREFIX) or len(plain) > 200:
        return None
    token = db.session.scalar(select(ScimToken).where(ScimToken.token_hash == digest(plain)))
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
    return token


def status(token: ScimToken) -> str:
    """'revoked' or 'active' (provisioning tokens do not expire), as tokens.status says it."""
    return "revoked" if token.revoked_at is not None else "active"


def get_token(token_id: int) -> ScimToken:
    token = db.session.get(ScimToken, token_id)
    if token is None:
        raise NotFound(_("Fant ingen SCIM-nøkkel med id %(id)s.", id=token_id))
    return token


def all_tokens() -> list[ScimToken]:
    """Every provisioning token, newest first, for the administrators to review."""
    return list(db.session.scalars(select(ScimToken).order_by(ScimToken.created_at.desc(),
                                                              ScimToken.id.desc())))


def revoke_token(token_id: int, revoked_by: User | None = None) -> ScimToken:
    token = get_token(token_id)
    if token.revoked_at is not None:
        raise Conflict(_("SCIM-nøkkel %(id)s er allerede trukket tilbake.", id=token_id))
    token.revoked_at = utcnow()
    audit.record(revoked_by, "scim_token.revoked", token)
    return token
