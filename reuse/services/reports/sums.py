"""Where a report's sums come from: the month totals or the ledger, whichever gives the same
exact figures with less reading.

Month totals (reuse.services.month_totals, which keeps them in step with the ledger) hold the
ledger summed per month and per receiving unit, giving unit or category. A scope filtered on
at most one of those reads them for its whole months and the ledger for the days of a month
it covers only in part; a scope filtered on two reads the ledger. Either way every sum is of
whole øre and grams: exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, case, cast, func, literal_column, select

from reuse.extensions import db
from reuse.models import Category, MonthTotal, ReuseRecord, Unit
from reuse.services import month_totals
from reuse.services.reports.figures import Figures, figures_of, on_postgresql, sum_columns
from reuse.services.reports.scope import Period, Scope, record_filters, subtree_of

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


def _whole_months(period: Period) -> list[date]:
    return [month.start for month in period.months() if month.is_whole_month]


def _partial_months(period: Period) -> list[Period]:
    return [month for month in period.months() if not month.is_whole_month]


def _month_total_sums() -> tuple:
    # PostgreSQL sums bigints into numeric, which the driver reads as Decimal; cast back, the
    # sums come as Python ints (a thousand units' rows: 11.6 → 9.4 ms). Øre and grams of a
    # municipality's year are far inside bigint.
    return tuple(func.coalesce(cast(func.sum(getattr(MonthTotal, name)), BigInteger), 0)
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
            subtree_of(scope, model, root, f"month_total_{dimension}s")))
    return {key: figures_of(rest) for key, *rest in db.session.execute(query.group_by(group_by))}


def _merge(into: dict, more: dict) -> dict:
    for key, found in more.items():
        into[key] = into[key] + found if key in into else found
    return into


def _ledger_totals(scope: Scope) -> Figures:
    return figures_of(db.session.execute(
        select(*sum_columns()).where(*record_filters(scope))).one())


def _ledger_grouped(scope: Scope, record_column) -> dict[int, Figures]:
    rows = db.session.execute(select(record_column, *sum_columns())
                              .where(*record_filters(scope)).group_by(record_column))
    return {key: figures_of(rest) for key, *rest in rows}


def grouped(scope: Scope, dimension: Dimension) -> dict[int, Figures]:
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
    if len(columns) < 2 or not on_postgresql():
        return {dimension: _ledger_grouped(scope, column)
                for dimension, column in zip(dimensions, columns, strict=True)}
    found: dict[Dimension, dict[int, Figures]] = {dimension: {} for dimension in dimensions}
    rows = db.session.execute(select(*columns, *sum_columns()).where(*record_filters(scope))
                              .group_by(func.grouping_sets(*columns)))
    for row in rows:
        keys, sums = row[:len(columns)], row[len(columns):]
        # A row of one grouping set has its own column set and the others NULL; the columns
        # themselves are never NULL, so the set is the one non-NULL key.
        dimension, key = next((dimension, key) for dimension, key
                              in zip(dimensions, keys, strict=True) if key is not None)
        found[dimension][key] = figures_of(sums)
    return found


def grouped_each(scope: Scope) -> dict[Dimension, dict[int, Figures]]:
    """grouped for every dimension: those the month totals hold read them, the others share
    one pass over the ledger."""
    filtered = set(_filtered_dimensions(scope))
    from_totals = [dimension for dimension in DIMENSIONS if filtered <= {dimension}]
    found = {dimension: grouped(scope, dimension) for dimension in from_totals}
    found.update(_ledger_grouped_together(
        scope, [dimension for dimension in DIMENSIONS if dimension not in from_totals]))
    return found


def totals(scope: Scope) -> Figures:
    """The scope's figures: the sums of every record it covers."""
    dimension = _summable_dimension(scope)
    if dimension is None:
        return _ledger_totals(scope)
    return sum(grouped(scope, dimension).values(), Figures.zero())


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
    return [MonthRow(month, whole.get(month.start, Figures.zero()) if month.is_whole_month
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
    ).where(*record_filters(scope)).subquery()
    rows = db.session.execute(
        select(inner.c.bucket, *sum_columns(inner.c)).group_by(inner.c.bucket))
    found = {int(bucket_index): figures_of(rest) for bucket_index, *rest in rows}
    return [MonthRow(month, found.get(index, Figures.zero()))
            for index, month in enumerate(months)]
