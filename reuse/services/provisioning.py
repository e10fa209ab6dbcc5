"""Provisioning: the identity provider (Entra ID, over SCIM 2.0) creates, changes and removes
accounts. The rules are here; reuse/scim only translates SCIM to and from these calls.

- The address is the account: stored lower-cased, one account per address.
- New accounts have no password (single sign-on only) and the role member.
- The unit is the provider's department, matched against open units' codes, then names. An
  unknown department refuses a new account unless SCIM_DEFAULT_UNIT names a unit to put it in;
  on a change it leaves the unit as it is, and the audit trail and the log say so (refusing
  the whole change would also refuse a deactivation sent with it).
- Deactivation ends sessions and API tokens at once; history keeps the person's name.
  Reactivation opens only an account provisioning closed, never one an administrator or the
  command line closed on purpose.
- Admin and sustainability accounts are managed in the application
  (permissions.provisioning_may_change): provisioning may deactivate them, nothing else.
- A new address ends the person's sessions; reset links sent to the old one stop working.
- An anonymised account is gone for provisioning: not found, not listed, never changed.
- A move to another unit is users.move_to_unit: sessions end, a unit admin becomes a member.
- A deletion deactivates and detaches the account from provisioning; the same address
  provisioned again brings the same account back.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.models import Role, Unit, User, utcnow
from reuse.services import audit, characters, permissions, users
from reuse.services.errors import Conflict, InvalidInput, PermissionDenied

# Every audit event says it came from provisioning (the actor is None: no person acted).
VIA = permissions.PROVISIONING_VIA
# The most accounts one page of a search returns, whatever `count` asks for.
MAX_PAGE = 100
MAX_EXTERNAL_ID = 255


@dataclass(frozen=True)
class Account:
    """What the provisioning client says about a person; None where it said nothing (an empty
    external_id clears it)."""

    email: str
    name: str | None = None
    external_id: str | None = None
    active: bool | None = None
    department: str | None = None


def uniqueness(message: str) -> Conflict:
    return Conflict(message, code="uniqueness")


def unit_for(department: str | None) -> Unit | None:
    """The open unit a department names: by code first, then by name."""
    department = (department or "").strip()
    if not department:
        return None
    characters.check(department, "department", field="department")
    open_units = select(Unit).where(Unit.closed_at.is_(None))
    return (db.session.scalar(open_units.where(Unit.code == department))
            or db.session.scalar(open_units.where(Unit.name == department)))


def _unit_for_new_account(department: str | None) -> Unit:
    unit = unit_for(department)
    if unit is not None:
        return unit
    default = unit_for(current_app.config.get("SCIM_DEFAULT_UNIT"))
    if default is not None:
        return default
    if (department or "").strip():
        raise InvalidInput(_("Fant ingen åpen enhet med kode eller navn «%(department)s».",
                             department=department.strip()), field="department")
    raise InvalidInput(_("Avdeling (department) mangler, og ingen standardenhet er satt."),
                       field="department")


def find(*, email: str | None = None, external_id: str | None = None, start: int = 1,
         count: int = MAX_PAGE) -> tuple[int, list[User]]:
    """One page of the provisioned accounts, oldest first, and how many match in all."""
    condition = permissions.provisioned_users()
    if email is not None:
        condition = condition & (User.email == email.strip().lower())
    if external_id is not None:
        condition = condition & (User.scim_external_id == external_id)
    total = db.session.scalar(select(func.count()).select_from(User).where(condition))
    count = max(0, min(count, MAX_PAGE))
    if count == 0:
        return total, []
    page = db.session.scalars(select(User).where(condition).order_by(User.id)
                              .offset(max(start, 1) - 1).limit(count))
    return total, list(page)


def _check_external_id(external_id: str | None, user: User | None) -> None:
    if external_id is None:
        return
    characters.check(external_id, "externalId", field="externalId")
    if len(external_id) > MAX_EXTERNAL_ID:
        raise InvalidInput(_("externalId kan ha høyst %(max)s tegn.", max=MAX_EXTERNAL_ID),
                           field="externalId")
    taken = select(User.id).where(permissions.provisioned_users(),
                                  User.scim_external_id == external_id)
    if user is not None:
        taken = taken.where(User.id != user.id)
    if db.session.scalar(taken) is not None:
        raise uniqueness(_("externalId «%(id)s» er allerede brukt.", id=external_id))


def _address_taken(email: str) -> Conflict:
    return uniqueness(_("Adressen %(email)s tilhører allerede en annen bruker.", email=email))


def create(account: Account) -> User:
    """A new account from the provider, or a deleted one provisioned again."""
    email = users.normalise_email(account.email)
    existing = users.find_by_email(email)
    if existing is not None:
        if (existing.scim_deleted_at is None or users.is_anonymised(existing)
                or existing.is_partner):
            raise _address_taken(email)
        existing.scim_deleted_at = None
        audit.record(None, "user.provisioned_again", existing, via=VIA)
        return update(existing, Account(**{**account.__dict__, "active": account.active
                                           if account.active is not None else True}))
    _check_external_id(account.external_id or None, None)
    unit = _unit_for_new_account(account.department)
    # Without a name the account shows its address until the provider sends one.
    user = users.create_user(email=email, name=(account.name or "").strip() or email, unit=unit,
                             role=Role.MEMBER.value, password=None)
    user.scim_external_id = account.external_id or None
    audit.record(None, "user.provisioned", user, via=VIA, unit=unit.code or unit.name,
                 department=account.department or "")
    if account.active is False:
        users.deactivate(user, via=VIA)
    return user


def update(user: User, account: Account) -> User:
    """Apply what the provider says; what it leaves out (None) stays as it is.

    Nothing changes on an anonymised account (NotFound). An admin or sustainability account
    (permissions.provisioning_may_change) may only be deactivated: a request that deactivates
    one does that and nothing else; any other change is PermissionDenied. Reactivation is
    PermissionDenied unless provisioning deactivated the account."""
    permissions.provisioned_user(user.id)  # an anonymised (or deleted) account is gone
    changes: dict[str, str] = {}
    email = users.normalise_email(account.email)
    if email != user.email:
        other = users.find_by_email(email)
        if other is not None and other.id != user.id:
            raise _address_taken(email)
        changes["email"] = email
    name = (account.name or "").strip()
    if name and name != user.name:
        users.check_name(name)
        changes["name"] = name
    external_id = account.external_id or None
    if account.external_id is not None and external_id != user.scim_external_id:
        _check_external_id(external_id, user)
        changes["external_id"] = external_id or ""
    unit = _unit_to_move_to(user, account.department)
    if unit is not None:
        changes["unit"] = unit.code or unit.name
    deactivating = account.active is False and user.active
    reactivating = account.active is True and not user.active
    if not permissions.provisioning_may_change(user):
        if deactivating:  # a leaver loses access; the rest is the application's to decide
            if changes:
                audit.record(None, "user.provisioning_refused", user, via=VIA, **changes)
            users.deactivate(user, via=VIA)
            return user
        if changes or reactivating:
            raise PermissionDenied(str(permissions.MANAGED_IN_APPLICATION_REFUSAL))
        return user
    if reactivating and not permissions.provisioning_may_reactivate(user):
        raise PermissionDenied(str(permissions.REACTIVATION_REFUSAL))
    if "email" in changes:
        user.email = email
        # Nothing issued to the old address survives it: sessions end here, and password
        # reset links carry the address in their fingerprint.
        users.end_all_sessions(user)
    if "name" in changes:
        user.name = name
    if "external_id" in changes:
        user.scim_external_id = external_id
    if changes:
        audit.record(None, "user.provisioning_changed", user, via=VIA, **changes)
    if unit is not None:
        users.move_to_unit(user, unit, via=VIA)
    if deactivating:
        users.deactivate(user, via=VIA)
    elif reactivating:
        users.reactivate(user, via=VIA)
    return user


def _unit_to_move_to(user: User, department: str | None) -> Unit | None:
    """The open unit the department names, if it is not the person's unit already."""
    if not (department or "").strip():
        return None
    unit = unit_for(department)
    if unit is None:
        # Not refused: the same request may carry a deactivation, which must not wait for the
        # unit register. The audit trail and the log tell the IT department.
        audit.record(None, "user.provisioning_unit_unknown", user, via=VIA,
                     department=department.strip())
        current_app.logger.warning("SCIM: no open unit with code or name %r; user %s keeps "
                                   "unit %s", department.strip(), user.id, user.unit_id)
        return None
    return None if unit.id == user.unit_id else unit


def remove(user: User) -> None:
    """The provider deleted the person: deactivate and detach; the row and its history stay."""
    if user.active:
        users.deactivate(user, via=VIA)
    user.scim_deleted_at = utcnow()
    user.scim_external_id = None
    audit.record(None, "user.deprovisioned", user, via=VIA)
