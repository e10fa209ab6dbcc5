"""Who may do what. Every view, API endpoint and command asks here."""

from __future__ import annotations

from reuse.models import Item, Role, User


def can_manage_item(user: User, item: Item) -> bool:
    """Edit, withdraw and add photos: the lister, a unit admin of the item's unit, or an admin.

    Other members of the unit may not, so a colleague cannot quietly change someone else's
    listing; the unit admin steps in when the lister has moved on.
    """
    if not user.is_active:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.unit_id != item.unit_id:
        return False
    return user.role == Role.UNIT_ADMIN or item.created_by_id == user.id


def can_claim(user: User, item: Item) -> bool:
    """Anyone active may claim other units' items; never their own unit's."""
    return user.is_active and user.unit_id != item.unit_id


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
