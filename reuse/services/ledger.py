"""The reuse ledger: valuing a hand-over, and correcting a record by reversing it.

For a collected claim of q pieces (DESIGN.md, "Figures"):
  avoided cost  = q × new price per piece − hand-over costs, only where a purchase was replaced
  avoided CO2e  = q × kg CO2e of a new piece, only where a purchase was replaced
  avoided waste = q × kg per piece, for every hand-over
Prices and weights come from the item where given, else its category; emissions from the
category. A factor nobody knows counts as zero and is stored as unknown (NULL).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import Claim, ReuseRecord, User
from reuse.services import audit, characters
from reuse.services.errors import Conflict, InvalidInput, PermissionDenied
from reuse.services.permissions import ONLY_ADMINS_CORRECT, can_correct_records

CENT = Decimal("0.01")
GRAM = Decimal("0.001")
MAX_COSTS_NOK = Decimal("10000000")
# The longest reason for a correction; the form says so first, the service holds everyone to it.
MAX_REASON = 2000

# Refusals the collection form gives before the service would, in the same words.
NEGATIVE_COSTS = _l("Kostnadene kan ikke være negative.")
COSTS_TOO_HIGH = _l("Kostnadene er urimelig høye. Sjekk beløpet.")
# The correction's field and what an admin is told when it is missing, on the form and here.
REASON_LABEL = _l("Hvorfor korrigeres føringen?")
NO_REASON = _l("Skriv hvorfor føringen korrigeres.")
ALREADY_REVERSED = _l("Føringen er allerede korrigert.")
CORRECTED = _l("Føringen er korrigert med en motpostering.")
IS_A_CORRECTION = _l("Dette er selv en korrigering og kan ikke korrigeres.")
# A reason too long, for a correction here or for moving an item back (stages.move).
REASON_TOO_LONG = _l("Årsaken kan ha høyst %(max)s tegn.", max=MAX_REASON)


def validated_reason(reason: str | None) -> str:
    """Why an admin corrects a ledger row (a reuse record or a disposition): required."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(str(NO_REASON), field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(str(REASON_TOO_LONG), field="reason")
    characters.check(reason, str(REASON_LABEL), field="reason", multiline=True)
    return reason


@dataclass(frozen=True)
class Valuation:
    new_price_nok_used: Decimal | None
    weight_kg_used: Decimal | None
    co2e_kg_used: Decimal | None
    avoided_cost_nok: Decimal
    avoided_co2e_kg: Decimal
    avoided_waste_kg: Decimal


def validate_costs(costs_nok: Decimal) -> Decimal:
    if not isinstance(costs_nok, Decimal) or not costs_nok.is_finite():
        raise InvalidInput(_("Kostnadene må være et tall."), field="costs_nok")
    if costs_nok < 0:
        raise InvalidInput(str(NEGATIVE_COSTS), field="costs_nok")
    if costs_nok > MAX_COSTS_NOK:
        raise InvalidInput(str(COSTS_TOO_HIGH), field="costs_nok")
    if costs_nok != costs_nok.quantize(CENT):
        raise InvalidInput(_("Kostnadene kan ha høyst to desimaler (øre)."), field="costs_nok")
    return costs_nok.quantize(CENT)


def value(claim: Claim, *, replaces_purchase: bool, costs_nok: Decimal) -> Valuation:
    # The figures in effect on the day of the collection (Oslo time), so that a change
    # scheduled for a later day is not used early; the item's own figures still win. The item
    # page shows the same figures for today (factors.piece_figures).
    from reuse.clock import OSLO
    from reuse.models import utcnow
    from reuse.services import factors

    quantity = Decimal(claim.quantity)
    collected_on = (claim.collected_at or utcnow()).astimezone(OSLO).date()
    figures = factors.piece_figures(claim.item, collected_on)
    price, weight, co2e = figures.new_price_nok, figures.weight_kg, figures.co2e_kg
    replaced = Decimal(1) if replaces_purchase else Decimal(0)
    return Valuation(
        new_price_nok_used=price,
        weight_kg_used=weight,
        co2e_kg_used=co2e,
        avoided_cost_nok=(replaced * (quantity * (price or 0) - costs_nok)).quantize(CENT),
        avoided_co2e_kg=(replaced * quantity * (co2e or 0)).quantize(GRAM),
        avoided_waste_kg=(quantity * (weight or 0)).quantize(GRAM),
    )


def write_record(claim: Claim, recorded_by: User, *, replaces_purchase: bool,
                 costs_nok: Decimal) -> ReuseRecord:
    valuation = value(claim, replaces_purchase=replaces_purchase, costs_nok=costs_nok)
    record = ReuseRecord(
        claim_id=claim.id,
        from_unit_id=claim.item.unit_id,
        to_unit_id=claim.unit_id,
        category_id=claim.item.category_id,
        quantity=claim.quantity,
        replaces_purchase=replaces_purchase,
        costs_nok=costs_nok,
        recorded_by_id=recorded_by.id,
        **vars(valuation),
    )
    db.session.add(record)
    db.session.flush()
    audit.record(recorded_by, "reuse_record.written", record, claim_id=claim.id,
                 avoided_cost_nok=record.avoided_cost_nok,
                 avoided_co2e_kg=record.avoided_co2e_kg,
                 avoided_waste_kg=record.avoided_waste_kg)
    return record


def reverse(admin: User, record: ReuseRecord, reason: str) -> ReuseRecord:
    """Cancel a record's effect with a second record of the opposite sign. Once per record."""
    if not can_correct_records(admin):
        raise PermissionDenied(str(ONLY_ADMINS_CORRECT))
    reason = validated_reason(reason)
    if record.reverses_id is not None:
        raise Conflict(str(IS_A_CORRECTION))
    if reversal_of(record) is not None:
        raise Conflict(str(ALREADY_REVERSED))
    reversal = ReuseRecord(
        claim_id=record.claim_id, reverses_id=record.id, from_unit_id=record.from_unit_id,
        to_unit_id=record.to_unit_id, category_id=record.category_id,
        quantity=-record.quantity, replaces_purchase=record.replaces_purchase,
        costs_nok=-record.costs_nok, new_price_nok_used=record.new_price_nok_used,
        weight_kg_used=record.weight_kg_used, co2e_kg_used=record.co2e_kg_used,
        avoided_cost_nok=-record.avoided_cost_nok, avoided_co2e_kg=-record.avoided_co2e_kg,
        avoided_waste_kg=-record.avoided_waste_kg, recorded_by_id=admin.id, reason=reason,
    )
    try:
        with db.session.begin_nested():  # the unique reverses_id settles a race between admins
            db.session.add(reversal)
    except IntegrityError:
        raise Conflict(str(ALREADY_REVERSED)) from None
    audit.record(admin, "reuse_record.reversed", record, reversal_id=reversal.id, reason=reason)
    # The reuse did not happen after all: the check it met is open again, as when a claim fails.
    from reuse.services import claims
    claims.reopen_linked_check(record.claim, reversal_id=reversal.id)
    return reversal


def reversal_of(record: ReuseRecord) -> ReuseRecord | None:
    return db.session.scalar(select(ReuseRecord).where(ReuseRecord.reverses_id == record.id))
