"""Month totals stay equal to the ledger they sum, whatever writes the ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select

from reuse.extensions import db
from reuse.models import MonthTotal, ReuseRecord
from reuse.services import ledger, month_totals
from reuse.services.reports.scope import Period, Scope
from reuse.services.reports.sums import monthly, totals


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def stored() -> dict:
    return {(row.month, row.dimension, row.node_id):
            [getattr(row, name) for name in month_totals.AMOUNTS]
            for row in db.session.scalars(select(MonthTotal))}


def test_every_hand_over_reversal_and_fix_reaches_the_month_totals(db, people, hand_over):
    school, giver = people.unit_admin, people.admin
    first = hand_over(giver, school, quantity=3, new_price_nok=Decimal("1234.56"),
                      costs_nok=Decimal("0.01"), when=utc(2025, 3, 14, 10))
    hand_over(giver, school, new_price_nok=Decimal("0.10"), when=utc(2025, 3, 31, 22, 30))
    ledger.reverse(people.admin, first, "Feil antall")
    db.session.commit()
    assert month_totals.differences() == {}

    # 22:30 UTC on 31 March is 1 April in Oslo: the record counts in April.
    receiver_rows = {month: sums for (month, dimension, node), sums in stored().items()
                     if dimension == "receiver" and node == school.unit_id}
    assert receiver_rows[date(2025, 4, 1)] == [1, 10, 72_000, 17_500, 1]
    assert receiver_rows[date(2025, 3, 1)] == [3, 370_367, 216_000, 52_500, 1]

    # A record moved or removed through the ORM takes its figures with it.
    first.recorded_at = utc(2024, 12, 1)
    db.session.commit()
    assert month_totals.differences() == {}
    db.session.delete(ledger.reversal_of(first))
    db.session.commit()
    assert month_totals.differences() == {}


def test_an_unloaded_record_changed_still_moves_its_figures(db, people, hand_over):
    record = hand_over(people.admin, people.unit_admin, when=utc(2025, 5, 5))
    db.session.expire_all()  # as after a commit in another request: nothing loaded
    db.session.get(ReuseRecord, record.id).recorded_at = utc(2025, 9, 9)
    db.session.commit()
    assert month_totals.differences() == {}


def test_rebuild_recomputes_what_was_kept_in_step(db, people, hand_over):
    for day in (1, 15, 28):
        hand_over(people.admin, people.unit_admin, when=utc(2025, 2, day))
    hand_over(people.admin, people.outsider, category="besoksstol", when=utc(2025, 6, 1))
    # Records are written today and moved to their day: today's month keeps rows of zeros.
    kept = {key: sums for key, sums in stored().items() if any(sums)}
    db.session.execute(MonthTotal.__table__.delete())
    assert month_totals.rebuild() == len(kept) == 6  # two months, three dimensions each
    assert stored() == kept


def test_reports_read_month_totals_for_whole_months_and_the_ledger_for_the_rest(
        db, people, hand_over):
    hand_over(people.admin, people.unit_admin, when=utc(2025, 1, 31, 12))
    hand_over(people.admin, people.unit_admin, when=utc(2025, 2, 10, 12))
    hand_over(people.admin, people.unit_admin, when=utc(2025, 3, 2, 12))
    # Month totals that disagree with the ledger show which source a figure came from.
    db.session.execute(MonthTotal.__table__.update().values(quantity=MonthTotal.quantity + 100))
    whole_and_parts = Scope(Period(date(2025, 1, 15), date(2025, 3, 5)))
    assert totals(whole_and_parts).items_reused == 1 + 101 + 1
    assert [row.figures.items_reused for row in monthly(whole_and_parts)] == [1, 101, 1]
    # Filtered on two dimensions at once: only the ledger can answer.
    two_filters = whole_and_parts.narrowed(unit_id=people.unit_admin.unit_id,
                                           giver_id=people.admin.unit_id)
    assert totals(two_filters).items_reused == 3
    assert db.session.scalar(select(func.count()).select_from(MonthTotal)) > 0


def test_rebuild_command_restores_totals_after_a_bulk_import(runner, db, people, hand_over):
    hand_over(people.admin, people.unit_admin, when=utc(2025, 2, 1))
    # A bulk import straight into the table (as bench/generate.py does) bypasses the ORM.
    db.session.execute(MonthTotal.__table__.delete())
    db.session.commit()
    assert month_totals.differences() != {}
    result = runner.invoke(args=["rebuild-report-totals"])
    assert result.exit_code == 0
    assert "3 månedssummer er beregnet på nytt" in result.output
    assert month_totals.differences() == {}


def test_the_operator_can_prove_the_totals_equal_the_ledger(db, people, hand_over, runner):
    hand_over(people.admin, people.unit_admin, when=utc(2025, 2, 3))
    db.session.commit()
    agreeing = runner.invoke(args=["check-report-totals"])
    assert agreeing.exit_code == 0
    assert "stemmer med gjenbruksføringene" in agreeing.output

    # A bulk import straight into the ledger table, past the application.
    db.session.execute(ReuseRecord.__table__.update().values(quantity=ReuseRecord.quantity + 1))
    db.session.commit()
    differing = runner.invoke(args=["check-report-totals"])
    assert differing.exit_code == 1
    assert "Avvik: 2025-02-01, receiver" in differing.output
    assert "3 månedssummer stemmer ikke" in differing.output  # receiver, giver, category

    assert runner.invoke(args=["rebuild-report-totals"]).exit_code == 0
    assert runner.invoke(args=["check-report-totals"]).exit_code == 0
