"""Purchases reconciled against reuse checks: which purchase lines in reusable categories had
a check, which did not, and whether something suitable was listed when they were ordered.

The rules (README "Purchases without a reuse check"):

- A line is *reusable* when it has a category (its file's own, or a mapping rule's). Lines a
  rule marks as not reusable, and unmapped lines, are counted apart and never as uncovered.
- A line with a negative amount is a *credit* (a return or a credit note), not a purchase
  someone decided on: it counts in the lines and the amount, as a credit, and never as
  covered or uncovered.
- A reusable line is *covered* when a reuse check names its order number as the purchase
  reference (any unit's check: the buyer wrote the order number down), or when a check by the
  line's unit or a unit above it (the tree as it is now), for the line's category or a broader
  one, was made from the start of the day PURCHASE_CHECK_WINDOW_DAYS (30) days before the
  order date to the end of the order date, Oslo time. A check without a category covers by
  its reference only. Otherwise it is *uncovered*.
- An uncovered line *had an alternative* when the pieces free in its category (and those
  under it) when the order day began were at least the line's quantity (rounded up):
  `purchase_line.available_pieces`, kept from the listing and claim history
  (reuse.services.purchase_history).

Every figure is a sum over the lines reconcile() returns, in exact decimals, so a report's
figures always equal the sum of the lines its drill-down lists. Lines count by the day they
were ordered, for the unit that ordered them.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from reuse.extensions import db
from reuse.i18n import lazy_gettext as _l
from reuse.models import Category, Classification, PurchaseLine, ReuseCheck, Unit
from reuse.services import units as unit_service
from reuse.services.purchase_history import moment_of
from reuse.services.purchase_rules import CLASSIFICATION_LABELS, REUSABLE
from reuse.services.reports.scope import Period, Scope, subtree_of

COVERED_BY_REFERENCE = "reference"
COVERED_BY_RECENT_CHECK = "recent_check"
COVERAGE_LABELS = {
    COVERED_BY_REFERENCE: _l("Ordrenummeret står på en gjenbrukssjekk"),
    COVERED_BY_RECENT_CHECK: _l("Gjenbrukssjekk for kategorien de siste dagene før"),
}
# What a drill-down may list: the report's groups of lines.
COVERED, UNCOVERED, WITH_ALTERNATIVE = "covered", "uncovered", "with_alternative"
UNMAPPED, NOT_REUSABLE = Classification.UNMAPPED.value, Classification.NOT_REUSABLE.value
CREDIT = "credit"
GROUPS = (COVERED, UNCOVERED, WITH_ALTERNATIVE, UNMAPPED, NOT_REUSABLE, CREDIT)
GROUP_LABELS = {
    COVERED: _l("Med gjenbrukssjekk"),
    UNCOVERED: _l("Uten gjenbrukssjekk"),
    WITH_ALTERNATIVE: _l("Uten sjekk, men noe var ledig"),
    UNMAPPED: CLASSIFICATION_LABELS[UNMAPPED],
    NOT_REUSABLE: CLASSIFICATION_LABELS[NOT_REUSABLE],
    CREDIT: _l("Kreditert (negativt beløp)"),
}
ZERO = Decimal("0.00")
LOOKUP_CHUNK = 1000


def window_days() -> int:
    return current_app.config["PURCHASE_CHECK_WINDOW_DAYS"]


@dataclass(frozen=True)
class Reconciled:
    """One purchase line and what the rules say of it."""

    id: int
    source: str
    line_id: str
    order_number: str
    ordered_on: date
    unit_id: int
    category_id: int | None
    classification: str
    description: str
    supplier: str
    quantity: Decimal
    amount_nok: Decimal
    available_pieces: int
    covered_by: str | None = None  # COVERED_BY_REFERENCE or COVERED_BY_RECENT_CHECK
    check_id: int | None = None  # the check that covers it

    @property
    def credit(self) -> bool:
        return self.amount_nok < 0

    @property
    def reusable(self) -> bool:
        return self.classification in REUSABLE and not self.credit

    @property
    def covered(self) -> bool:
        return self.covered_by is not None

    @property
    def uncovered(self) -> bool:
        return self.reusable and not self.covered

    @property
    def pieces_needed(self) -> int:
        return math.ceil(self.quantity)

    @property
    def had_alternative(self) -> bool:
        return self.uncovered and self.available_pieces >= self.pieces_needed

    def in_group(self, group: str) -> bool:
        return {COVERED: self.reusable and self.covered, UNCOVERED: self.uncovered,
                WITH_ALTERNATIVE: self.had_alternative,
                UNMAPPED: self.classification == UNMAPPED and not self.credit,
                NOT_REUSABLE: self.classification == NOT_REUSABLE and not self.credit,
                CREDIT: self.credit}[group]


@dataclass
class Totals:
    lines: int = 0
    amount_nok: Decimal = ZERO  # every line's
    reusable_lines: int = 0
    reusable_amount_nok: Decimal = ZERO
    covered_lines: int = 0
    covered_amount_nok: Decimal = ZERO
    uncovered_lines: int = 0
    uncovered_amount_nok: Decimal = ZERO
    uncovered_with_alternative: int = 0
    uncovered_with_alternative_amount_nok: Decimal = ZERO
    unmapped_lines: int = 0
    not_reusable_lines: int = 0
    credit_lines: int = 0
    credit_amount_nok: Decimal = ZERO

    def add(self, line: Reconciled) -> None:
        self.lines += 1
        self.amount_nok += line.amount_nok
        if line.credit:
            self.credit_lines += 1
            self.credit_amount_nok += line.amount_nok
            return
        if line.classification == UNMAPPED:
            self.unmapped_lines += 1
        elif line.classification == NOT_REUSABLE:
            self.not_reusable_lines += 1
        if not line.reusable:
            return
        self.reusable_lines += 1
        self.reusable_amount_nok += line.amount_nok
        if line.covered:
            self.covered_lines += 1
            self.covered_amount_nok += line.amount_nok
            return
        self.uncovered_lines += 1
        self.uncovered_amount_nok += line.amount_nok
        if line.had_alternative:
            self.uncovered_with_alternative += 1
            self.uncovered_with_alternative_amount_nok += line.amount_nok

    @property
    def coverage_share(self) -> Decimal | None:
        """Covered reusable lines ÷ reusable lines (0–1); None when there are none."""
        if not self.reusable_lines:
            return None
        return (Decimal(self.covered_lines) / self.reusable_lines).quantize(Decimal("0.0001"))

    @property
    def coverage_percent(self) -> Decimal:
        share = self.coverage_share
        return ZERO if share is None else (share * 100).quantize(Decimal("0.01"))


def totals_of(lines: Iterable[Reconciled]) -> Totals:
    found = Totals()
    for line in lines:
        found.add(line)
    return found


# -- reconciling ----------------------------------------------------------------------------

def _ancestors(parents: dict[int, int | None], node: int) -> list[int]:
    """The node and every node above it."""
    chain, seen = [], set()
    current: int | None = node
    while current is not None and current not in seen:
        chain.append(current)
        seen.add(current)
        current = parents.get(current)
    return chain


class _RecentChecks:
    """The checks with a category made in a span of time, by (unit, category), sorted."""

    def __init__(self, start: datetime, end: datetime):
        self.by_key: dict[tuple[int, int], tuple[list[datetime], list[int]]] = {}
        grouped: dict[tuple[int, int], list[tuple[datetime, int]]] = defaultdict(list)
        for check in db.session.execute(
                select(ReuseCheck.id, ReuseCheck.unit_id, ReuseCheck.category_id,
                       ReuseCheck.created_at)
                .where(ReuseCheck.category_id.is_not(None), ReuseCheck.created_at >= start,
                       ReuseCheck.created_at < end)):
            grouped[(check.unit_id, check.category_id)].append((check.created_at, check.id))
        for key, checks in grouped.items():
            checks.sort()
            self.by_key[key] = ([moment for moment, _ in checks], [ident for _, ident in checks])

    def latest(self, units: list[int], categories: list[int], start: datetime,
               end: datetime) -> int | None:
        """The latest check in [start, end) by one of the units for one of the categories."""
        best: tuple[datetime, int] | None = None
        for unit_id in units:
            for category_id in categories:
                found = self.by_key.get((unit_id, category_id))
                if found is None:
                    continue
                times, ids = found
                index = bisect_left(times, end) - 1
                if index >= 0 and times[index] >= start and (best is None or
                                                              times[index] > best[0]):
                    best = (times[index], ids[index])
        return best[1] if best is not None else None


def _by_reference(order_numbers: set[str]) -> dict[str, int]:
    """Order number → the first check that names it as its purchase reference."""
    found: dict[str, int] = {}
    numbers = sorted(order_numbers)
    for start in range(0, len(numbers), LOOKUP_CHUNK):
        for reference, check_id in db.session.execute(
                select(ReuseCheck.purchase_reference, ReuseCheck.id)
                .where(ReuseCheck.purchase_reference.in_(numbers[start:start + LOOKUP_CHUNK]))
                .order_by(ReuseCheck.id)).tuples():
            found.setdefault(reference, check_id)
    return found


def line_filters(scope: Scope) -> list:
    """The purchase lines a scope covers: ordered in the period, by the unit (and those under
    it), in the category (and those under it)."""
    conditions = [PurchaseLine.ordered_on >= scope.period.start,
                  PurchaseLine.ordered_on <= scope.period.end]
    if scope.unit_id is not None:
        conditions.append(PurchaseLine.unit_id.in_(
            subtree_of(scope, Unit, scope.unit_id, "purchase_units")))
    if scope.category_id is not None:
        conditions.append(PurchaseLine.category_id.in_(
            subtree_of(scope, Category, scope.category_id, "purchase_categories")))
    return conditions


COLUMNS = (PurchaseLine.id, PurchaseLine.source, PurchaseLine.line_id,
           PurchaseLine.order_number, PurchaseLine.ordered_on, PurchaseLine.unit_id,
           PurchaseLine.category_id, PurchaseLine.classification, PurchaseLine.description,
           PurchaseLine.supplier, PurchaseLine.quantity, PurchaseLine.amount_nok,
           PurchaseLine.available_pieces)


def reconcile_rows(rows: list) -> list[Reconciled]:
    """Apply the coverage rules to purchase lines (rows with COLUMNS)."""
    if not rows:
        return []
    reusable = [row for row in rows if row.classification in REUSABLE and row.amount_nok >= 0]
    references = _by_reference({row.order_number for row in reusable if row.order_number})
    days = window_days()
    checks = None
    if reusable:
        first = min(row.ordered_on for row in reusable) - timedelta(days=days)
        last = max(row.ordered_on for row in reusable) + timedelta(days=1)
        checks = _RecentChecks(moment_of(first), moment_of(last))
    unit_parents = dict(db.session.execute(select(Unit.id, Unit.parent_id)).all())
    category_parents = dict(db.session.execute(select(Category.id, Category.parent_id)).all())
    result = []
    for row in rows:
        covered_by = check_id = None
        if row.classification in REUSABLE and row.amount_nok >= 0:
            if row.order_number and row.order_number in references:
                covered_by, check_id = COVERED_BY_REFERENCE, references[row.order_number]
            else:
                check_id = checks.latest(
                    _ancestors(unit_parents, row.unit_id),
                    _ancestors(category_parents, row.category_id),
                    moment_of(row.ordered_on - timedelta(days=days)),
                    moment_of(row.ordered_on + timedelta(days=1)))
                covered_by = COVERED_BY_RECENT_CHECK if check_id is not None else None
        result.append(Reconciled(
            row.id, row.source, row.line_id, row.order_number, row.ordered_on, row.unit_id,
            row.category_id, row.classification, row.description, row.supplier,
            row.quantity, row.amount_nok, row.available_pieces, covered_by, check_id))
    return result


def reconcile(scope: Scope) -> list[Reconciled]:
    """Every line the scope covers, reconciled, in order date order."""
    rows = db.session.execute(select(*COLUMNS).where(*line_filters(scope))
                              .order_by(PurchaseLine.ordered_on, PurchaseLine.id)).all()
    return reconcile_rows(rows)


def summary(scope: Scope) -> Totals:
    return totals_of(reconcile(scope))


# -- breaking down --------------------------------------------------------------------------

@dataclass
class Breakdown:
    """Totals per key (a month, a unit, a category), in the order the keys were given."""

    rows: list[tuple[object, Totals]] = field(default_factory=list)


def breakdown(lines: Iterable[Reconciled], keys: list, key_of: Callable[[Reconciled], object]
              ) -> list[tuple[object, Totals]]:
    """Totals per key: every given key (empty ones too), plus keys only the lines have."""
    grouped: dict[object, Totals] = {key: Totals() for key in keys}
    for line in lines:
        grouped.setdefault(key_of(line), Totals()).add(line)
    return list(grouped.items())


def month_key(line: Reconciled) -> date:
    return line.ordered_on.replace(day=1)


def months(period: Period) -> list[date]:
    return [month.start.replace(day=1) for month in period.months()]


def rollup(parents: dict[int, int | None], root_id: int | None) -> Callable[[int | None],
                                                                              int | None]:
    """node → the child of root_id it lies under (or root_id itself, or None outside)."""
    cache: dict[int | None, int | None] = {}

    def child_of(node: int | None) -> int | None:
        if node in cache:
            return cache[node]
        chain = list(reversed(_ancestors(parents, node))) if node is not None else []
        if root_id is None:
            found = chain[0] if chain else None
        elif root_id in chain:
            index = chain.index(root_id)
            found = chain[index + 1] if index + 1 < len(chain) else root_id
        else:
            found = None
        cache[node] = found
        return found

    return child_of


def by_unit(scope: Scope, lines: list[Reconciled]) -> list[tuple[Unit, Totals]]:
    """Totals per unit one level under the scope's unit (top-level units for the whole
    municipality); the scope's unit itself holds what it ordered directly. The tree is the
    one the scope reads (today's or the period's end), as for the lines' selection."""
    parents = {node.id: node.parent_id for node in unit_service.nodes_at(scope.tree_moment)}
    child_of = rollup(parents, scope.unit_id)
    grouped = breakdown(lines, [], lambda line: child_of(line.unit_id))
    units = {unit.id: unit for unit in db.session.scalars(
        select(Unit).where(Unit.id.in_([key for key, _ in grouped if key is not None])))}
    rows = [(units[key], totals) for key, totals in grouped if key in units]
    return sorted(rows, key=lambda row: (-row[1].uncovered_amount_nok, row[0].name))


def by_category(scope: Scope, lines: list[Reconciled]) -> list[tuple[Category, Totals]]:
    """Totals per category one level under the scope's category (top-level categories when
    none is chosen), for the reusable lines."""
    parents = dict(db.session.execute(select(Category.id, Category.parent_id)).all())
    child_of = rollup(parents, scope.category_id)
    grouped = breakdown([line for line in lines if line.reusable], [],
                        lambda line: child_of(line.category_id))
    categories = {category.id: category for category in db.session.scalars(
        select(Category).where(Category.id.in_([key for key, _ in grouped if key is not None])))}
    rows = [(categories[key], totals) for key, totals in grouped if key in categories]
    return sorted(rows, key=lambda row: (-row[1].uncovered_amount_nok, row[0].name_nb))


def lines_in(lines: list[Reconciled], *, group: str | None = None, month: date | None = None,
             unit_ids: set[int] | None = None) -> list[Reconciled]:
    """The lines behind one figure: a group (GROUPS), a month, a set of units."""
    return [line for line in lines
            if (group is None or line.in_group(group))
            and (month is None or month_key(line) == month)
            and (unit_ids is None or line.unit_id in unit_ids)]
