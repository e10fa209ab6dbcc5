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

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, false, or_, true

from reuse.extensions import db
from reuse.models import Item, Photo, Role, User
from reuse.services.errors import NotFound, PermissionDenied

# Ids beyond a 32-bit integer are refused before they reach the database (PostgreSQL's
# integer columns would answer with an error, not with "no such row").
MAX_ID = 2**31 - 1


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


def manageable_items(user: User) -> ColumnElement[bool]:
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
    """An item that is not withdrawn (listed, reserved or handed over): every active user.

    A withdrawn item: only those who may manage it (its lister, a unit admin of its unit,
    admins). Withdrawing takes the description, location and photos away from everyone
    else, the lister's colleagues included: they could not act on it anyway, and the
    lister may have withdrawn it because something in it should not have been shown.
    Claims already approved on it stay visible to their parties through the claim.
    """
    if not user.is_active:
        return False
    return not item.is_withdrawn or can_manage_item(user, item)


def visible_items(user: User) -> ColumnElement[bool]:
    """SQL form of can_see_item."""
    if not user.is_active:
        return false()
    return or_(Item.withdrawn_at.is_(None), manageable_items(user))


def visible_item(user: User, item_id: int) -> Item:
    """The item, if this user may see it; NotFound otherwise (as for an unknown id)."""
    # The loader lives with the item service, which itself asks this module for rules.
    from reuse.services import items

    item = items.get_item(item_id) if _known_id(item_id) else None
    if item is None or not can_see_item(user, item):
        raise NotFound(_("Fant ikke annonsen. Den kan være fjernet."))
    return item


def manageable_item(user: User, item_id: int) -> Item:
    """The item, if this user may change it: NotFound if they may not see it, else
    PermissionDenied if they may see but not manage it."""
    item = visible_item(user, item_id)
    if not can_manage_item(user, item):
        raise PermissionDenied(_("Bare den som la ut annonsen, enhetens administrator og "
                                 "systemadministratorer kan endre den."))
    return item


def can_claim(user: User, item: Item) -> bool:
    """Anyone active may claim other units' items; never their own unit's. (Whether there is
    anything left to claim is the claim service's business: a withdrawn or taken item is a
    conflict with its state, not a question of who asks.)"""
    return user.is_active and user.unit_id != item.unit_id


# -- photos ---------------------------------------------------------------------------------

def visible_photo(user: User, filename: str) -> Photo:
    """A stored photo file (full size or thumbnail) goes to exactly those who may see its
    item: a withdrawn item's photos stop loading for everyone else."""
    from reuse.services import photos

    photo = photos.stored_file(filename)
    if photo is None or not can_see_item(user, photo.item):
        raise NotFound(_("Fant ikke bildet."))
    return photo


def managed_photo(user: User, item_id: int, photo_id: int) -> Photo:
    """A photo of an item this user may manage (change its text, remove it)."""
    manageable_item(user, item_id)
    photo = db.session.get(Photo, photo_id) if _known_id(photo_id) else None
    if photo is None or photo.item_id != item_id:
        raise NotFound(_("Fant ikke bildet."))
    return photo


# -- claims ---------------------------------------------------------------------------------

def can_decide_claim(user: User, claim) -> bool:
    """Approve or decline: the item's lister, a unit admin of the item's unit, or an admin."""
    item = claim.item
    if not user.is_active:
        return False
    if user.role == Role.ADMIN or user.id == item.created_by_id:
        return True
    return user.role == Role.UNIT_ADMIN and user.unit_id == item.unit_id


def can_cancel_claim(user: User, claim) -> bool:
    return user.is_active and user.id == claim.claimant_id


def can_confirm_collection(user: User, claim) -> bool:
    """Whoever is there when the things change hands: the claimant or the item's unit."""
    if not user.is_active:
        return False
    return (user.id == claim.claimant_id or user.unit_id == claim.item.unit_id
            or user.role == Role.ADMIN)


def can_see_claim(user: User, claim) -> bool:
    return user.is_active and (
        user.role == Role.ADMIN or user.id == claim.claimant_id
        or user.unit_id in (claim.unit_id, claim.item.unit_id))


def can_correct_records(user: User) -> bool:
    return user.is_active and user.role == Role.ADMIN


# -- reports, goals and factors -------------------------------------------------------------

def can_see_all_reports(user: User) -> bool:
    """The sustainability lead and admins read every unit's figures; others their own unit's."""
    return user.is_active and user.role in (Role.SUSTAINABILITY, Role.ADMIN)


def can_manage_goals(user: User) -> bool:
    return user.is_active and user.role in (Role.SUSTAINABILITY, Role.ADMIN)


def can_manage_factors(user: User) -> bool:
    return user.is_active and user.role in (Role.SUSTAINABILITY, Role.ADMIN)
