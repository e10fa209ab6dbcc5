"""Single sign-on: which account a verified identity from the provider signs in to.

The web layer (reuse/web/auth/oidc.py) verifies the ID token; these rules decide what it
means. A person is their issuer + subject: the first sign-in binds the provisioned account
whose SCIM externalId is the token's OIDC_PROVISIONING_ID_CLAIM (Entra ID's `oid`), else an
existing one with the same e-mail address when the provider vouches for that address
(`email_verified`) and OIDC_TRUST_EMAIL is on, else creates an account. An account bound once
is never re-bound to another subject. The unit comes from the claim OIDC_UNIT_CLAIM, matched
to an open unit's code; without one the person chooses, and the unit's administrators are
told.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask_babel import force_locale
from sqlalchemy import func, or_, select

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.i18n import locale_of
from reuse.models import Role, Unit, User
from reuse.services import audit, notifications, permissions, users
from reuse.services.errors import DomainError, InvalidInput

NEW_MEMBER = "new_member"
# How many units the choice page lists at once; a search narrows the rest.
UNITS_SHOWN = 50
CHOOSE_UNIT = _l("Velg en enhet fra listen.")


class SignInRefused(DomainError):
    """Single sign-on did not lead to an account; `code` names why (it goes in the audit)."""

    code = "sso_refused"


class SignInAttempt:
    """What the audit event of a refused sign-in is about when no account is known.

    Audit events name an object; a stranger's refused attempt has none, so it is recorded
    against this one (object_type "sign_in", id 0) with the reason and the claimed identity.
    """

    __tablename__ = "sign_in"
    id = 0


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in, taken from a verified ID token."""

    issuer: str
    subject: str
    email: str
    email_verified: bool
    name: str
    unit_code: str = ""
    # The value of the claim OIDC_PROVISIONING_ID_CLAIM: the SCIM externalId of the person's
    # provisioned account. Empty: the token has none, or the setting is off.
    provisioning_id: str = ""

    @classmethod
    def from_claims(cls, claims, *, unit_claim: str = "",
                    provisioning_id_claim: str = "") -> Identity:
        name = str(claims.get("name") or "").strip() or " ".join(
            str(claims.get(part) or "").strip() for part in ("given_name", "family_name")
        ).strip()
        email = str(claims.get("email") or "").strip()
        unit_code = claims.get(unit_claim) if unit_claim else ""
        provisioning_id = claims.get(provisioning_id_claim) if provisioning_id_claim else ""
        if not isinstance(provisioning_id, str):
            provisioning_id = ""  # an externalId is text; anything else matches no account
        return cls(issuer=str(claims["iss"]), subject=str(claims["sub"]), email=email,
                   email_verified=claims.get("email_verified") is True,
                   name=name or email, unit_code=str(unit_code or "").strip(),
                   provisioning_id=provisioning_id.strip())

    def as_dict(self) -> dict:
        return asdict(self)


def refuse(reason: str, message: str, *, user: User | None = None, **details) -> SignInRefused:
    """Record a refused sign-in in the audit trail and return the error to raise or show.

    The caller commits: a refusal is worth keeping even though nothing else changed.
    """
    audit.record(user, "sso.refused", user if user is not None else SignInAttempt(),
                 reason=reason, **details)
    return SignInRefused(message, code=reason)


def deactivated_message() -> str:
    return _("Kontoen din i Gjenbruk er deaktivert. Ta kontakt med en administrator hvis du "
             "mener dette er feil.")


def account_for(identity: Identity, *, trust_email: bool) -> User | None:
    """The account this identity signs in to, or None when a new one is to be made.

    Raises SignInRefused (already audited) for a deactivated account, and for an address that
    belongs to an account this identity may not take over.
    """
    user = db.session.scalar(select(User).where(User.oidc_issuer == identity.issuer,
                                                User.oidc_subject == identity.subject))
    if user is None and identity.provisioning_id:
        user = _bind_by_provisioning_id(identity)
    if user is None:
        if not identity.email:
            raise refuse("no_email", _("Kommunekontoen din har ingen e-postadresse, så vi kan "
                                       "ikke lage en konto i Gjenbruk. Ta kontakt med en "
                                       "administrator."),
                         issuer=identity.issuer, subject=identity.subject)
        user = users.find_by_email(identity.email)
        if user is None:
            return None
        if user.is_partner:
            # A partner organisation's person signs in by link or password; no municipal
            # identity ever takes their account over.
            raise refuse("partner_account", _email_taken_message(), user=None,
                         issuer=identity.issuer, subject=identity.subject, account=user.id)
        if user.oidc_subject is not None:
            # Bound to someone else at this or another provider: never taken over by e-mail.
            raise refuse("email_bound_elsewhere", _email_taken_message(), user=None,
                         issuer=identity.issuer, subject=identity.subject, account=user.id)
        if identity.provisioning_id and user.scim_external_id:
            # The provider's id for this person names another provisioned account (or none):
            # the stronger identifier says this address's account is someone else's.
            raise refuse("provisioning_id_mismatch", _email_taken_message(), user=None,
                         issuer=identity.issuer, subject=identity.subject, account=user.id,
                         provisioning_id=identity.provisioning_id[:255])
        if not (trust_email and identity.email_verified):
            raise refuse("email_not_verified", _email_taken_message(), user=None,
                         issuer=identity.issuer, subject=identity.subject, account=user.id)
        return _bind(user, identity, by="email")
    if not user.is_active:
        raise refuse("deactivated", deactivated_message(), user=user,
                     issuer=identity.issuer, subject=identity.subject)
    return user


def _bind_by_provisioning_id(identity: Identity) -> User | None:
    """The provisioned account whose SCIM externalId is the token's provisioning id, now bound
    to this identity; None when no provisioned account has that id.

    The provider vouches for its own object id as it does for `sub`, so `email_verified` does
    not matter here. An account bound to another subject is refused, never re-bound.
    """
    user = db.session.scalar(select(User).where(
        permissions.provisioned_users(),
        User.scim_external_id == identity.provisioning_id).order_by(User.id).limit(1))
    if user is None:
        return None
    if user.oidc_subject is not None:
        raise refuse("provisioning_id_bound_elsewhere", _bound_elsewhere_message(), user=None,
                     issuer=identity.issuer, subject=identity.subject, account=user.id)
    return _bind(user, identity, by="provisioning_id")


def _bind(user: User, identity: Identity, *, by: str) -> User:
    """Bind an existing account to this identity for good; a deactivated one is refused."""
    if not user.is_active:
        raise refuse("deactivated", deactivated_message(), user=user,
                     issuer=identity.issuer, subject=identity.subject)
    user.oidc_issuer = identity.issuer
    user.oidc_subject = identity.subject
    audit.record(user, "user.sso_bound", user, issuer=identity.issuer,
                 subject=identity.subject, by=by)
    return user


def _bound_elsewhere_message() -> str:
    return _("Kontoen din i Gjenbruk er allerede koblet til en annen kommunekonto, så vi kan "
             "ikke logge deg inn. Ta kontakt med en administrator.")


def _email_taken_message() -> str:
    return _("Det finnes allerede en konto i Gjenbruk med e-postadressen din, men vi kan ikke "
             "koble den til kommunekontoen din automatisk. Ta kontakt med en administrator.")


def can_make_account(identity: Identity) -> bool:
    """Whether the claims carry what a new account needs (a name and a valid e-mail address):
    checked before the person is asked to choose a unit, not after."""
    try:
        users.normalise_email(identity.email)
    except InvalidInput:
        return False
    return bool(identity.name.strip())


def unit_from_claims(identity: Identity) -> Unit | None:
    """The open unit whose code the provider gave, if any."""
    if not identity.unit_code:
        return None
    return db.session.scalar(select(Unit).where(Unit.code == identity.unit_code,
                                                Unit.closed_at.is_(None)))


def choosable_units(search: str = "") -> tuple[list[Unit], int]:
    """Open units matching the search (name or code), the first UNITS_SHOWN, and how many."""
    query = select(Unit).where(Unit.closed_at.is_(None))
    words = search.strip().casefold().split()
    for word in words[:5]:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(func.lower(Unit.name).like(pattern, escape="\\"),
                                func.lower(Unit.code).like(pattern, escape="\\")))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    units = list(db.session.scalars(query.order_by(Unit.name).limit(UNITS_SHOWN)))
    return units, total


def open_unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None or unit.closed_at is not None:
        raise InvalidInput(str(CHOOSE_UNIT), field="unit")
    return unit


def create_account(identity: Identity, unit: Unit, *, chosen: bool) -> User:
    """A new member account bound to this identity; `chosen`: the person picked the unit,
    so the unit's administrators are told someone joined it."""
    user = users.create_user(email=identity.email, name=identity.name, unit=unit,
                             role=Role.MEMBER.value, password=None)
    user.oidc_issuer = identity.issuer
    user.oidc_subject = identity.subject
    audit.record(user, "user.created_by_sso", user, issuer=identity.issuer,
                 subject=identity.subject, unit_id=unit.id, unit_chosen=chosen)
    if chosen:
        _tell_unit_admins(user, unit)
    return user


def unit_admins(unit: Unit) -> list[User]:
    """Who looks after the unit's members: its unit admins, else the site's admins."""
    active = select(User).where(User.active.is_(True)).order_by(User.id)
    found = list(db.session.scalars(active.where(User.unit_id == unit.id,
                                                 User.role == Role.UNIT_ADMIN.value)))
    return found or list(db.session.scalars(active.where(User.role == Role.ADMIN.value)))


def _tell_unit_admins(user: User, unit: Unit) -> None:
    for admin in unit_admins(unit):
        if admin.id == user.id:
            continue
        with force_locale(locale_of(admin)):
            subject = _("%(name)s har valgt enheten %(unit)s", name=user.name, unit=unit.name)
            body = _("%(name)s (%(email)s) logget inn med kommunekontoen for første gang og "
                     "valgte selv enheten %(unit)s. Sjekk at det stemmer; er det feil, kan en "
                     "administrator flytte personen til riktig enhet.",
                     name=user.name, email=user.email, unit=unit.name)
        notifications.notify(admin, NEW_MEMBER, subject, body)
