"""Listing surplus items, changing and withdrawing them, and finding them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import selectinload

from reuse.extensions import db
from reuse.models import Category, ClaimStatus, Condition, Item, Unit, User, utcnow
from reuse.models.catalog import MAX_ITEM_QUANTITY
from reuse.services import audit, claims, notifications, text, wanted
from reuse.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from reuse.services.permissions import can_manage_item
from reuse.services.trees import subtree_ids

INTERNAL_PERIOD_DAYS = 30
MAX_QUANTITY = MAX_ITEM_QUANTITY
MAX_PER_PAGE = 100


@dataclass
class ItemDetails:
    """What a lister says about an item; the same for the form, the API and the seed."""

    title: str
    category_id: int
    condition: str
    quantity: int
    location_address: str
    description: str = ""
    location_building: str = ""
    location_room: str = ""
    collection_notes: str = ""
    internal_until: date | None = None
    new_price_nok: Decimal | None = None
    weight_kg: Decimal | None = None
    auto_approve: bool = False


def default_internal_until(today: date | None = None) -> date:
    return (today or date.today()) + timedelta(days=INTERNAL_PERIOD_DAYS)


# The longest text each field takes (the columns' sizes, or a sensible cap for free text).
TEXT_LIMITS = {"title": 120, "description": 5000, "location_address": 200,
               "location_building": 120, "location_room": 120, "collection_notes": 2000}
MAX_PRICE_NOK = Decimal("100000000")
MAX_WEIGHT_KG = Decimal("100000")


def _validated(details: ItemDetails, *, today: date) -> ItemDetails:
    for name, limit in TEXT_LIMITS.items():
        value = (getattr(details, name) or "").strip()
        if len(value) > limit:
            raise InvalidInput(f"Feltet kan ha høyst {limit} tegn.", field=name)
        setattr(details, name, value)
    if not details.title:
        raise InvalidInput("Gi annonsen en tittel.", field="title")
    if details.condition not in {c.value for c in Condition}:
        raise InvalidInput("Velg tilstand.", field="condition")
    if (isinstance(details.quantity, bool) or not isinstance(details.quantity, int)
            or not 1 <= details.quantity <= MAX_QUANTITY):
        raise InvalidInput(f"Antall må være mellom 1 og {MAX_QUANTITY}.", field="quantity")
    if not details.location_address:
        raise InvalidInput("Oppgi adressen der tingene kan hentes.", field="location_address")
    if db.session.get(Category, details.category_id) is None:
        raise InvalidInput("Velg en kategori.", field="category_id")
    if details.internal_until is None:
        details.internal_until = default_internal_until(today)
    elif details.internal_until < today:
        raise InvalidInput("Intern periode kan ikke slutte før i dag.", field="internal_until")
    for name, label, maximum, places in (("new_price_nok", "Nypris", MAX_PRICE_NOK, 2),
                                         ("weight_kg", "Vekt", MAX_WEIGHT_KG, 3)):
        value = getattr(details, name)
        if value is None:
            continue
        if not value.is_finite() or value < 0:
            raise InvalidInput(f"{label} kan ikke være negativ.", field=name)
        if value > maximum:
            raise InvalidInput(f"{label} er urimelig høy. Sjekk tallet.", field=name)
        if value != value.quantize(Decimal(1).scaleb(-places)):
            raise InvalidInput(f"{label} kan ha høyst {places} desimaler.", field=name)
    return details


def _index(item: Item) -> None:
    item.search_text = text.index_text(item.title, item.description, item.location_address,
                                       item.location_building, item.location_room)
    item.location_search = text.index_text(item.location_address, item.location_building,
                                           item.location_room)


def create_item(user: User, details: ItemDetails, *, today: date | None = None) -> Item:
    """List an item for the user's own unit."""
    details = _validated(details, today=today or date.today())
    item = Item(unit_id=user.unit_id, created_by_id=user.id, **vars(details))
    _index(item)
    db.session.add(item)
    db.session.flush()
    audit.record(user, "item.created", item, quantity=item.quantity)
    wanted.notify_matches(item)
    return item


def update_item(user: User, item: Item, details: ItemDetails, *,
                today: date | None = None) -> Item:
    if not can_manage_item(user, item):
        raise PermissionDenied("Du kan bare endre annonser fra din egen enhet.")
    if item.is_withdrawn:
        raise Conflict("Annonsen er trukket tilbake og kan ikke endres.")
    details = _validated(details, today=today or date.today())
    if details.quantity != item.quantity:
        # One conditional UPDATE: never below what is reserved or already handed over,
        # even if a claim lands between reading the form and saving it.
        changed = db.session.execute(
            update(Item)
            .where(Item.id == item.id,
                   Item.quantity_reserved + Item.quantity_handed_over <= details.quantity)
            .values(quantity=details.quantity)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:
            db.session.refresh(item)
            raise InvalidInput(
                f"Antall kan ikke være lavere enn det som er reservert eller levert "
                f"({item.quantity_reserved + item.quantity_handed_over}).",
                field="quantity",
            )
        db.session.refresh(item)
    for name, value in vars(details).items():
        if name != "quantity":
            setattr(item, name, value)
    _index(item)
    db.session.flush()
    audit.record(user, "item.updated", item, quantity=item.quantity)
    return item


def withdraw_item(user: User, item: Item) -> None:
    if not can_manage_item(user, item):
        raise PermissionDenied("Du kan bare trekke tilbake annonser fra din egen enhet.")
    if item.is_withdrawn:
        raise Conflict("Annonsen er allerede trukket tilbake.")
    item.withdrawn_at = utcnow()
    db.session.flush()
    audit.record(user, "item.withdrawn", item)
    # Waiting requests cannot be met any more; approved ones were promised and stay.
    for claim in claims.open_claims_for_item(item):
        if claim.status == ClaimStatus.PENDING:
            claims.decline(user, claim, "Annonsen ble trukket tilbake.")


def get_item(item_id: int) -> Item:
    item = db.session.scalar(
        select(Item).where(Item.id == item_id)
        .options(selectinload(Item.photos), selectinload(Item.category),
                 selectinload(Item.unit), selectinload(Item.created_by))
    )
    if item is None:
        raise NotFound("Fant ikke annonsen. Den kan være fjernet.")
    return item


@dataclass
class ItemFilter:
    q: str = ""
    category: str = ""  # slug; includes sub-categories
    condition: str = ""
    unit_id: int | None = None  # includes sub-units
    location: str = ""
    include_unavailable: bool = False
    page: int = 1
    per_page: int = 24


@dataclass
class Page:
    items: list[Item]
    total: int
    page: int
    per_page: int
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = max(1, math.ceil(self.total / self.per_page))


def _filtered(query: Select, filters: ItemFilter) -> Select:
    if not filters.include_unavailable:
        query = query.where(
            Item.withdrawn_at.is_(None),
            Item.quantity - Item.quantity_reserved - Item.quantity_handed_over > 0,
        )
    for term in text.query_terms(filters.q):
        query = query.where(Item.search_text.like(text.like_pattern(term), escape="\\"))
    for term in text.query_terms(filters.location):
        query = query.where(Item.location_search.like(text.like_pattern(term), escape="\\"))
    if filters.category:
        category = db.session.scalar(select(Category).where(Category.slug == filters.category))
        if category is None:
            raise InvalidInput(f"Ukjent kategori «{filters.category}».", field="category")
        query = query.where(Item.category_id.in_(subtree_ids(Category, category.id)))
    if filters.condition:
        if filters.condition not in {c.value for c in Condition}:
            raise InvalidInput(f"Ukjent tilstand «{filters.condition}».", field="condition")
        query = query.where(Item.condition == filters.condition)
    if filters.unit_id is not None:
        query = query.where(Item.unit_id.in_(subtree_ids(Unit, filters.unit_id)))
    return query


def search_items(filters: ItemFilter) -> Page:
    """One page of items matching the filters, newest first, photos loaded in one query."""
    per_page = max(1, min(filters.per_page, MAX_PER_PAGE))
    page = max(1, filters.page)
    total = db.session.scalar(_filtered(select(func.count(Item.id)), filters))
    items = db.session.scalars(
        _filtered(select(Item), filters)
        .options(selectinload(Item.photos), selectinload(Item.category),
                 selectinload(Item.unit))
        .order_by(Item.created_at.desc(), Item.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(items=list(items), total=total, page=page, per_page=per_page)


def unit_items(user: User) -> list[Item]:
    """Everything the user's unit has listed, withdrawn included, for managing them."""
    return list(db.session.scalars(
        select(Item).where(Item.unit_id == user.unit_id)
        .options(selectinload(Item.photos), selectinload(Item.category))
        .order_by(Item.withdrawn_at.is_not(None), Item.created_at.desc())
    ))


PERIOD_WARNING_DAYS = 3


def warn_internal_periods(today: date) -> int:
    """Tell listers once when an item's internal period is about to end, and once when it has."""
    candidates = db.session.scalars(
        select(Item).where(
            Item.withdrawn_at.is_(None),
            Item.quantity - Item.quantity_reserved - Item.quantity_handed_over > 0,
            Item.internal_until <= today + timedelta(days=PERIOD_WARNING_DAYS))
        .options(selectinload(Item.created_by))
    ).all()
    sent = 0
    for item in candidates:
        link = f"/items/{item.id}"
        if item.internal_until < today:
            sent += bool(notifications.notify(
                item.created_by, "period_ended", f"Intern periode er over: {item.title}",
                f"Ingen enhet har tatt «{item.title}» ({item.quantity_available} stk.) i løpet "
                f"av den interne perioden, som sluttet {item.internal_until:%d.%m.%Y}. Tingene "
                "kan nå gis videre utenfor kommunen, eller du kan forlenge perioden.",
                link=link, dedup_key=f"item:{item.id}:period-ended:{item.internal_until}"))
        else:
            sent += bool(notifications.notify(
                item.created_by, "period_ending", f"Intern periode slutter snart: {item.title}",
                f"Den interne perioden for «{item.title}» slutter "
                f"{item.internal_until:%d.%m.%Y}. {item.quantity_available} stk. er fortsatt "
                "ledige.", link=link,
                dedup_key=f"item:{item.id}:period-ending:{item.internal_until}"))
    return sent
