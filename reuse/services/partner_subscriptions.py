"""The categories a partner's person wants to hear about: when an item of one of them reaches
their organisation's stage, the stage job tells them (PartnerSubscription rows)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.models import Category, PartnerSubscription, User
from reuse.services import audit
from reuse.services.errors import InvalidInput, PermissionDenied
from reuse.services.permissions import can_use_partner_pages


def subscribed_category_ids(user: User) -> set[int]:
    return set(db.session.scalars(select(PartnerSubscription.category_id)
                                  .where(PartnerSubscription.user_id == user.id)))


def set_subscriptions(user: User, category_ids: Iterable[int]) -> tuple[int, int]:
    """Hear about exactly these categories from now on; returns (added, removed).

    Retired categories may be kept (a person need not lose a choice because it was retired)
    but not newly chosen; an unknown id is bad input."""
    if not can_use_partner_pages(user):
        raise PermissionDenied(_("Bare samarbeidspartnere kan velge varsler om kategorier."))
    wanted = set(category_ids)
    current = subscribed_category_ids(user)
    added = wanted - current
    if added:
        found = {c.id: c for c in db.session.scalars(
            select(Category).where(Category.id.in_(added)))}
        if set(found) != added or any(c.retired_at is not None for c in found.values()):
            raise InvalidInput(_("Velg blant kategoriene i listen."), field="categories")
    removed = current - wanted
    if removed:
        db.session.execute(delete(PartnerSubscription).where(
            PartnerSubscription.user_id == user.id,
            PartnerSubscription.category_id.in_(removed)))
    for category_id in sorted(added):
        db.session.add(PartnerSubscription(user_id=user.id, category_id=category_id))
    db.session.flush()
    if added or removed:
        audit.record(user, "user.subscriptions_changed", db.session.get(User, user.id),
                     added=sorted(added),
                     removed=sorted(removed))
    return len(added), len(removed)
