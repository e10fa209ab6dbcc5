"""Report figures: sums of reuse records, and counts of reuse checks, for a period and a scope.

Every figure is computed in SQL with exactly the conditions the drill-down list uses, so the
records a figure links to add up to it:
- a period is whole days in Oslo time, [from 00:00, the day after `to` 00:00), compared in UTC
  (a hand-over at 23:30 on 31 December in Bergen belongs to that year);
- a unit (or a category) means it and everything under it;
- reversing records are summed with the rest: they carry negated figures, so sums are net;
- kroner and kilograms are summed as whole øre and grams, integers, so the sums are exact on
  SQLite (which keeps NUMERIC as floating point) as well as on PostgreSQL.
Reuse checks count by the day they were made, for the unit that made them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import BigInteger, case, cast, func, literal_column, select
from sqlalchemy.orm import selectinload

from reuse.clock import OSLO, oslo_today
from reuse.extensions import db
from reuse.models import (
    Category,
    Claim,
    Goal,
    GoalMetric,
    MonthTotal,
    ReuseCheck,
    ReuseRecord,
    Unit,
    User,
)
from reuse.services import goals as goal_service
from reuse.services import month_totals, numbers
from reuse.services import units as unit_service
from reuse.services.checks import CheckCounts, count_outcomes
from reuse.services.errors import InvalidInput, PermissionDenied
from reuse.services.paging import ListPage, PageLinks, paginate
from reuse.services.permissions import can_see_all_reports, can_see_unit_report, checks_visible_to
from reuse.services.trees import depth_first, nodes, subtree_id_list, subtree_ids

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
MAX_YEARS = 10
MAX_DAYS = 365 * MAX_YEARS + 3  # ten years, leap days included
PER_PAGE = 100
RANKING_SIZE = 10


# -- periods and scopes --------------------------------------------------------------------

def _oslo_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(), OSLO).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """Whole days, both ends included, in Oslo time."""

    start: date
    end: date

    @property
    def start_utc(self) -> datetime:
        return _oslo_midnight_utc(self.start)

    @property
    def end_utc(self) -> datetime:
        """The first moment after the period (midnight after `end`, Oslo time), in UTC."""
        return _oslo_midnight_utc(self.end + timedelta(days=1))

    @property
    def year(self) -> int | None:
        """The calendar year the period lies in; None if it spans more than one."""
        return self.start.year if self.start.year == self.end.year else None

    @property
    def is_whole_year(self) -> bool:
        return (self.start.month, self.start.day, self.end.month, self.end.day) == \
            (1, 1, 12, 31) and self.year is not None

    def months(self) -> list[Period]:
        """The calendar months the period touches, each cut to the period."""
        months = []
        first = self.start.replace(day=1)
        while first <= self.end:
            following = (first + timedelta(days=32)).replace(day=1)
            months.append(Period(max(first, self.start),
                                 min(following - timedelta(days=1), self.end)))
            first = following
        return months


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31))


def make_period(start: date | None, end: date | None, *, today: date | None = None) -> Period:
    """The period asked for; without dates, this year (Oslo time)."""
    if start is None and end is None:
        return year_period((today or oslo_today()).year)
    if start is None:
        start = date(end.year, 1, 1)
    if end is None:
        end = date(start.year, 12, 31)
    if end < start:
        raise InvalidInput(_("Til-datoen kan ikke være før fra-datoen."), field="to")
    if start < EARLIEST or end > LATEST:
        raise InvalidInput(_("Velg datoer mellom %(first)s og %(last)s.", first=EARLIEST.year,
                             last=LATEST.year), field="from")
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(_("En rapport kan gjelde høyst %(years)s år om gangen.",
                             years=MAX_YEARS), field="to")
    return Period(start, end)


@dataclass(frozen=True)
class Scope:
    """What a figure covers: a period, and optionally a receiving unit, a giving unit and a
    category, each with everything under it."""

    period: Period
    unit_id: int | None = None  # receiving unit
    giver_id: int | None = None  # giving unit
    category_id: int | None = None

    def narrowed(self, **changes) -> Scope:
        return replace(self, **changes)

    def query_args(self) -> dict[str, str]:
        """The scope as the query string of the report pages and the API."""
        args = {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()}
        for key, value in (("unit", self.unit_id), ("giver", self.giver_id),
                           ("category", self.category_id)):
            if value is not None:
                args[key] = str(value)
        return args


def _require_exists(model, ident: int | None, name: str, message: str) -> None:
    # An id no column can hold names nothing; it never goes to SQL (SQLite cannot bind it).
    if ident is not None and (not numbers.fits_int(ident) or db.session.get(model, ident) is None):
        raise InvalidInput(message, field=name)


def authorize(user: User, scope: Scope) -> Scope:
    """The scope this user may see: the lead and admins everything, others their own unit
    (and its sub-units), which is also what they get when they ask for no unit."""
    _require_exists(Unit, scope.unit_id, "unit", _("Fant ingen slik enhet."))
    _require_exists(Unit, scope.giver_id, "giver", _("Fant ingen slik enhet."))
    _require_exists(Category, scope.category_id, "category", _("Fant ingen slik kategori."))
    if can_see_all_reports(user):
        return scope
    if scope.unit_id is None:
        return scope.narrowed(unit_id=user.unit_id)
    if not can_see_unit_report(user, scope.unit_id):
        raise PermissionDenied(_("Du kan se rapporten for din egen enhet, ikke for andre "
                                 "enheter."))
    return scope


def selectable_units(user: User) -> list[tuple[int, str, int]]:
    """(id, name, depth) of the units whose report the user may choose, in tree order."""
    if can_see_all_reports(user):
        return unit_service.tree_options()
    own = subtree_ids(Unit, user.unit_id)
    units = db.session.execute(select(Unit.id, Unit.parent_id, Unit.name)
                               .where(Unit.id.in_(own)).order_by(Unit.name)).all()
    return [(unit.id, unit.name, depth) for unit, depth in _subtree_order(units, user.unit_id)]


def _subtree_order(tree_nodes, root_id: int | None) -> list[tuple[object, int]]:
    """(node, depth below the root) in tree order, for the root's subtree (or the forest)."""
    if root_id is None:
        return depth_first(tree_nodes)
    children: dict[int | None, list] = {}
    by_id = {}
    for node in tree_nodes:
        by_id[node.id] = node
        children.setdefault(node.parent_id, []).append(node)
    ordered: list[tuple[object, int]] = []

    def visit(node, depth: int) -> None:
        ordered.append((node, depth))
        for child in children.get(node.id, []):
            visit(child, depth + 1)

    if root_id in by_id:
        visit(by_id[root_id], 0)
    return ordered


# -- the sums ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Figures:
    items_reused: int
    avoided_cost_nok: Decimal
    avoided_co2e_kg: Decimal
    avoided_waste_kg: Decimal
    records: int  # how many reuse records (reversals included) were summed

    @classmethod
    def zero(cls) -> Figures:
        return cls(0, Decimal("0.00"), Decimal("0.000"), Decimal("0.000"), 0)

    def __add__(self, other: Figures) -> Figures:
        # Decimal addition of figures with two and three places is exact.
        return Figures(self.items_reused + other.items_reused,
                       self.avoided_cost_nok + other.avoided_cost_nok,
                       self.avoided_co2e_kg + other.avoided_co2e_kg,
                       self.avoided_waste_kg + other.avoided_waste_kg,
                       self.records + other.records)

    def metric(self, metric: str) -> Decimal:
        return {GoalMetric.AVOIDED_COST_NOK: self.avoided_cost_nok,
                GoalMetric.AVOIDED_CO2E_KG: self.avoided_co2e_kg,
                GoalMetric.ITEMS_REUSED: Decimal(self.items_reused)}[GoalMetric(metric)]


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _exact_sum(column, places: int):
    """Sum of a decimal column as an integer of its smallest unit (øre, gram).

    PostgreSQL sums numeric exactly, so it sums first and scales once (about 15 % less time on a
    large unit's report). SQLite keeps decimals as floating point, so there each value is
    rounded to whole øre or grams before it is added.
    """
    if _on_postgresql():
        return func.coalesce(cast(func.sum(column) * 10 ** places, BigInteger), 0)
    return func.coalesce(func.sum(cast(func.round(column * 10 ** places), BigInteger)), 0)


def _sum_columns(records=ReuseRecord) -> tuple:
    """The sums behind Figures, over the reuse_record table or a subquery of its columns."""
    return (func.coalesce(func.sum(records.quantity), 0),
            _exact_sum(records.avoided_cost_nok, 2),
            _exact_sum(records.avoided_co2e_kg, 3),
            _exact_sum(records.avoided_waste_kg, 3),
            func.count(records.id))


def _scaled(smallest_units, places: int) -> Decimal:
    # An integer scaled by 10^-places has exactly `places` decimals: 123 øre → 1.23.
    return Decimal(int(smallest_units)).scaleb(-places)


def _figures(row) -> Figures:
    quantity, cost, co2e, waste, count = row
    return Figures(int(quantity), _scaled(cost, 2), _scaled(co2e, 3), _scaled(waste, 3),
                   int(count))


def _record_filters(scope: Scope) -> list:
    """The conditions for the records a scope covers; figures and drill-downs share them."""
    conditions = [ReuseRecord.recorded_at >= scope.period.start_utc,
                  ReuseRecord.recorded_at < scope.period.end_utc]
    if scope.unit_id is not None:
        conditions.append(ReuseRecord.to_unit_id.in_(
            subtree_ids(Unit, scope.unit_id, "report_receiving_units")))
    if scope.giver_id is not None:
        conditions.append(ReuseRecord.from_unit_id.in_(
            subtree_ids(Unit, scope.giver_id, "report_giving_units")))
    if scope.category_id is not None:
        conditions.append(ReuseRecord.category_id.in_(
            subtree_ids(Category, scope.category_id, "report_categories")))
    return conditions


# -- where the sums come from -----------------------------------------------------------------
#
# Month totals (reuse.services.month_totals) hold the ledger summed per month and per receiving
# unit, giving unit or category. A scope filtered on at most one of those reads them for its
# whole months and the ledger for the days of a month it covers only in part; a scope
# filtered on two reads the ledger. Either way every sum is of whole øre and grams: exact.

Dimension = str  # "receiver", "giver" or "category"
DIMENSIONS: tuple[Dimension, ...] = month_totals.DIMENSIONS
_RECORD_COLUMN = {"receiver": ReuseRecord.to_unit_id, "giver": ReuseRecord.from_unit_id,
                  "category": ReuseRecord.category_id}


def _filtered_dimensions(scope: Scope) -> dict[Dimension, int]:
    return {dimension: root for dimension, root in (("receiver", scope.unit_id),
                                                    ("giver", scope.giver_id),
                                                    ("category", scope.category_id))
            if root is not None}


def _summable_dimension(scope: Scope) -> Dimension | None:
    """The dimension whose month totals cover the scope, or None if only the ledger does."""
    filtered = _filtered_dimensions(scope)
    if len(filtered) > 1:
        return None
    return next(iter(filtered), "category")  # unfiltered: categories have the fewest rows


def _is_whole_month(period: Period) -> bool:
    return period.start.day == 1 and (period.end + timedelta(days=1)).day == 1


def _whole_months(period: Period) -> list[date]:
    return [month.start for month in period.months() if _is_whole_month(month)]


def _partial_months(period: Period) -> list[Period]:
    return [month for month in period.months() if not _is_whole_month(month)]


def _month_total_sums() -> tuple:
    return tuple(func.coalesce(func.sum(getattr(MonthTotal, name)), 0)
                 for name in month_totals.AMOUNTS)


def _from_month_totals(scope: Scope, dimension: Dimension, group_by) -> dict:
    """Figures per `group_by` (MonthTotal.node_id or .month) over the scope's whole months."""
    whole = _whole_months(scope.period)
    if not whole:
        return {}
    query = select(group_by, *_month_total_sums()).where(
        MonthTotal.dimension == dimension, MonthTotal.month >= whole[0],
        MonthTotal.month <= whole[-1])
    root = _filtered_dimensions(scope).get(dimension)
    if root is not None:
        model = Category if dimension == "category" else Unit
        query = query.where(MonthTotal.node_id.in_(
            subtree_ids(model, root, f"month_total_{dimension}s")))
    return {key: _figures(rest) for key, *rest in db.session.execute(query.group_by(group_by))}


def _merge(into: dict, more: dict) -> dict:
    for key, found in more.items():
        into[key] = into[key] + found if key in into else found
    return into


def _ledger_totals(scope: Scope) -> Figures:
    return _figures(db.session.execute(
        select(*_sum_columns()).where(*_record_filters(scope))).one())


def _ledger_grouped(scope: Scope, record_column) -> dict[int, Figures]:
    rows = db.session.execute(select(record_column, *_sum_columns())
                              .where(*_record_filters(scope)).group_by(record_column))
    return {key: _figures(rest) for key, *rest in rows}


def _grouped(scope: Scope, dimension: Dimension) -> dict[int, Figures]:
    """Figures per unit or category of one dimension: each node's own, not its sub-nodes'."""
    column = _RECORD_COLUMN[dimension]
    if not set(_filtered_dimensions(scope)) <= {dimension}:
        return _ledger_grouped(scope, column)
    found = _from_month_totals(scope, dimension, MonthTotal.node_id)
    for part in _partial_months(scope.period):
        _merge(found, _ledger_grouped(scope.narrowed(period=part), column))
    return found


def _ledger_grouped_together(scope: Scope, dimensions: list[Dimension]
                             ) -> dict[Dimension, dict[int, Figures]]:
    """Figures per node for several dimensions from the scope's ledger rows: one pass with
    GROUPING SETS on PostgreSQL, one query per dimension on SQLite (which has none)."""
    columns = [_RECORD_COLUMN[dimension] for dimension in dimensions]
    if len(columns) < 2 or not _on_postgresql():
        return {dimension: _ledger_grouped(scope, column)
                for dimension, column in zip(dimensions, columns, strict=True)}
    found: dict[Dimension, dict[int, Figures]] = {dimension: {} for dimension in dimensions}
    rows = db.session.execute(select(*columns, *_sum_columns()).where(*_record_filters(scope))
                              .group_by(func.grouping_sets(*columns)))
    for row in rows:
        keys, sums = row[:len(columns)], row[len(columns):]
        # A row of one grouping set has its own column set and the others NULL; the columns
        # themselves are never NULL, so the set is the one non-NULL key.
        dimension, key = next((dimension, key) for dimension, key
                              in zip(dimensions, keys, strict=True) if key is not None)
        found[dimension][key] = _figures(sums)
    return found


def _grouped_each(scope: Scope) -> dict[Dimension, dict[int, Figures]]:
    """_grouped for every dimension: those the month totals hold read them, the others share
    one pass over the ledger."""
    filtered = set(_filtered_dimensions(scope))
    from_totals = [dimension for dimension in DIMENSIONS if filtered <= {dimension}]
    found = {dimension: _grouped(scope, dimension) for dimension in from_totals}
    found.update(_ledger_grouped_together(
        scope, [dimension for dimension in DIMENSIONS if dimension not in from_totals]))
    return found


def totals(scope: Scope) -> Figures:
    dimension = _summable_dimension(scope)
    if dimension is None:
        return _ledger_totals(scope)
    return sum(_grouped(scope, dimension).values(), Figures.zero())


@dataclass(frozen=True)
class MonthRow:
    period: Period
    figures: Figures


def monthly(scope: Scope) -> list[MonthRow]:
    """Figures per calendar month (Oslo time) of the period, months without records too."""
    dimension = _summable_dimension(scope)
    if dimension is None:
        return _ledger_monthly(scope)
    whole = _from_month_totals(scope, dimension, MonthTotal.month)
    return [MonthRow(month, whole.get(month.start, Figures.zero()) if _is_whole_month(month)
                     else _ledger_totals(scope.narrowed(period=month)))
            for month in scope.period.months()]


def _ledger_monthly(scope: Scope) -> list[MonthRow]:
    months = scope.period.months()
    if len(months) > 1:
        bucket = case(*((ReuseRecord.recorded_at < month.end_utc, index)
                        for index, month in enumerate(months[:-1])),
                      else_=len(months) - 1)
    else:
        bucket = literal_column("0")
    # Group on a column of a subquery: PostgreSQL does not see two copies of an expression
    # with bound parameters as the same expression.
    inner = select(
        bucket.label("bucket"),
        ReuseRecord.id, ReuseRecord.quantity, ReuseRecord.avoided_cost_nok,
        ReuseRecord.avoided_co2e_kg, ReuseRecord.avoided_waste_kg,
    ).where(*_record_filters(scope)).subquery()
    rows = db.session.execute(
        select(inner.c.bucket, *_sum_columns(inner.c)).group_by(inner.c.bucket))
    found = {int(bucket_index): _figures(rest) for bucket_index, *rest in rows}
    return [MonthRow(month, found.get(index, Figures.zero()))
            for index, month in enumerate(months)]


@dataclass(frozen=True)
class TreeRow:
    id: int
    name: str
    depth: int
    figures: Figures
    has_children: bool = False


def _tree(own: dict[int, Figures], tree_nodes: list, root_id: int | None) -> list[TreeRow]:
    """Nodes with records in tree order, each with its own figures and its descendants'.

    The database sums per node (one row per unit or category, however many records); the
    roll-up to ancestors is done here, in exact decimals.
    """
    parent_of = {node.id: node.parent_id for node in tree_nodes}
    figures: dict[int, Figures] = {}
    for node_id, found in own.items():
        ancestor = node_id
        while ancestor is not None:
            figures[ancestor] = figures[ancestor] + found if ancestor in figures else found
            ancestor = parent_of.get(ancestor)
    with_records = {node_id for node_id, found in figures.items() if found.records}
    parents = {node.parent_id for node in tree_nodes if node.id in with_records}
    return [TreeRow(node.id, node.name, depth, figures[node.id],
                    has_children=node.id in parents)
            for node, depth in _subtree_order(tree_nodes, root_id) if node.id in with_records]


def by_receiving_unit(scope: Scope) -> list[TreeRow]:
    """Per receiving unit, in the unit tree; a unit's figures include its sub-units'."""
    return _tree(_grouped(scope, "receiver"), nodes(Unit, "name"), scope.unit_id)


def by_giving_unit(scope: Scope) -> list[TreeRow]:
    """Per giving unit, in the unit tree; a unit's figures include its sub-units'."""
    return _tree(_grouped(scope, "giver"), nodes(Unit, "name"), scope.giver_id)


def by_category(scope: Scope) -> list[TreeRow]:
    """Per category, in the category tree; a category's figures include its sub-categories'."""
    return _tree(_grouped(scope, "category"), nodes(Category, "name_nb"), scope.category_id)


@dataclass(frozen=True)
class RankRow:
    rank: int
    unit_id: int
    name: str
    figures: Figures


def ranking(scope: Scope, limit: int = RANKING_SIZE, *,
            received: dict[int, Figures] | None = None, units: list | None = None
            ) -> list[RankRow]:
    """Receiving units without sub-units (schools, kindergartens, offices), by avoided cost.

    Only units without sub-units are ranked, so every figure is the unit's own and its
    drill-down (which always includes sub-units) lists exactly those records. `received` and
    `units`: the scope's figures per receiving unit and the units, when already at hand.
    """
    if received is None:
        received = _grouped(scope, "receiver")
    if units is None:
        units = nodes(Unit, "name")
    parents = {unit.parent_id for unit in units}
    leaves = {unit.id: unit.name for unit in units if unit.id not in parents}
    ranked = sorted(((unit_id, leaves[unit_id], found) for unit_id, found in received.items()
                     if unit_id in leaves),
                    key=lambda r: (-r[2].avoided_cost_nok, -r[2].items_reused, r[1]))
    return [RankRow(index + 1, unit_id, name, found)
            for index, (unit_id, name, found) in enumerate(ranked[:limit])]


# -- reuse checks --------------------------------------------------------------------------

CHECK_OUTCOMES = ("reused", "bought_new", "open")


def _check_filters(scope: Scope, outcome: str | None = None) -> list:
    conditions = [ReuseCheck.created_at >= scope.period.start_utc,
                  ReuseCheck.created_at < scope.period.end_utc]
    if scope.unit_id is not None:
        conditions.append(ReuseCheck.unit_id.in_(
            subtree_ids(Unit, scope.unit_id, "report_checking_units")))
    if scope.category_id is not None:
        conditions.append(ReuseCheck.category_id.in_(
            subtree_ids(Category, scope.category_id, "report_categories")))
    if outcome == "open":
        conditions.append(ReuseCheck.outcome.is_(None))
    elif outcome is not None:
        conditions.append(ReuseCheck.outcome == outcome)
    return conditions


def check_counts(scope: Scope) -> CheckCounts:
    """How the scope's checks ended: every check of the unit, whoever may open it."""
    return count_outcomes(*_check_filters(scope))


def checks(scope: Scope, outcome: str | None = None, *, viewer: User, page: int = 1,
           per_page: int = PER_PAGE) -> ListPage[ReuseCheck]:
    """One page of the reuse checks behind a count that the viewer may open, oldest first.

    The counts are the unit's figures and count every check; the rows are people's needs
    and purchases, shown only as permissions.can_see_check allows."""
    if outcome is not None and outcome not in CHECK_OUTCOMES:
        raise InvalidInput(_("Ukjent utfall."), field="outcome")
    return paginate(
        select(ReuseCheck).where(*_check_filters(scope, outcome), checks_visible_to(viewer))
        .order_by(ReuseCheck.created_at, ReuseCheck.id)
        .options(selectinload(ReuseCheck.unit), selectinload(ReuseCheck.user),
                 selectinload(ReuseCheck.category)),
        page=page, per_page=per_page)


# -- the records behind a figure -------------------------------------------------------------

@dataclass(frozen=True)
class RecordPage(PageLinks):
    records: list[ReuseRecord]
    totals: Figures  # of every record in the scope, not only this page's
    page: int
    pages: int
    per_page: int
    # Reversals of the page's records, wherever they fall: a reversal counts in its own
    # period, so a record reversed later still counts in the period it was written in.
    reversed_by: dict[int, ReuseRecord] = field(default_factory=dict)


def records(scope: Scope, *, page: int = 1, per_page: int | None = PER_PAGE) -> RecordPage:
    """The records a scope covers, oldest first, with the factor values each one used.

    per_page=None gives every record (for exports)."""
    found = totals(scope)
    query = (select(ReuseRecord).where(*_record_filters(scope))
             .order_by(ReuseRecord.recorded_at, ReuseRecord.id)
             .options(selectinload(ReuseRecord.from_unit), selectinload(ReuseRecord.to_unit),
                      selectinload(ReuseRecord.category),
                      selectinload(ReuseRecord.claim).selectinload(Claim.item)))
    if per_page is None:
        rows = list(db.session.scalars(query))
        return RecordPage(rows, found, 1, 1, found.records, _reversals(rows))
    pages = max(1, -(-found.records // per_page))
    page = min(max(page, 1), pages)
    rows = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return RecordPage(rows, found, page, pages, per_page, _reversals(rows))


def _reversals(rows: list[ReuseRecord]) -> dict[int, ReuseRecord]:
    ids = [record.id for record in rows if record.reverses_id is None]
    if not ids:
        return {}
    return {reversal.reverses_id: reversal for reversal in db.session.scalars(
        select(ReuseRecord).where(ReuseRecord.reverses_id.in_(ids)))}


# -- goals ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    achieved: Decimal
    scope: Scope  # what `achieved` covers: the report's period, the goal's unit

    @property
    def share(self) -> Decimal:
        """achieved / target: 1 means the goal is reached."""
        return (self.achieved / self.goal.target).quantize(Decimal("0.0001"))

    @property
    def bar_percent(self) -> int:
        """Width of a progress bar, 0–100."""
        return int(min(max(self.share * 100, Decimal(0)), Decimal(100)))


def achieved(metric: str, scope: Scope) -> Decimal:
    if metric == GoalMetric.REUSE_CHECK_SHARE:
        return check_counts(scope).reuse_share_percent
    return totals(scope).metric(metric)


def _progress(goal: Goal, scope: Scope) -> GoalProgress:
    goal_scope = Scope(scope.period, unit_id=goal.unit_id)
    return GoalProgress(goal, achieved(goal.metric, goal_scope), goal_scope)


def goals_in_scope(scope: Scope) -> list[GoalProgress]:
    """The goals of the period's year for the scope's unit and the units under it (all goals
    for the whole municipality), achieved within the period. None if the period spans years."""
    year = scope.period.year
    if year is None:
        return []
    found = goal_service.goals_for_year(year)
    if scope.unit_id is not None:
        visible = set(subtree_id_list(Unit, scope.unit_id))
        found = [goal for goal in found if goal.unit_id in visible]
    return [_progress(goal, scope) for goal in found]


def goals_for_unit(scope: Scope) -> list[GoalProgress]:
    """The goals set for exactly the scope's unit (or the municipality), in METRIC_ORDER."""
    year = scope.period.year
    if year is None:
        return []
    return [_progress(goal, scope) for goal in goal_service.goals_for_year(year)
            if goal.unit_id == scope.unit_id]


# -- a whole report --------------------------------------------------------------------------

@dataclass(frozen=True)
class Summary:
    scope: Scope
    unit: Unit | None
    totals: Figures
    checks: CheckCounts
    goals: list[GoalProgress]


def summary(scope: Scope) -> Summary:
    """The headline figures of the scope and the goals for its unit (API and exports)."""
    unit = db.session.get(Unit, scope.unit_id) if scope.unit_id is not None else None
    return Summary(scope, unit, totals(scope), check_counts(scope), goals_for_unit(scope))


@dataclass(frozen=True)
class Report:
    """Everything the report page and the summary exports show."""

    scope: Scope
    unit: Unit | None
    totals: Figures
    checks: CheckCounts
    goals: list[GoalProgress]
    months: list[MonthRow]
    receiving: list[TreeRow]
    giving: list[TreeRow]
    categories: list[TreeRow]
    ranking: list[RankRow]


def report(scope: Scope) -> Report:
    unit = db.session.get(Unit, scope.unit_id) if scope.unit_id is not None else None
    grouped = _grouped_each(scope)
    # The sums per receiving unit serve the total, the tree and the ranking.
    received = grouped["receiver"]
    scope_totals = sum(received.values(), Figures.zero())
    units = nodes(Unit, "name")
    return Report(scope, unit, scope_totals, check_counts(scope), goals_in_scope(scope),
                  monthly(scope), _tree(received, units, scope.unit_id),
                  _tree(grouped["giver"], units, scope.giver_id),
                  _tree(grouped["category"], nodes(Category, "name_nb"), scope.category_id),
                  ranking(scope, received=received, units=units))
