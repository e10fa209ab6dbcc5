"""The ledger of what leaves the municipality: a partner's collected claim, and the ends a
lister records at the final stage (sold, donated, recycled, disposed).

Each row is written once and never changed; an admin corrects one with a second row of the
opposite sign (as reuse records). A partner's hand-over counts its pieces and kilograms of
waste avoided, never kroner or CO2e as the municipality's avoided purchase: the municipality
bought nothing less. The per-piece factors are kept beside it, so the report can say what the
partner avoided buying.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from reuse.clock import OSLO
from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.i18n import ngettext
from reuse.models import (
    FINAL_ENDS,
    Claim,
    Disposition,
    DispositionKind,
    Item,
    RecyclingFraction,
    Stage,
    User,
    utcnow,
)
from reuse.models.catalog import MAX_ITEM_QUANTITY
from reuse.services import audit, characters, factors
from reuse.services.errors import Conflict, InvalidInput, PermissionDenied
from reuse.services.ledger import (
    ALREADY_REVERSED,
    CENT,
    GRAM,
    IS_A_CORRECTION,
    validated_reason,
)
from reuse.services.permissions import (
    ONLY_ADMINS_CORRECT,
    can_correct_dispositions,
    can_record_disposition,
    may_leave_municipality,
)

MAX_AMOUNT_NOK = Decimal("10000000")
# The most kilograms one end may weigh: a thousand tonnes is a typing error, not a delivery.
MAX_WEIGHT_KG = Decimal("1000000")
MAX_RECIPIENT = Disposition.__table__.c.recipient.type.length
MAX_QUANTITY = MAX_ITEM_QUANTITY
# How each end is named on the item page, in the report and in the exports.
KIND_LABELS = {
    DispositionKind.REUSED_BY_PARTNER.value: _l("Hentet av partner"),
    DispositionKind.SOLD.value: _l("Solgt"),
    DispositionKind.DONATED.value: _l("Gitt bort utenfor plattformen"),
    DispositionKind.RECYCLED.value: _l("Levert til gjenvinning"),
    DispositionKind.DISPOSED.value: _l("Kastet"),
}
AMOUNT_RECEIVED = _l("Beløp mottatt (kr)")
# Refusals the item page's form gives before the service would, in the same words.
NEGATIVE_WEIGHT = _l("Vekten må være et tall, null eller mer.")
WEIGHT_TOO_HIGH = _l("Vekten er urimelig høy. Sjekk tallet.")
NEGATIVE_AMOUNT = _l("Beløpet må være et tall, null eller mer.")
AMOUNT_TOO_HIGH = _l("Beløpet er urimelig høyt. Sjekk tallet.")
DETAIL_NOT_FOR_KIND = _l("Dette feltet hører ikke til slutten du valgte.")
NEEDS_SAFETY_CHECK = _l("Elektriske ting må være el-sjekket før de forlater kommunen. "
                        "Merk tingen som el-sjekket først.")


def _snapshot(item: Item) -> dict:
    """The item's per-piece figures today (Oslo time), as a reuse record keeps them."""
    figures = factors.piece_figures(item, utcnow().astimezone(OSLO).date())
    return {"weight_kg_used": figures.weight_kg, "new_price_nok_used": figures.new_price_nok,
            "co2e_kg_used": figures.co2e_kg}


def write_partner_reuse(claim: Claim, recorded_by: User) -> Disposition:
    """The record of a partner's collected claim; called by the claim service in the
    transaction that marks the claim collected and hands the pieces over."""
    item = claim.item
    snapshot = _snapshot(item)
    disposition = Disposition(
        kind=DispositionKind.REUSED_BY_PARTNER.value, item_id=item.id, claim_id=claim.id,
        partner_id=claim.partner_id, from_unit_id=item.unit_id, category_id=item.category_id,
        quantity=claim.quantity,
        waste_kg=(Decimal(claim.quantity) * (snapshot["weight_kg_used"] or 0)).quantize(GRAM),
        recorded_by_id=recorded_by.id, **snapshot)
    db.session.add(disposition)
    db.session.flush()
    audit.record(recorded_by, "disposition.written", disposition, kind=disposition.kind,
                 claim_id=claim.id, partner_id=claim.partner_id,
                 waste_kg=disposition.waste_kg)
    return disposition


def pieces_left(item: Item) -> int:
    """Pieces with no end yet: neither reserved by a claim, handed over nor ended."""
    return item.quantity_available


def _quantity(quantity) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidInput(_("Antallet må være et helt tall, minst 1."), field="quantity")
    if quantity > MAX_QUANTITY:
        raise InvalidInput(_("Antallet kan være høyst %(max)s.", max=MAX_QUANTITY),
                           field="quantity")
    return quantity


def _weight(weight_kg: Decimal | None, quantity: int, per_piece: Decimal | None) -> Decimal:
    """The kilograms that went this way: as weighed, else the pieces' weight."""
    if weight_kg is None:
        return (Decimal(quantity) * (per_piece or 0)).quantize(GRAM)
    if not isinstance(weight_kg, Decimal) or not weight_kg.is_finite() or weight_kg < 0:
        raise InvalidInput(str(NEGATIVE_WEIGHT), field="weight_kg")
    if weight_kg > MAX_WEIGHT_KG:
        raise InvalidInput(str(WEIGHT_TOO_HIGH), field="weight_kg")
    if weight_kg != weight_kg.quantize(GRAM):
        raise InvalidInput(_("Vekten kan ha høyst tre desimaler (gram)."), field="weight_kg")
    return weight_kg


def _amount(amount_nok: Decimal | None) -> Decimal:
    if amount_nok is None:
        raise InvalidInput(_("Skriv hvor mye dere fikk for tingene (0 hvis ingenting)."),
                           field="amount_nok")
    if not isinstance(amount_nok, Decimal) or not amount_nok.is_finite() or amount_nok < 0:
        raise InvalidInput(str(NEGATIVE_AMOUNT), field="amount_nok")
    if amount_nok > MAX_AMOUNT_NOK:
        raise InvalidInput(str(AMOUNT_TOO_HIGH), field="amount_nok")
    if amount_nok != amount_nok.quantize(CENT):
        raise InvalidInput(_("Beløpet kan ha høyst to desimaler (øre)."), field="amount_nok")
    return amount_nok


def _text(value: str | None, label: str, field: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("Skriv hvem tingene ble gitt til."), field=field)
    if len(value) > MAX_RECIPIENT:
        raise InvalidInput(_("Teksten kan ha høyst %(max)s tegn.", max=MAX_RECIPIENT),
                           field=field)
    characters.check(value, label, field=field)
    return value


def _details(kind: str, *, amount_nok, fraction, recipient) -> dict:
    """The one detail each kind takes (what was received, to whom, which fraction); a detail
    of another kind is refused rather than silently dropped."""
    given = {"amount_nok": amount_nok is not None, "fraction": bool(fraction),
             "recipient": bool((recipient or "").strip())}
    wanted = {DispositionKind.SOLD: "amount_nok", DispositionKind.DONATED: "recipient",
              DispositionKind.RECYCLED: "fraction"}.get(DispositionKind(kind))
    for name, present in given.items():
        if present and name != wanted:
            raise InvalidInput(str(DETAIL_NOT_FOR_KIND), field=name)
    if kind == DispositionKind.SOLD:
        return {"amount_nok": _amount(amount_nok)}
    if kind == DispositionKind.DONATED:
        return {"recipient": _text(recipient, _("Mottaker"), "recipient", required=True)}
    if kind == DispositionKind.RECYCLED:
        if fraction not in {value.value for value in RecyclingFraction}:
            raise InvalidInput(_("Velg hvilken fraksjon tingene ble levert som."),
                               field="fraction")
        return {"fraction": fraction}
    return {}


def record_end(user: User, item: Item, kind: str, quantity: int, *,
               weight_kg: Decimal | None = None, amount_nok: Decimal | None = None,
               fraction: str | None = None, recipient: str | None = None) -> Disposition:
    """Record what happened to pieces left at the final stage. The pieces are taken by one
    conditional UPDATE, so two listers (or a lister and a late claim) cannot end the same
    pieces twice."""
    if not can_record_disposition(user, item):
        raise PermissionDenied(_("Bare den som la ut tingen, enhetens administrator og "
                                 "systemadministratorer kan registrere hva som skjedde med "
                                 "den."))
    if kind not in {end.value for end in FINAL_ENDS}:
        raise InvalidInput(_("Velg solgt, gitt bort, gjenvunnet eller kastet."), field="kind")
    quantity = _quantity(quantity)
    details = _details(kind, amount_nok=amount_nok, fraction=fraction, recipient=recipient)
    snapshot = _snapshot(item)
    waste_kg = _weight(weight_kg, quantity, snapshot["weight_kg_used"])
    if item.stage != Stage.FINAL or item.is_withdrawn:
        raise Conflict(_("Hva som skjedde med tingene registreres når annonsen er i siste "
                         "fase."), code="wrong_stage")
    if kind in (DispositionKind.SOLD, DispositionKind.DONATED) \
            and not may_leave_municipality(item):
        raise Conflict(str(NEEDS_SAFETY_CHECK), code="not_safety_checked")
    available = Item.quantity - Item.quantity_reserved - Item.quantity_handed_over
    taken = db.session.execute(
        update(Item).where(Item.id == item.id, Item.withdrawn_at.is_(None),
                           Item.stage == Stage.FINAL.value, available >= quantity)
        .values(quantity_handed_over=Item.quantity_handed_over + quantity,
                quantity_ended=Item.quantity_ended + quantity)
        .execution_options(synchronize_session=False)).rowcount
    db.session.expire(item, ["quantity_handed_over", "quantity_ended"])
    if taken != 1:
        left = pieces_left(item)
        raise Conflict(ngettext("Bare %(num)s stk. er igjen uten en slutt.",
                                "Bare %(num)s stk. er igjen uten en slutt.", left),
                       code="not_available")
    disposition = Disposition(
        kind=kind, item_id=item.id, from_unit_id=item.unit_id, category_id=item.category_id,
        quantity=quantity, waste_kg=waste_kg, recorded_by_id=user.id, **details, **snapshot)
    db.session.add(disposition)
    db.session.flush()
    audit.record(user, "disposition.written", disposition, kind=kind, item_id=item.id,
                 quantity=quantity, waste_kg=waste_kg, **details)
    return disposition


def get_disposition(disposition_id: int) -> Disposition | None:
    return db.session.get(Disposition, disposition_id)


def reversal_of(disposition: Disposition) -> Disposition | None:
    return db.session.scalar(select(Disposition).where(
        Disposition.reverses_id == disposition.id))


def reverse(admin: User, disposition: Disposition, reason: str) -> Disposition:
    """Cancel a disposition with a second one of the opposite sign, once. A final end's
    pieces come back to the item (left without an end again); a partner's hand-over stays
    handed over, as a reversed reuse record leaves its claim collected."""
    if not can_correct_dispositions(admin):
        raise PermissionDenied(str(ONLY_ADMINS_CORRECT))
    reason = validated_reason(reason)
    if disposition.reverses_id is not None:
        raise Conflict(str(IS_A_CORRECTION))
    if reversal_of(disposition) is not None:
        raise Conflict(str(ALREADY_REVERSED))
    reversal = Disposition(
        kind=disposition.kind, item_id=disposition.item_id, claim_id=disposition.claim_id,
        partner_id=disposition.partner_id, reverses_id=disposition.id,
        from_unit_id=disposition.from_unit_id, category_id=disposition.category_id,
        quantity=-disposition.quantity, waste_kg=-disposition.waste_kg,
        amount_nok=-disposition.amount_nok if disposition.amount_nok is not None else None,
        fraction=disposition.fraction, recipient=disposition.recipient,
        weight_kg_used=disposition.weight_kg_used,
        new_price_nok_used=disposition.new_price_nok_used,
        co2e_kg_used=disposition.co2e_kg_used, recorded_by_id=admin.id, reason=reason)
    try:
        with db.session.begin_nested():  # the unique reverses_id settles a race between admins
            db.session.add(reversal)
    except IntegrityError:
        raise Conflict(str(ALREADY_REVERSED)) from None
    if disposition.kind != DispositionKind.REUSED_BY_PARTNER:
        db.session.execute(
            update(Item).where(Item.id == disposition.item_id)
            .values(quantity_handed_over=Item.quantity_handed_over - disposition.quantity,
                    quantity_ended=Item.quantity_ended - disposition.quantity)
            .execution_options(synchronize_session=False))
        db.session.expire(disposition.item, ["quantity_handed_over", "quantity_ended"])
    audit.record(admin, "disposition.reversed", disposition, reversal_id=reversal.id,
                 reason=reason)
    return reversal

