"""One-time sign-in links for partners' people: the way in without a municipal account.

A link carries a random token; only its SHA-256 is stored. It works once, for
LOGIN_LINK_MINUTES, and only while the account still has the address it was sent to, is
active and its organisation is not suspended. Using it is one conditional UPDATE, so of two
requests racing with the same link exactly one signs in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select, update

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import locale_of
from reuse.links import site_url_for
from reuse.models import LoginLink, User, utcnow
from reuse.models.organisation import MAX_EMAIL
from reuse.services import audit, notifications, users
from reuse.services.errors import Conflict, DomainError, InvalidInput

# token_urlsafe(32) is 43 characters; anything much longer is no token of ours.
MAX_TOKEN_LENGTH = 100


class LinkRefused(DomainError):
    """The link is unknown, used, expired, or no longer leads to an account that may sign
    in. One message for all: the page does not say which."""

    code = "link_refused"

    def __init__(self):
        super().__init__(_("Innloggingslenken virker ikke lenger. Lenker virker i "
                           "%(minutes)s minutter og bare én gang.", minutes=minutes()))


def minutes() -> int:
    return current_app.config["LOGIN_LINK_MINUTES"]


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def may_sign_in(user: User) -> bool:
    """Whether this account may sign in with a link now: a partner's person, active, their
    organisation not suspended (User.is_active)."""
    return user.is_partner and user.is_active


def create_link(user: User) -> str:
    """A new sign-in link for the user, tied to their current address: the absolute URL
    (on BASE_URL), shown or sent once and never stored."""
    if not may_sign_in(user):
        raise Conflict(_("%(email)s kan ikke logge inn med lenke.", email=user.email))
    token = secrets.token_urlsafe(32)
    db.session.add(LoginLink(user_id=user.id, email=user.email, token_hash=digest(token),
                             expires_at=utcnow() + timedelta(minutes=minutes())))
    db.session.flush()
    return site_url_for("auth.login_link", token=token)


def redeem(token: str) -> User:
    """The user a link signs in, using the link up: LinkRefused for an unknown, used or
    expired link, and for one whose account changed its address, was deactivated or whose
    organisation is suspended since (the link is used up then too)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise LinkRefused()
    hashed = digest(token)
    now = utcnow()
    taken = db.session.execute(
        update(LoginLink)
        .where(LoginLink.token_hash == hashed, LoginLink.used_at.is_(None),
               LoginLink.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        raise LinkRefused()
    link = db.session.scalar(select(LoginLink).where(LoginLink.token_hash == hashed))
    user = db.session.get(User, link.user_id)
    if user is None or user.email != link.email or not may_sign_in(user):
        raise LinkRefused()
    audit.record(user, "user.signed_in_with_link", user)
    return user


def is_usable(token: str) -> bool:
    """Whether a link would still sign someone in (the page before the button asks; it does
    not use the link up)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return False
    link = db.session.scalar(select(LoginLink).where(LoginLink.token_hash == digest(token)))
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return False
    user = db.session.get(User, link.user_id)
    return user is not None and user.email == link.email and may_sign_in(user)


def request_link(email: str, *, remote_addr: str) -> None:
    """Queue a sign-in link if the address belongs to a partner's person who may sign in;
    say nothing either way. The page calls this after its answer has been sent."""
    try:
        user = users.find_by_email(users.normalise_email(email[:MAX_EMAIL]))
    except InvalidInput:
        return
    if user is None or not may_sign_in(user):
        return
    with force_locale(locale_of(user)):
        subject = _("Innloggingslenke til Gjenbruk")
        body = _("Noen (forhåpentligvis du) har bedt om en lenke for å logge inn på Gjenbruk. "
                 "Lenken virker i %(minutes)s minutter og bare én gang. Har du ikke bedt om "
                 "den, kan du se bort fra den.", minutes=minutes())
    notifications.notify(user, notifications.LOGIN_LINK, subject, body)
    audit.record(user, "user.login_link_requested", user, remote_addr=remote_addr)
