"""Accounts: creating users, checking passwords, authenticating."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import ColumnElement, String, cast, delete, func, literal, or_, select
from sqlalchemy.orm import joinedload

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.i18n import locale_of
from reuse.links import site_url_for
from reuse.models import MUNICIPAL_ROLES, LoginLink, Role, Unit, User
from reuse.services import audit, characters, notifications, permissions, tokens, units
from reuse.services.errors import Conflict, InvalidInput, PermissionDenied
from reuse.services.paging import ListPage, paginate
from reuse.services.text import contains_pattern
from reuse.services.trees import subtree_id_list

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


def _check_role(role: str) -> None:
    if role not in {r.value for r in MUNICIPAL_ROLES}:
        known = ", ".join(r.value for r in MUNICIPAL_ROLES)
        raise InvalidInput(_("Ukjent rolle «%(role)s». Gyldige roller: %(known)s.", role=role,
                             known=known), field="role")


# The longest name a person's account holds (its column).
MAX_NAME = User.__table__.c.name.type.length


def check_name(name: str) -> None:
    """A person's name fits its column and holds no control or invisible character."""
    if len(name) > MAX_NAME:
        raise InvalidInput(units.name_too_long(MAX_NAME), field="name")
    characters.check(name, _("Navn"), field="name")


def create_user(*, email: str, name: str, unit: Unit, role: str,
                password: str | None = None) -> User:
    """A new account. Without a password the person signs in with single sign-on only."""
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise InvalidInput(_("Navn må fylles ut."), field="name")
    check_name(name)
    _check_role(role)
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


def password_matches(user: User, password: str | None) -> bool:
    """Whether this is the account's own password (an account without one has none)."""
    if not user.password_hash or not password:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None — without saying which was wrong."""
    user = find_by_email(email)
    try:
        # An account without a password costs the same time as an unknown address.
        _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH,
                       password)
    except (VerificationError, InvalidHashError):
        return None
    # is_active: a suspended partner organisation's people are refused with it.
    if user is None or not user.is_active or not user.password_hash:
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


ANONYMISED_DOMAIN = "invalid"


def is_anonymised(user: User) -> bool:
    """Whether anonymise() has replaced this person's name and e-mail."""
    return user.email == f"anonymisert-{user.id}@{ANONYMISED_DOMAIN}"


def anonymised_accounts() -> ColumnElement[bool]:
    """is_anonymised() as a where-clause."""
    return User.email == (literal("anonymisert-") + cast(User.id, String)
                          + literal(f"@{ANONYMISED_DOMAIN}"))


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(str(permissions.ONLY_OWN_PEOPLE))


# What an administrator is told after closing someone's account, on either page.
DEACTIVATED_NAMED = _l("%(name)s er deaktivert.")


def deactivated(email: str) -> str:
    """That an account is closed: the command line says it is done, an invitation refuses."""
    return _("%(email)s er deaktivert.", email=email)


def deactivate(user: User, by: User | None = None, **details) -> None:
    """Stop the account: no login, no sessions, no API tokens. History keeps its name.

    `by` is the administrator who asks (None for the provisioning system and the command
    line): they must be allowed to close this account, and the audit trail names them."""
    if by is not None:
        _require(permissions.can_close_account(by, user))
    user.active = False
    end_all_sessions(user)
    tokens.revoke_all_for(user)
    audit.record(by, "user.deactivated", user, **details)


def reactivate(user: User, by: User | None = None, **details) -> None:
    """Open a deactivated account again. Its API tokens stay revoked (they were closed with
    the account; new ones are made on purpose), and an anonymised account stays closed: there
    is nobody left to give it back to."""
    if by is not None:
        _require(permissions.can_close_account(by, user))
    if is_anonymised(user):
        raise Conflict(_("En anonymisert bruker kan ikke aktiveres igjen."))
    if user.active:
        return
    user.active = True
    audit.record(by, "user.reactivated", user, **details)


def anonymise(user: User, by: User | None = None) -> None:
    """Erase a person's name and e-mail (GDPR) while every claim, record and figure stays.

    The row stays, so the ledger and the audit trail still add up; only what identifies the
    person is replaced. The account is deactivated first.
    """
    if by is not None:
        _require(permissions.can_close_account(by, user))
    if is_anonymised(user):
        raise Conflict(_("Brukeren er allerede anonymisert."))
    if user.active:
        deactivate(user, by)
    user.name = _("Anonymisert bruker %(id)s", id=user.id)
    user.email = f"anonymisert-{user.id}@{ANONYMISED_DOMAIN}"
    user.password_hash = ""
    user.oidc_subject = None
    user.scim_external_id = None
    user.locale = None
    # A partner's sign-in links hold the address they were sent to; they go with it.
    db.session.execute(delete(LoginLink).where(LoginLink.user_id == user.id))
    audit.record(by, "user.anonymised", user)


def change_role(user: User, role: str, by: User | None = None) -> bool:
    """Give a person another role; False if it is the role they have. Their rights change,
    so every session of theirs ends and they sign in again under the new role.

    `by` may only give a role from permissions.roles_assignable_by, and never to themselves.
    """
    _check_role(role)
    if by is not None:
        _require(permissions.can_change_role(by, user)
                 and role in permissions.roles_assignable_by(by))
    if user.role == role:
        return False
    before = user.role
    user.role = role
    end_all_sessions(user)
    audit.record(by, "user.role_changed", user, before=before, after=role)
    return True


def move_to_unit(user: User, unit: Unit, by: User | None = None, **details) -> bool:
    """Move a person to another unit; False if they are in it already. Nobody joins a closed
    unit. What they may see and do follows the unit, so every session of theirs ends. A unit
    admin becomes a member there: they administered the unit they left, not the one they
    joined (the new unit's administrators decide).

    `by` may only move people they manage, and only into units they administer."""
    if unit.closed_at is not None:
        raise InvalidInput(_("«%(unit)s» er nedlagt. Velg en annen enhet.", unit=unit.name),
                           field="unit")
    if by is not None:
        _require(permissions.can_manage_person(by, user)
                 and permissions.can_move_to_unit(by, unit))
    if user.unit_id == unit.id:
        return False
    before = user.unit
    user.unit = unit
    if user.role == Role.UNIT_ADMIN.value:
        user.role = Role.MEMBER.value
        details["role_before"] = Role.UNIT_ADMIN.value
    end_all_sessions(user)
    audit.record(by, "user.unit_changed", user, before=before.id, before_name=before.name,
                 after=unit.id, after_name=unit.name, **details)
    return True


# -- the administration's list of people --------------------------------------------------

PEOPLE_PER_PAGE = 50
# The longest search the people list and the audit log's "who" take.
MAX_QUERY = 200
ACTIVE = "active"
DEACTIVATED = "deactivated"


def people(viewer: User, *, words: str = "", unit_id: int | None = None, status: str = "",
           page: int = 1) -> ListPage[User]:
    """The people this viewer administers (permissions.people_administered_by), by name:
    those whose name or e-mail holds `words` (any case), in `unit_id` or a unit under it,
    only the active or only the deactivated ones."""
    query = (select(User).options(joinedload(User.unit))
             .where(permissions.people_administered_by(viewer)))
    if words := words.strip():
        pattern = contains_pattern(words)
        query = query.where(or_(User.name.ilike(pattern, escape="\\"),
                                User.email.ilike(pattern, escape="\\")))
    if unit_id is not None:
        query = query.where(User.unit_id.in_(subtree_id_list(Unit, unit_id)))
    if status == ACTIVE:
        query = query.where(User.active.is_(True))
    elif status == DEACTIVATED:
        query = query.where(User.active.is_(False))
    return paginate(query.order_by(func.lower(User.name), User.id), page=page,
                    per_page=PEOPLE_PER_PAGE)


def unit_options(viewer: User, *, for_moving: bool = False) -> list[tuple[int, str, int]]:
    """(id, name, depth) in tree order of the units this viewer administers: to filter people
    by (closed units included: people may still be in them), or to move people to (open
    units only, permissions.can_move_to_unit)."""
    from reuse.services import units

    rule = (permissions.units_for_moving(viewer) if for_moving
            else permissions.units_administered_by(viewer))
    allowed = set(db.session.scalars(select(Unit.id).where(rule)))
    return [option for option in units.tree_options() if option[0] in allowed]


# -- password reset: a signed, expiring link that only works until the password changes ----

RESET_MAX_AGE_SECONDS = 3600


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="password-reset")


def _fingerprint(user: User) -> str:
    # Tied to the current hash and address: once the password or the address changes (a
    # provisioning client re-addresses the account), every earlier link is dead.
    return hashlib.sha256(f"{user.password_hash}\n{user.email}".encode()).hexdigest()[:24]


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
