"""Property: every report figure is the sum of the records it covers.

Hypothesis builds random ledgers — units and categories in random trees, records with odd
amounts, reversing records, moments on and around the period's Oslo-midnight boundaries,
reuse checks with every outcome — and a random scope. Each figure the report service gives
(totals, months, receiving and giving unit trees, categories, ranking, drill-down list,
check counts) is compared with a sum computed here, in Python, from the generated records
alone. Runs on SQLite and on PostgreSQL like the rest of the suite.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reuse.clock import OSLO
from reuse.models import Category, ReuseCheck, ReuseRecord, Unit
from reuse.services import claims
from reuse.services.reports.breakdowns import by_category, by_giving_unit, by_receiving_unit
from reuse.services.reports.checks import check_counts
from reuse.services.reports.figures import Figures
from reuse.services.reports.ranking import ranking
from reuse.services.reports.records import records
from reuse.services.reports.report import report
from reuse.services.reports.scope import Period, Scope
from reuse.services.reports.sums import monthly, totals

CENT, GRAM = Decimal("0.01"), Decimal("0.001")
FIRST, LAST = date(2024, 1, 1), date(2026, 12, 31)
OFFSETS = [timedelta(0), timedelta(seconds=-1), timedelta(seconds=1), timedelta(minutes=-30),
           timedelta(hours=-1), timedelta(hours=1)]

money = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False,
                    allow_infinity=False)
kilograms = st.decimals(min_value=0, max_value=5_000, places=3, allow_nan=False,
                        allow_infinity=False)


def oslo_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), OSLO).astimezone(UTC)


@st.composite
def trees(draw, max_size: int) -> list[int | None]:
    """parent index (or None) for each node; a parent always comes before its children."""
    size = draw(st.integers(1, max_size))
    return [None] + [draw(st.sampled_from([None, *range(i)])) for i in range(1, size)]


@st.composite
def moments(draw, period: Period) -> datetime:
    """On and around the period's edges, inside it, or anywhere in a few years."""
    where = draw(st.sampled_from(["edge", "inside", "anywhere"]))
    if where == "edge":
        day = draw(st.sampled_from([period.start, period.end + timedelta(days=1)]))
        return oslo_midnight(day) + draw(st.sampled_from(OFFSETS))
    if where == "inside":
        return draw(st.datetimes(
            min_value=oslo_midnight(period.start).replace(tzinfo=None),
            max_value=(oslo_midnight(period.end + timedelta(days=1))
                       - timedelta(microseconds=1)).replace(tzinfo=None),
            timezones=st.just(UTC)))
    return draw(st.datetimes(min_value=datetime(2023, 12, 1), max_value=datetime(2027, 2, 1),
                             timezones=st.just(UTC)))


@dataclass
class Entry:
    to_unit: int
    from_unit: int
    category: int
    quantity: int
    replaces: bool
    price: Decimal | None
    weight: Decimal | None
    co2e: Decimal | None
    costs: Decimal
    moment: datetime
    reversed_at: datetime | None

    def figures(self) -> tuple[int, Decimal, Decimal, Decimal]:
        """As the ledger values a hand-over (DESIGN.md, Figures)."""
        q, replaced = Decimal(self.quantity), Decimal(1 if self.replaces else 0)
        return (self.quantity,
                (replaced * (q * (self.price or 0) - self.costs)).quantize(CENT),
                (replaced * q * (self.co2e or 0)).quantize(GRAM),
                (q * (self.weight or 0)).quantize(GRAM))


@st.composite
def ledgers(draw):
    units = draw(trees(7))
    categories = draw(trees(4))
    start = draw(st.dates(FIRST, LAST))
    end = min(start + timedelta(days=draw(st.integers(0, 500))), LAST)
    period = Period(start, end)
    entries = draw(st.lists(st.builds(
        Entry,
        to_unit=st.integers(0, len(units) - 1), from_unit=st.integers(0, len(units) - 1),
        category=st.integers(0, len(categories) - 1), quantity=st.integers(1, 50),
        replaces=st.booleans(), price=st.one_of(st.none(), money),
        weight=st.one_of(st.none(), kilograms), co2e=st.one_of(st.none(), kilograms),
        costs=st.decimals(min_value=0, max_value=5_000, places=2, allow_nan=False,
                          allow_infinity=False),
        moment=moments(period), reversed_at=st.one_of(st.none(), moments(period))),
        min_size=1, max_size=30))
    checks = draw(st.lists(st.tuples(st.integers(0, len(units) - 1),
                                     st.sampled_from(["reused", "bought_new", None]),
                                     moments(period)), max_size=8))
    scope = (draw(node(units)), draw(node(units)), draw(node(categories)))
    return units, categories, period, entries, checks, scope


def node(parents: list[int | None]):
    """None (no filter), a node with children (where subtrees matter), or any node."""
    inner = sorted({p for p in parents if p is not None})
    return st.one_of(st.none(), st.sampled_from(inner or [0]),
                     st.integers(0, len(parents) - 1))


def descendants(parents: list[int | None], root: int) -> set[int]:
    found = {root}
    for index, parent in enumerate(parents):  # parents come first, so one pass suffices
        if parent in found:
            found.add(index)
    return found


@pytest.fixture
def claim(people, make_item, db):
    """Any collected-claim row will do: the records below only need something to point at."""
    item = make_item(people.member, quantity=1)
    found = claims.claim_item(people.outsider, item, 1)
    db.session.commit()
    return found


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(ledger=ledgers())
def test_every_report_figure_is_the_sum_of_the_records_it_covers(db, people, claim, ledger):
    unit_parents, category_parents, period, entries, checks, (unit, giver, category) = ledger
    try:
        _check(db, people, claim, unit_parents, category_parents, period, entries, checks,
               unit, giver, category)
    finally:
        db.session.rollback()


def _check(db, people, claim, unit_parents, category_parents, period, entries, checks,
           unit, giver, category):
    tag = uuid.uuid4().hex[:8]
    units: list[Unit] = []
    for index, parent in enumerate(unit_parents):
        units.append(Unit(name=f"Enhet {tag}-{index}",
                          parent=units[parent] if parent is not None else None))
    categories: list[Category] = []
    for index, parent in enumerate(category_parents):
        categories.append(Category(slug=f"kat-{tag}-{index}", name_nb=f"Kategori {index}",
                                   name_en=f"Category {index}",
                                   parent=categories[parent] if parent is not None else None))
    db.session.add_all([*units, *categories])
    db.session.flush()

    # (entry index, record, figures, Oslo day) for every record, reversals included.
    written = []
    for index, entry in enumerate(entries):
        items, cost, co2e, waste = entry.figures()
        record = ReuseRecord(
            claim_id=claim.id, from_unit_id=units[entry.from_unit].id,
            to_unit_id=units[entry.to_unit].id, category_id=categories[entry.category].id,
            quantity=entry.quantity, replaces_purchase=entry.replaces, costs_nok=entry.costs,
            new_price_nok_used=entry.price, weight_kg_used=entry.weight,
            co2e_kg_used=entry.co2e, avoided_cost_nok=cost, avoided_co2e_kg=co2e,
            avoided_waste_kg=waste, recorded_at=entry.moment, recorded_by_id=people.admin.id)
        db.session.add(record)
        db.session.flush()
        written.append((index, record, (items, cost, co2e, waste)))
        if entry.reversed_at is not None:
            reversal = ReuseRecord(
                claim_id=claim.id, reverses_id=record.id, from_unit_id=record.from_unit_id,
                to_unit_id=record.to_unit_id, category_id=record.category_id,
                quantity=-entry.quantity, replaces_purchase=entry.replaces,
                costs_nok=-entry.costs, new_price_nok_used=entry.price,
                weight_kg_used=entry.weight, co2e_kg_used=entry.co2e, avoided_cost_nok=-cost,
                avoided_co2e_kg=-co2e, avoided_waste_kg=-waste, recorded_at=entry.reversed_at,
                recorded_by_id=people.admin.id, reason="Korrigert")
            db.session.add(reversal)
            db.session.flush()
            written.append((index, reversal, (-items, -cost, -co2e, -waste)))
    for unit_index, outcome, moment in checks:
        db.session.add(ReuseCheck(user_id=people.member.id, unit_id=units[unit_index].id,
                                  need="Noe", outcome=outcome, created_at=moment,
                                  reason_code="other" if outcome == "bought_new" else None))
    db.session.flush()

    def in_scope(index: int, record: ReuseRecord, period: Period, *, to=unit,
                 by=giver, kind=category) -> bool:
        entry = entries[index]
        day = record.recorded_at.astimezone(OSLO).date()
        return (period.start <= day <= period.end
                and (to is None or entry.to_unit in descendants(unit_parents, to))
                and (by is None or entry.from_unit in descendants(unit_parents, by))
                and (kind is None or entry.category in descendants(category_parents, kind)))

    def expected(period=period, **narrowing) -> Figures:
        chosen = [(record, figures) for index, record, figures in written
                  if in_scope(index, record, period, **narrowing)]
        return Figures(
            sum(f[0] for _, f in chosen),
            sum((f[1] for _, f in chosen), Decimal("0.00")).quantize(CENT),
            sum((f[2] for _, f in chosen), Decimal("0.000")).quantize(GRAM),
            sum((f[3] for _, f in chosen), Decimal("0.000")).quantize(GRAM),
            len(chosen))

    ids = {"to": units[unit].id if unit is not None else None,
           "by": units[giver].id if giver is not None else None,
           "kind": categories[category].id if category is not None else None}
    scope = Scope(period, unit_id=ids["to"], giver_id=ids["by"], category_id=ids["kind"])
    unit_index = {u.id: i for i, u in enumerate(units)}
    category_index = {c.id: i for i, c in enumerate(categories)}

    # The headline figures, and the drill-down list behind them.
    assert totals(scope) == expected()
    listed = records(scope, per_page=None).records
    assert sorted(r.id for r in listed) == sorted(
        record.id for index, record, _ in written if in_scope(index, record, period))
    assert [r.recorded_at for r in listed] == sorted(r.recorded_at for r in listed)

    # Months: each month's figure, and months adding up to the whole.
    months = monthly(scope)
    assert months[0].period.start == period.start and months[-1].period.end == period.end
    for month in months:
        assert month.figures == expected(month.period), month.period
    assert sum(m.figures.avoided_cost_nok for m in months) == expected().avoided_cost_nok

    # The trees: every row is its node's subtree, and exactly the nodes with records appear.
    for rows, key, pool, index_of in (
            (by_receiving_unit(scope), "to", unit_parents, unit_index),
            (by_giving_unit(scope), "by", unit_parents, unit_index),
            (by_category(scope), "kind", category_parents, category_index)):
        for row in rows:
            assert row.figures == expected(**{key: index_of[row.id]}), (key, row.name)
        root = {"to": unit, "by": giver, "kind": category}[key]
        candidates = descendants(pool, root) if root is not None else set(range(len(pool)))
        with_records = {i for i in candidates if expected(**{key: i}).records}
        assert {index_of[row.id] for row in rows} == with_records

    # The whole report gathers the same figures in fewer passes.
    whole = report(scope)
    assert (whole.totals, whole.receiving, whole.giving, whole.categories) == (
        expected(), by_receiving_unit(scope), by_giving_unit(scope),
        by_category(scope))

    # The ranking: units without sub-units, each its own records.
    leaves = {i for i in range(len(units)) if i not in set(unit_parents)}
    for row in ranking(scope, limit=100):
        assert unit_index[row.unit_id] in leaves
        assert row.figures == expected(to=unit_index[row.unit_id])

    # Reuse checks, counted by the Oslo day they were made and the unit's subtree.
    wanted = [outcome for unit_at, outcome, moment in checks
              if period.start <= moment.astimezone(OSLO).date() <= period.end
              and (unit is None or unit_at in descendants(unit_parents, unit))]
    counts = check_counts(scope if category is None else scope.narrowed(
        category_id=None))
    assert (counts.total, counts.reused, counts.bought_new, counts.open) == (
        len(wanted), wanted.count("reused"), wanted.count("bought_new"), wanted.count(None))
