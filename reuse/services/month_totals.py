"""The ledger summed per month: kept in step with every record, in the same transaction.

Each reuse record adds its figures to three rows of month_total: its month (Oslo time) and its
receiving unit, its giving unit and its category. The ledger is append-only (a correction is a
reversing record), so adding is nearly all that is needed; a record changed or deleted
through the ORM is taken back out too.
Amounts are whole øre and grams, so sums of these rows are exactly the ledger's sums.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import delete, insert, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from reuse.clock import OSLO
from reuse.extensions import db, listen_once
from reuse.models import MonthTotal, ReuseRecord

DIMENSIONS = ("receiver", "giver", "category")
AMOUNTS = ("quantity", "avoided_cost_ore", "avoided_co2e_g", "avoided_waste_g", "records")

Key = tuple[date, str, int]


def month_of(moment: datetime) -> date:
    """The first day of the Oslo calendar month a moment falls in."""
    return moment.astimezone(OSLO).date().replace(day=1)


def _smallest_units(value: Decimal, places: int) -> int:
    """Whole øre (places=2) or grams (3), rounded as the ledger's numeric columns store them."""
    return int(Decimal(value).scaleb(places).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _contributions(rows: Iterable, sign: int = 1) -> dict[Key, list[int]]:
    """Month-total amounts per key for ledger rows of (recorded_at, to, from, category,
    quantity, avoided cost, CO2e, waste)."""
    totals: dict[Key, list[int]] = {}
    for recorded_at, to_unit, from_unit, category, quantity, cost, co2e, waste in rows:
        month = month_of(recorded_at)
        amounts = (quantity, _smallest_units(cost, 2), _smallest_units(co2e, 3),
                   _smallest_units(waste, 3), 1)
        for key in ((month, "receiver", to_unit), (month, "giver", from_unit),
                    (month, "category", category)):
            sums = totals.setdefault(key, [0] * len(AMOUNTS))
            for index, amount in enumerate(amounts):
                sums[index] += sign * amount
    return totals


LEDGER_FIELDS = ("recorded_at", "to_unit_id", "from_unit_id", "category_id", "quantity",
                 "avoided_cost_nok", "avoided_co2e_kg", "avoided_waste_kg")


def _ledger_row(record: ReuseRecord) -> tuple:
    return tuple(getattr(record, name) for name in LEDGER_FIELDS)


def _ledger_row_before_flush(record: ReuseRecord) -> tuple | None:
    """The record's summed fields as they were before this flush; None if none changed."""
    state = inspect(record)
    before, changed = [], False
    for name in LEDGER_FIELDS:
        history = state.attrs[name].history
        if history.deleted:
            changed = True
            before.append(history.deleted[0])
        else:
            before.append(getattr(record, name))
    return tuple(before) if changed else None


def _add(connection, totals: dict[Key, list[int]]) -> None:
    """Add amounts to their rows, creating them as needed: one atomic upsert per row."""
    table = MonthTotal.__table__
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" \
        else sqlite.insert
    # Always in key order, so two transactions adding to the same rows cannot deadlock.
    for (month, dimension, node_id), sums in sorted(totals.items()):
        amounts = dict(zip(AMOUNTS, sums, strict=True))
        statement = dialect_insert(table).values(month=month, dimension=dimension,
                                                 node_id=node_id, **amounts)
        connection.execute(statement.on_conflict_do_update(
            index_elements=[table.c.month, table.c.dimension, table.c.node_id],
            set_={name: table.c[name] + statement.excluded[name] for name in AMOUNTS}))


def init_app(app) -> None:
    """Keep the month totals in step in every session (registered once per process)."""
    listen_once(Session, "after_flush", _keep_in_step)


def _keep_in_step(session: Session, flush_context) -> None:
    """Whatever writes ledger records (the ledger service, a test, an import through the
    ORM) updates the month totals in the same transaction."""
    added = [_ledger_row(o) for o in session.new if isinstance(o, ReuseRecord)]
    removed = [_ledger_row(o) for o in session.deleted if isinstance(o, ReuseRecord)]
    # Records are not edited by the application, but a change (a data fix, a test moving a
    # record in time) must move its figures too.
    for record in session.dirty:
        if isinstance(record, ReuseRecord) and (before := _ledger_row_before_flush(record)):
            removed.append(before)
            added.append(_ledger_row(record))
    if not added and not removed:
        return
    totals = _contributions(added)
    for key, sums in _contributions(removed, sign=-1).items():
        current = totals.setdefault(key, [0] * len(AMOUNTS))
        totals[key] = [a + b for a, b in zip(current, sums, strict=True)]
    _add(session.connection(), totals)


def _from_ledger(session: Session) -> dict[Key, list[int]]:
    rows = session.execute(
        select(ReuseRecord.recorded_at, ReuseRecord.to_unit_id, ReuseRecord.from_unit_id,
               ReuseRecord.category_id, ReuseRecord.quantity, ReuseRecord.avoided_cost_nok,
               ReuseRecord.avoided_co2e_kg, ReuseRecord.avoided_waste_kg)
        .execution_options(yield_per=20_000))
    return _contributions(rows)


def rebuild(session: Session | None = None) -> int:
    """Recompute every month total from the ledger (after a bulk load that bypassed the ORM,
    or in the migration that made the table). Returns the number of rows written."""
    session = session or db.session
    totals = _from_ledger(session)
    session.execute(delete(MonthTotal))
    rows = [dict(month=month, dimension=dimension, node_id=node_id,
                 **dict(zip(AMOUNTS, sums, strict=True)))
            for (month, dimension, node_id), sums in sorted(totals.items())]
    for start in range(0, len(rows), 5_000):
        session.execute(insert(MonthTotal), rows[start:start + 5_000])
    return len(rows)


def differences() -> dict[Key, tuple[list[int], list[int]]]:
    """Rows where the month totals and the ledger disagree: key → (stored, from the ledger)."""
    expected = {key: sums for key, sums in _from_ledger(db.session).items() if any(sums)}
    stored = {(row.month, row.dimension, row.node_id): [getattr(row, name) for name in AMOUNTS]
              for row in db.session.scalars(select(MonthTotal))}
    stored = {key: sums for key, sums in stored.items() if any(sums)}
    return {key: (stored.get(key, []), expected.get(key, []))
            for key in stored.keys() | expected.keys()
            if stored.get(key) != expected.get(key)}
