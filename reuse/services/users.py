"""Accounts: creating users, checking passwords, authenticating."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import func, select

from reuse.extensions import db
from reuse.i18n import locale_of
from reuse.links import site_url_for
from reuse.models import Role, Unit, User
from reuse.services import audit, characters, notifications, tokens, units
from reuse.services.errors import InvalidInput

PASSWORD_LABEL = _l("Passord")
MIN_PASSWORD_LENGTH = 10
# The longest password a form takes: hashing megabytes would be work for an attacker to ask.
MAX_PASSWORD_LENGTH = 1024
# The handful that people actually choose; length does the rest of the work.
COMMON_PASSWORDS = frozenset({
    "1234567890", "12345678910", "passord123", "passord1234", "password123", "password1234",
    "qwertyuiop", "sommer2024", "sommer2025", "sommer2026", "vinter2025", "vinter2026",
    "bergen1234", "bergenkommune", "velkommen1", "velkommen123", "abc1234567", "iloveyou12",
})

_hasher = PasswordHasher()
# Verifying against this when the e-mail is unknown keeps the timing of a wrong e-mail
# and of a wrong password alike.
_DUMMY_HASH = _hasher.hash("not a real password, only spends the same time")


def configure_hasher(hasher: PasswordHasher) -> None:
    """Tests use cheaper parameters; production keeps argon2id's defaults."""
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("not a real password, only spends the same time")


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidInput(_("«%(email)s» er ikke en gyldig e-postadresse.", email=email),
                           field="email") from exc


def check_password_strength(password: str, *, email: str = "", name: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            _("Passordet må ha minst %(min)s tegn.", min=MIN_PASSWORD_LENGTH), field="password"
        )
    lowered = password.casefold()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        raise InvalidInput(_("Passordet er for lett å gjette. Velg et annet."),
                           field="password")
    local_part = email.split("@")[0].casefold()
    if (local_part and len(local_part) >= 4 and local_part in lowered) or (
        name and name.casefold().replace(" ", "") in lowered.replace(" ", "")
    ):
        raise InvalidInput(_("Passordet kan ikke inneholde navnet eller e-postadressen din."),
                           field="password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(*, email: str, name: str, unit: Unit, role: str,
                password: str | None = None) -> User:
    """A new account. Without a password the person signs in with single sign-on only."""
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise InvalidInput(_("Navn må fylles ut."), field="name")
    characters.check(name, _("Navn"), field="name")
    if role not in {r.value for r in Role}:
        known = ", ".join(r.value for r in Role)
        raise InvalidInput(_("Ukjent rolle «%(role)s». Gyldige roller: %(known)s.", role=role,
                             known=known), field="role")
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise InvalidInput(_("Det finnes allerede en bruker med e-post %(email)s.", email=email),
                           field="email")
    units.require_open(unit)
    if password is not None:
        check_password_strength(password, email=email, name=name)
    user = User(email=email, name=name, unit=unit, role=role,
                password_hash=hash_password(password) if password is not None else "")
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None — without saying which was wrong."""
    user = find_by_email(email)
    try:
        # An account without a password costs the same time as an unknown address.
        _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH,
                       password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active or not user.password_hash:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def set_locale(user: User, locale: str, known: set[str]) -> None:
    if locale not in known:
        raise InvalidInput(_("Ukjent språk."), field="locale")
    user.locale = locale


def end_all_sessions(user: User) -> None:
    """Log the user out everywhere: every session cookie issued so far stops working."""
    user.session_token = secrets.token_hex(16)


def deactivate(user: User, **details) -> None:
    """Stop the account: no login, no sessions, no API tokens. History keeps its name."""
    user.active = False
    end_all_sessions(user)
    tokens.revoke_all_for(user)
    audit.record(None, "user.deactivated", user, **details)


def reactivate(user: User, **details) -> None:
    """Let a deactivated account sign in again. Its old sessions and API tokens stay ended."""
    user.active = True
    audit.record(None, "user.reactivated", user, **details)


def anonymise(user: User) -> None:
    """Erase a person's name and e-mail (GDPR) while every claim, record and figure stays.

    The row stays, so the ledger and the audit trail still add up; only what identifies the
    person is replaced. The account is deactivated first.
    """
    if user.active:
        deactivate(user)
    user.name = _("Anonymisert bruker %(id)s", id=user.id)
    user.email = f"anonymisert-{user.id}@invalid"
    user.password_hash = ""
    user.oidc_subject = None
    user.scim_external_id = None
    user.locale = None
    audit.record(None, "user.anonymised", user)


# -- password reset: a signed, expiring link that only works until the password changes ----

RESET_MAX_AGE_SECONDS = 3600


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="password-reset")


def _fingerprint(user: User) -> str:
    # Tied to the current hash: once the password changes, every earlier link is dead.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:24]


def password_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_reset_token(token: str) -> User | None:
    """The active user a valid, unexpired, unused reset link belongs to."""
    try:
        data = _reset_serializer().loads(token, max_age=RESET_MAX_AGE_SECONDS)
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        return None
    return user


def request_password_reset(email: str, *, remote_addr: str) -> None:
    """Queue a reset e-mail if the address belongs to an active user; say nothing either way.

    The page calls this after its answer has been sent (known and unknown addresses cost the
    request the same); the message goes through the outbox, its link is made as it is sent.
    """
    try:
        user = find_by_email(normalise_email(email))
    except InvalidInput:
        return
    if user is None or not user.active:
        return
    with force_locale(locale_of(user)):
        subject = _("Nytt passord til Gjenbruk")
        body = _("Noen (forhåpentligvis du) har bedt om å lage nytt passord. Lenken i e-posten "
                 "virker i én time og bare én gang. Har du ikke bedt om dette, kan du se bort "
                 "fra den.")
    notifications.notify(user, notifications.PASSWORD_RESET, subject, body)
    audit.record(user, "user.password_reset_requested", user, remote_addr=remote_addr)


def password_reset_url(user: User) -> str:
    """The reset link to mail the user now: on BASE_URL, valid for an hour and once."""
    return site_url_for("auth.reset_password", token=password_reset_token(user))


def reset_password(user: User, password: str, *, revoke_tokens: bool = False) -> None:
    """Set a new password and end every session; with revoke_tokens, every API token too.

    Tokens are kept unless the person asks: a system using one would otherwise stop without
    warning. Someone who fears their account was used asks, and nothing issued before works.
    """
    check_password_strength(password, email=user.email, name=user.name)
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    revoked = tokens.revoke_all_for(user) if revoke_tokens else 0
    audit.record(user, "user.password_reset", user, **({"tokens_revoked": revoked}
                                                        if revoke_tokens else {}))
