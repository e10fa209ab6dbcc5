"""Partner organisations outside the municipality, and inviting their people.

An organisation is known by its number in the Brønnøysund register (nine digits with a MOD11
check digit). Its people have no unit and no municipal account: they are invited by e-mail
and sign in with one-time links (reuse.services.login_links), or later with a password of
their own. Suspending an organisation shuts its people out at once: their sessions end, and
`User.is_active` refuses their links, passwords and API tokens while it lasts.
"""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import func, select

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.i18n import locale_of
from reuse.models import Partner, PartnerKind, Role, User, utcnow
from reuse.models.partners import MAX_PARTNER_NAME, ORG_NUMBER_LENGTH
from reuse.services import (
    audit,
    characters,
    login_links,
    notifications,
    permissions,
    units,
    users,
)
from reuse.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied

KIND_LABELS = {
    PartnerKind.PUBLIC_BODY.value: _l("Offentlig virksomhet"),
    PartnerKind.NONPROFIT.value: _l("Ideell organisasjon"),
}
ONLY_ADMINS = permissions.ONLY_ADMINS_PARTNERS
PARTNER_NOT_FOUND = _l("Fant ikke samarbeidspartneren.")
# What is missing, in the same words on the admin's form and from the service (the CLI).
NO_NAME = _l("Skriv navnet på organisasjonen.")
NO_ORG_NUMBER = _l("Skriv organisasjonsnummeret.")
# What a form takes for an organisation number: nine digits, and the spaces people type
# between them ("974 760 673"), which normalise_org_number removes.
MAX_ORG_NUMBER_INPUT = 20

_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def valid_org_number(number: str) -> bool:
    """Nine digits whose last is the MOD11 check digit of the first eight (weights 3, 2, 7,
    6, 5, 4, 3, 2; 11 - sum % 11, where 11 means 0 and 10 means no valid number)."""
    if len(number) != ORG_NUMBER_LENGTH or not number.isascii() or not number.isdigit():
        return False
    check = 11 - sum(int(digit) * weight for digit, weight in zip(number, _WEIGHTS,
                                                                    strict=False)) % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(number[-1])


def normalise_org_number(number: str) -> str:
    """The nine digits as written in the register: spaces people type ("974 760 673") go."""
    return "".join(number.split())


def _require_manager(admin: User | None) -> None:
    if admin is not None and not permissions.can_manage_partners(admin):
        raise PermissionDenied(str(ONLY_ADMINS))


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput(str(NO_NAME), field="name")
    if len(name) > MAX_PARTNER_NAME:
        raise InvalidInput(units.name_too_long(MAX_PARTNER_NAME), field="name")
    characters.check(name, _("Navn"), field="name")
    return name


def _checked_org_number(number: str) -> str:
    number = normalise_org_number(number)
    if not number:
        raise InvalidInput(str(NO_ORG_NUMBER), field="org_number")
    if not valid_org_number(number):
        raise InvalidInput(_("«%(number)s» er ikke et gyldig organisasjonsnummer: det har ni "
                             "siffer, og det siste er et kontrollsiffer.", number=number),
                           field="org_number")
    return number


def create_partner(admin: User | None, name: str, org_number: str, kind: str) -> Partner:
    """A new partner organisation. `admin` None: the command line."""
    _require_manager(admin)
    name = _checked_name(name)
    org_number = _checked_org_number(org_number)
    if kind not in KIND_LABELS:
        raise InvalidInput(_("Velg hva slags organisasjon det er: offentlig virksomhet "
                             "(public_body) eller ideell organisasjon (nonprofit)."),
                           field="kind")
    if db.session.scalar(select(Partner.id).where(func.lower(Partner.name) == name.lower())):
        raise InvalidInput(_("Det finnes allerede en samarbeidspartner som heter «%(name)s».",
                             name=name), field="name")
    if db.session.scalar(select(Partner.id).where(Partner.org_number == org_number)):
        raise InvalidInput(_("Organisasjonsnummer %(number)s er allerede registrert.",
                             number=org_number), field="org_number")
    partner = Partner(name=name, org_number=org_number, kind=kind)
    db.session.add(partner)
    db.session.flush()
    audit.record(admin, "partner.created", partner, name=name, org_number=org_number,
                 kind=kind)
    return partner


def get_by_org_number(org_number: str) -> Partner:
    """The organisation with this number; NotFound (a one-line refusal) if none."""
    number = normalise_org_number(org_number)
    partner = db.session.scalar(select(Partner).where(Partner.org_number == number))
    if partner is None:
        raise NotFound(_("Fant ingen samarbeidspartner med organisasjonsnummer %(number)s.",
                         number=number))
    return partner


def managed_partner(admin: User, partner_id: int) -> Partner:
    """The organisation an admin's page names: PermissionDenied for anyone but an admin,
    NotFound for an unknown id."""
    _require_manager(admin)
    partner = db.session.get(Partner, partner_id) if 0 < partner_id < 2**31 else None
    if partner is None:
        raise NotFound(str(PARTNER_NOT_FOUND))
    return partner


def people_of(partner: Partner) -> list[User]:
    return list(db.session.scalars(select(User).where(User.partner_id == partner.id)
                                   .order_by(func.lower(User.name), User.id)))


def all_partners() -> list[tuple[Partner, int]]:
    """Every organisation by name, with how many people it has."""
    people = (select(func.count(User.id)).where(User.partner_id == Partner.id)
              .correlate(Partner).scalar_subquery())
    return [(partner, count) for partner, count in db.session.execute(
        select(Partner, people).order_by(func.lower(Partner.name), Partner.id))]


def suspend_partner(admin: User | None, partner: Partner) -> bool:
    """Shut the organisation's people out: every session of theirs ends now, and links,
    passwords and API tokens are refused while it is suspended. False if it already was."""
    _require_manager(admin)
    if partner.is_suspended:
        return False
    partner.suspended_at = utcnow()
    for person in people_of(partner):
        users.end_all_sessions(person)
    audit.record(admin, "partner.suspended", partner)
    return True


def resume_partner(admin: User | None, partner: Partner) -> bool:
    """Let the organisation's people in again. False if it was not suspended."""
    _require_manager(admin)
    if not partner.is_suspended:
        return False
    partner.suspended_at = None
    audit.record(admin, "partner.resumed", partner)
    return True


def invite_partner_person(admin: User | None, partner: Partner, email: str,
                          name: str = "") -> str:
    """Give a person of the organisation an account (or find theirs) and e-mail them a
    sign-in link; returns a sign-in link of its own (the command line prints it).

    The account has no unit, no municipal role and no password. An address that belongs to
    the municipality's own people, or to another organisation's, is refused."""
    _require_manager(admin)
    email = users.normalise_email(email)
    if partner.is_suspended:
        raise Conflict(_("%(name)s er suspendert. Gjenopprett organisasjonen før du inviterer "
                         "noen.", name=partner.name))
    person = users.find_by_email(email)
    if person is not None and not person.is_partner:
        raise InvalidInput(_("%(email)s tilhører en konto i kommunen. Partnere må ha en egen "
                             "e-postadresse.", email=email), field="email")
    if person is not None and person.partner_id != partner.id:
        raise InvalidInput(_("%(email)s tilhører en annen samarbeidspartner.", email=email),
                           field="email")
    if person is not None and not person.active:
        raise Conflict(users.deactivated(email))
    if person is None:
        name = name.strip() or email.split("@")[0]
        users.check_name(name)
        person = User(email=email, name=name, role=Role.PARTNER.value, partner=partner,
                      unit_id=None, password_hash="")
        db.session.add(person)
        db.session.flush()
        audit.record(admin, "partner.person_created", person, partner=partner.id)
    with force_locale(locale_of(person)):
        subject = _("Invitasjon til Gjenbruk")
        body = _("Du er invitert til Gjenbruk, Bergen kommunes markedsplass for møbler og utstyr "
                 "som kan brukes igjen, for %(organisation)s. Lenken under logger deg inn. Den "
                 "virker i %(minutes)s minutter og bare én gang; på innloggingssiden kan du "
                 "be om en ny.", organisation=partner.name, minutes=login_links.minutes())
    notifications.notify(person, notifications.LOGIN_LINK, subject, body)
    audit.record(admin, "partner.person_invited", person, partner=partner.id)
    return login_links.create_link(person)


def set_own_password(user: User, password: str, current_password: str | None = None) -> None:
    """A partner's person sets (or changes) a password of their own: afterwards the password
    form signs them in as well as a link does. Every other session of theirs ends. Changing
    one asks for the current one: a session left open must not lock its owner out."""
    if not permissions.can_set_partner_password(user):
        raise PermissionDenied(_("Bare samarbeidspartnere lager passord her."))
    if user.password_hash and not users.password_matches(user, current_password):
        raise InvalidInput(_("Det nåværende passordet stemmer ikke."),
                           field="current_password")
    users.check_password_strength(password, email=user.email, name=user.name)
    user.password_hash = users.hash_password(password)
    users.end_all_sessions(user)
    audit.record(user, "user.password_set", user)

