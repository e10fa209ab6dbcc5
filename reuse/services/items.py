"""Listing surplus items, changing and withdrawing them, and finding them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import force_locale
from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from reuse.extensions import db
from reuse.i18n import format_day, locale_of, ngettext
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import Category, ClaimStatus, Condition, Item, Stage, Unit, User, utcnow
from reuse.models.catalog import (
    MAX_ADDRESS,
    MAX_BUILDING,
    MAX_COLLECTION_NOTES,
    MAX_DESCRIPTION,
    MAX_ROOM,
    MAX_TITLE,
    ItemStatus,
)
from reuse.services import (
    audit,
    categories,
    characters,
    claims,
    figures,
    fulltext,
    notifications,
    numbers,
    photos,
    quantities,
    text,
    units,
    vocabulary,
    wanted,
)
from reuse.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from reuse.services.paging import ListPage, PageLinks, page_count, paginate
from reuse.services.permissions import (
    can_manage_item,
    can_relist_item,
    items_offered_to_partner,
    items_visible_to,
)
from reuse.services.trees import subtree_ids

INTERNAL_PERIOD_DAYS = 30
# An internal period keeps an item from being given outside the municipality; 9999-12-31
# would keep it forever. A year is the longest any unit needs.
MAX_INTERNAL_PERIOD_DAYS = 366
MAX_PER_PAGE = 100
# The API's paging: its default page size (the web's pages show 24), and the last page number
# it accepts.
API_PER_PAGE = 20
MAX_PAGE = 100_000
# Search words and places are read up to this length.
MAX_QUERY = 200


# The unit's list of its items: pieces left to claim, all of them promised to someone (not
# yet collected), all of them given away, or taken out of the catalogue.
STATUS_LABELS = {
    ItemStatus.AVAILABLE: _l("Ledig"),
    ItemStatus.RESERVED: _l("Reservert"),
    ItemStatus.HANDED_OVER: _l("Gitt bort"),
    ItemStatus.WITHDRAWN: _l("Trukket tilbake"),
}


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


def latest_internal_until(today: date | None = None) -> date:
    return (today or date.today()) + timedelta(days=MAX_INTERNAL_PERIOD_DAYS)


# The longest text each field takes (reuse.models.catalog).
TEXT_LIMITS = {"title": MAX_TITLE, "description": MAX_DESCRIPTION,
               "location_address": MAX_ADDRESS, "location_building": MAX_BUILDING,
               "location_room": MAX_ROOM, "collection_notes": MAX_COLLECTION_NOTES}
MULTI_LINE_FIELDS = frozenset({"description", "collection_notes"})


# The fields' names and what a lister is told when one is missing: the form says the same
# before the service would.
LABELS = {"title": _l("Tittel"), "description": _l("Beskrivelse"),
          "location_address": _l("Adresse"), "location_building": _l("Bygg"),
          "location_room": _l("Rom"), "collection_notes": _l("Henteinformasjon")}
NO_TITLE = _l("Gi annonsen en tittel.")
NO_CATEGORY = _l("Velg en kategori.")
NO_CONDITION = _l("Velg tilstand.")
NO_ADDRESS = _l("Oppgi adressen der tingene kan hentes.")
CONDITION_LABEL = _l("Tilstand")
NOT_FOUND = _l("Fant ikke annonsen. Den kan være fjernet.")
ALREADY_RELISTED = _l("Tingene i annonsen er allerede lagt ut igjen.")


def _validated(details: ItemDetails, *, today: date, keeps: int | None = None) -> ItemDetails:
    """The details, cleaned, or InvalidInput; `keeps` is the category the item has already
    (an item in a retired category may be edited without choosing another)."""
    for name, limit in TEXT_LIMITS.items():
        value = (getattr(details, name) or "").strip()
        if len(value) > limit:
            raise InvalidInput(_("Feltet kan ha høyst %(max)s tegn.", max=limit), field=name)
        characters.check(value, str(LABELS[name]), field=name,
                         multiline=name in MULTI_LINE_FIELDS)
        setattr(details, name, value)
    if not details.title:
        raise InvalidInput(str(NO_TITLE), field="title")
    if details.condition not in {c.value for c in Condition}:
        raise InvalidInput(str(NO_CONDITION), field="condition")
    quantities.check(details.quantity)
    if not details.location_address:
        raise InvalidInput(str(NO_ADDRESS), field="location_address")
    category = db.session.get(Category, details.category_id)
    if category is None:
        raise InvalidInput(str(NO_CATEGORY), field="category_id")
    try:
        categories.require_offered(category, keeps=keeps)
    except InvalidInput as refused:
        raise InvalidInput(refused.message, field="category_id", code=refused.code) from None
    if details.internal_until is None:
        details.internal_until = default_internal_until(today)
    elif details.internal_until < today:
        raise InvalidInput(_("Intern periode kan ikke slutte før i dag."),
                           field="internal_until")
    elif details.internal_until > latest_internal_until(today):
        raise InvalidInput(_("Intern periode kan vare høyst %(days)s dager, til og med "
                             "%(date)s.", days=MAX_INTERNAL_PERIOD_DAYS,
                             date=format_day(latest_internal_until(today))),
                           field="internal_until")
    figures.PRICE.check(details.new_price_nok)
    figures.WEIGHT.check(details.weight_kg)
    return details


def search_columns(title: str, description: str, location_address: str,
                   location_building: str = "", location_room: str = "") -> dict[str, str]:
    """The values of an item's search columns (also used by bulk loaders)."""
    search_text = text.index_text(title, description, location_address, location_building,
                                  location_room)
    location_search = text.index_text(location_address, location_building, location_room)
    return {"search_text": search_text, "location_search": location_search,
            "search_lexemes": text.lexemes(search_text),
            "location_lexemes": text.lexemes(location_search)}


def _index(item: Item) -> None:
    for column, value in search_columns(item.title, item.description, item.location_address,
                                        item.location_building, item.location_room).items():
        setattr(item, column, value)
    vocabulary.remember(item.title, item.description)


def create_item(user: User, details: ItemDetails, *, today: date | None = None) -> Item:
    """List an item for the user's own unit."""
    units.require_open(user.unit)
    details = _validated(details, today=today or date.today())
    item = Item(unit_id=user.unit_id, created_by_id=user.id, **vars(details))
    _index(item)
    db.session.add(item)
    db.session.flush()
    audit.record(user, "item.created", item, quantity=item.quantity)
    wanted.queue_for_matching(item)
    return item


def update_item(user: User, item: Item, details: ItemDetails, *,
                today: date | None = None) -> Item:
    if not can_manage_item(user, item):
        raise PermissionDenied(_("Du kan bare endre annonser fra din egen enhet."))
    if item.is_withdrawn:
        raise Conflict(_("Annonsen er trukket tilbake og kan ikke endres."))
    details = _validated(details, today=today or date.today(), keeps=item.category_id)
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
                _("Antall kan ikke være lavere enn det som er reservert eller levert "
                  "(%(taken)s).", taken=item.quantity_reserved + item.quantity_handed_over),
                field="quantity",
            )
        db.session.refresh(item)
    for name, value in vars(details).items():
        if name != "quantity":
            setattr(item, name, value)
    if item.stage == Stage.INTERNAL:  # the internal stage ends with the internal period
        item.stage_ends_on = item.internal_until
    _index(item)
    db.session.flush()
    audit.record(user, "item.updated", item, quantity=item.quantity)
    return item


def withdraw_item(user: User, item: Item, message: str = "") -> None:
    """Take the item out of the catalogue for good. `message`, the lister's words, if any,
    goes to those with open claims on it."""
    if not can_manage_item(user, item):
        raise PermissionDenied(_("Du kan bare trekke tilbake annonser fra din egen enhet."))
    # One conditional UPDATE: of two confirmations at the same moment one withdraws, and the
    # claimants are told once.
    withdrawn = db.session.execute(
        update(Item).where(Item.id == item.id, Item.withdrawn_at.is_(None))
        .values(withdrawn_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(item)
    if not withdrawn:
        raise Conflict(_("Annonsen er allerede trukket tilbake."))
    audit.record(user, "item.withdrawn", item, message=message)
    # Waiting requests cannot be met any more; approved ones were promised and stay.
    for claim in claims.open_claims_for_item(item):
        if claim.status == ClaimStatus.PENDING:
            claims.decline_for_withdrawal(user, claim, message)
        else:
            claims.tell_approved_of_withdrawal(claim, message)


def relisted_as(item: Item) -> int | None:
    """The id of the listing that lists a withdrawn item again, if it has been."""
    return db.session.scalar(select(Item.id).where(Item.relisted_from_id == item.id))


def relist_item(user: User, item: Item, *, today: date | None = None) -> Item:
    """List a withdrawn item again, as a new listing: withdrawn is final (its claims, audit
    trail and visibility stay as they were), so the new one is a copy of its text, figures,
    location and photos, with what was not handed over or promised, and a new internal
    period."""
    if not can_relist_item(user, item):
        raise PermissionDenied(_("Bare den som la ut annonsen, enhetens administrator og "
                                 "systemadministratorer kan legge den ut igjen."))
    if not item.is_withdrawn:
        raise Conflict(_("Annonsen er ikke trukket tilbake, så den ligger ute allerede."),
                       code="not_withdrawn")
    if relisted_as(item) is not None:
        raise Conflict(str(ALREADY_RELISTED), code="already_relisted")
    units.require_open(item.unit)
    left = item.quantity - item.quantity_reserved - item.quantity_handed_over
    if left < 1:
        raise Conflict(_("Alt i annonsen er hentet eller lovet bort, så det er ingenting å "
                         "legge ut igjen."), code="not_available")
    details = ItemDetails(
        title=item.title, category_id=item.category_id, condition=item.condition,
        quantity=left, location_address=item.location_address,
        description=item.description, location_building=item.location_building,
        location_room=item.location_room, collection_notes=item.collection_notes,
        new_price_nok=item.new_price_nok, weight_kg=item.weight_kg,
        auto_approve=item.auto_approve)
    details = _validated(details, today=today or date.today(), keeps=item.category_id)
    # The item's unit keeps the listing, also when an admin puts it out again.
    relisted = Item(unit_id=item.unit_id, created_by_id=user.id, relisted_from_id=item.id,
                    **vars(details))
    _index(relisted)
    try:
        with db.session.begin_nested():  # the unique index: listed again once, however raced
            db.session.add(relisted)
            db.session.flush()
    except IntegrityError:
        raise Conflict(str(ALREADY_RELISTED), code="already_relisted") from None
    photos.copy_photos(item, relisted)
    audit.record(user, "item.relisted", relisted, relisted_from=item.id,
                 quantity=relisted.quantity)
    wanted.queue_for_matching(relisted)
    return relisted


# An item's category and unit come in the item's own query (a join each, never more rows):
# every round trip to the database costs about as much as rendering a small page.
_joined_owners = (joinedload(Item.category, innerjoin=True), joinedload(Item.unit, innerjoin=True))


def get_item(item_id: int) -> Item:
    """Load an item by id for anyone: pages, API and commands use permissions.visible_item."""
    # One item: its photos come in the same statement too (a row each), not a second one.
    item = db.session.execute(
        select(Item).where(Item.id == item_id)
        .options(joinedload(Item.photos), *_joined_owners, joinedload(Item.created_by,
                                                                      innerjoin=True))
    ).unique().scalar_one_or_none()
    if item is None:
        raise NotFound(str(NOT_FOUND))
    return item


# The orders a search can be read in: newest first (the default), nearest in the organisation
# to the viewer's unit first (units.nearness, as reuse checks rank), or most pieces left first.
NEWEST, NEAREST, MOST = "newest", "nearest", "most"
SORTS = (NEWEST, NEAREST, MOST)
# Short, so the three fit one row of links on a phone after "Sorter:".
SORT_LABELS = {NEWEST: _l("Nyeste"), NEAREST: _l("Nærmeste enheter"), MOST: _l("Flest ledige")}


@dataclass
class ItemFilter:
    q: str = ""
    category: str = ""  # slug; includes sub-categories
    condition: str = ""
    unit_id: int | None = None  # includes sub-units
    location: str = ""
    include_unavailable: bool = False
    # Whose eyes: with include_unavailable, withdrawn items only as permissions.items_visible_to
    # lets this user see them (none without a viewer).
    viewer: User | None = None
    sort: str = NEWEST  # one of SORTS; nearest needs a viewer (newest without one)
    page: int = 1
    per_page: int = 24
    # Count at most this many matches (None: count them all). Beyond a thousand or so, an exact
    # figure tells a person nothing, and counting costs time that grows with the catalogue.
    count_limit: int | None = None


@dataclass
class Page(PageLinks):
    items: list[Item]
    total: int  # of all matches, or count_limit when there are more (see more_than_total)
    page: int
    per_page: int
    more_than_total: bool = False
    # The search words as they were matched (vocabulary.terms), for suggestion().
    terms: list[text.Term] = field(default_factory=list)
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = page_count(self.total, self.per_page)


def _filtered(query: Select, filters: ItemFilter, terms: list[text.Term]) -> Select:
    if not filters.include_unavailable:
        query = query.where(Item.listed())
        if filters.viewer is not None and filters.viewer.is_partner:
            # What the cascade offers their organisation now: never the internal stage (nor
            # an item seen only through an earlier claim of theirs).
            query = query.where(items_offered_to_partner(filters.viewer))
    elif filters.viewer is not None:
        query = query.where(items_visible_to(filters.viewer))
    else:
        query = query.where(Item.withdrawn_at.is_(None))
    if terms:
        query = query.where(fulltext.matches("search", terms))
    # Places are looked for as written: no corrections or synonyms for street names.
    if places := text.exact_terms(filters.location):
        query = query.where(fulltext.matches("location", places))
    if filters.category:
        category = db.session.scalar(select(Category).where(Category.slug == filters.category))
        if category is None:
            raise InvalidInput(categories.UNKNOWN % {"category": filters.category},
                               field="category")
        query = query.where(Item.category_id.in_(subtree_ids(Category, category.id)))
    if filters.condition:
        if filters.condition not in {c.value for c in Condition}:
            raise InvalidInput(_("Ukjent tilstand «%(condition)s».",
                                 condition=filters.condition), field="condition")
        query = query.where(Item.condition == filters.condition)
    if filters.unit_id is not None:
        query = query.where(Item.unit_id.in_(subtree_ids(Unit, filters.unit_id)))
    return query


def _order(filters: ItemFilter) -> list:
    """The ORDER BY of a search: newest first reads the listed items' index in order; the
    other orders sort the matches, the newest first among equals."""
    newest = [Item.created_at.desc(), Item.id.desc()]
    if filters.sort not in SORTS:
        raise InvalidInput(_("Ukjent sortering «%(sort)s».", sort=filters.sort), field="sort")
    if filters.sort == NEAREST and filters.viewer is not None \
            and filters.viewer.unit_id is not None:  # a partner's person has no unit
        return [units.nearness_to(filters.viewer.unit_id, Item.unit_id).desc(), *newest]
    if filters.sort == MOST:
        available = Item.quantity - Item.quantity_reserved - Item.quantity_handed_over
        return [available.desc(), *newest]
    return newest


def search_items(filters: ItemFilter) -> Page:
    """One page of items matching the filters in the filters' order (newest first unless
    asked otherwise), photos loaded in one query."""
    order = _order(filters)
    per_page = max(1, min(filters.per_page, MAX_PER_PAGE))
    terms = vocabulary.terms(filters.q)
    matching = _filtered(select(Item.id), filters, terms)
    if filters.count_limit is not None:
        matching = matching.limit(filters.count_limit + 1)
    total = db.session.scalar(select(func.count()).select_from(matching.subquery()))
    more_than_total = filters.count_limit is not None and total > filters.count_limit
    if more_than_total:
        total = filters.count_limit
    # The offset must stay a number SQL can hold, whatever page a caller asks for.
    page = min(max(1, filters.page), numbers.MAX_INT)
    items = db.session.scalars(
        _filtered(select(Item), filters, terms)
        .options(selectinload(Item.photos), *_joined_owners)
        .order_by(*order)
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(items=list(items), total=total, page=page, per_page=per_page,
                more_than_total=more_than_total, terms=terms)


def suggestion(filters: ItemFilter, page: Page) -> str | None:
    """"Mente du …?" for a search (vocabulary.suggestion), counted with the same filters."""
    if not page.terms:
        return None

    def count(query: str) -> int:
        terms = vocabulary.terms(query)
        if not terms:
            return 0
        return db.session.scalar(select(func.count()).select_from(
            _filtered(select(Item.id), replace(filters, q=query), terms)
            .limit(page.total + 1).subquery()))

    return vocabulary.suggestion(filters.q, page.terms, page.total, count)


UNIT_ITEMS_PER_PAGE = 50


def unit_items(user: User, *, page: int = 1,
               per_page: int = UNIT_ITEMS_PER_PAGE) -> ListPage[Item]:
    """What the user's unit has listed, for managing them: one page, current listings first,
    newest first. Withdrawn ones only as far as the user may see them (their own, or all of
    them for the unit's admins)."""
    return paginate(
        select(Item).where(Item.unit_id == user.unit_id, items_visible_to(user))
        .options(selectinload(Item.photos))  # the cover of each row, in one query
        .order_by(Item.withdrawn_at.is_not(None), Item.created_at.desc(), Item.id.desc()),
        page=page, per_page=per_page)


PERIOD_WARNING_DAYS = 3


def warn_internal_periods(today: date) -> int:
    """Tell listers once when an item's internal period is about to end. That it has ended
    they hear from the cascade, as the item moves on (stages.advance_due)."""
    candidates = db.session.scalars(
        select(Item).where(
            Item.listed(), Item.stage == Stage.INTERNAL.value,
            Item.internal_until >= today,
            Item.internal_until <= today + timedelta(days=PERIOD_WARNING_DAYS))
        .options(selectinload(Item.created_by))
    ).all()
    sent = 0
    for item in candidates:
        link = f"/items/{item.id}"
        with force_locale(locale_of(item.created_by)):
            values = {"title": item.title, "quantity": item.quantity_available,
                      "date": format_day(item.internal_until)}
            sent += bool(notifications.notify(
                item.created_by, "period_ending",
                _("Intern periode slutter snart: %(title)s", **values),
                ngettext("Den interne perioden for «%(title)s» slutter %(date)s. %(num)s "
                         "stk. er fortsatt ledige. Deretter tilbys tingene også andre "
                         "offentlige virksomheter.",
                         "Den interne perioden for «%(title)s» slutter %(date)s. %(num)s "
                         "stk. er fortsatt ledige. Deretter tilbys tingene også andre "
                         "offentlige virksomheter.", item.quantity_available, **values),
                link=link,
                dedup_key=f"item:{item.id}:period-ending:{item.internal_until}"))
    return sent
