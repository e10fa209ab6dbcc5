"""Wanted requests: a standing search that tells its owner when a matching item is posted.

Matching is deliberately strict, so a request is a signal and not noise: every meaningful
word of the request must be found in the item (with Norwegian stemming and compounds), and
the item must be in the requested category or below it. "hev-senk skrivebord" therefore
fires on a new sit-stand desk but not on every desk, let alone every piece of furniture.

Every active request is work for every new item, so what one person can ask for is bounded:
at most WANTED_REQUESTS_PER_PERSON active requests, each with words or a narrow category.
Posting an item only queues it (pending_wanted_match, in the posting transaction); `run-jobs`
matches the queue in batches, the database dropping what cannot match, and each requester
hears about an item once, however many of their requests it fits.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    String,
    Text,
    and_,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import selectinload

from reuse.clock import oslo_today
from reuse.extensions import db
from reuse.i18n import category_name, locale_of, ngettext
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import (
    Category,
    Item,
    Notification,
    PendingWantedMatch,
    User,
    WantedRequest,
    utcnow,
)
from reuse.models.base import UTCDateTime
from reuse.models.checks import MAX_WORDS_LENGTH
from reuse.services import audit, categories, characters, notifications, quantities, text
from reuse.services.allowances import Allowance
from reuse.services.errors import Conflict, InvalidInput, PermissionDenied
from reuse.services.permissions import owns_wanted_request, wanted_requests_of

DEFAULT_DAYS = 90
MAX_DAYS = 366
# Posted items matched per batch of run-jobs; each batch is one transaction.
MATCH_BATCH = 100
WORDS_LABEL = _l("Hva ser dere etter?")


def per_person_limit() -> int:
    return current_app.config["WANTED_REQUESTS_PER_PERSON"]


def active(today: date) -> ColumnElement[bool]:
    """The SQL form of is_open: not closed and not lapsed."""
    return and_(WantedRequest.closed_at.is_(None), WantedRequest.until >= today)


def is_open(request: WantedRequest, today: date | None = None) -> bool:
    return request.closed_at is None and request.until >= (today or oslo_today())


def allowance(user: User) -> Allowance:
    count = db.session.scalar(select(func.count()).select_from(WantedRequest).where(
        WantedRequest.user_id == user.id, active(oslo_today())))
    return Allowance(count, per_person_limit())


def _limit_reached(limit: int) -> Conflict:
    return Conflict(ngettext("Du har allerede %(num)s aktivt ønske, som er det meste én person "
                             "kan ha. Avslutt det hvis du ikke trenger det lenger, og prøv igjen.",
                             "Du har allerede %(num)s aktive ønsker, som er det meste én person "
                             "kan ha. Avslutt et ønske du ikke trenger lenger, og prøv igjen.",
                             limit),
                    code="limit_reached")


def _lock_person(user_id: int) -> None:
    """Serialise one person's creating and reopening of requests (PostgreSQL row lock).

    The conditional INSERT/UPDATE that follows counts the person's active requests in its
    own statement; under READ COMMITTED that count sees every request committed before the
    lock was granted, so two requests racing for the last place cannot both get it. SQLite
    has one writer at a time and needs no lock (FOR UPDATE is left out there).
    """
    db.session.execute(select(User.id).where(User.id == user_id).with_for_update())


def _has_room(user_id: int, today: date, limit: int) -> ColumnElement[bool]:
    return select(func.count()).select_from(WantedRequest).where(
        WantedRequest.user_id == user_id, active(today)).scalar_subquery() < limit


def match_pattern(words: str) -> str:
    """The LIKE pattern for the request's longest (most telling) term; "%" without words.

    Only a prefilter: an item the pattern lets through is still checked for every term.
    """
    terms = text.query_terms(words)
    return text.like_pattern(max(terms, key=len)) if terms else "%"


def _require_words_or_narrow_category(words: str, category: Category | None) -> None:
    """A request needs meaningful words, or a category below the top level.

    A top-level category (Møbler, IT-utstyr, Kjøkkenutstyr) is a whole department of the
    catalogue, a large share of everything posted: asked for without words it is a feed of
    every new listing, not a need, and costs every poster a notification to send. One level
    down (Stoler, Kjøleskap) names a kind of thing someone can actually need.
    """
    if text.query_terms(words):
        return
    if category is None:
        raise InvalidInput(_("Skriv hva dere ser etter, eller velg en kategori."),
                           field="words")
    if category.parent_id is None:
        raise InvalidInput(
            _("«%(category)s» er en hel hovedkategori. Skriv hva dere ser etter, eller velg en "
              "smalere kategori under den.", category=category_name(category)),
            field="category")


def create_request(user: User, *, words: str = "", category: Category | None = None,
                   quantity: int | None = None, until: date | None = None) -> WantedRequest:
    words = (words or "").strip()
    if len(words) > MAX_WORDS_LENGTH:
        raise InvalidInput(_("Søkeordene kan ha høyst %(max)s tegn.", max=MAX_WORDS_LENGTH),
                           field="words")
    characters.check(words, str(WORDS_LABEL), field="words")
    categories.require_offered(category)
    _require_words_or_narrow_category(words, category)
    if quantity is not None:
        quantities.check(quantity)
    today = oslo_today()
    until = until or today + timedelta(days=DEFAULT_DAYS)
    if not today <= until <= today + timedelta(days=MAX_DAYS):
        raise InvalidInput(_("Velg en sluttdato fra i dag og inntil ett år fram."),
                           field="until")
    limit = per_person_limit()
    _lock_person(user.id)
    # One INSERT … SELECT … WHERE: the row is written only if the person still has room.
    values = {
        "user_id": literal(user.id, Integer),
        "unit_id": literal(user.unit_id, Integer),
        "words": literal(words, String),
        "category_id": literal(category.id if category else None, Integer),
        "quantity": literal(quantity, Integer),
        "until": literal(until, Date),
        "created_at": literal(utcnow(), UTCDateTime),
        "match_pattern": literal(match_pattern(words), Text),
    }
    new_id = db.session.execute(
        insert(WantedRequest)
        .from_select(list(values), select(*values.values()).where(
            _has_room(user.id, today, limit)))
        .returning(WantedRequest.id)).scalar()
    if new_id is None:
        raise _limit_reached(limit)
    request = db.session.get(WantedRequest, new_id)
    audit.record(user, "wanted_request.created", request, words=words,
                 category=category.slug if category else None)
    return request


def _own(user: User, request: WantedRequest) -> None:
    if not owns_wanted_request(user, request):
        raise PermissionDenied(_("Du kan bare endre dine egne ønsker."))


def close_request(user: User, request: WantedRequest) -> WantedRequest:
    _own(user, request)
    if request.closed_at is not None:
        raise Conflict(_("Ønsket er allerede avsluttet."), code="invalid_state")
    request.closed_at = utcnow()
    audit.record(user, "wanted_request.closed", request)
    return request


def renew_request(user: User, request: WantedRequest) -> WantedRequest:
    """Open again (if closed or lapsed) and extend to DEFAULT_DAYS from today.

    Reopening makes the request active again, so it needs room under the owner's limit:
    one conditional UPDATE, like creating one.
    """
    _own(user, request)
    today = oslo_today()
    until = today + timedelta(days=DEFAULT_DAYS)
    limit = per_person_limit()
    _lock_person(request.user_id)
    renewed = db.session.execute(
        update(WantedRequest)
        .where(WantedRequest.id == request.id,
               or_(active(today), _has_room(request.user_id, today, limit)))
        .values(closed_at=None, until=until)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(request)
    if not renewed:
        raise _limit_reached(limit)
    audit.record(user, "wanted_request.renewed", request, until=request.until)
    return request


def requests_of(user: User) -> list[WantedRequest]:
    return list(db.session.scalars(
        select(WantedRequest).where(wanted_requests_of(user))
        .options(selectinload(WantedRequest.category))
        .order_by(WantedRequest.closed_at.is_not(None), WantedRequest.created_at.desc())))


# -- matching, in run-jobs --------------------------------------------------------------------

def queue_for_matching(item: Item) -> None:
    """Note a newly posted item for the next run-jobs; it commits (or not) with the item."""
    db.session.add(PendingWantedMatch(item_id=item.id))


def words_match(words: str, search_text: str) -> bool:
    """Every meaningful word of the request is in the item's text (in index form)."""
    return all(text.matches_term(search_text, term) for term in text.query_terms(words))


def match_pending(limit: int = MATCH_BATCH) -> tuple[int, int]:
    """Match up to `limit` queued items against the active requests and notify the requesters.

    Returns (items taken from the queue, people notified). The caller commits; run it until
    it takes no items. Two runners at once skip each other's items on PostgreSQL (SKIP
    LOCKED), and the notifications' unique key stops anyone being told twice regardless.
    """
    item_ids = list(db.session.scalars(
        select(PendingWantedMatch.item_id).order_by(PendingWantedMatch.item_id).limit(limit)
        .with_for_update(skip_locked=True)))
    if not item_ids:
        return 0, 0
    parents = dict(db.session.execute(select(Category.id, Category.parent_id)).all())
    today = oslo_today()
    notified = 0
    # Only what can still be claimed: an item withdrawn or taken meanwhile is news to nobody.
    for item in db.session.scalars(
            select(Item).where(Item.id.in_(item_ids), Item.listed())
            .options(selectinload(Item.unit)).order_by(Item.id)):
        notified += _notify_requesters(item, _with_ancestors(item.category_id, parents), today)
    db.session.execute(delete(PendingWantedMatch).where(
        PendingWantedMatch.item_id.in_(item_ids)))
    return len(item_ids), notified


def _with_ancestors(category_id: int, parents: dict[int, int | None]) -> list[int]:
    """The category and every category above it: the requests' categories it falls under."""
    found: list[int] = []
    while category_id is not None and category_id not in found:
        found.append(category_id)
        category_id = parents.get(category_id)
    return found


def _dedup_key(item: Item) -> str:
    # Per person and item: one message however many of the person's requests the item fits.
    return f"wanted:item:{item.id}"


def _notify_requesters(item: Item, category_ids: list[int], today: date) -> int:
    key = _dedup_key(item)
    already_told = exists().where(Notification.user_id == WantedRequest.user_id,
                                  Notification.dedup_key == key)
    # The database keeps only requests this item could match: active, another unit's, of an
    # active person not yet told, in the item's category or above, and whose most telling
    # word is in the item. Python then checks every word of what is left.
    candidates = db.session.scalars(
        select(WantedRequest).join(WantedRequest.user)
        .where(active(today), WantedRequest.unit_id != item.unit_id, User.active.is_(True),
               or_(WantedRequest.category_id.is_(None),
                   WantedRequest.category_id.in_(category_ids)),
               literal(item.search_text, Text).like(WantedRequest.match_pattern, escape="\\"),
               ~already_told)
        .options(selectinload(WantedRequest.user), selectinload(WantedRequest.category))
        .order_by(WantedRequest.user_id, WantedRequest.created_at, WantedRequest.id))
    told: set[int] = set()
    notified = 0
    for request in candidates:
        if request.user_id in told or not words_match(request.words, item.search_text):
            continue
        told.add(request.user_id)
        notified += _notify(request, item, key)
    return notified


def _notify(request: WantedRequest, item: Item, key: str) -> bool:
    locale = locale_of(request.user)
    wish = request.words or category_name(request.category, locale)
    with force_locale(locale):
        return notifications.notify(
            request.user, "wanted_match",
            _("Noe du ønsket er lagt ut: %(title)s", title=item.title),
            _("%(unit)s har lagt ut «%(title)s» (%(quantity)s stk., %(address)s). Det passer "
              "ønsket ditt «%(wish)s».", unit=item.unit.name, title=item.title,
              quantity=item.quantity_available, address=item.location_address, wish=wish),
            link=f"/items/{item.id}", dedup_key=key) is not None
