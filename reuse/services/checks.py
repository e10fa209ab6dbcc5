"""Reuse checks: a buyer looks for what the municipality already has before buying new.

A check records the need, who looked, when, and which available items matched (a snapshot),
and ends as `reused` (linked to a claim) or `bought_new` (with a reason). Its receipt is the
documentation a purchase file needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask_babel import force_locale
from sqlalchemy import case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from reuse.extensions import db
from reuse.i18n import format_day, locale_of
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import (
    BoughtNewReason,
    Category,
    CheckOutcome,
    Claim,
    ClaimStatus,
    Condition,
    Item,
    ReuseCheck,
    ReuseCheckMatch,
    ReuseCheckSearch,
    User,
    utcnow,
)
from reuse.models.checks import MAX_PURCHASE_REFERENCE
from reuse.services import (
    audit,
    categories,
    characters,
    claims,
    fulltext,
    notifications,
    quantities,
    text,
    units,
    vocabulary,
)
from reuse.services.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from reuse.services.permissions import can_close_check, checks_visible_to
from reuse.services.trees import subtree_id_list

MAX_MATCHES = 20
CANDIDATE_LIMIT = 500
LIST_LIMIT = 500  # rows on the checks page; its counts cover every check
REMIND_AFTER_DAYS = 14
MAX_NEED = 500
MAX_REASON_TEXT = 1000  # why new was bought, in the buyer's words
# A claim sent up to this long before the check may still be what met its need (the buyer
# claimed first and documented the check afterwards); an older one was not the check's
# result and would only inflate the reuse share.
LINK_WINDOW_DAYS = 14

# The fields' names and what a buyer is told when one is missing: the form says the same.
NEED_LABEL = _l("Hva trenger dere?")
NO_NEED = _l("Beskriv hva dere trenger.")
NO_REASON = _l("Velg hvorfor dere kjøper nytt.")
REASON_TEXT_LABEL = _l("Utdyp gjerne")
PURCHASE_REFERENCE_LABEL = _l("Bestillingsnummer")
NOT_FOUND = _l("Fant ikke gjenbrukssjekken.")
ALREADY_CLOSED = _l("Sjekken er allerede avsluttet.")
DROP_REASON_LABEL = _l("Hvorfor falt behovet bort?")
ALREADY_SUBMITTED = _l("Forespørselen er allerede sendt.")
REASON_TOO_LONG = _l("Begrunnelsen kan ha høyst %(max)s tegn.", max=MAX_REASON_TEXT)
# A claim that can still lead to a hand-over; a declined, cancelled or expired one cannot.
LINKABLE_CLAIM_STATUSES = (ClaimStatus.PENDING, ClaimStatus.APPROVED, ClaimStatus.COLLECTED)

REASON_LABELS = {
    BoughtNewReason.NOTHING_SUITABLE: _l("Ingenting passende var ledig"),
    BoughtNewReason.NOT_ENOUGH: _l("Ikke nok av det vi trengte"),
    BoughtNewReason.NEEDED_SOONER: _l("Behovet kom for raskt til å vente"),
    BoughtNewReason.TECHNICAL_REQUIREMENTS: _l("Tekniske krav eller spesifikasjoner"),
    BoughtNewReason.OTHER: _l("Annen grunn"),
}

# One label per state of a check, used by every list, the receipt, the report and e-mails
# (templating's check_status filter). A claimed check shows its claim's state.
STATUS_LABELS = {
    "open": _l("Åpen"),
    "claim_pending": _l("Forespørsel sendt – venter på svar"),
    "claim_approved": _l("Forespørsel godkjent – ikke hentet ennå"),
    "reused": _l("Dekket med gjenbruk"),
    "bought_new": _l("Kjøpt nytt"),
    "dropped": _l("Behovet falt bort"),
}


def status(check: ReuseCheck) -> str:
    """The check's state as STATUS_LABELS names it (load ReuseCheck.claim for lists)."""
    if check.outcome is None:
        return "open"
    if check.outcome == CheckOutcome.CLAIMED:
        approved = check.claim is not None and check.claim.status == ClaimStatus.APPROVED
        return "claim_approved" if approved else "claim_pending"
    return check.outcome


CONDITION_WEIGHT = {Condition.AS_NEW: 1.5, Condition.GOOD: 1.0, Condition.USED: 0.5,
                    Condition.NEEDS_REPAIR: 0.0}


@dataclass(frozen=True)
class Ranked:
    item: Item
    score: float


def rank(user: User, need: str, category: Category | None, quantity: int | None) -> list[Ranked]:
    """Available items of other units matching the need, best first.

    The words are matched as the catalogue search matches them (vocabulary.terms: folded
    letters, corrections of misspellings, synonyms). An item matches when it has a word of the
    thing asked for (text.split_need: "projektor" in "Projektor til møterom"), or is in the
    chosen category; what the thing is for or its size ("til møterom", "27 tommer") only adds
    to the score, so a coffee maker "til møterom" is no match for a projector.

    Words weigh most (a title hit more than a description hit), then the category, enough
    pieces, condition, and nearness in the organisation (a sibling unit is a short trip).
    """
    thing, qualifier = text.split_need(need)
    thing_terms = vocabulary.terms(thing)
    terms = thing_terms + vocabulary.terms(qualifier)
    if not thing_terms and category is None:
        return []
    query = select(Item).where(Item.listed(), Item.unit_id != user.unit_id)
    category_ids = set(subtree_id_list(Category, category.id)) if category else set()
    conditions = [fulltext.matches("search", thing_terms, every=False)] if thing_terms else []
    if category_ids:
        conditions.append(Item.category_id.in_(category_ids))
    candidates = db.session.scalars(
        query.where(or_(*conditions)).options(joinedload(Item.unit, innerjoin=True),
                                               joinedload(Item.category, innerjoin=True))
        .order_by(Item.created_at.desc()).limit(CANDIDATE_LIMIT)).all()

    parent_of = units.parents()
    buyer_chain = units.ancestors(parent_of, user.unit_id)
    ranked = []
    for item in candidates:
        title_index = text.index_text(item.title)
        hits = [term for term in terms if term.matches(item.search_text, item.category_id)]
        in_category = item.category_id in category_ids
        if not in_category and not any(term in hits for term in thing_terms):
            continue
        score = 10.0 * len(hits) / len(terms) if terms else 0.0
        score += sum(2.0 for term in hits if term.matches(title_index, item.category_id))
        if in_category:
            score += 5.0
        if quantity is not None and item.quantity_available >= quantity:
            score += 2.0
        score += CONDITION_WEIGHT.get(Condition(item.condition), 0.0)
        score += units.nearness(buyer_chain, units.ancestors(parent_of, item.unit_id))
        ranked.append(Ranked(item, score))
    ranked.sort(key=lambda r: (-r.score, -r.item.created_at.timestamp(), r.item.id))
    # Photos only for the matches that are shown, in one query: not for every candidate.
    shown = [entry.item.id for entry in ranked[:MAX_MATCHES]]
    if shown:
        db.session.scalars(select(Item).where(Item.id.in_(shown))
                           .options(selectinload(Item.photos))
                           .execution_options(populate_existing=True)).all()
    return ranked


def suggested_need(user: User, need: str, category: Category | None, quantity: int | None,
                   found: int) -> str | None:
    """"Mente du …?" for a need that found `found` matches: the need in better words
    (vocabulary.suggestion), counted as a search would match it now."""
    thing, qualifier = text.split_need(need)
    terms = vocabulary.terms(thing) + vocabulary.terms(qualifier)
    return vocabulary.suggestion(
        need, terms, found, lambda better: len(rank(user, better, category, quantity)))


def _valid_need(need: str, quantity: int | None) -> str:
    """The need, trimmed, or the refusal a form and the API show beside the field."""
    need = (need or "").strip()
    if not need:
        raise InvalidInput(str(NO_NEED), field="need")
    characters.check(need, str(NEED_LABEL), field="need")
    if len(need) > MAX_NEED:
        raise InvalidInput(_("Beskrivelsen kan ha høyst %(max)s tegn.", max=MAX_NEED),
                           field="need")
    if quantity is not None:
        quantities.check(quantity)
    return need


def search(user: User, need: str, *, category: Category | None = None,
           quantity: int | None = None) -> list[Ranked]:
    """What matches a need, without recording anything: searching and refining are free; a
    check is recorded only when the buyer acts (create_check)."""
    return rank(user, _valid_need(need, quantity), category, quantity)


def _snapshot(check: ReuseCheck, ranked: list[Ranked]) -> None:
    """Keep the matches shown for the check's current search, as they were."""
    check.match_count = len(ranked)
    for position, entry in enumerate(ranked[:MAX_MATCHES], start=1):
        check.matches.append(ReuseCheckMatch(item_id=entry.item.id, rank=position,
                                             title=entry.item.title,
                                             quantity_available=entry.item.quantity_available))


def create_check(user: User, need: str, *, category: Category | None = None,
                 quantity: int | None = None, submission_key: str | None = None) -> ReuseCheck:
    """Record an open check with what matches the need now: the buyer saves the receipt, an
    integration records a check, or a claim or a purchase is about to close it.

    A form sent twice with the same submission_key is refused by the unique index on
    (user_id, submission_key): AlreadySubmitted, and the caller rolls back (a savepoint
    here would commit on SQLite, where the check is the transaction's first write)."""
    need = _valid_need(need, quantity)
    categories.require_offered(category)
    ranked = rank(user, need, category, quantity)
    now = utcnow()
    check = ReuseCheck(user_id=user.id, unit_id=user.unit_id, need=need,
                       category_id=category.id if category else None, quantity=quantity,
                       created_at=now, searched_at=now, submission_key=submission_key)
    _snapshot(check, ranked)
    db.session.add(check)
    try:
        db.session.flush()
    except IntegrityError:
        if submission_key is None:
            raise
        raise AlreadySubmitted() from None
    audit.record(user, "reuse_check.created", check, need=need, matches=len(ranked))
    return check


def refine_check(user: User, check: ReuseCheck, need: str, *, category: Category | None = None,
                 quantity: int | None = None) -> ReuseCheck:
    """Change an open check's need and search again. The earlier search and its matches stay
    on the receipt as a ReuseCheckSearch: the receipt shows what was shown when."""
    _owned_open(user, check)
    need = _valid_need(need, quantity)
    categories.require_offered(category, keeps=check.category_id)
    # Only while still open, and one refinement at a time: a conditional UPDATE takes the
    # row (a claim or purchase recorded at the same moment keeps the need it was recorded
    # for), and the earlier search is read after it, so a double submit files each search
    # under its own need.
    taken = db.session.execute(
        update(ReuseCheck).where(ReuseCheck.id == check.id, ReuseCheck.outcome.is_(None))
        .values(need=ReuseCheck.need)
        .execution_options(synchronize_session=False)).rowcount
    if not taken:
        raise Conflict(str(ALREADY_CLOSED), code="invalid_state")
    db.session.refresh(check)
    earlier = ReuseCheckSearch(check_id=check.id, need=check.need,
                               category_id=check.category_id, quantity=check.quantity,
                               match_count=check.match_count, searched_at=check.searched_at)
    db.session.execute(
        update(ReuseCheck).where(ReuseCheck.id == check.id)
        .values(need=need, quantity=quantity, category_id=category.id if category else None,
                searched_at=utcnow())
        .execution_options(synchronize_session=False))
    db.session.add(earlier)
    db.session.flush()
    db.session.execute(update(ReuseCheckMatch)
                       .where(ReuseCheckMatch.check_id == check.id,
                              ReuseCheckMatch.search_id.is_(None))
                       .values(search_id=earlier.id)
                       .execution_options(synchronize_session=False))
    db.session.refresh(check)
    _snapshot(check, rank(user, need, category, quantity))
    db.session.flush()
    audit.record(user, "reuse_check.refined", check, need=need, earlier_need=earlier.need,
                 matches=check.match_count)
    return check


def drop_check(user: User, check: ReuseCheck, reason: str = "") -> ReuseCheck:
    """The need disappeared: the check ends as neither reuse nor a purchase, and leaves the
    reuse share (CheckCounts.decided)."""
    _owned_open(user, check)
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_TEXT:
        raise InvalidInput(str(REASON_TOO_LONG), field="reason")
    characters.check(reason, str(DROP_REASON_LABEL), field="reason", multiline=True)
    _close(check, outcome=CheckOutcome.DROPPED.value, reason_text=reason)
    audit.record(user, "reuse_check.dropped", check, reason=reason)
    return check


def get_check(check_id: int) -> ReuseCheck:
    """Load a check by id for anyone: pages, API and commands use permissions.visible_check."""
    check = db.session.scalar(
        select(ReuseCheck).where(ReuseCheck.id == check_id)
        .options(selectinload(ReuseCheck.matches).selectinload(ReuseCheckMatch.item)
                 .selectinload(Item.photos),
                 selectinload(ReuseCheck.matches).selectinload(ReuseCheckMatch.item)
                 .selectinload(Item.unit),
                 selectinload(ReuseCheck.earlier_searches)
                 .selectinload(ReuseCheckSearch.matches),
                 selectinload(ReuseCheck.earlier_searches)
                 .selectinload(ReuseCheckSearch.category),
                 selectinload(ReuseCheck.claim).selectinload(Claim.item)
                 .selectinload(Item.unit),
                 selectinload(ReuseCheck.user), selectinload(ReuseCheck.unit),
                 selectinload(ReuseCheck.category)))
    if check is None:
        raise NotFound(str(NOT_FOUND))
    return check


def ended_claims(check: ReuseCheck) -> list[Claim]:
    """Claims sent for this check that no longer close it: declined, cancelled, expired, or
    collected and then corrected away (ledger.reverse). The receipt shows them, so a reopened
    check says why it is open again."""
    return list(db.session.scalars(
        select(Claim).where(Claim.reuse_check_id == check.id,
                            Claim.id != (check.claim_id or 0))
        .options(selectinload(Claim.item).selectinload(Item.unit),
                 selectinload(Claim.reuse_reversal))
        .order_by(Claim.created_at, Claim.id)))


def _owned_open(user: User, check: ReuseCheck) -> None:
    if not can_close_check(user, check):
        raise PermissionDenied(_("Bare den som gjorde sjekken kan avslutte den."))
    if check.outcome is not None:
        raise Conflict(str(ALREADY_CLOSED), code="invalid_state")


def _close(check: ReuseCheck, **values) -> None:
    """Close the check only if it is still open (one conditional UPDATE)."""
    closed = db.session.execute(
        update(ReuseCheck).where(ReuseCheck.id == check.id, ReuseCheck.outcome.is_(None))
        .values(outcome_at=utcnow(), **values)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(check)
    if not closed:
        raise Conflict(str(ALREADY_CLOSED), code="invalid_state")


class AlreadySubmitted(Conflict):
    """The same form was sent before: `submitted` finds what it recorded."""

    def __init__(self):
        super().__init__(str(ALREADY_SUBMITTED), code="already_submitted")


def _submission_key(item_id: int, submission: str | None) -> str | None:
    return f"{item_id}:{submission}" if submission else None


def claim_from_search(user: User, item: Item, quantity: int, need: str, *,
                      category: Category | None = None, need_quantity: int | None = None,
                      submission: str | None = None) -> tuple[ReuseCheck, Claim]:
    """Record a check and claim a match from it, once per sent form: the same form sent
    again (a double click, a reload) is refused by the database (AlreadySubmitted), and
    `submitted` gives what the first one recorded."""
    check = create_check(user, need, category=category, quantity=need_quantity,
                         submission_key=_submission_key(item.id, submission))
    return check, claim_match(user, check, item, quantity)


def submitted(user: User, item_id: int, submission: str | None
              ) -> tuple[ReuseCheck, Claim] | None:
    """The check and claim a search page's form recorded, if it was sent before."""
    key = _submission_key(item_id, submission)
    check = db.session.scalar(select(ReuseCheck).where(
        ReuseCheck.user_id == user.id, ReuseCheck.submission_key == key)) if key else None
    # The claim sent with the check stays tied to it, even if it later failed.
    claim = db.session.scalar(select(Claim).where(
        Claim.reuse_check_id == check.id).order_by(Claim.id).limit(1)) if check else None
    return (check, claim) if claim else None


def claim_match(user: User, check: ReuseCheck, item: Item, quantity: int,
                message: str = "") -> Claim:
    """Claim an item from a check: the claim is linked and the check ends as reused."""
    _owned_open(user, check)
    claim = claims.claim_item(user, item, quantity, message)
    _link(user, check, claim)
    return claim


def link_claim(user: User, check: ReuseCheck, claim: Claim) -> ReuseCheck:
    """Record that an existing claim of the check's owner meets the need of the check."""
    _owned_open(user, check)
    _link(user, check, claim)
    return check


def _link_refusal(check: ReuseCheck, claim: Claim) -> DomainError | None:
    """Why this claim may not close this check as reused, or None if it may.

    Each rule stops one way of inflating the reuse share: a claim counts once, for the
    buyer's own unit, only while it can still lead to a hand-over, and only if it is recent
    enough to be the answer to this need.
    """
    if claim.claimant_id != check.user_id or claim.unit_id != check.unit_id:
        return PermissionDenied(_("Bare forespørsler som den som gjorde sjekken har sendt for "
                                  "enheten sin, kan knyttes til sjekken."))
    if claim.status not in LINKABLE_CLAIM_STATUSES:
        return Conflict(_("Forespørselen er avslått, trukket tilbake eller utløpt."),
                        code="invalid_state")
    if claim.created_at < check.created_at - timedelta(days=LINK_WINDOW_DAYS):
        return Conflict(_("Forespørselen ble sendt mer enn %(days)s dager før sjekken, så den "
                          "kan ikke være svaret på dette behovet.", days=LINK_WINDOW_DAYS),
                        code="claim_too_old")
    if claim.reuse_check_id is not None:
        return _already_linked(claim.reuse_check_id)
    return None


def _already_linked(check_id: int | None) -> Conflict:
    linked = db.session.get(ReuseCheck, check_id) if check_id else None
    if linked is None:
        message = _("Forespørselen avslutter allerede en annen gjenbrukssjekk. Én forespørsel "
                    "kan avslutte bare én sjekk.")
    else:
        message = _("Forespørselen avslutter allerede gjenbrukssjekk %(reference)s. Én "
                    "forespørsel kan avslutte bare én sjekk.", reference=linked.reference)
    return Conflict(message, code="claim_already_linked")


def _link(user: User, check: ReuseCheck, claim: Claim) -> None:
    """Tie the claim to the check: the check is claimed while the claim may still come to
    nothing, and reused once it is collected (claims.collect marks it then; a claim that is
    already collected makes it reused at once).

    The claim is taken by one conditional UPDATE that repeats every rule of _link_refusal,
    so a claim cancelled, or linked to another check, at the same moment is refused by the
    database; the unique index on reuse_check.claim_id is the last word.
    """
    refusal = _link_refusal(check, claim)
    if refusal is not None:
        raise refusal
    taken = db.session.execute(
        update(Claim)
        .where(Claim.id == claim.id, Claim.reuse_check_id.is_(None),
               Claim.claimant_id == check.user_id, Claim.unit_id == check.unit_id,
               Claim.status.in_([str(status) for status in LINKABLE_CLAIM_STATUSES]),
               Claim.created_at >= check.created_at - timedelta(days=LINK_WINDOW_DAYS))
        .values(reuse_check_id=check.id)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(claim)
    if not taken:
        raise _link_refusal(check, claim) or _already_linked(claim.reuse_check_id)
    try:
        with db.session.begin_nested():
            outcome = (CheckOutcome.REUSED if claim.status == ClaimStatus.COLLECTED
                       else CheckOutcome.CLAIMED)
            _close(check, outcome=outcome.value, claim_id=claim.id)
    except IntegrityError:
        raise _already_linked(None) from None
    audit.record(user, f"reuse_check.{outcome.value}", check, claim_id=claim.id)


def record_bought_new(user: User, check: ReuseCheck, reason: str, reason_text: str = "",
                      purchase_reference: str = "") -> ReuseCheck:
    _owned_open(user, check)
    reason_text = (reason_text or "").strip()
    purchase_reference = (purchase_reference or "").strip()
    if reason not in {r.value for r in BoughtNewReason}:
        raise InvalidInput(str(NO_REASON), field="reason")
    if reason == BoughtNewReason.OTHER and not reason_text:
        raise InvalidInput(_("Skriv kort hvorfor dere kjøper nytt."), field="reason_text")
    if len(reason_text) > MAX_REASON_TEXT:
        raise InvalidInput(str(REASON_TOO_LONG), field="reason_text")
    if len(purchase_reference) > MAX_PURCHASE_REFERENCE:
        raise InvalidInput(_("Bestillingsnummeret kan ha høyst %(max)s tegn.",
                             max=MAX_PURCHASE_REFERENCE),
                           field="purchase_reference")
    characters.check(reason_text, str(REASON_TEXT_LABEL), field="reason_text", multiline=True)
    characters.check(purchase_reference, str(PURCHASE_REFERENCE_LABEL),
                     field="purchase_reference")
    _close(check, outcome=CheckOutcome.BOUGHT_NEW.value, reason_code=reason,
           reason_text=reason_text, purchase_reference=purchase_reference)
    audit.record(user, "reuse_check.bought_new", check, reason=reason,
                 purchase_reference=purchase_reference)
    return check


def visible_checks(user: User, limit: int = LIST_LIMIT) -> list[ReuseCheck]:
    """The newest checks this user may see (permissions.can_see_check)."""
    query = select(ReuseCheck).where(checks_visible_to(user)).options(
        selectinload(ReuseCheck.user), selectinload(ReuseCheck.unit),
        selectinload(ReuseCheck.claim))
    return list(db.session.scalars(
        query.order_by(ReuseCheck.created_at.desc(), ReuseCheck.id.desc()).limit(limit)))


# -- how checks ended: the one definition of the reuse share --------------------------------

@dataclass(frozen=True)
class CheckCounts:
    """How a set of recorded reuse checks stands.

    Decided: reused (the linked claim was collected) or bought new; only these make the
    reuse share. Dropped checks (the need disappeared) are neither and leave the share.
    Open counts every check not yet decided nor dropped: open ones and those whose claim
    awaits an answer or collection (`claimed`, a part of `open`). So
    total = reused + bought_new + dropped + open.
    """

    total: int
    reused: int
    bought_new: int
    claimed: int = 0
    dropped: int = 0

    @property
    def open(self) -> int:
        return self.total - self.reused - self.bought_new - self.dropped

    @property
    def decided(self) -> int:
        return self.reused + self.bought_new

    @property
    def reuse_share_percent(self) -> Decimal:
        """Per cent of decided checks that ended in reuse, to two places; 0 with none decided
        (a goal for the share has then achieved nothing)."""
        if not self.decided:
            return Decimal("0.00")
        return (Decimal(100 * self.reused) / self.decided).quantize(Decimal("0.01"))


def _counting(outcome: CheckOutcome):
    return func.coalesce(func.sum(case((ReuseCheck.outcome == outcome.value, 1), else_=0)), 0)


def count_outcomes(*conditions) -> CheckCounts:
    """How the checks meeting every condition stand, counted in SQL (every such check, in one
    query): the checks list, the report, the API and goals all count through here."""
    total, reused, bought_new, claimed, dropped = db.session.execute(
        select(func.count(), _counting(CheckOutcome.REUSED), _counting(CheckOutcome.BOUGHT_NEW),
               _counting(CheckOutcome.CLAIMED), _counting(CheckOutcome.DROPPED))
        .where(*conditions)).one()
    return CheckCounts(int(total), int(reused), int(bought_new), int(claimed), int(dropped))


def undecided():
    """The SQL form of CheckCounts.open: no outcome yet, or a claim that may still fail."""
    return or_(ReuseCheck.outcome.is_(None), ReuseCheck.outcome == CheckOutcome.CLAIMED.value)


def visible_outcome_counts(user: User) -> CheckCounts:
    """How every check this user may see ended, not only the newest that visible_checks
    lists."""
    return count_outcomes(checks_visible_to(user))


def remind_open_checks() -> int:
    """Checks left open for 14 days: remind their owner once to record how it ended.

    Only recorded checks exist (a search writes nothing), and a claimed check waits for its
    claim, not for the buyer."""
    cutoff = utcnow() - timedelta(days=REMIND_AFTER_DAYS)
    stale = db.session.scalars(
        select(ReuseCheck).where(ReuseCheck.outcome.is_(None), ReuseCheck.created_at <= cutoff)
        .options(selectinload(ReuseCheck.user))).all()
    sent = 0
    for check in stale:
        with force_locale(locale_of(check.user)):
            sent += bool(notifications.notify(
                check.user, "check_reminder",
                _("Hvordan gikk det? Gjenbrukssjekk %(reference)s", reference=check.reference),
                _("Du sjekket gjenbruk for «%(need)s» %(date)s. Registrer om behovet ble dekket "
                  "med gjenbruk, om dere kjøpte nytt eller om behovet falt bort, så blir "
                  "kvitteringen komplett.",
                  need=check.need, date=format_day(check.created_at)),
                link=f"/checks/{check.id}", dedup_key=f"check:{check.id}:open-reminder"))
    return sent
