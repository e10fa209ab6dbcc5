"""Property: the purchases report's figures are the sums of the lines its drill-downs list.

Hypothesis builds random unit and category trees, purchase lines of every classification
with odd amounts and quantities, and reuse checks on and around the coverage window's edges
(some naming an order number), and a random scope. The report's Totals must equal the sums
over the drill-down groups' lines (covered + uncovered = reusable, amounts too), the months,
units and categories must add up to the whole, and which lines are covered is worked out
here again from the rules alone. Runs on SQLite and on PostgreSQL like the rest of the suite.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reuse.clock import OSLO
from reuse.models import Category, PurchaseLine, ReuseCheck, Unit
from reuse.services.reports import purchase_report
from reuse.services.reports import purchases as rec
from reuse.services.reports.scope import Period, Scope

FIRST = date(2026, 1, 1)
WINDOW = 30
CLASSIFICATIONS = ["file", "unspsc", "keyword", "not_reusable", "unmapped"]

# Now and then a credit (a return, a credit note): a negative amount.
amounts = st.decimals(min_value=Decimal("-5000"), max_value=100_000, places=2,
                      allow_nan=False, allow_infinity=False)
quantities = st.decimals(min_value=Decimal("0.001"), max_value=20, places=3,
                         allow_nan=False, allow_infinity=False)


def oslo_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), OSLO).astimezone(UTC)


@st.composite
def trees(draw, max_size: int) -> list[int | None]:
    size = draw(st.integers(1, max_size))
    return [None] + [draw(st.sampled_from([None, *range(i)])) for i in range(1, size)]


def node(parents):
    return st.one_of(st.none(), st.integers(0, len(parents) - 1))


@st.composite
def worlds(draw):
    units = draw(trees(6))
    categories = draw(trees(4))
    days = st.integers(0, 120).map(lambda n: FIRST + timedelta(days=n))
    lines = draw(st.lists(st.tuples(
        st.integers(0, len(units) - 1), st.sampled_from(CLASSIFICATIONS),
        st.integers(0, len(categories) - 1), days, quantities, amounts,
        st.integers(0, 6), st.sampled_from(["", "PO-1", "PO-2", "PO-3"])),
        min_size=1, max_size=25))
    # A check near a line's order day, on and around the window's edges: by the line's unit
    # or any, for the line's category, any or none; some naming an order number.
    checks = []
    for _ in range(draw(st.integers(0, 8))):
        at, _kind, kind_of, day, *_rest = draw(st.sampled_from(lines))
        checks.append((
            draw(st.one_of(st.just(at), st.integers(0, len(units) - 1))),
            draw(st.one_of(st.just(kind_of), st.none(), st.integers(0, len(categories) - 1))),
            day - timedelta(days=draw(st.sampled_from([0, 1, 29, 30, 31, -1]))),
            draw(st.sampled_from([timedelta(0), timedelta(seconds=-1), timedelta(hours=12)])),
            draw(st.sampled_from(["", "", "PO-1", "PO-9"]))))
    start = draw(days)
    period = Period(start, start + timedelta(days=draw(st.integers(0, 90))))
    return units, categories, lines, checks, period, draw(node(units)), draw(node(categories))


def descendants(parents, root) -> set[int]:
    found = {root}
    for index, parent in enumerate(parents):
        if parent in found:
            found.add(index)
    return found


def ancestors(parents, index) -> set[int]:
    found = set()
    while index is not None:
        found.add(index)
        index = parents[index]
    return found


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(world=worlds())
def test_the_report_totals_are_the_sums_of_the_drill_down_lines(db, app, people, world):
    try:
        _check(db, app, people, *world)
    finally:
        db.session.rollback()


def _check(db, app, people, unit_parents, category_parents, lines, checks, period, unit,
           category):
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
    written = []
    for number, (at, kind, kind_of, day, quantity, amount, free, order) in enumerate(lines):
        line = PurchaseLine(
            source=f"test-{tag}", line_id=str(number), order_number=order, ordered_on=day,
            unit_id=units[at].id, quantity=quantity, amount_nok=amount, classification=kind,
            category_id=categories[kind_of].id if kind not in ("not_reusable", "unmapped")
            else None, available_pieces=free)
        db.session.add(line)
        written.append((line, at, kind, kind_of, day, quantity, amount, free, order))
    made = []
    for at, kind_of, day, shift, reference in checks:
        check = ReuseCheck(user_id=people.member.id, unit_id=units[at].id, need="Noe",
                           category_id=categories[kind_of].id if kind_of is not None else None,
                           created_at=oslo_midnight(day) + shift,
                           purchase_reference=reference or None)
        db.session.add(check)
        made.append((at, kind_of, oslo_midnight(day) + shift, reference))
    db.session.flush()

    def covered(at, kind_of, day, order) -> bool:
        if order and any(reference == order for *_rest, reference in made):
            return True
        start, end = oslo_midnight(day - timedelta(days=WINDOW)), oslo_midnight(
            day + timedelta(days=1))
        return any(check_kind is not None and check_at in ancestors(unit_parents, at)
                   and check_kind in ancestors(category_parents, kind_of)
                   and start <= moment < end
                   for check_at, check_kind, moment, _reference in made)

    # Only this example's lines: the source names them.
    scope = Scope(period, unit_id=units[unit].id if unit is not None else None,
                  category_id=categories[category].id if category is not None else None)
    chosen = [entry for entry in written
              if period.start <= entry[4] <= period.end
              and (unit is None or entry[1] in descendants(unit_parents, unit))
              and (category is None or (entry[2] not in ("not_reusable", "unmapped")
                                        and entry[3] in descendants(category_parents,
                                                                    category)))]
    found = [line for line in rec.reconcile(scope) if line.source == f"test-{tag}"]
    assert sorted(line.id for line in found) == sorted(entry[0].id for entry in chosen)
    credits = [entry for entry in chosen if entry[6] < 0]
    reusable = [entry for entry in chosen if entry[2] in ("file", "unspsc", "keyword")
                and entry[6] >= 0]
    expected_covered = {entry[0].id for entry in reusable
                        if covered(entry[1], entry[3], entry[4], entry[8])}
    assert {line.id for line in found if line.covered} == expected_covered

    totals = rec.totals_of(found)
    assert totals.lines == len(chosen)
    assert totals.amount_nok == sum((entry[6] for entry in chosen), Decimal("0.00"))
    assert totals.reusable_lines == len(reusable)

    def group(name):
        """The drill-down's lines for a group, as the page lists them."""
        return [line for line in purchase_report.select_lines(scope, group=name)
                if line.source == f"test-{tag}"]

    def amount(lines):
        return sum((line.amount_nok for line in lines), Decimal("0.00"))

    assert totals.covered_lines + totals.uncovered_lines == totals.reusable_lines
    assert totals.covered_amount_nok + totals.uncovered_amount_nok == totals.reusable_amount_nok
    for name, count, money in (
            (rec.COVERED, totals.covered_lines, totals.covered_amount_nok),
            (rec.UNCOVERED, totals.uncovered_lines, totals.uncovered_amount_nok),
            (rec.WITH_ALTERNATIVE, totals.uncovered_with_alternative,
             totals.uncovered_with_alternative_amount_nok),
            (purchase_report.REUSABLE, totals.reusable_lines, totals.reusable_amount_nok),
            (rec.UNMAPPED, totals.unmapped_lines, None),
            (rec.NOT_REUSABLE, totals.not_reusable_lines, None),
            (rec.CREDIT, totals.credit_lines, totals.credit_amount_nok)):
        lines = group(name)
        assert len(lines) == count, name
        if money is not None:
            assert amount(lines) == money, name
    assert totals.credit_lines == len(credits)
    assert (totals.reusable_lines + totals.unmapped_lines + totals.not_reusable_lines
            + totals.credit_lines == totals.lines)

    # The months and the units add up to the whole, the categories to the reusable lines.
    months = rec.breakdown(found, rec.months(period), rec.month_key)
    assert sum(t.lines for _, t in months) == totals.lines
    assert sum((t.amount_nok for _, t in months), Decimal("0.00")) == totals.amount_nok
    assert sum(t.uncovered_lines for _, t in months) == totals.uncovered_lines
    by_unit = rec.by_unit(scope, found)
    assert sum(t.lines for _, t in by_unit) == totals.lines
    assert sum((t.uncovered_amount_nok for _, t in by_unit), Decimal("0.00")) == (
        totals.uncovered_amount_nok)
    by_category = rec.by_category(scope, found)
    assert sum(t.reusable_lines for _, t in by_category) == totals.reusable_lines
    assert sum(t.covered_lines for _, t in by_category) == totals.covered_lines
