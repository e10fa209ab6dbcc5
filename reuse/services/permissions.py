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
