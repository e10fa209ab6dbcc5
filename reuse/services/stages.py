"""The cascade: how an item moves from its own municipality to public bodies, then to
non-profits as well, and at last to its final stage, where the lister records what happened
to whatever is left.

An item starts `internal` until its internal period ends (item.internal_until). Then it is
offered to public bodies for CASCADE_PUBLIC_BODIES_DAYS, then to non-profits as well for
CASCADE_NONPROFITS_DAYS, and then it is `final`. item.stage_ends_on is the last day of the
current stage (None at final). run-jobs moves items on time (advance_due); the lister or the
unit's admin may move one on early or back (move). Every move is one conditional UPDATE on
the stage and its end as they were read, so two runs or two clicks at once move it once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from reuse.clock import oslo_today
from reuse.extensions import db
from reuse.i18n import format_day, locale_of, ngettext
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import Category, Item, Partner, PartnerSubscription, Role, Stage, User, utcnow
from reuse.services import audit, characters, claims, dispositions, ledger, notifications
from reuse.services.errors import Conflict, InvalidInput, PermissionDenied
from reuse.services.permissions import (
    STAGES_OFFERED,
    can_mark_safety_checked,
    can_move_stage,
    may_leave_municipality,
)

ORDER = tuple(Stage)  # the cascade's order: internal, public_bodies, nonprofits, final
MAX_REASON = ledger.MAX_REASON  # why an item is kept back: as a correction's reason

STAGE_LABELS = {
    Stage.INTERNAL: _l("Bare i kommunen"),
    Stage.PUBLIC_BODIES: _l("Tilbys også andre offentlige virksomheter"),
    Stage.NONPROFITS: _l("Tilbys også frivillige organisasjoner"),
    Stage.FINAL: _l("Siste steg: registrer hva som skjedde med tingene"),
}
REASON_LABEL = _l("Hvorfor holdes annonsen tilbake?")
NO_REASON = _l("Skriv hvorfor annonsen flyttes tilbake.")
NOT_ALLOWED = _l("Bare den som la ut annonsen, enhetens administrator og "
                 "systemadministratorer kan flytte den i kaskaden.")
# Where a partner's person sees an item offered to them (the partner pages).
PARTNER_ITEM_LINK = "/partner/items/{id}"


def label(stage: str) -> str:
    return str(STAGE_LABELS[Stage(stage)])


def is_electrical(category: Category) -> bool:
    """Whether items of this category need a safety check before they leave the
    municipality: the category's own flag. A new sub-category copies its parent's flag when
    it is created (categories.create_category), and the flag is edited per category, so the
    SQL rules (permissions.items_offered_to_partner) read the same column."""
    return bool(category.electrical)


def stage_days(stage: str) -> int | None:
    """How many days a partner stage lasts (None for internal, which ends with the internal
    period, and for final, which does not end)."""
    if stage == Stage.PUBLIC_BODIES:
        return current_app.config["CASCADE_PUBLIC_BODIES_DAYS"]
    if stage == Stage.NONPROFITS:
        return current_app.config["CASCADE_NONPROFITS_DAYS"]
    return None


def _later(stage: str) -> tuple[str, ...]:
    return tuple(s.value for s in ORDER[ORDER.index(Stage(stage)) + 1:])


def where_today_falls(stage: str, ends_on: date | None, today: date) -> tuple[str, date | None]:
    """The stage an item at `stage` (ending `ends_on`) is at today, and its end: each stage
    that has run out gives way to the next, which starts the day after and lasts its length."""
    while ends_on is not None and ends_on < today:
        stage = ORDER[ORDER.index(Stage(stage)) + 1].value
        days = stage_days(stage)
        ends_on = ends_on + timedelta(days=days) if days is not None else None
    return stage, ends_on


def _move(item: Item, stage: str, ends_on: date | None, *, was: str,
          was_ending: date | None, **values) -> bool:
    """One conditional UPDATE from the stage and end as read: False if someone moved it first."""
    ending = (Item.stage_ends_on.is_(None) if was_ending is None
              else Item.stage_ends_on == was_ending)
    moved = db.session.execute(
        update(Item).where(Item.id == item.id, Item.stage == was, ending)
        .values(stage=stage, stage_ends_on=ends_on, **values)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(item)
    return bool(moved)


# -- on time: run-jobs -----------------------------------------------------------------------

@dataclass(frozen=True)
class Due:
    """An item whose stage has run out, as one run of the jobs read it."""

    item_id: int
    stage: str
    ends_on: date


def due_items(today: date) -> list[Due]:
    """Listed items whose stage ended before today."""
    rows = db.session.execute(
        select(Item.id, Item.stage, Item.stage_ends_on)
        .where(Item.listed(), Item.stage != Stage.FINAL.value,
               Item.stage_ends_on.is_not(None), Item.stage_ends_on < today)
        .order_by(Item.id)).all()
    return [Due(item_id, stage, ends_on) for item_id, stage, ends_on in rows]


def advance(due: Due, today: date) -> bool:
    """Move one item on to the stage today falls in, and tell those concerned; False if
    another run moved it since it was read."""
    item = db.session.get(Item, due.item_id)
    stage, ends_on = where_today_falls(due.stage, due.ends_on, today)
    if item is None or not _move(item, stage, ends_on, was=due.stage, was_ending=due.ends_on):
        return False
    audit.record(None, "item.stage_moved", item, stage=stage, before=due.stage,
                 ends_on=ends_on, on_time=True)
    announce(item, due.stage)
    return True


def advance_due(today: date | None = None) -> int:
    """run-jobs: move every listed item whose stage has run out; how many were moved."""
    today = today or oslo_today()
    return sum(advance(due, today) for due in due_items(today))


# -- telling people --------------------------------------------------------------------------

def _item_side(item: Item) -> list[User]:
    """The lister; if they have left, the item unit's admins (as for claims)."""
    lister = item.created_by
    if lister.is_active:
        return [lister]
    return list(db.session.scalars(
        select(User).where(User.unit_id == item.unit_id, User.role == Role.UNIT_ADMIN.value,
                           User.active.is_(True))))


def _ancestor_ids(category: Category) -> list[int]:
    ids, node = [], category
    while node is not None and node.id not in ids:
        ids.append(node.id)
        node = node.parent
    return ids


def subscribers(item: Item, *, before: str | None = None) -> list[User]:
    """Active people of active partner organisations the item's stage offers it to (and,
    given the stage it came from, that it did not offer it to already), who follow its
    category or a category above it; nobody while it may not leave the municipality."""
    kinds = [kind for kind, stages in STAGES_OFFERED.items()
             if item.stage in stages and before not in stages]
    if not kinds or not may_leave_municipality(item):
        return []
    people = db.session.scalars(
        select(User).join(PartnerSubscription, PartnerSubscription.user_id == User.id)
        .join(Partner, Partner.id == User.partner_id)
        .where(PartnerSubscription.category_id.in_(_ancestor_ids(item.category)),
               Partner.kind.in_(kinds), Partner.suspended_at.is_(None),
               User.role == Role.PARTNER.value, User.active.is_(True))
        .options(selectinload(User.partner))
        .order_by(User.id).distinct()).all()
    return [person for person in people if person.is_active]


def _lister_message(item: Item) -> tuple[str, str]:
    values = {"title": item.title, "date": format_day(item.stage_ends_on),
              "num": item.quantity_available}
    if item.stage == Stage.FINAL:
        left = dispositions.pieces_left(item)
        return (_("Registrer hva som skjedde: %(title)s", **values),
                ngettext("Ingen har tatt «%(title)s» i kaskaden. Registrer hva som skjedde "
                         "med den %(num)s tingen som er igjen: solgt, gitt bort, levert til "
                         "gjenvinning eller kastet.",
                         "Ingen har tatt «%(title)s» i kaskaden. Registrer hva som skjedde "
                         "med de %(num)s tingene som er igjen: solgt, gitt bort, levert til "
                         "gjenvinning eller kastet.", left, title=item.title))
    if item.stage == Stage.PUBLIC_BODIES:
        subject = _("Intern periode er over: %(title)s", **values)
        body = _("Ingen enhet har tatt alt i «%(title)s» i løpet av den interne perioden. "
                 "Tingene tilbys nå også andre offentlige virksomheter, til og med "
                 "%(date)s. Du kan holde annonsen internt lenger på annonsesiden.", **values)
    else:
        subject = _("Tilbys frivillige organisasjoner: %(title)s", **values)
        body = _("«%(title)s» tilbys nå også frivillige organisasjoner, til og med %(date)s. "
                 "Deretter registrerer du hva som skjedde med det som er igjen.", **values)
    if not may_leave_municipality(item):
        body += " " + _("Dette er elektrisk utstyr: merk det som el-sjekket, ellers vises det "
                        "ikke utenfor kommunen.")
    return subject, body


def _partner_message(item: Item) -> tuple[str, str]:
    values = {"title": item.title, "date": format_day(item.stage_ends_on),
              "num": item.quantity_available}
    return (_("Ledig for din organisasjon: %(title)s", **values),
            ngettext("%(num)s stk. «%(title)s» kan nå hentes av din organisasjon, til og med "
                     "%(date)s.",
                     "%(num)s stk. «%(title)s» kan nå hentes av din organisasjon, til og med "
                     "%(date)s.", item.quantity_available, title=item.title,
                     date=format_day(item.stage_ends_on)))


def _tell(people: list[User], kind: str, compose: Callable[[], tuple[str, str]], link: str,
          dedup_key: str) -> int:
    sent = 0
    for person in people:
        with force_locale(locale_of(person)):
            subject, body = compose()
            sent += notifications.notify(person, kind, subject, body, link=link,
                                         dedup_key=dedup_key) is not None
    return sent


def announce(item: Item, before: str, *, item_side: bool = True) -> int:
    """Tell the lister (or the unit's admins) where the item now stands, unless they moved it
    themselves, and the partner people who follow its category that it is now offered to
    them (not those it was offered to at the stage before). Once per item and stage."""
    key = f"item:{item.id}:stage:{item.stage}"
    sent = 0
    if item_side:
        sent += _tell(_item_side(item), "stage_moved", lambda: _lister_message(item),
                      f"/items/{item.id}", key)
    return sent + _tell(subscribers(item, before=before), "stage_offered",
                        lambda: _partner_message(item), PARTNER_ITEM_LINK.format(id=item.id),
                        key)


def nag_final(today: date | None = None) -> int:
    """Remind the lister weekly of items at the final stage with pieces still without an
    end; how many reminders were sent."""
    today = today or oslo_today()
    year, week, _day = today.isocalendar()
    found = db.session.scalars(
        select(Item).where(Item.listed(), Item.stage == Stage.FINAL.value)
        .options(selectinload(Item.created_by)).order_by(Item.id)).all()
    sent = 0
    for item in found:
        left = dispositions.pieces_left(item)
        if left <= 0:
            continue

        def compose(item=item, left=left) -> tuple[str, str]:
            return (_("Påminnelse: registrer hva som skjedde med %(title)s", title=item.title),
                    ngettext("%(num)s ting i «%(title)s» har ennå ikke fått en slutt. "
                             "Registrer om den ble solgt, gitt bort, levert til gjenvinning "
                             "eller kastet.",
                             "%(num)s ting i «%(title)s» har ennå ikke fått en slutt. "
                             "Registrer om de ble solgt, gitt bort, levert til gjenvinning "
                             "eller kastet.", left, title=item.title))

        sent += _tell(_item_side(item), "final_reminder", compose, f"/items/{item.id}",
                      f"item:{item.id}:final:{year}-W{week:02d}")
    return sent


# -- by hand: the lister ---------------------------------------------------------------------

def choices(item: Item) -> tuple[str, ...]:
    """The stages an item may be moved to by hand: any other (back needs a reason)."""
    return tuple(s.value for s in ORDER if s.value != item.stage)


def is_back(item: Item, stage: str) -> bool:
    return ORDER.index(Stage(stage)) < ORDER.index(Stage(item.stage))


def move(user: User, item: Item, stage: str, reason: str | None = None, *,
         today: date | None = None) -> Item:
    """Move an item on early (to any later stage) or back (with a reason). Its new stage
    lasts its full length from today; back to internal starts a new internal period."""
    from reuse.services.items import INTERNAL_PERIOD_DAYS

    if not can_move_stage(user, item):
        raise PermissionDenied(str(NOT_ALLOWED))
    today = today or oslo_today()
    try:
        target = Stage(stage).value
    except ValueError:
        raise InvalidInput(_("Ukjent steg «%(stage)s».", stage=stage), field="stage") from None
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise InvalidInput(str(ledger.REASON_TOO_LONG), field="reason")
    characters.check(reason, str(REASON_LABEL), field="reason", multiline=True)
    if item.is_withdrawn:
        raise Conflict(str(claims.WITHDRAWN), code="withdrawn")
    if item.quantity_available <= 0 and item.quantity_reserved <= 0:
        raise Conflict(_("Alle tingene er allerede gitt videre."), code="handed_over")
    if target == item.stage:
        raise Conflict(_("Annonsen er allerede på dette steget."), code="same_stage")
    back = is_back(item, target)
    if back and not reason:
        raise InvalidInput(str(NO_REASON), field="reason")
    values: dict = {}
    if target == Stage.INTERNAL:
        ends_on = today + timedelta(days=INTERNAL_PERIOD_DAYS)
        values["internal_until"] = ends_on
    else:
        days = stage_days(target)
        ends_on = today + timedelta(days=days) if days is not None else None
    before = item.stage
    if not _move(item, target, ends_on, was=before, was_ending=item.stage_ends_on, **values):
        raise Conflict(_("Annonsen ble nettopp flyttet av noen andre. Se hvor den står nå."),
                       code="moved")
    audit.record(user, "item.stage_moved", item, stage=target, before=before, ends_on=ends_on,
                 back=back, reason=reason)
    if not back:
        announce(item, before, item_side=False)
    return item


def mark_safety_checked(user: User, item: Item) -> Item:
    """Record that an electrical item has been safety-checked (el-sjekk): from now on it may
    leave the municipality. Its partner subscribers hear of it if it is at their stage now."""
    if not can_mark_safety_checked(user, item):
        raise PermissionDenied(_("Bare den som la ut annonsen, enhetens administrator og "
                                 "systemadministratorer kan merke den som el-sjekket."))
    if not is_electrical(item.category):
        raise Conflict(_("Bare elektrisk utstyr skal el-sjekkes."), code="not_electrical")
    if item.is_withdrawn:
        raise Conflict(str(claims.WITHDRAWN), code="withdrawn")
    checked = db.session.execute(
        update(Item).where(Item.id == item.id, Item.safety_checked_at.is_(None))
        .values(safety_checked_at=utcnow(), safety_checked_by_id=user.id)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(item)
    if not checked:
        raise Conflict(_("Annonsen er allerede merket som el-sjekket."), code="already_checked")
    audit.record(user, "item.safety_checked", item)
    if item.stage in (Stage.PUBLIC_BODIES, Stage.NONPROFITS) and item.quantity_available:
        _tell(subscribers(item), "stage_offered", lambda: _partner_message(item),
              PARTNER_ITEM_LINK.format(id=item.id), f"item:{item.id}:stage:{item.stage}")
    return item
