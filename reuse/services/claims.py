"""Claims: reserve, approve or decline, cancel, collect (writing the reuse record), expire.

Every move of quantity is one conditional UPDATE on the item, and every change of state one
conditional UPDATE on the claim, so two requests racing for the last pieces, or an approval
racing a cancellation, are settled by the database, not by Python reading first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import ColumnElement, Select, case, false, func, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.util import identity_key

from reuse.clock import oslo_today
from reuse.extensions import db
from reuse.i18n import format_day, format_number, locale_of, ngettext
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import (
    OPEN_CLAIM_STATUSES,
    CheckOutcome,
    Claim,
    ClaimStatus,
    DeclineReason,
    Item,
    ReuseCheck,
    Role,
    User,
    utcnow,
)
from reuse.models.catalog import MAX_ITEM_QUANTITY
from reuse.services import audit, characters, dispositions, ledger, notifications
from reuse.services.allowances import Allowance
from reuse.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from reuse.services.paging import ListPage, paginate
from reuse.services.permissions import (
    can_cancel_claim,
    can_claim,
    can_confirm_collection,
    can_decide_claim,
    claims_visible_to,
    stages_offered_to,
)

MAX_MESSAGE = 2000
NOT_OFFERED = _l("Annonsen tilbys ikke deres organisasjon nå.")
# Refused to claim or to move: the item is withdrawn (stages.move says it in the same words).
WITHDRAWN = _l("Annonsen er trukket tilbake.")
# What the claimant is told once their claim is cancelled, on the unit's and partners' pages.
CANCELLED = _l("Forespørselen er trukket tilbake, og tingene er ledige for andre.")
REMIND_DAYS_BEFORE_DEADLINE = 3

STATUS_LABELS = {
    ClaimStatus.PENDING: _l("Venter på svar"),
    ClaimStatus.APPROVED: _l("Godkjent – klar for henting"),
    ClaimStatus.COLLECTED: _l("Hentet"),
    ClaimStatus.DECLINED: _l("Avslått"),
    ClaimStatus.CANCELLED: _l("Trukket tilbake"),
    ClaimStatus.EXPIRED: _l("Utløpt"),
}

MESSAGE_LABEL = _l("Melding")
NOT_FOUND = _l("Fant ikke forespørselen.")
LABEL = _l("Forespørsel")
APPROVED_SUBJECT = _l("Godkjent: %(title)s")
# What a lister may choose when declining, in the order the form offers them.
DECLINE_REASON_LABELS = {
    DeclineReason.ALREADY_GIVEN: _l("Allerede gitt bort"),
    DeclineReason.NO_LONGER_AVAILABLE: _l("Passer ikke lenger å gi bort"),
    DeclineReason.COLLECTION_NOT_POSSIBLE: _l("Kan ikke hentes slik dere foreslår"),
    DeclineReason.OTHER: _l("Annen grunn"),
}
# Set by withdraw_item for the waiting claims; never chosen.
WITHDRAWN_LABEL = _l("Annonsen ble trukket tilbake")
NO_DECLINE_REASON = _l("Velg hvorfor forespørselen avslås.")
NO_OTHER_REASON_TEXT = _l("Skriv kort hvorfor forespørselen avslås.")


def decline_reason_label(claim: Claim) -> str | None:
    """The declined claim's reason as a person reads it; None if none was given."""
    if claim.decline_reason is None:
        return None
    if claim.decline_reason == DeclineReason.ITEM_WITHDRAWN:
        return str(WITHDRAWN_LABEL)
    return str(DECLINE_REASON_LABELS[DeclineReason(claim.decline_reason)])


# Builds a notification's (subject, body); called once per recipient, in their language.
Compose = Callable[[], tuple[str, str]]


def _message(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > MAX_MESSAGE:
        raise InvalidInput(_("Meldingen kan ha høyst %(max)s tegn.", max=MAX_MESSAGE),
                           field="message")
    characters.check(text, str(MESSAGE_LABEL), field="message", multiline=True)
    return text


def _claim_link(claim: Claim) -> str:
    """The claimant's page of the claim: a partner's person has their own (the municipal
    claim pages do not exist for them)."""
    if claim.partner_id is not None:
        return f"/partner/claims/{claim.id}"
    return _item_side_link(claim)


def _item_side_link(claim: Claim) -> str:
    return f"/claims/{claim.id}"


def _speaker(user: User, claim: Claim) -> str:
    """Who the claimant is told acted on the item's side: the person, or for a partner's
    claim the giving unit (partners are not told who in the municipality listed it)."""
    return claim.item.unit.name if claim.partner_id is not None else user.name


def _with_message(body: str, message: str) -> str:
    """The body, and the sender's own words (if any) as a paragraph of their own."""
    return body + ("\n\n" + _("Melding: %(message)s", message=message) if message else "")


# -- quantity moves on the item: each a single conditional UPDATE ------------------------

def _reserve(item: Item, quantity: int, stages: tuple[str, ...] | None = None) -> bool:
    """Reserve pieces if that many are left (and, for a partner, while the item is still at
    one of their stages: run-jobs may move it on at the same moment)."""
    available = Item.quantity - Item.quantity_reserved - Item.quantity_handed_over
    conditions = [Item.id == item.id, Item.withdrawn_at.is_(None), available >= quantity]
    if stages is not None:
        conditions.append(Item.stage.in_(stages))
    moved = db.session.execute(
        update(Item)
        .where(*conditions)
        .values(quantity_reserved=Item.quantity_reserved + quantity)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(item, ["quantity_reserved", "quantity_handed_over"])
    return moved == 1


def _release(item: Item, quantity: int) -> None:
    db.session.execute(
        update(Item).where(Item.id == item.id)
        .values(quantity_reserved=Item.quantity_reserved - quantity)
        .execution_options(synchronize_session=False))
    db.session.expire(item, ["quantity_reserved", "quantity_handed_over"])


def _hand_over(item: Item, quantity: int) -> None:
    db.session.execute(
        update(Item).where(Item.id == item.id)
        .values(quantity_reserved=Item.quantity_reserved - quantity,
                quantity_handed_over=Item.quantity_handed_over + quantity)
        .execution_options(synchronize_session=False))
    db.session.expire(item, ["quantity_reserved", "quantity_handed_over"])


# -- the claimant's count of open claims: one conditional UPDATE each way ------------------

def open_claims_limit() -> int:
    return current_app.config["OPEN_CLAIMS_PER_PERSON"]


def open_claims_of(user: User) -> Allowance:
    """The person's open claims against the limit, read from the row the limit is kept on.

    The row loaded for this request is read as it is: every move of the count expires it
    (_count_open_claim, whether the move was made or refused), so it is read again after one.
    """
    return Allowance(user.open_claims or 0, open_claims_limit())


def _too_many_open_claims(user: User) -> Conflict:
    allowance = open_claims_of(user)
    return Conflict(
        ngettext("Du har %(num)s åpen forespørsel, og du kan ha høyst %(limit)s samtidig. "
                 "Trekk den tilbake hvis du ikke trenger den lenger, eller vent til den er "
                 "hentet eller avslått.",
                 "Du har %(num)s åpne forespørsler, og du kan ha høyst %(limit)s samtidig. "
                 "Trekk tilbake en du ikke trenger lenger, eller vent til en er hentet eller "
                 "avslått.", allowance.count, limit=allowance.limit),
        code="too_many_open_claims")


def _count_open_claim(user_id: int, step: int) -> bool:
    """Move the person's count of open claims; a step up (one new claim) only while under
    the limit.

    The limit is in the statement itself, so of two claims racing for the last place one
    finds the row already moved and is refused.
    """
    condition = [User.id == user_id]
    if step > 0:
        condition.append(User.open_claims < open_claims_limit())
    moved = db.session.execute(
        update(User).where(*condition).values(open_claims=User.open_claims + step)
        .execution_options(synchronize_session=False)).rowcount
    loaded = db.session.identity_map.get(identity_key(User, user_id))
    if loaded is not None:
        db.session.expire(loaded, ["open_claims"])
    return moved == 1


def _move(claim: Claim, allowed_from: tuple[str, ...], to: ClaimStatus, **values) -> bool:
    """Change the claim's state only if it is still in one of the allowed states."""
    moved = db.session.execute(
        update(Claim)
        .where(Claim.id == claim.id, Claim.status.in_([str(s) for s in allowed_from]))
        .values(status=to.value, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(claim)
    return moved == 1


def reopen_linked_check(claim: Claim, **details) -> None:
    """A check that ended in this claim is open again if the claim comes to nothing, or if
    its hand-over is corrected away (ledger.reverse)."""
    if claim.reuse_check_id is None:
        return
    reopened = db.session.execute(
        update(ReuseCheck)
        .where(ReuseCheck.id == claim.reuse_check_id, ReuseCheck.claim_id == claim.id)
        .values(outcome=None, outcome_at=None, claim_id=None)
        .execution_options(synchronize_session=False)).rowcount
    if reopened:
        audit.record(None, "reuse_check.reopened", db.session.get(ReuseCheck,
                                                                claim.reuse_check_id),
                     claim_id=claim.id, claim_status=claim.status, **details)


def _mark_linked_check_reused(claim: Claim, at: datetime) -> None:
    """The check this claim was to meet is reuse now that the claim is collected: in the
    collection's transaction, so the receipt never says reuse before the hand-over."""
    if claim.reuse_check_id is None:
        return
    marked = db.session.execute(
        update(ReuseCheck)
        .where(ReuseCheck.id == claim.reuse_check_id, ReuseCheck.claim_id == claim.id,
               ReuseCheck.outcome == CheckOutcome.CLAIMED.value)
        .values(outcome=CheckOutcome.REUSED.value, outcome_at=at)
        .execution_options(synchronize_session=False)).rowcount
    if marked:
        check = db.session.get(ReuseCheck, claim.reuse_check_id)
        db.session.refresh(check)
        audit.record(None, "reuse_check.reused", check, claim_id=claim.id)


def _state_conflict(claim: Claim, action: str) -> Conflict:
    """The claim is no longer in a state that allows `action` (approve, decline, cancel,
    collect)."""
    status = str(STATUS_LABELS[ClaimStatus(claim.status)]).lower()
    if action == "approve":
        message = _("Forespørselen kan ikke godkjennes nå: den er %(status)s.", status=status)
    elif action == "decline":
        message = _("Forespørselen kan ikke avslås nå: den er %(status)s.", status=status)
    elif action == "cancel":
        message = _("Forespørselen kan ikke trekkes tilbake nå: den er %(status)s.",
                    status=status)
    else:
        message = _("Forespørselen kan ikke bekreftes hentet nå: den er %(status)s.",
                    status=status)
    return Conflict(message, code="invalid_state")


# -- the actions -------------------------------------------------------------------------

def claim_item(user: User, item: Item, quantity: int, message: str = "") -> Claim:
    """Reserve `quantity` pieces of another unit's item for the user's unit."""
    if item.unit_id == user.unit_id:
        raise PermissionDenied(_("Du kan ikke be om ting fra din egen enhet."),
                               code="own_unit")
    if not can_claim(user, item):
        if user.is_partner:  # they see it through an earlier claim; the cascade moved on
            raise Conflict(str(NOT_OFFERED), code="wrong_stage")
        raise PermissionDenied(_("Du kan ikke be om denne annonsen."))
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not (
            1 <= quantity <= MAX_ITEM_QUANTITY):
        raise InvalidInput(_("Antall må være et helt tall fra 1 til %(max)s.",
                             max=MAX_ITEM_QUANTITY), field="quantity")
    message = _message(message)
    if item.is_withdrawn:
        raise Conflict(str(WITHDRAWN), code="withdrawn")
    if not _reserve(item, quantity, stages_offered_to(user) if user.is_partner else None):
        if user.is_partner and not can_claim(user, item):
            raise Conflict(str(NOT_OFFERED), code="wrong_stage")
        available = max(item.quantity_available, 0)
        raise Conflict(
            ngettext("Det er bare %(num)s ledig nå, så %(quantity)s kan ikke reserveres.",
                     "Det er bare %(num)s ledige nå, så %(quantity)s kan ikke reserveres.",
                     available, quantity=quantity)
            if available else _("Alt er allerede reservert eller hentet."),
            code="not_available")
    # After the item: every path locks an item's row before a person's, so a new claim and a
    # decline, cancellation, collection or expiry of the same person's claims cannot deadlock.
    if not _count_open_claim(user.id, +1):
        _release(item, quantity)
        raise _too_many_open_claims(user)
    days = current_app.config["CLAIM_COLLECT_DAYS"]
    claim = Claim(item=item, claimant=user, unit_id=user.unit_id, partner_id=user.partner_id,
                  quantity=quantity,
                  message=message, collect_by=oslo_today() + timedelta(days=days))
    db.session.add(claim)
    db.session.flush()
    audit.record(user, "claim.created", claim, item_id=item.id, quantity=quantity)
    if item.auto_approve:
        # Stored with the claim and shown to both sides; written in the claimant's language.
        with force_locale(locale_of(user)):
            automatic = _("Godkjent automatisk.")
        _move(claim, (ClaimStatus.PENDING,), ClaimStatus.APPROVED, decided_at=utcnow(),
              decision_message=automatic)
        audit.record(None, "claim.approved", claim, automatic=True)
        with force_locale(locale_of(claim.claimant)):
            notifications.notify(
                claim.claimant, "claim_approved", APPROVED_SUBJECT % {"title": item.title},
                _("Forespørselen din om %(quantity)s stk. «%(title)s» er godkjent automatisk. "
                  "Hent innen %(date)s på %(place)s.", quantity=quantity, title=item.title,
                  date=format_day(claim.collect_by), place=item.location_label),
                link=_claim_link(claim))
        _notify_item_side(claim, "claim_new", lambda: (
            _("Reservert: %(title)s", title=item.title),
            _("%(name)s (%(unit)s) har reservert %(quantity)s stk. «%(title)s». "
              "Forespørselen ble godkjent automatisk.", name=user.name, unit=claim.receiver_name,
              quantity=quantity, title=item.title)))
    else:
        _notify_item_side(claim, "claim_new", lambda: (
            _("Ny forespørsel: %(title)s", title=item.title),
            _with_message(_("%(name)s (%(unit)s) ber om %(quantity)s stk. «%(title)s».",
                            name=user.name, unit=claim.receiver_name, quantity=quantity,
                            title=item.title), message)
            + "\n\n" + _("Godkjenn eller avslå forespørselen.")))
    return claim


def claimed_message(claim: Claim) -> str:
    """What the claimant is told at once, on the unit's and partners' pages alike: reserved and
    approved (collect by when), or sent and reserved while the lister answers."""
    count = format_number(claim.quantity)
    if claim.status == ClaimStatus.APPROVED:
        return ngettext("%(count)s stk. er reservert til %(unit)s og godkjent. "
                        "Hent innen %(date)s.",
                        "%(count)s stk. er reservert til %(unit)s og godkjent. "
                        "Hent innen %(date)s.",
                        claim.quantity, count=count, unit=claim.receiver_name,
                        date=format_day(claim.collect_by))
    return ngettext("Forespørselen er sendt, og %(count)s stk. er reservert mens "
                    "giveren svarer. Du får beskjed på e-post.",
                    "Forespørselen er sendt, og %(count)s stk. er reservert mens "
                    "giveren svarer. Du får beskjed på e-post.",
                    claim.quantity, count=count)


def refusal(user: User, claim: Claim, action: str) -> PermissionDenied | Conflict:
    """Why this user may not `decline` or `cancel` this claim now (for pages that ask before
    acting): the same refusal the action itself would give."""
    allowed = can_decide_claim if action == "decline" else can_cancel_claim
    if not allowed(user, claim):
        return PermissionDenied(str(DECLINE_REFUSED if action == "decline" else CANCEL_REFUSED))
    return _state_conflict(claim, action)


DECLINE_REFUSED = _l("Bare den som la ut annonsen eller enhetens administrator kan avslå.")
CANCEL_REFUSED = _l("Bare den som sendte forespørselen kan trekke den tilbake.")


def approve(user: User, claim: Claim, message: str = "") -> Claim:
    if not can_decide_claim(user, claim):
        raise PermissionDenied(_("Bare den som la ut annonsen eller enhetens administrator "
                                 "kan godkjenne."))
    message = _message(message)
    if not _move(claim, (ClaimStatus.PENDING,), ClaimStatus.APPROVED, decided_at=utcnow(),
                 decided_by_id=user.id, decision_message=message):
        raise _state_conflict(claim, "approve")
    audit.record(user, "claim.approved", claim)
    item = claim.item
    with force_locale(locale_of(claim.claimant)):
        notifications.notify(
            claim.claimant, "claim_approved", APPROVED_SUBJECT % {"title": item.title},
            _with_message(_("%(name)s har godkjent forespørselen din om %(quantity)s stk. "
                            "«%(title)s». Hent innen %(date)s på %(place)s.",
                            name=_speaker(user, claim), quantity=claim.quantity,
                            title=item.title,
                            date=format_day(claim.collect_by), place=item.location_label),
                          message),
            link=_claim_link(claim))
    return claim


def decline(user: User, claim: Claim, message: str = "", reason: str | None = None) -> Claim:
    """Decline a pending claim, giving its pieces back.

    `reason` is one of DECLINE_REASON_LABELS; "other" needs the words in `message`. None (no
    reason given) is kept for API clients written before reasons were asked."""
    if not can_decide_claim(user, claim):
        raise PermissionDenied(str(DECLINE_REFUSED))
    message = _message(message)
    if reason is not None and reason not in {str(r) for r in DECLINE_REASON_LABELS}:
        raise InvalidInput(str(NO_DECLINE_REASON), field="reason")
    if reason == DeclineReason.OTHER and not message:
        raise InvalidInput(str(NO_OTHER_REASON_TEXT), field="message")
    return _decline(user, claim, message, reason)


def decline_for_withdrawal(user: User, claim: Claim, message: str = "") -> Claim:
    """Decline a waiting claim because its item is being withdrawn (items.withdraw_item),
    with the lister's words for the claimant, if any."""
    return _decline(user, claim, _message(message), DeclineReason.ITEM_WITHDRAWN.value)


def tell_approved_of_withdrawal(claim: Claim, message: str = "") -> None:
    """An approved claim outlives its item's withdrawal (it was a promise): its claimant is
    told the listing is gone and the collection still stands."""
    item = claim.item
    with force_locale(locale_of(claim.claimant)):
        notifications.notify(
            claim.claimant, "item_withdrawn", _("Trukket tilbake: %(title)s", title=item.title),
            _with_message(_("«%(title)s» er fjernet fra katalogen, men forespørselen din er "
                            "fortsatt godkjent. Hent %(quantity)s stk. innen %(date)s på "
                            "%(place)s.", title=item.title, quantity=claim.quantity,
                            date=format_day(claim.collect_by), place=item.location_label),
                          message),
            link=_claim_link(claim))


def _decline(user: User, claim: Claim, message: str, reason: str | None) -> Claim:
    if not _move(claim, (ClaimStatus.PENDING,), ClaimStatus.DECLINED, decided_at=utcnow(),
                 decided_by_id=user.id, decision_message=message, decline_reason=reason,
                 closed_at=utcnow()):
        raise _state_conflict(claim, "decline")
    _release(claim.item, claim.quantity)
    _count_open_claim(claim.claimant_id, -1)
    reopen_linked_check(claim)
    audit.record(user, "claim.declined", claim, reason=reason, message=message)
    with force_locale(locale_of(claim.claimant)):
        body = _("%(name)s har avslått forespørselen din om «%(title)s».",
                 name=_speaker(user, claim), title=claim.item.title)
        if label := decline_reason_label(claim):
            body += "\n\n" + _("Grunn: %(reason)s", reason=label)
        if message:
            body += "\n\n" + _("Begrunnelse: %(reason)s", reason=message)
        notifications.notify(
            claim.claimant, "claim_declined", _("Avslått: %(title)s", title=claim.item.title),
            body, link=_claim_link(claim))
    return claim


def cancel(user: User, claim: Claim, message: str = "") -> Claim:
    if not can_cancel_claim(user, claim):
        raise PermissionDenied(str(CANCEL_REFUSED))
    message = _message(message)
    if not _move(claim, OPEN_CLAIM_STATUSES, ClaimStatus.CANCELLED, closed_at=utcnow()):
        raise _state_conflict(claim, "cancel")
    _release(claim.item, claim.quantity)
    _count_open_claim(claim.claimant_id, -1)
    reopen_linked_check(claim)
    audit.record(user, "claim.cancelled", claim, message=message)
    _notify_item_side(claim, "claim_cancelled", lambda: (
        _("Trukket tilbake: %(title)s", title=claim.item.title),
        _with_message(_("%(name)s har trukket tilbake forespørselen om %(quantity)s stk. "
                        "«%(title)s». Tingene er ledige igjen.", name=user.name,
                        quantity=claim.quantity, title=claim.item.title), message)))
    return claim


def collect(user: User, claim: Claim, *, replaces_purchase: bool | None,
            costs_nok: Decimal = Decimal("0")) -> Claim:
    """Confirm the hand-over and write its reuse record, in one transaction.

    Whether the receiver would otherwise have bought new decides every avoided krone and kilo
    of CO2e, so it has no default: an unanswered question (None) is refused, never a yes."""
    if not can_confirm_collection(user, claim):
        raise PermissionDenied(_("Bare mottakeren eller enheten som ga bort tingene kan "
                                 "bekrefte hentingen."))
    outside = claim.partner_id is not None
    # A partner's hand-over avoids no purchase of the municipality: nothing to ask.
    if not outside and not isinstance(replaces_purchase, bool):
        raise InvalidInput(_("Svar ja eller nei på om dere ellers ville kjøpt nytt."),
                           field="replaces_purchase")
    costs_nok = ledger.validate_costs(costs_nok)
    now = utcnow()
    if not _move(claim, (ClaimStatus.APPROVED,), ClaimStatus.COLLECTED, collected_at=now,
                 collected_by_id=user.id, closed_at=now):
        raise _state_conflict(claim, "collect")
    _hand_over(claim.item, claim.quantity)
    _count_open_claim(claim.claimant_id, -1)
    if outside:
        outside_record = dispositions.write_partner_reuse(claim, user)
        audit.record(user, "claim.collected", claim, disposition_id=outside_record.id)
    else:
        _mark_linked_check_reused(claim, now)
        record = ledger.write_record(claim, user, replaces_purchase=replaces_purchase,
                                     costs_nok=costs_nok)
        audit.record(user, "claim.collected", claim, reuse_record_id=record.id,
                     replaces_purchase=replaces_purchase, costs_nok=costs_nok)
    item = claim.item
    if user.id == claim.claimant_id:
        _notify_item_side(claim, "claim_collected", lambda: (
            _("Hentet: %(title)s", title=item.title),
            _("%(name)s har bekreftet at %(quantity)s stk. «%(title)s» er hentet. Takk for at "
              "dere ga tingene nytt liv!", name=user.name, quantity=claim.quantity,
              title=item.title)))
    else:
        # The giving side closed the loop; tell the receiver what was recorded in their name.
        with force_locale(locale_of(claim.claimant)):
            collected = _("%(name)s har bekreftet at dere har hentet %(quantity)s stk. "
                          "«%(title)s».", name=_speaker(user, claim), quantity=claim.quantity,
                          title=item.title)
            recorded = ("" if outside else
                        _("Det er registrert at dere ellers ville kjøpt nytt.")
                        if replaces_purchase else
                        _("Det er registrert at dere ellers ikke ville kjøpt nytt."))
            notifications.notify(
                claim.claimant, "claim_collected",
                _("Henting bekreftet: %(title)s", title=item.title),
                " ".join(part for part in (collected, recorded) if part) + " "
                + _("Stemmer ikke det, kontakt en systemadministrator for korrigering."),
                link=_claim_link(claim))
    return claim


def expire_overdue(today: date | None = None) -> list[Claim]:
    """Claims still open after their collect-by date expire and give their quantity back."""
    today = today or oslo_today()
    overdue = db.session.scalars(
        select(Claim).where(Claim.open(),
                            Claim.collect_by < today)
        .options(selectinload(Claim.item), selectinload(Claim.claimant))
    ).all()
    expired = []
    for claim in overdue:
        if not _move(claim, OPEN_CLAIM_STATUSES, ClaimStatus.EXPIRED, closed_at=utcnow()):
            continue  # someone acted on it meanwhile
        _release(claim.item, claim.quantity)
        reopen_linked_check(claim)
        audit.record(None, "claim.expired", claim, collect_by=claim.collect_by)

        def expiry(claim: Claim = claim) -> tuple[str, str]:
            return (_("Utløpt: %(title)s", title=claim.item.title),
                    _("Forespørselen om %(quantity)s stk. «%(title)s» ble ikke hentet innen "
                      "%(date)s og er utløpt. Tingene er ledige igjen.",
                      quantity=claim.quantity, title=claim.item.title,
                      date=format_day(claim.collect_by)))

        with force_locale(locale_of(claim.claimant)):
            notifications.notify(claim.claimant, "claim_expired", *expiry(),
                                 link=_claim_link(claim))
        _notify_item_side(claim, "claim_expired", expiry)
        expired.append(claim)
    # The claimants' counts last, once every item is done: a person's row is never held while
    # waiting for an item's, the order a new claim takes them in, so the two cannot deadlock.
    for claimant_id, count in sorted(Counter(c.claimant_id for c in expired).items()):
        _count_open_claim(claimant_id, -count)
    return expired


def remind_uncollected(today: date | None = None) -> int:
    """Approved claims near their deadline: remind both sides once to hand over and confirm."""
    today = today or oslo_today()
    due = db.session.scalars(
        select(Claim).where(Claim.status == ClaimStatus.APPROVED.value,
                            Claim.collect_by <= today + timedelta(days=REMIND_DAYS_BEFORE_DEADLINE))
        .options(selectinload(Claim.item), selectinload(Claim.claimant))
    ).all()
    sent = 0
    for claim in due:
        key = f"claim:{claim.id}:collect-reminder"
        item = claim.item
        with force_locale(locale_of(claim.claimant)):
            if notifications.notify(
                    claim.claimant, "claim_reminder",
                    _("Påminnelse: hent %(title)s", title=item.title),
                    _("Husk å hente %(quantity)s stk. «%(title)s» innen %(date)s (%(place)s), og "
                      "bekreft hentingen når det er gjort.", quantity=claim.quantity,
                      title=item.title, date=format_day(claim.collect_by),
                      place=item.location_label),
                    link=_claim_link(claim), dedup_key=key):
                sent += 1
        sent += _notify_item_side(claim, "claim_reminder", lambda claim=claim, item=item: (
            _("Påminnelse: %(title)s skal hentes", title=item.title),
            _("%(name)s (%(unit)s) skal hente %(quantity)s stk. «%(title)s» innen %(date)s. "
              "Bekreft hentingen når den har skjedd – det er den som teller i kommunens "
              "gjenbruksregnskap.", name=claim.claimant.name, unit=claim.receiver_name,
              quantity=claim.quantity, title=item.title, date=format_day(claim.collect_by))),
            dedup_key=key)
    return sent


def _notify_item_side(claim: Claim, kind: str, compose: Compose, *,
                      dedup_key: str | None = None) -> int:
    """Tell the lister; if they have left, the item unit's admins. `compose` gives the
    subject and body, and is called for each of them in their own language."""
    item = claim.item
    lister = item.created_by
    recipients = [lister] if lister.is_active else list(db.session.scalars(
        select(User).where(User.unit_id == item.unit_id, User.role == Role.UNIT_ADMIN.value,
                           User.active.is_(True))))
    sent = 0
    for person in recipients:
        with force_locale(locale_of(person)):
            subject, body = compose()
            if notifications.notify(person, kind, subject, body, link=_item_side_link(claim),
                                    dedup_key=dedup_key):
                sent += 1
    return sent


# -- reading -----------------------------------------------------------------------------

def get_claim(claim_id: int) -> Claim:
    """Load a claim by id for anyone: pages, API and commands use permissions.visible_claim."""
    claim = db.session.scalar(
        select(Claim).where(Claim.id == claim_id)
        .options(selectinload(Claim.item).selectinload(Item.photos),
                 selectinload(Claim.item).selectinload(Item.unit),
                 selectinload(Claim.claimant), selectinload(Claim.unit),
                 selectinload(Claim.reuse_record)))
    if claim is None:
        raise NotFound(str(NOT_FOUND))
    return claim


def _with_details(query: Select) -> Select:
    return query.options(selectinload(Claim.item).selectinload(Item.unit),
                         selectinload(Claim.item).selectinload(Item.photos),
                         selectinload(Claim.claimant), selectinload(Claim.unit),
                         selectinload(Claim.reuse_record))


def _listing(query: Select) -> list[Claim]:
    return list(db.session.scalars(
        _with_details(query).order_by(Claim.created_at.desc(), Claim.id.desc()).limit(500)))


# Both lists are within what permissions.can_see_claim allows; the rule's SQL form keeps
# them so (a deactivated user's token, say, lists nothing).
def _made_by(user: User) -> Select:
    return select(Claim).where(Claim.claimant_id == user.id, claims_visible_to(user))


def _on_unit_items(user: User) -> Select:
    return select(Claim).join(Item).where(Item.unit_id == user.unit_id,
                                          claims_visible_to(user))


def claims_made_by(user: User) -> list[Claim]:
    return _listing(_made_by(user))


def claims_on_unit_items(user: User) -> list[Claim]:
    return _listing(_on_unit_items(user))


CLAIMS_PER_PAGE = 50


def _awaiting_answer() -> ColumnElement[bool]:
    """A request the giving unit has not answered yet (approve or decline)."""
    return Claim.status == ClaimStatus.PENDING


def claim_page(user: User, *, incoming: bool, page: int = 1,
               per_page: int = CLAIMS_PER_PAGE, answered: bool | None = None) -> ListPage[Claim]:
    """One page of the claims the user made, or of those on the unit's items: open claims
    first, since they wait for someone, then newest first. Every claim is on some page.
    With `answered`, only those the giving unit has answered (or that ended without an
    answer), or only those waiting for its answer."""
    waiting = case((Claim.open(), 0), else_=1)
    query = _on_unit_items(user) if incoming else _made_by(user)
    if answered is not None:
        query = query.where(~_awaiting_answer() if answered else _awaiting_answer())
    return paginate(_with_details(query).order_by(waiting, Claim.created_at.desc(),
                                                  Claim.id.desc()),
                    page=page, per_page=per_page)


def organisation_claims(user: User) -> Select:
    """A partner's person: every claim of their organisation (whoever in it made it), open
    ones first, then newest first. Nothing for anyone else."""
    if not user.is_partner:
        return select(Claim).where(false())
    waiting = case((Claim.open(), 0), else_=1)
    return _with_details(select(Claim).where(Claim.partner_id == user.partner_id,
                                             claims_visible_to(user))) \
        .order_by(waiting, Claim.created_at.desc(), Claim.id.desc())


def awaiting_answer_count(user: User) -> int:
    """How many requests for the unit's items wait for the unit's answer."""
    return db.session.scalar(select(func.count()).select_from(
        _on_unit_items(user).where(_awaiting_answer()).subquery())) or 0


def open_claims_for_item(item: Item) -> list[Claim]:
    return _listing(select(Claim).where(
        Claim.item_id == item.id, Claim.open()))


def available_actions(user: User, claim: Claim) -> set[str]:
    """What this user may do with this claim now; pages show exactly these buttons."""
    actions = set()
    if claim.status == ClaimStatus.PENDING and can_decide_claim(user, claim):
        actions |= {"approve", "decline"}
    if claim.is_open and can_cancel_claim(user, claim):
        actions.add("cancel")
    if claim.status == ClaimStatus.APPROVED and can_confirm_collection(user, claim):
        actions.add("collect")
    return actions
