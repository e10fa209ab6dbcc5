"""The purchases report and its drill-down, from the reconciliation (reports.purchases).

Both read the same reconcile(scope): the page's figures are Totals of its lines, and a
drill-down lists exactly the lines one figure sums (one group, month, unit or category), with
their Totals, so a figure and the sum of its rows are always equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from reuse.extensions import db
from reuse.models import Category, Item, ReuseCheck, Unit, User
from reuse.services import permissions
from reuse.services.errors import InvalidInput
from reuse.services.paging import ListPage, page_count
from reuse.services.purchase_history import History
from reuse.services.reports import purchases as rec
from reuse.services.reports.scope import Scope

PER_PAGE = 50
# What a drill-down may list: every line (no group), the reusable ones, or one of the groups.
REUSABLE = "reusable"
DRILL_GROUPS = (REUSABLE, *rec.GROUPS)
MAX_ALTERNATIVES = 5  # items named for one line; the rest are counted


@dataclass
class PurchaseReport:
    scope: Scope
    totals: rec.Totals
    months: list[tuple[date, rec.Totals]]
    units: list[tuple[Unit, rec.Totals]]
    categories: list[tuple[Category, rec.Totals]]


def purchase_report(scope: Scope) -> PurchaseReport:
    lines = rec.reconcile(scope)
    return PurchaseReport(
        scope, rec.totals_of(lines),
        rec.breakdown(lines, rec.months(scope.period), rec.month_key),
        rec.by_unit(scope, lines), rec.by_category(scope, lines))


def parse_month(value: str | None) -> date | None:
    """'2026-03' → 1 March 2026; None for nothing; InvalidInput otherwise."""
    if not value:
        return None
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise InvalidInput("month", field="month") from None


def in_drill_group(line: rec.Reconciled, group: str | None) -> bool:
    if group is None:
        return True
    if group == REUSABLE:
        return line.reusable
    return line.in_group(group)


def select_lines(scope: Scope, *, group: str | None = None, month: date | None = None,
                 own_unit: bool = False, own_category: bool = False) -> list[rec.Reconciled]:
    """The lines behind one figure of the report: the scope's lines (its unit and category
    with everything under them), narrowed to a group, a month, or the lines the scope's unit
    (or category) has itself rather than a unit (category) under it."""
    if group is not None and group not in DRILL_GROUPS:
        raise InvalidInput("group", field="group")
    lines = rec.lines_in(rec.reconcile(scope), month=month,
                         unit_ids={scope.unit_id} if own_unit and scope.unit_id else None)
    if own_category and scope.category_id is not None:
        lines = [line for line in lines if line.category_id == scope.category_id]
    return [line for line in lines if in_drill_group(line, group)]


@dataclass(frozen=True)
class Alternative:
    item_id: int
    title: str
    free: int


@dataclass
class LineDetails:
    """What a drill-down shows beside the lines: names, covering checks, alternatives."""

    units: dict[int, str] = field(default_factory=dict)
    categories: dict[int, Category] = field(default_factory=dict)
    checks: dict[int, tuple[str, bool]] = field(default_factory=dict)  # id → (ref, visible)
    alternatives: dict[int, list[Alternative]] = field(default_factory=dict)  # line id →
    more_alternatives: dict[int, int] = field(default_factory=dict)  # line id → not named


def details_for(viewer: User | None, lines: list[rec.Reconciled], *,
                max_alternatives: int = MAX_ALTERNATIVES) -> LineDetails:
    """Names and links for the lines shown: the viewer sees a check's receipt or an item's
    page only where the permission rules let them (viewer None: links for nobody)."""
    found = LineDetails()
    unit_ids = {line.unit_id for line in lines}
    if unit_ids:
        found.units = dict(db.session.execute(
            select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).tuples().all())
    category_ids = {line.category_id for line in lines if line.category_id is not None}
    if category_ids:
        found.categories = {category.id: category for category in db.session.scalars(
            select(Category).where(Category.id.in_(category_ids)))}
    check_ids = {line.check_id for line in lines if line.check_id is not None}
    if check_ids:
        for check in db.session.scalars(select(ReuseCheck).where(ReuseCheck.id.in_(check_ids))):
            found.checks[check.id] = (check.reference, viewer is not None
                                      and permissions.can_see_check(viewer, check))
    wanting = [line for line in lines if line.had_alternative]
    if wanting and max_alternatives:
        history = History.load({line.category_id for line in wanting})
        free = {line.id: history.items_available(line.category_id, line.ordered_on)
                for line in wanting}
        item_ids = {item_id for pairs in free.values() for item_id, _ in pairs}
        items = {item.id: item for item in db.session.scalars(
            select(Item).where(Item.id.in_(item_ids)))} if item_ids else {}
        for line in wanting:
            # The most pieces first: the likeliest to have met the whole need. Only items the
            # viewer may see are named: one withdrawn since keeps its title from everyone who
            # could not open it (permissions.can_see_item); it is still counted.
            pairs = sorted(free[line.id], key=lambda pair: (-pair[1], pair[0]))
            nameable = [(items[item_id], pieces) for item_id, pieces in pairs
                        if item_id in items and viewer is not None
                        and permissions.can_see_item(viewer, items[item_id])]
            found.alternatives[line.id] = [Alternative(item.id, item.title, pieces)
                                           for item, pieces in nameable[:max_alternatives]]
            found.more_alternatives[line.id] = len(pairs) - len(found.alternatives[line.id])
    return found


@dataclass(frozen=True)
class LinePage(ListPage):
    totals: rec.Totals = field(default_factory=rec.Totals)
    details: LineDetails = field(default_factory=LineDetails)


def line_page(viewer: User, scope: Scope, *, group: str | None = None,
              month: date | None = None, own_unit: bool = False, own_category: bool = False,
              page: int = 1, per_page: int = PER_PAGE) -> LinePage:
    lines = select_lines(scope, group=group, month=month, own_unit=own_unit,
                         own_category=own_category)
    pages = page_count(len(lines), per_page)
    page = min(max(page, 1), pages)
    shown = lines[(page - 1) * per_page:page * per_page]
    return LinePage(shown, len(lines), page, pages, per_page, rec.totals_of(lines),
                    details_for(viewer, shown))


def amount_of(lines: list[rec.Reconciled]) -> Decimal:
    return sum((line.amount_nok for line in lines), rec.ZERO)
