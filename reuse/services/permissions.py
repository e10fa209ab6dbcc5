"""Who may see and do what: the one home of every visibility and permission rule.

Each rule is written once here, and where lists need it, beside its SQL form (a where-clause
for "the rows this user may see"), so a list and a single object's page can never disagree.
Every object also has one user-aware getter (`visible_item`, `visible_photo`, …): pages, the
API, the photo route and commands load objects through it, never by id alone.

A getter answers "not found" when the user may not see the object at all, so an id reveals
nothing; a user who may see it but not do something gets "permission denied" from the rule.
Deactivated users may see and do nothing.
"""

from __future__ import annotations

import json

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import (
    MUNICIPAL_ROLES,
    ApiToken,
    AuditEvent,
    Category,
    Claim,
    Disposition,
    Item,
    PartnerKind,
    PendingPhoto,
    Photo,
    ReuseCheck,
    ReuseRecord,
    Role,
    Stage,
    Unit,
    User,
    WantedRequest,
)
from reuse.services.errors import NotFound, PermissionDenied
from reuse.services.numbers import MAX_INT
from reuse.services.trees import subtree_id_list

# Ids beyond a 32-bit integer are refused before they reach the database (PostgreSQL's
# integer columns would answer with an error, not with "no such row").
MAX_ID = MAX_INT

PHOTO_NOT_FOUND = _l("Fant ikke bildet.")
UNIT_NOT_FOUND = _l("Fant ingen slik enhet.")
RECORD_NOT_FOUND = _l("Fant ikke føringen.")
ONLY_ADMINS_CORRECT = _l("Bare systemadministratorer kan korrigere gjenbruksføringer.")


def _known_id(ident: int) -> bool:
    return isinstance(ident, int) and 0 < ident <= MAX_ID


# -- items ----------------------------------------------------------------------------------

def can_manage_item(user: User, item: Item) -> bool:
    """Edit, withdraw and add photos: the lister, a unit admin of the item's unit, or an admin.

    Other members of the unit may not, so a colleague cannot quietly change someone else's
    listing; the unit admin steps in when the lister has moved on (a lister who moved to
    another unit no longer manages the old unit's listings).
    """
    if not user.is_active:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.unit_id != item.unit_id:
        return False
    return user.role == Role.UNIT_ADMIN or item.created_by_id == user.id


def items_manageable_by(user: User) -> ColumnElement[bool]:
    """SQL form of can_manage_item."""
    if not user.is_active:
        return false()
    if user.role == Role.ADMIN:
        return true()
    same_unit = Item.unit_id == user.unit_id
    if user.role == Role.UNIT_ADMIN:
        return same_unit
    return and_(same_unit, Item.created_by_id == user.id)


def can_see_item(user: User, item: Item) -> bool:
    """An item that is not withdrawn (listed, reserved or handed over): every active user of
    the municipality.

    A withdrawn item: only those who may manage it (its lister, a unit admin of its unit,
    admins). Withdrawing takes the description, location and photos away from everyone
    else, the lister's colleagues included: they could not act on it anyway, and the
    lister may have withdrawn it because something in it should not have been shown.
    Claims already approved on it stay visible to their parties through the claim.

    A partner's person: only what the cascade offers their organisation now
    (is_offered_to_partner), and the items their organisation has claimed.
    """
    if not user.is_active:
        return False
    if user.is_partner:
        return is_offered_to_partner(user, item) or _claimed_by_partner(user, item)
    return not item.is_withdrawn or can_manage_item(user, item)


def items_visible_to(user: User) -> ColumnElement[bool]:
    """SQL form of can_see_item."""
    if not user.is_active:
        return false()
    if user.is_partner:
        return or_(items_offered_to_partner(user), Item.id.in_(select(Claim.item_id).where(
            Claim.partner_id == user.partner_id, Claim.open())))
    return or_(Item.withdrawn_at.is_(None), items_manageable_by(user))


def visible_item(user: User, item_id: int) -> Item:
    """The item, if this user may see it; NotFound otherwise (as for an unknown id)."""
    # The loader lives with the item service, which itself asks this module for rules.
    from reuse.services import items

    item = items.get_item(item_id) if _known_id(item_id) else None
    if item is None or not can_see_item(user, item):
        raise NotFound(str(items.NOT_FOUND))
    return item


def manageable_item(user: User, item_id: int) -> Item:
    """The item, if this user may change it: NotFound if they may not see it, else
    PermissionDenied if they may see but not manage it."""
    item = visible_item(user, item_id)
    if not can_manage_item(user, item):
        raise PermissionDenied(_("Bare den som la ut annonsen, enhetens administrator og "
                                 "systemadministratorer kan endre den."))
    return item


def can_relist_item(user: User, item: Item) -> bool:
    """Put a withdrawn item out again, as a new listing: those who manage it, so the thing
    comes back under the same hands. (Withdrawn stays final for the old listing; whether
    there is a withdrawn item with anything left to list is the item service's business.)"""
    return can_manage_item(user, item)


def can_claim(user: User, item: Item) -> bool:
    """Anyone active in the municipality may claim other units' items; never their own
    unit's. A partner's person, what the cascade offers their organisation now. (Whether
    there is anything left to claim is the claim service's business: a withdrawn or taken
    item is a conflict with its state, not a question of who asks.)"""
    if not user.is_active:
        return False
    if user.is_partner:
        return is_offered_to_partner(user, item, listed_or_not=True)
    return user.unit_id != item.unit_id


# -- the cascade: partners outside the municipality ----------------------------------------
#
# The cascade widens: public bodies may claim from the `public_bodies` stage on, non-profits
# from `nonprofits` on; at `final` nobody outside claims (the lister records the ends).
# Units of the municipality may claim at every stage. An electrical item is offered outside
# only once it is marked safety-checked. A partner's person never sees a withdrawn item, the
# internal stage, or another organisation's claims.

STAGES_OFFERED = {
    PartnerKind.PUBLIC_BODY.value: (Stage.PUBLIC_BODIES.value, Stage.NONPROFITS.value),
    PartnerKind.NONPROFIT.value: (Stage.NONPROFITS.value,),
}


def stages_offered_to(user: User) -> tuple[str, ...]:
    """The stages at which this partner's person may see and claim items (none for others)."""
    if not user.is_active or not user.is_partner or user.partner is None:
        return ()
    return STAGES_OFFERED.get(user.partner.kind, ())


def may_leave_municipality(item: Item) -> bool:
    """An electrical item leaves the municipality only after its safety check."""
    return item.safety_checked_at is not None or not item.category.electrical


def is_offered_to_partner(user: User, item: Item, *, listed_or_not: bool = False) -> bool:
    """Whether the cascade offers this item to the partner's organisation now: not withdrawn,
    at one of its stages, allowed to leave the municipality, and (unless listed_or_not)
    with pieces left to claim."""
    return (item.stage in stages_offered_to(user) and not item.is_withdrawn
            and may_leave_municipality(item)
            and (listed_or_not or item.quantity_available > 0))


def items_offered_to_partner(user: User) -> ColumnElement[bool]:
    """SQL form of is_offered_to_partner."""
    stages = stages_offered_to(user)
    if not stages:
        return false()
    electrical = select(Category.id).where(Category.electrical)
    return and_(Item.listed(), Item.stage.in_(stages),
                or_(Item.safety_checked_at.is_not(None), Item.category_id.not_in(electrical)))


def _claimed_by_partner(user: User, item: Item) -> bool:
    """An item the organisation has an open claim on stays in sight until it is collected,
    whatever its stage (an approved claim is a promise); afterwards the claim page carries
    what they need, and a withdrawn or internal item goes out of sight."""
    return db.session.scalar(select(Claim.id).where(
        Claim.item_id == item.id, Claim.partner_id == user.partner_id, Claim.open()
    ).limit(1)) is not None


def can_move_stage(user: User, item: Item) -> bool:
    """Move an item on early, or keep it internal longer: those who manage it."""
    return can_manage_item(user, item)


def can_mark_safety_checked(user: User, item: Item) -> bool:
    """Record the electrical safety check: those who manage the item."""
    return can_manage_item(user, item)


def can_record_disposition(user: User, item: Item) -> bool:
    """Record how pieces ended at the final stage (sold, donated, recycled, disposed): those
    who manage the item."""
    return can_manage_item(user, item)


def can_correct_dispositions(user: User) -> bool:
    """Reverse a disposition: admins only, as reuse records."""
    return can_correct_records(user)


def disposition_to_correct(user: User, disposition_id: int) -> Disposition:
    """A disposition this user may correct: NotFound for an unknown one, PermissionDenied
    for anyone but an admin."""
    disposition = db.session.get(Disposition, disposition_id) \
        if _known_id(disposition_id) else None
    if disposition is None:
        raise NotFound(str(RECORD_NOT_FOUND))
    if not can_correct_dispositions(user):
        raise PermissionDenied(str(ONLY_ADMINS_CORRECT))
    return disposition


ONLY_ADMINS_PARTNERS = _l("Bare administratorer kan administrere samarbeidspartnere.")


def can_manage_partners(user: User) -> bool:
    """Create, suspend and invite people of partner organisations: admins only (who may
    claim the municipality's things is the municipality's decision)."""
    return administers_everything(user)


def can_use_partner_pages(user: User) -> bool:
    """The partner pages (what the cascade offers, the organisation's claims, the categories
    to hear about): an active partner's person only; to anyone else they do not exist."""
    return user.is_active and user.is_partner


def can_set_partner_password(user: User) -> bool:
    """A partner's person may set a password of their own (and then sign in with it even
    where passwords are otherwise for administrators only); the municipality's people use
    their municipal account."""
    return user.is_active and user.is_partner


def may_sign_in_with_password(user: User, *, password_login: bool) -> bool:
    """Whether a right password signs this person in. With PASSWORD_LOGIN off, passwords are
    the administrators' way in when single sign-on is down, and partners' (who have no
    municipal account)."""
    return password_login or user.role in (Role.ADMIN, Role.PARTNER)


def partner_person(user: User, partner_id: int, person_id: int) -> User:
    """A person of this partner organisation, for those who manage partners: PermissionDenied
    for anyone else, NotFound for an id that is not one of the organisation's people."""
    if not can_manage_partners(user):
        raise PermissionDenied(str(ONLY_ADMINS_PARTNERS))
    person = db.session.get(User, person_id) if _known_id(person_id) else None
    if person is None or not person.is_partner or person.partner_id != partner_id:
        raise NotFound(str(PERSON_NOT_FOUND))
    return person


# Where a partner's person may go at all: their own pages, signing in and out, the language
# switch, their notifications and the photos of what they may see (the photo route asks
# can_see_item). Everything else answers as if it did not exist. The API: the catalogue,
# items, their claims and the contract itself.
PARTNER_WEB_PREFIXES = ("partner.", "auth.", "notifications.")
PARTNER_WEB_ENDPOINTS = frozenset({"static", "catalog.photo_file"})
PARTNER_API_ENDPOINTS = frozenset({
    "api.openapi", "api.list_categories", "api.list_items", "api.get_item",
    "api.create_claim", "api.list_claims", "api.get_claim", "api.cancel_claim",
    "api.collect_claim",
})


def partner_may_use(endpoint: str | None) -> bool:
    """Whether a partner's person may reach this endpoint (web or API) at all."""
    if endpoint is None:
        return False
    if endpoint.startswith("api."):
        return endpoint in PARTNER_API_ENDPOINTS
    return endpoint in PARTNER_WEB_ENDPOINTS or endpoint.startswith(PARTNER_WEB_PREFIXES)


# -- photos ---------------------------------------------------------------------------------

def visible_photo(user: User, filename: str) -> Photo | PendingPhoto:
    """A stored photo file (full size or thumbnail) goes to exactly those who may see its
    item: a withdrawn item's photos stop loading for everyone else. A photo still waiting
    for its form goes to its uploader only."""
    from reuse.services import photos

    photo = photos.stored_file(filename)
    if isinstance(photo, PendingPhoto):
        visible = owns_pending_photo(user, photo)
    else:
        visible = photo is not None and can_see_item(user, photo.item)
    if not visible:
        raise NotFound(str(PHOTO_NOT_FOUND))
    return photo


def owns_pending_photo(user: User, pending: PendingPhoto) -> bool:
    """A photo chosen on a form that has not gone through is its uploader's alone: nobody
    else may see it or attach it to an item, admins included."""
    return user.is_active and pending.user_id == user.id


def pending_photos_of(user: User) -> ColumnElement[bool]:
    """SQL form of owns_pending_photo."""
    if not user.is_active:
        return false()
    return PendingPhoto.user_id == user.id


def own_pending_photos(user: User, tokens: list[str]) -> list[PendingPhoto]:
    """The photos these form references name that are this user's, in the order given.
    A reference to anyone else's, or to one removed since, is left out, as if unknown."""
    wanted = [token for token in dict.fromkeys(tokens) if isinstance(token, str) and token]
    if not wanted:
        return []
    found = {pending.token: pending for pending in db.session.scalars(
        select(PendingPhoto).where(PendingPhoto.token.in_(wanted), pending_photos_of(user)))}
    return [found[token] for token in wanted if token in found]


def managed_photo(user: User, item_id: int, photo_id: int) -> Photo:
    """A photo of an item this user may manage (change its text, remove it)."""
    manageable_item(user, item_id)
    photo = db.session.get(Photo, photo_id) if _known_id(photo_id) else None
    if photo is None or photo.item_id != item_id:
        raise NotFound(str(PHOTO_NOT_FOUND))
    return photo


# -- reuse checks ---------------------------------------------------------------------------

def can_see_check(user: User, check: ReuseCheck) -> bool:
    """Its author, the unit admins of the unit it was made for, the sustainability lead and
    admins.

    Not the author's colleagues, and so not in the report's list of checks either: a check
    holds a person's need, what they were about to buy and why they bought new. The unit's
    admin answers for the unit's purchases and the lead for the municipality's figures;
    colleagues see the counts in the unit's report, not the rows behind them.
    """
    if not user.is_active:
        return False
    if user.role in (Role.ADMIN, Role.SUSTAINABILITY) or user.id == check.user_id:
        return True
    return user.role == Role.UNIT_ADMIN and user.unit_id == check.unit_id


def checks_visible_to(user: User) -> ColumnElement[bool]:
    """SQL form of can_see_check."""
    if not user.is_active:
        return false()
    if user.role in (Role.ADMIN, Role.SUSTAINABILITY):
        return true()
    own = ReuseCheck.user_id == user.id
    if user.role == Role.UNIT_ADMIN:
        return or_(own, ReuseCheck.unit_id == user.unit_id)
    return own


def sees_every_check(user: User) -> bool:
    """Whether checks_visible_to(user) leaves nothing out."""
    return user.is_active and user.role in (Role.ADMIN, Role.SUSTAINABILITY)


def visible_check(user: User, check_id: int) -> ReuseCheck:
    """The check, if this user may see it; NotFound otherwise (as for an unknown id)."""
    from reuse.services import checks

    check = checks.get_check(check_id) if _known_id(check_id) else None
    if check is None or not can_see_check(user, check):
        raise NotFound(str(checks.NOT_FOUND))
    return check


def can_close_check(user: User, check: ReuseCheck) -> bool:
    """Record how a check ended (a claim from it, a claim linked to it, or bought new): its
    author only.

    The outcome is the author's own account of their purchase, and "reused" points at a
    claim of theirs; a unit admin or an admin recording it would speak for them. Those who
    may see the check read the outcome; nobody else writes it.
    """
    return user.is_active and user.id == check.user_id


# -- claims ---------------------------------------------------------------------------------

def can_decide_claim(user: User, claim: Claim) -> bool:
    """Approve or decline: the item's lister, a unit admin of the item's unit, or an admin."""
    item = claim.item
    if not user.is_active:
        return False
    if user.role == Role.ADMIN or user.id == item.created_by_id:
        return True
    return user.role == Role.UNIT_ADMIN and user.unit_id == item.unit_id


def can_cancel_claim(user: User, claim: Claim) -> bool:
    """Withdraw a request while it is open: the claimant only; their unit's colleagues
    ask them, and the item's side declines instead."""
    return user.is_active and user.id == claim.claimant_id


def can_confirm_collection(user: User, claim: Claim) -> bool:
    """Whoever is there when the things change hands: the claimant or the item's unit."""
    if not user.is_active:
        return False
    return (user.id == claim.claimant_id or user.unit_id == claim.item.unit_id
            or user.role == Role.ADMIN)


def can_see_claim(user: User, claim: Claim) -> bool:
    """The claimant, the receiving unit (its people fetch the things), the item's unit (its
    people hand them over, whoever listed them) and admins.

    Not the sustainability lead: a claim carries people's names and messages, and the lead's
    figures come from the records in the reports. The claim stays visible to these people
    when its item is withdrawn: an approved claim was a promise and must still be collected.
    """
    if not user.is_active:
        return False
    if user.is_partner:  # their organisation's claims, never another's
        return claim.partner_id is not None and claim.partner_id == user.partner_id
    return (user.role == Role.ADMIN or user.id == claim.claimant_id
            or user.unit_id in (claim.unit_id, claim.item.unit_id))


def claims_visible_to(user: User) -> ColumnElement[bool]:
    """SQL form of can_see_claim."""
    if not user.is_active:
        return false()
    if user.role == Role.ADMIN:
        return true()
    if user.is_partner:
        return Claim.partner_id == user.partner_id
    return or_(Claim.claimant_id == user.id, Claim.unit_id == user.unit_id,
               Claim.item_id.in_(select(Item.id).where(Item.unit_id == user.unit_id)))


def visible_claim(user: User, claim_id: int) -> Claim:
    """The claim, if this user may see it; NotFound otherwise (as for an unknown id)."""
    from reuse.services import claims

    claim = claims.get_claim(claim_id) if _known_id(claim_id) else None
    if claim is None or not can_see_claim(user, claim):
        raise NotFound(str(claims.NOT_FOUND))
    return claim


def can_correct_records(user: User) -> bool:
    """Reverse a reuse record: admins only, since it changes every report that counted it."""
    return user.is_active and user.role == Role.ADMIN


def record_to_correct(user: User, record_id: int) -> ReuseRecord:
    """A reuse record this user may correct: NotFound for an unknown one, PermissionDenied
    for anyone but an admin."""
    record = db.session.get(ReuseRecord, record_id) if _known_id(record_id) else None
    if record is None:
        raise NotFound(str(RECORD_NOT_FOUND))
    if not can_correct_records(user):
        raise PermissionDenied(str(ONLY_ADMINS_CORRECT))
    return record


# -- wanted requests ------------------------------------------------------------------------

def owns_wanted_request(user: User, request: WantedRequest) -> bool:
    """A wanted request is its owner's own standing search: only they see, close or renew it.

    Admins neither: there is no page that lists other people's wishes, a wish holds nothing
    of the municipality's, and a deactivated person's wishes notify nobody. (The page let
    an admin close another person's wish while the API answered 404.)
    """
    return user.is_active and request.user_id == user.id


def wanted_requests_of(user: User) -> ColumnElement[bool]:
    """SQL form of owns_wanted_request."""
    if not user.is_active:
        return false()
    return WantedRequest.user_id == user.id


def own_wanted_request(user: User, request_id: int) -> WantedRequest:
    """The user's own wanted request; NotFound for anyone else's (as for an unknown id)."""
    request = db.session.get(WantedRequest, request_id) if _known_id(request_id) else None
    if request is None or not owns_wanted_request(user, request):
        raise NotFound(_("Fant ikke ønsket."))
    return request


# -- reports, goals and factors -------------------------------------------------------------

def can_see_all_reports(user: User) -> bool:
    """The sustainability lead and admins read every unit's figures; others their own unit's."""
    return user.is_active and user.role in (Role.SUSTAINABILITY, Role.ADMIN)


def can_see_unit_report(user: User, unit_id: int) -> bool:
    """A unit's report (its figures, the records and the check counts behind them): the lead
    and admins for every unit; everyone else for their own unit and the units under it."""
    if can_see_all_reports(user):
        return True
    if not user.is_active or user.is_partner:
        return False
    return unit_id in subtree_id_list(Unit, user.unit_id)


def can_manage_goals(user: User) -> bool:
    return user.is_active and user.role in (Role.SUSTAINABILITY, Role.ADMIN)


def can_manage_factors(user: User) -> bool:
    return user.is_active and user.role in (Role.SUSTAINABILITY, Role.ADMIN)


def can_manage_categories(user: User) -> bool:
    """The category tree (create, rename, move, retire): the people who keep its factors."""
    return can_manage_factors(user)


# -- purchases ------------------------------------------------------------------------------

def can_manage_purchases(user: User) -> bool:
    """Importing purchase lines and keeping the rules that give them a category: the people
    who answer for the figures. Who reads the purchase report follows the unit reports."""
    return user.is_active and user.role in (Role.SUSTAINABILITY, Role.ADMIN)


# -- administration -------------------------------------------------------------------------

def can_administer(user: User) -> bool:
    """The administration pages: admins for everything, unit admins for their unit and below."""
    return user.is_active and user.role in (Role.ADMIN, Role.UNIT_ADMIN)


def administers_everything(user: User) -> bool:
    return user.is_active and user.role == Role.ADMIN


def administered_unit_ids(user: User) -> list[int] | None:
    """The units a user administers: None for all of them (admins), else the unit admin's unit
    and the units under it, else none."""
    if administers_everything(user):
        return None
    if can_administer(user):
        return subtree_id_list(Unit, user.unit_id)
    return []


def can_administer_unit(user: User, unit_id: int) -> bool:
    administered = administered_unit_ids(user)
    return administered is None or unit_id in administered


# -- provisioning (SCIM) --------------------------------------------------------------------

# What provisioning writes into its audit events' details (`via`).
PROVISIONING_VIA = "scim"
# Accounts with these roles are managed in the application, not by the identity provider.
MANAGED_IN_APPLICATION = frozenset({Role.ADMIN.value, Role.SUSTAINABILITY.value})
MANAGED_IN_APPLICATION_REFUSAL = _l(
    "Kontoer med rollen administrator eller bærekraftsansvarlig styres i applikasjonen: "
    "provisjonering kan bare deaktivere dem. Endringer gjøres av en administrator.")
REACTIVATION_REFUSAL = _l(
    "Kontoen ble deaktivert av en administrator eller fra kommandolinjen, ikke av "
    "provisjonering: bare en administrator kan aktivere den igjen.")


def provisioned_users() -> ColumnElement[bool]:
    """The accounts the provisioning client sees: every account it has not deleted, except
    anonymised ones (there is nobody left to provision).

    Accounts made before provisioning began are among them, so the client can find a person
    by address and take the account over instead of making a second one. Partners' people
    are not: they are the partner organisation's, invited by the municipality's admins, and
    the municipality's identity provider neither sees nor changes them.
    """
    from reuse.services import users

    return and_(User.scim_deleted_at.is_(None), ~users.anonymised_accounts(),
                User.partner_id.is_(None))


def provisioned_user(user_id: int) -> User:
    """The account behind a SCIM id, or NotFound (for the client, a deleted or anonymised
    account is gone)."""
    from reuse.services import users

    user = db.session.get(User, user_id) if _known_id(user_id) else None
    if (user is None or user.scim_deleted_at is not None or users.is_anonymised(user)
            or user.is_partner):
        raise NotFound(_("Fant ingen bruker med id %(id)s.", id=user_id))
    return user


def provisioning_may_change(user: User) -> bool:
    """Whether provisioning may change this account's address, name, unit or reactivate it.

    Admins and the sustainability lead are managed in the application: a provisioning token
    that could re-address an admin account could send its password reset to itself. It may
    still deactivate them (a leaver must lose access at once)."""
    return user.role not in MANAGED_IN_APPLICATION and not user.is_partner


def provisioning_may_reactivate(user: User) -> bool:
    """Provisioning opens only what provisioning closed: not an account an administrator or
    the command line deactivated on purpose (the latest `user.deactivated` event says who)."""
    if not provisioning_may_change(user):
        return False
    details = db.session.scalar(
        select(AuditEvent.details)
        .where(AuditEvent.action == "user.deactivated",
               AuditEvent.object_type == User.__tablename__, AuditEvent.object_id == user.id)
        .order_by(AuditEvent.id.desc()).limit(1))
    try:
        return bool(details) and json.loads(details).get("via") == PROVISIONING_VIA
    except (ValueError, AttributeError):
        return False


# -- units ----------------------------------------------------------------------------------

def administered_unit(user: User, unit_id: int) -> Unit:
    """A unit this user administers: NotFound for an unknown id, PermissionDenied for a unit
    outside the user's part of the tree."""
    unit = db.session.get(Unit, unit_id) if _known_id(unit_id) else None
    if unit is None:
        raise NotFound(str(UNIT_NOT_FOUND))
    if not can_administer(user) or not can_administer_unit(user, unit.id):
        raise PermissionDenied(_("Du administrerer ikke denne enheten."))
    return unit


def can_create_top_units(user: User) -> bool:
    """Units at the top of the tree (and moves to the top): admins only."""
    return administers_everything(user)


def can_place_unit_under(user: User, parent_id: int | None) -> bool:
    """Create or move a unit under this parent (None: at the top): a unit admin only within
    their own part of the tree."""
    if parent_id is None:
        return can_create_top_units(user)
    return can_administer(user) and can_administer_unit(user, parent_id)


def can_change_unit(user: User, unit: Unit) -> bool:
    """Rename, move, close or reopen: admins any unit; a unit admin the units under their own,
    not the unit they belong to (they would give away or close their own standing)."""
    if administers_everything(user):
        return True
    return (can_administer(user) and unit.id != user.unit_id
            and can_administer_unit(user, unit.id))


def can_import_units(user: User) -> bool:
    """The organisation from its register replaces anyone's part of the tree: admins only."""
    return administers_everything(user)

# -- people ---------------------------------------------------------------------------------
#
# Seeing a person (the people list and a person's page) follows the units: admins see
# everyone, unit admins the people of their unit and the units under it. Changing a person
# (unit, deactivation, anonymising, their API tokens) also needs the person's role to be one
# the administrator could give: a unit admin sees the sustainability lead or an admin placed
# in their unit but cannot close their account, move them or act through their tokens.
# Nobody changes their own role, or closes their own account, here.

PERSON_NOT_FOUND = _l("Fant ikke personen.")
ONLY_OWN_PEOPLE = _l("Du kan bare endre personer du administrerer, med en rolle du selv "
                     "kan gi.")


def roles_assignable_by(user: User) -> list[Role]:
    """The roles an administrator may give: admins every role; unit admins member and unit
    admin only, never the municipality-wide roles (admin, sustainability lead)."""
    if administers_everything(user):  # a partner's role comes with a partner organisation
        return list(MUNICIPAL_ROLES)
    if can_administer(user):
        return [Role.MEMBER, Role.UNIT_ADMIN]
    return []


def can_administer_person(user: User, person: User) -> bool:
    """See a person in the administration: admins everyone, unit admins their subtree's.
    Partners' people are not the municipality's: the partner pages administer them."""
    if person.is_partner:
        return False
    return can_administer(user) and can_administer_unit(user, person.unit_id)


def people_administered_by(user: User) -> ColumnElement[bool]:
    """SQL form of can_administer_person."""
    if not can_administer(user):
        return false()
    administered = administered_unit_ids(user)
    if administered is None:
        return User.partner_id.is_(None)
    return User.unit_id.in_(administered)


def administered_person(user: User, person_id: int) -> User:
    """The person, if this user administers them. PermissionDenied for someone who
    administers nobody (a member gets 403 on every administration page); NotFound for a
    person outside what they administer (as for an unknown id, so an id reveals nothing)."""
    if not can_administer(user):
        raise PermissionDenied(str(ONLY_OWN_PEOPLE))
    person = db.session.get(User, person_id) if _known_id(person_id) else None
    if person is None or not can_administer_person(user, person):
        raise NotFound(str(PERSON_NOT_FOUND))
    return person


def can_manage_person(user: User, person: User) -> bool:
    """Move a person, deactivate, reactivate or anonymise them, and create or revoke their
    API tokens: those who administer them, if the person's role is one they could give."""
    return can_administer_person(user, person) and person.role in roles_assignable_by(user)


def can_change_role(user: User, person: User) -> bool:
    """Change a person's role: as can_manage_person, never one's own (a unit admin cannot
    promote themselves, and an admin cannot lock the municipality out by accident)."""
    return person.id != user.id and can_manage_person(user, person)


def can_close_account(user: User, person: User) -> bool:
    """Deactivate or anonymise: as can_manage_person, never one's own account. A partner's
    person: those who manage partner organisations (one person who left the organisation is
    closed without suspending everyone else)."""
    if person.is_partner:
        return can_manage_partners(user)
    return person.id != user.id and can_manage_person(user, person)


def can_move_to_unit(user: User, unit: Unit) -> bool:
    """A unit people may be moved to: one this user administers, and not closed."""
    return unit.closed_at is None and can_administer(user) and can_administer_unit(user, unit.id)


def units_for_moving(user: User) -> ColumnElement[bool]:
    """SQL form of can_move_to_unit."""
    if not can_administer(user):
        return false()
    administered = administered_unit_ids(user)
    open_unit = Unit.closed_at.is_(None)
    return open_unit if administered is None else and_(open_unit, Unit.id.in_(administered))


def units_administered_by(user: User) -> ColumnElement[bool]:
    """The units an administrator may filter people and events by, closed ones included."""
    if not can_administer(user):
        return false()
    administered = administered_unit_ids(user)
    return true() if administered is None else Unit.id.in_(administered)


# -- tokens ---------------------------------------------------------------------------------

TOKEN_NOT_FOUND = _l("Fant ikke API-nøkkelen.")
ONLY_ADMINS_SCIM = _l("Bare systemadministratorer kan lage og trekke tilbake SCIM-nøkler.")


def can_see_api_token(user: User, token: ApiToken) -> bool:
    """An API token in the administration: as its owner's page; a partner's person's
    tokens, as their organisation (admins)."""
    if token.user.is_partner:
        return can_manage_partners(user)
    return can_administer_person(user, token.user)


def api_tokens_visible_to(user: User) -> ColumnElement[bool]:
    """SQL form of can_see_api_token."""
    if not can_administer(user):
        return false()
    if administers_everything(user):
        return true()
    return ApiToken.user_id.in_(select(User.id).where(people_administered_by(user)))


def can_manage_api_tokens_of(user: User, person: User) -> bool:
    """Create a token for a person, or revoke one: as can_manage_person. A token acts as its
    owner, so a unit admin may never hold one of an admin or the sustainability lead. A
    partner's person's tokens: those who manage partner organisations (admins)."""
    if person.is_partner:
        return can_manage_partners(user)
    return can_manage_person(user, person)


def visible_api_token(user: User, token_id: int) -> ApiToken:
    """The token, if this user may see it in the administration; NotFound otherwise."""
    if not can_administer(user):
        raise PermissionDenied(str(ONLY_OWN_PEOPLE))
    token = db.session.get(ApiToken, token_id) if _known_id(token_id) else None
    if token is None or not can_see_api_token(user, token):
        raise NotFound(str(TOKEN_NOT_FOUND))
    return token


def can_manage_scim_tokens(user: User) -> bool:
    """Provisioning tokens create and close accounts in every unit: admins only."""
    return administers_everything(user)


# -- the audit log --------------------------------------------------------------------------

def can_see_audit_log(user: User) -> bool:
    return can_administer(user)


def audit_events_visible_to(user: User) -> ColumnElement[bool]:
    """The audit events an administrator may read.

    Admins: every event. Unit admins: events by the people they manage, and events about
    those people (their account, their API tokens) or about the units they administer,
    whoever acted (an admin moving someone into the unit, the provisioning system closing an
    account). "The people they manage" is who is in their units now with a role they could
    give (can_manage_person): an admin or sustainability lead placed in the unit acts for the
    whole municipality, and what they do elsewhere is not the unit's to read. Someone who
    moved away takes their history with them, someone who moved in brings theirs. Events
    about other things (an item, a claim) by people elsewhere stay with those people's
    administrators. Members and the sustainability lead: none.
    """
    if not can_administer(user):
        return false()
    if administers_everything(user):
        return true()
    people = select(User.id).where(people_administered_by(user),
                                   User.role.in_([role.value for role in
                                                  roles_assignable_by(user)]))
    return or_(
        AuditEvent.actor_id.in_(people),
        and_(AuditEvent.object_type == User.__tablename__, AuditEvent.object_id.in_(people)),
        and_(AuditEvent.object_type == ApiToken.__tablename__, AuditEvent.object_id.in_(
            select(ApiToken.id).where(ApiToken.user_id.in_(people)))),
        and_(AuditEvent.object_type == Unit.__tablename__,
             AuditEvent.object_id.in_(administered_unit_ids(user))),
    )
