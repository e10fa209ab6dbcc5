"""Wanted requests: a standing search that tells its owner when a matching item is posted.

Matching is deliberately strict, so a request is a signal and not noise: every meaningful
word of the request must be found in the item (with Norwegian stemming and compounds), and
the item must be in the requested category or below it. "hev-senk skrivebord" therefore
fires on a new sit-stand desk but not on every desk, let alone every piece of furniture.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from reuse.clock import oslo_today
from reuse.extensions import db
from reuse.i18n import locale_of
from reuse.models import Category, Item, User, WantedRequest, utcnow
from reuse.models.catalog import MAX_ITEM_QUANTITY
from reuse.services import audit, notifications, text
from reuse.services.errors import Conflict, InvalidInput, PermissionDenied
from reuse.services.permissions import owns_wanted_request, wanted_requests_of
from reuse.services.trees import subtree_id_list

DEFAULT_DAYS = 90
MAX_DAYS = 366


def create_request(user: User, *, words: str = "", category: Category | None = None,
                   quantity: int | None = None, until: date | None = None) -> WantedRequest:
    words = (words or "").strip()
    if len(words) > 200:
        raise InvalidInput(_("Søkeordene kan ha høyst %(max)s tegn.", max=200), field="words")
    if not text.query_terms(words) and category is None:
        raise InvalidInput(_("Skriv hva dere ser etter, eller velg en kategori."),
                           field="words")
    if quantity is not None and (isinstance(quantity, bool) or not isinstance(quantity, int)
                                 or not 1 <= quantity <= MAX_ITEM_QUANTITY):
        raise InvalidInput(_("Antall må være mellom 1 og %(max)s.", max=MAX_ITEM_QUANTITY),
                           field="quantity")
    today = oslo_today()
    until = until or today + timedelta(days=DEFAULT_DAYS)
    if not today <= until <= today + timedelta(days=MAX_DAYS):
        raise InvalidInput(_("Velg en sluttdato fra i dag og inntil ett år fram."),
                           field="until")
    request = WantedRequest(user_id=user.id, unit_id=user.unit_id, words=words,
                            category_id=category.id if category else None, quantity=quantity,
                            until=until)
    db.session.add(request)
    db.session.flush()
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
    """Open again (if closed) and extend to DEFAULT_DAYS from today."""
    _own(user, request)
    request.closed_at = None
    request.until = oslo_today() + timedelta(days=DEFAULT_DAYS)
    audit.record(user, "wanted_request.renewed", request, until=request.until)
    return request


def is_open(request: WantedRequest, today: date | None = None) -> bool:
    return request.closed_at is None and request.until >= (today or oslo_today())


def requests_of(user: User) -> list[WantedRequest]:
    return list(db.session.scalars(
        select(WantedRequest).where(wanted_requests_of(user))
        .options(selectinload(WantedRequest.category))
        .order_by(WantedRequest.closed_at.is_not(None), WantedRequest.created_at.desc())))


def matches(request: WantedRequest, item: Item, category_ids: set[int] | None) -> bool:
    if item.unit_id == request.unit_id:
        return False
    if category_ids is not None and item.category_id not in category_ids:
        return False
    return all(text.matches_term(item.search_text, term)
               for term in text.query_terms(request.words))


def notify_matches(item: Item) -> int:
    """Tell the owners of open requests that match a newly posted item (once per request)."""
    today = oslo_today()
    open_requests = db.session.scalars(
        select(WantedRequest).where(WantedRequest.closed_at.is_(None),
                                    WantedRequest.until >= today,
                                    WantedRequest.unit_id != item.unit_id)
        .options(selectinload(WantedRequest.user))).all()
    subtrees: dict[int, set[int]] = {}
    sent = 0
    for request in open_requests:
        category_ids = None
        if request.category_id is not None:
            if request.category_id not in subtrees:
                subtrees[request.category_id] = set(
                    subtree_id_list(Category, request.category_id))
            category_ids = subtrees[request.category_id]
        if not matches(request, item, category_ids) or not request.user.is_active:
            continue
        locale = locale_of(request.user)
        wish = request.words or (request.category.name_en if locale == "en"
                                 and request.category.name_en else request.category.name_nb)
        with force_locale(locale):
            sent += bool(notifications.notify(
                request.user, "wanted_match",
                _("Noe du ønsket er lagt ut: %(title)s", title=item.title),
                _("%(unit)s har lagt ut «%(title)s» (%(quantity)s stk., %(address)s). Det passer "
                  "ønsket ditt «%(wish)s».", unit=item.unit.name, title=item.title,
                  quantity=item.quantity_available, address=item.location_address, wish=wish),
                link=f"/items/{item.id}", dedup_key=f"wanted:{request.id}:item:{item.id}"))
    return sent
