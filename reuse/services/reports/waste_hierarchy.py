"""The waste hierarchy: what a unit's surplus became, in the hierarchy's order.

Every row counts by the GIVING unit (`from_unit_id`), for reuse records too: the view answers
"what became of what this unit (and the units under it) no longer needed", so internal reuse,
reuse by partners, donations, sales, recycling and disposal are rows of one whole. A chosen
report unit therefore narrows this view to what it gave away, and a chosen giving unit and
category narrow it further. Each row counts in the period it was recorded (Oslo days), and
reversals (negated rows) are summed with the rest, so the figures are net.

Pieces and kilograms only: kroner and CO2e are the municipality's avoided purchase, counted
in the report's figures for internal reuse where a purchase was replaced, never here. What
a partner avoided buying (quantity × the price and CO2e per piece kept on the row) is shown
as the partner's, separately (partner_rows).

Kilograms and kroner are summed as integer grams and øre (reuse.services.reports.figures), so
SQLite and PostgreSQL give exactly the same figures, and each figure is the sum of the rows
its drill-down lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from reuse.extensions import db
from reuse.i18n import lazy_gettext as _l
from reuse.models import (
    Category,
    Claim,
    Disposition,
    DispositionKind,
    Partner,
    PartnerKind,
    RecyclingFraction,
    ReuseRecord,
    Unit,
)
from reuse.services.dispositions import KIND_LABELS
from reuse.services.errors import InvalidInput
from reuse.services.paging import PageLinks
from reuse.services.reports import sums
from reuse.services.reports.figures import _exact_sum, _scaled
from reuse.services.reports.records import PER_PAGE
from reuse.services.reports.scope import Scope, subtree_of

# The hierarchy's rows, best first.
REUSED_INTERNAL = "reused_internal"
REUSED_PUBLIC_BODIES = "reused_public_bodies"
REUSED_NONPROFITS = "reused_nonprofits"
DONATED = DispositionKind.DONATED.value
SOLD = DispositionKind.SOLD.value
RECYCLED = DispositionKind.RECYCLED.value
DISPOSED = DispositionKind.DISPOSED.value
LEVELS = (REUSED_INTERNAL, REUSED_PUBLIC_BODIES, REUSED_NONPROFITS, DONATED, SOLD, RECYCLED,
          DISPOSED)
LEVEL_LABELS = {
    REUSED_INTERNAL: _l("Gjenbrukt i kommunen"),
    REUSED_PUBLIC_BODIES: _l("Gjenbrukt av andre offentlige virksomheter"),
    REUSED_NONPROFITS: _l("Gjenbrukt av frivillige organisasjoner"),
    DONATED: KIND_LABELS[DispositionKind.DONATED.value],
    SOLD: KIND_LABELS[DispositionKind.SOLD.value],
    RECYCLED: KIND_LABELS[DispositionKind.RECYCLED.value],
    DISPOSED: KIND_LABELS[DispositionKind.DISPOSED.value],
}
FRACTION_LABELS = {
    RecyclingFraction.METAL.value: _l("Metall"),
    RecyclingFraction.WOOD.value: _l("Treverk"),
    RecyclingFraction.ELECTRICAL.value: _l("EE-avfall"),
    RecyclingFraction.MIXED.value: _l("Blandet"),
}
PARTNER_LEVELS = _PARTNER_LEVEL = {PartnerKind.PUBLIC_BODY.value: REUSED_PUBLIC_BODIES,
                  PartnerKind.NONPROFIT.value: REUSED_NONPROFITS}
_LEVEL_PARTNER_KIND = {level: kind for kind, level in _PARTNER_LEVEL.items()}

ZERO_KG = Decimal("0.000")
ZERO_NOK = Decimal("0.00")


@dataclass(frozen=True)
class Amounts:
    """Pieces and kilograms of one row of the hierarchy, net of reversals."""

    pieces: int = 0
    waste_kg: Decimal = ZERO_KG
    rows: int = 0  # how many ledger rows (reversals included) were summed

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(self.pieces + other.pieces, self.waste_kg + other.waste_kg,
                       self.rows + other.rows)


@dataclass(frozen=True)
class PartnerRow:
    """What one partner organisation took, and what it (not the municipality) avoided
    buying."""

    partner_id: int
    name: str
    kind: str
    amounts: Amounts
    avoided_cost_nok: Decimal
    avoided_co2e_kg: Decimal


@dataclass(frozen=True)
class WasteHierarchy:
    scope: Scope
    levels: dict[str, Amounts]  # every level of LEVELS, in order
    fractions: dict[str, Amounts]  # recycled, per fraction (those with rows)
    sold_amount_nok: Decimal
    partners: list[PartnerRow] = field(default_factory=list)

    @property
    def total(self) -> Amounts:
        return sum(self.levels.values(), Amounts())

    @property
    def outside(self) -> Amounts:
        """Hand-overs to partners through the platform: what left the municipality for
        reuse by someone else."""
        return self.levels[REUSED_PUBLIC_BODIES] + self.levels[REUSED_NONPROFITS]

    @property
    def reused_external(self) -> Amounts:
        """Reuse outside the municipality: partners' hand-overs and donations."""
        return self.outside + self.levels[DONATED]


def _subtree_conditions(scope: Scope, from_unit, category) -> list:
    conditions = []
    for root, name in ((scope.unit_id, "waste_units"), (scope.giver_id, "waste_givers")):
        if root is not None:
            conditions.append(from_unit.in_(subtree_of(scope, Unit, root, name)))
    if scope.category_id is not None:
        conditions.append(category.in_(subtree_of(scope, Category, scope.category_id,
                                                  "waste_categories")))
    return conditions


def disposition_filters(scope: Scope) -> list:
    """The dispositions a scope's hierarchy covers: recorded in the period, given by the
    report unit (and under it), the giving unit and the category when chosen."""
    return [Disposition.recorded_at >= scope.period.start_utc,
            Disposition.recorded_at < scope.period.end_utc,
            *_subtree_conditions(scope, Disposition.from_unit_id, Disposition.category_id)]


def internal_filters(scope: Scope) -> list:
    """The reuse records a scope's hierarchy covers: as disposition_filters, by the giving
    unit (not the receiving unit the rest of the report reads)."""
    return [ReuseRecord.recorded_at >= scope.period.start_utc,
            ReuseRecord.recorded_at < scope.period.end_utc,
            *_subtree_conditions(scope, ReuseRecord.from_unit_id, ReuseRecord.category_id)]


def _amounts(pieces, grams, rows) -> Amounts:
    return Amounts(int(pieces), _scaled(grams, 3), int(rows))


def _reused_internally(scope: Scope) -> Amounts:
    """The ledger's records given by the scope's units: from the month totals by giving unit
    (sums.totals) when one unit is chosen at most, which reads a few hundred rows instead of
    a year of the ledger; from the ledger when the report unit and a giving unit both are."""
    if scope.unit_id is not None and scope.giver_id is not None:
        return _amounts(*db.session.execute(select(
            func.coalesce(func.sum(ReuseRecord.quantity), 0),
            _exact_sum(ReuseRecord.avoided_waste_kg, 3), func.count(ReuseRecord.id))
            .where(*internal_filters(scope))).one())
    given = sums.totals(scope.narrowed(unit_id=None, giver_id=scope.giver_id or scope.unit_id))
    return Amounts(given.items_reused, given.avoided_waste_kg, given.records)


def waste_hierarchy(scope: Scope) -> WasteHierarchy:
    levels = {level: Amounts() for level in LEVELS}
    levels[REUSED_INTERNAL] = _reused_internally(scope)
    fractions: dict[str, Amounts] = {}
    sold_ore = 0
    grouped = db.session.execute(
        select(Disposition.kind, Partner.kind, Disposition.fraction,
               func.coalesce(func.sum(Disposition.quantity), 0),
               _exact_sum(Disposition.waste_kg, 3), func.count(Disposition.id),
               _exact_sum(Disposition.amount_nok, 2))
        .outerjoin(Partner, Partner.id == Disposition.partner_id)
        .where(*disposition_filters(scope))
        .group_by(Disposition.kind, Partner.kind, Disposition.fraction))
    for kind, partner_kind, fraction, pieces, grams, rows, ore in grouped:
        amounts = _amounts(pieces, grams, rows)
        level = _PARTNER_LEVEL[partner_kind] if kind == DispositionKind.REUSED_BY_PARTNER \
            else kind
        levels[level] = levels[level] + amounts
        if kind == RECYCLED and fraction is not None:
            fractions[fraction] = fractions.get(fraction, Amounts()) + amounts
        if kind == SOLD:
            sold_ore += int(ore)
    ordered = {value: fractions[value] for value in FRACTION_LABELS if value in fractions}
    return WasteHierarchy(scope, levels, ordered, _scaled(sold_ore, 2), partner_rows(scope))


def partner_rows(scope: Scope) -> list[PartnerRow]:
    """Per partner organisation, by name: pieces, kilograms and what the partner avoided
    buying (quantity × the price and CO2e per piece on each hand-over; unknown counts zero)."""
    rows = db.session.execute(
        select(Partner.id, Partner.name, Partner.kind,
               func.coalesce(func.sum(Disposition.quantity), 0),
               _exact_sum(Disposition.waste_kg, 3), func.count(Disposition.id),
               _exact_sum(Disposition.quantity
                          * func.coalesce(Disposition.new_price_nok_used, 0), 2),
               _exact_sum(Disposition.quantity * func.coalesce(Disposition.co2e_kg_used, 0), 3))
        .join(Partner, Partner.id == Disposition.partner_id)
        .where(Disposition.kind == DispositionKind.REUSED_BY_PARTNER.value,
               *disposition_filters(scope))
        .group_by(Partner.id, Partner.name, Partner.kind).order_by(Partner.name))
    return [PartnerRow(partner_id, name, kind, _amounts(pieces, grams, count),
                       _scaled(ore, 2), _scaled(co2e, 3))
            for partner_id, name, kind, pieces, grams, count, ore, co2e in rows]


# -- the rows behind a figure --------------------------------------------------------------

@dataclass(frozen=True)
class LevelPage(PageLinks):
    level: str
    rows: list  # ReuseRecord for reused_internal, else Disposition
    totals: Amounts  # of every row of the level in the scope, not only this page's
    amount_nok: Decimal | None  # sold: what was received, over every row
    page: int
    pages: int
    per_page: int


def check_level(level: str | None, *, partner_id: int | None = None,
                fraction: str | None = None) -> None:
    if level not in LEVELS:
        raise InvalidInput("Unknown level.", field="level")
    if partner_id is not None and level not in _LEVEL_PARTNER_KIND:
        raise InvalidInput("A partner narrows only a partner level.", field="partner")
    if fraction is not None and (level != RECYCLED or fraction not in FRACTION_LABELS):
        raise InvalidInput("Unknown fraction.", field="fraction")


def _level_conditions(scope: Scope, level: str, partner_id: int | None,
                      fraction: str | None) -> list:
    conditions = disposition_filters(scope)
    if level in _LEVEL_PARTNER_KIND:
        conditions += [Disposition.kind == DispositionKind.REUSED_BY_PARTNER.value,
                       Disposition.partner_id.in_(select(Partner.id).where(
                           Partner.kind == _LEVEL_PARTNER_KIND[level]))]
        if partner_id is not None:
            conditions.append(Disposition.partner_id == partner_id)
    else:
        conditions.append(Disposition.kind == level)
        if fraction is not None:
            conditions.append(Disposition.fraction == fraction)
    return conditions


def level_rows(scope: Scope, level: str, *, partner_id: int | None = None,
               fraction: str | None = None, page: int = 1,
               per_page: int | None = PER_PAGE) -> LevelPage:
    """The ledger rows behind one level of the hierarchy (optionally one partner's, or one
    fraction's), oldest first; per_page=None gives every row (exports)."""
    check_level(level, partner_id=partner_id, fraction=fraction)
    amount = None
    if level == REUSED_INTERNAL:
        conditions = internal_filters(scope)
        sums = db.session.execute(select(
            func.coalesce(func.sum(ReuseRecord.quantity), 0),
            _exact_sum(ReuseRecord.avoided_waste_kg, 3), func.count(ReuseRecord.id))
            .where(*conditions)).one()
        query = (select(ReuseRecord).where(*conditions)
                 .order_by(ReuseRecord.recorded_at, ReuseRecord.id)
                 .options(selectinload(ReuseRecord.from_unit),
                          selectinload(ReuseRecord.to_unit),
                          selectinload(ReuseRecord.category),
                          selectinload(ReuseRecord.claim).selectinload(Claim.item)))
    else:
        conditions = _level_conditions(scope, level, partner_id, fraction)
        *sums, ore = db.session.execute(select(
            func.coalesce(func.sum(Disposition.quantity), 0),
            _exact_sum(Disposition.waste_kg, 3), func.count(Disposition.id),
            _exact_sum(Disposition.amount_nok, 2)).where(*conditions)).one()
        if level == SOLD:
            amount = _scaled(ore, 2)
        query = (select(Disposition).where(*conditions)
                 .order_by(Disposition.recorded_at, Disposition.id)
                 .options(selectinload(Disposition.from_unit),
                          selectinload(Disposition.partner),
                          selectinload(Disposition.category),
                          selectinload(Disposition.item)))
    totals = _amounts(*sums)
    if per_page is None:
        return LevelPage(level, list(db.session.scalars(query)), totals, amount, 1, 1,
                         max(totals.rows, 1))
    pages = max(1, -(-totals.rows // per_page))
    page = min(max(page, 1), pages)
    rows = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return LevelPage(level, rows, totals, amount, page, pages, per_page)


def partner_level(partner: Partner) -> str:
    return _PARTNER_LEVEL[partner.kind]

