"""API bearer tokens: shown once, stored as a SHA-256 digest, revocable, optionally expiring."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import ApiToken, User, utcnow
from reuse.models.claims import MAX_TOKEN_LABEL
from reuse.services import audit, characters, permissions
from reuse.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from reuse.services.paging import ListPage, paginate

PREFIX = "reuse_"
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Ten years: beyond that "expires" means nothing, and the date arithmetic stays in range.
MAX_EXPIRY_DAYS = 3650
TOKENS_PER_PAGE = 50


class TokenRefused(Exception):
    """The bearer token does not let its holder in; `code` says why (API.md)."""

    def __init__(self, code: str = "unauthorized",
                 message: str = "A valid API token is required (Authorization: Bearer TOKEN)."):
        super().__init__(message)
        self.code = code
        self.message = message


def digest(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough; no salt or stretching needed.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, label: str = "", expires_in_days: int | None = None, *,
                 created_by: User | None = None) -> tuple[ApiToken, str]:
    """A new token for the user; the plain text is returned here and never stored.

    `created_by`: an administrator making it for the person, who must be allowed to
    (permissions.can_manage_api_tokens_of); the audit trail names them. A deactivated
    account gets none: it could not use it."""
    if created_by is not None:
        if not permissions.can_manage_api_tokens_of(created_by, user):
            raise PermissionDenied(str(permissions.ONLY_OWN_PEOPLE))
        if not user.active:
            raise Conflict(_("%(name)s er deaktivert og kan ikke få API-nøkler.",
                             name=user.name))
    characters.check(label, _("Navn"), field="label")
    expires_at = None
    if expires_in_days is not None:
        if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
            raise InvalidInput(_("Levetiden må være et helt antall dager fra 1 til %(max)s.",
                                 max=MAX_EXPIRY_DAYS), field="expires_in_days")
        expires_at = utcnow() + timedelta(days=expires_in_days)
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, label=label.strip()[:MAX_TOKEN_LABEL],
                     token_hash=digest(plain), expires_at=expires_at)
    db.session.add(token)
    db.session.flush()
    audit.record(created_by or user, "api_token.created", token, label=token.label,
                 expires_at=expires_at, **({"owner": user.id} if created_by else {}))
    return token, plain


# What each state of status() is called on the administration pages (API and SCIM tokens).
STATUS_LABELS = {"active": _l("Aktiv"), "expired": _l("Utløpt"),
                 "revoked": _l("Trukket tilbake")}


def status(token: ApiToken, now: datetime | None = None) -> str:
    """'revoked', 'expired' or 'active'."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= (now or utcnow()):
        return "expired"
    return "active"


def authenticate(plain: str) -> User:
    """The active user a live token belongs to; TokenRefused otherwise."""
    refused = TokenRefused()
    if not plain.startswith(PREFIX) or len(plain) > 200:
        raise refused
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(plain)))
    if token is None or not token.user.is_active:
        raise refused
    now = utcnow()
    state = status(token, now)
    if state == "expired":
        raise TokenRefused("token_expired",
                           f"This API token expired at {token.expires_at.isoformat()}; "
                           "ask for a new one.")
    if state != "active":
        raise refused
    # "Last used" to the minute is enough, and spares a write on every API read.
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
    return token.user


def user_for_token(plain: str) -> User | None:
    """The active user a live token belongs to, or None."""
    try:
        return authenticate(plain)
    except TokenRefused:
        return None


def tokens_of(user: User) -> list[ApiToken]:
    """Every token of a user, newest first, for the person to review."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(token_id: int, revoked_by: User | None = None) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_("Fant ingen API-nøkkel med id %(id)s.", id=token_id))
    if revoked_by is not None and revoked_by.id != token.user_id and \
            not permissions.can_manage_api_tokens_of(revoked_by, token.user):
        raise PermissionDenied(str(permissions.ONLY_OWN_PEOPLE))
    if token.revoked_at is not None:
        raise Conflict(_("API-nøkkel %(id)s er allerede trukket tilbake.", id=token_id))
    token.revoked_at = utcnow()
    audit.record(revoked_by, "api_token.revoked", token)
    return token


def administered_tokens(viewer: User, *, page: int = 1) -> ListPage[ApiToken]:
    """The API tokens this viewer sees in the administration, newest first, with owners."""
    return paginate(select(ApiToken).options(joinedload(ApiToken.user))
                    .where(permissions.api_tokens_visible_to(viewer))
                    .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()),
                    page=page, per_page=TOKENS_PER_PAGE)


def revoke_all_for(user: User) -> int:
    """Revoke every live token of a user (when the account is closed, or the person asks)."""
    live = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                     ApiToken.revoked_at.is_(None))).all()
    for token in live:
        token.revoked_at = utcnow()
    return len(live)
