"""The reconciliation rules, each with an answer worked out by hand: when a reuse check covers
a purchase line, and what was listed and free when the line was ordered."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from reuse.clock import OSLO
from reuse.models import Role
from reuse.services import categories, checks, items, purchase_rules, purchases
from reuse.services import claims as claim_service
from reuse.services import units as unit_service
from reuse.services.reports import purchases as report
from reuse.services.reports.scope import TREE_NOW, TREE_THEN, Period, Scope

HEADER = ("line_id,order_number,ordered_on,unit_code,supplier,description,unspsc,category,"
          "quantity,amount_nok")
ORDERED_ON = date(2026, 3, 31)


def oslo(*parts) -> datetime:
    return datetime(*parts, tzinfo=OSLO).astimezone(UTC)


@pytest.fixture
def org(db, catalog, people, make_user, make_unit):
    people.school.code = "SKOLE"
    people.kindergarten.code = "BHG"
    people.school.parent.code = "ETAT-SKOLE"
    purchase_rules.load_defaults()
    db.session.commit()
    people.lead = make_user(people.school, Role.SUSTAINABILITY, name="Siri Berekraft")
    people.etat_buyer = make_user(people.school.parent, name="Eva Etat")
    return people


def add_lines(lead, *rows: str, source="Visma"):
    result = purchases.import_file(lead, source, "\n".join((HEADER, *rows)).encode(),
                                   via="test")
    purchases.db.session.commit()
    assert not result.refused, [refusal.text() for refusal in result.refused]


def check(db, user, slug: str | None, when: datetime, reference: str = ""):
    made = checks.create_check(user, "kontorstoler til møterommet",
                               category=categories.get_by_slug(slug) if slug else None)
    made.created_at = when
    if reference:
        checks.record_bought_new(user, made, "nothing_suitable", purchase_reference=reference)
    db.session.commit()
    return made


def reconciled(line_id: str = "L1") -> report.Reconciled:
    lines = report.reconcile(Scope(Period(date(2026, 1, 1), date(2026, 12, 31))))
    return next(line for line in lines if line.line_id == line_id)


@pytest.mark.parametrize(("who", "slug", "when", "covered"), [
    ("member", "kontorstol", oslo(2026, 3, 1, 0, 0), True),  # the first day of the 30
    ("member", "kontorstol", oslo(2026, 2, 28, 23, 59), False),  # the day before them
    ("member", "kontorstol", oslo(2026, 3, 31, 23, 59), True),  # the order day itself
    ("member", "kontorstol", oslo(2026, 4, 1, 0, 0), False),  # the day after
    ("etat_buyer", "kontorstol", oslo(2026, 3, 20, 9), True),  # a unit above
    ("etat_buyer", "stoler", oslo(2026, 3, 20, 9), True),  # above, and a broader category
    ("member", "mobler", oslo(2026, 3, 20, 9), True),  # the broadest category
    ("outsider", "kontorstol", oslo(2026, 3, 20, 9), False),  # another unit
    ("member", "besoksstol", oslo(2026, 3, 20, 9), False),  # a sibling category
    ("member", None, oslo(2026, 3, 20, 9), False),  # no category: by reference only
])
def test_a_check_covers_a_line_of_its_unit_or_below_its_category_or_under_within_30_days(
        org, db, who, slug, when, covered):
    check(db, getattr(org, who), slug, when)
    add_lines(org.lead, "L1,PO-1,2026-03-31,SKOLE,Kinnarps,Kontorstol,,kontorstol,2,9000")
    found = reconciled()
    assert found.covered is covered
    assert found.covered_by == (report.COVERED_BY_RECENT_CHECK if covered else None)


def test_a_line_of_a_unit_above_is_not_covered_by_a_check_below(org, db):
    check(db, org.member, "kontorstol", oslo(2026, 3, 20, 9))
    add_lines(org.lead, "L1,PO-1,2026-03-31,ETAT-SKOLE,Kinnarps,Kontorstol,,kontorstol,2,9000")
    assert not reconciled().covered


def test_a_check_naming_the_order_number_covers_it_whoever_made_it_and_whenever(org, db):
    made = check(db, org.outsider, "sofa", oslo(2025, 6, 1, 9), reference="PO-77")
    add_lines(org.lead, "L1,PO-77,2026-03-31,SKOLE,Kinnarps,Kontorstol,,kontorstol,2,9000",
              "L2,PO-78,2026-03-31,SKOLE,Kinnarps,Kontorstol,,kontorstol,2,9000")
    assert (reconciled("L1").covered_by, reconciled("L1").check_id) == (
        report.COVERED_BY_REFERENCE, made.id)
    assert not reconciled("L2").covered


def test_the_window_is_a_setting(org, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "PURCHASE_CHECK_WINDOW_DAYS", 7)
    check(db, org.member, "kontorstol", oslo(2026, 3, 23, 9))  # 8 days before
    add_lines(org.lead, "L1,PO-1,2026-03-31,SKOLE,Kinnarps,Kontorstol,,kontorstol,2,9000")
    assert not reconciled().covered


def test_lines_outside_reusable_categories_are_never_uncovered(org, db):
    add_lines(org.lead, "L1,PO-1,2026-03-31,SKOLE,Konsulent AS,Rådgivning,80101500,,10,50000",
              "L2,PO-1,2026-03-31,SKOLE,Rema,Kaffebønner,,,5,500",
              "L3,PO-2,2026-03-31,SKOLE,Kinnarps,Kontorstol,,kontorstol,2,9000")
    totals = report.summary(Scope(Period(date(2026, 1, 1), date(2026, 12, 31))))
    assert (totals.lines, totals.reusable_lines, totals.uncovered_lines, totals.unmapped_lines,
            totals.not_reusable_lines) == (3, 1, 1, 1, 1)
    assert totals.uncovered_amount_nok == Decimal("9000.00")
    assert totals.amount_nok == Decimal("59500.00")
    assert totals.coverage_share == Decimal("0.0000")


# -- available at the time -----------------------------------------------------------------

@pytest.fixture
def listed(org, db, make_item):
    """Three office chairs from the kindergarten, listed on 10 March at 14:00; two claimed by
    the school on 12 March and declined on 14 March; the item withdrawn on 20 March."""
    item = make_item(org.outsider, quantity=3, category="kontorstol")
    item.created_at = oslo(2026, 3, 10, 14)
    db.session.commit()
    claim = claim_service.claim_item(org.member, item, 2)
    claim.created_at = oslo(2026, 3, 12, 10)
    db.session.commit()
    claim_service.decline(org.outsider, claim, reason="already_given")
    claim.closed_at = oslo(2026, 3, 14, 10)
    db.session.commit()
    items.withdraw_item(org.outsider, item)
    item.withdrawn_at = oslo(2026, 3, 20, 10)
    db.session.commit()
    return item


@pytest.mark.parametrize(("ordered_on", "slug", "available"), [
    ("2026-03-10", "kontorstol", 0),  # listed later that day: not there when the day began
    ("2026-03-11", "kontorstol", 3),
    ("2026-03-12", "kontorstol", 3),  # claimed during the day
    ("2026-03-13", "kontorstol", 1),
    ("2026-03-15", "kontorstol", 3),  # the claim declined on the 14th gave them back
    ("2026-03-15", "stoler", 3),  # a broader category finds the office chairs
    ("2026-03-15", "besoksstol", 0),
    ("2026-03-21", "kontorstol", 0),  # withdrawn on the 20th
])
def test_what_was_free_when_the_order_day_began_comes_from_the_history(
        org, listed, ordered_on, slug, available):
    add_lines(org.lead, f"L1,PO-1,{ordered_on},SKOLE,Kinnarps,Stol,,{slug},3,9000",
              f"L2,PO-2,{ordered_on},SKOLE,Kinnarps,Stol,,{slug},4,9000")
    assert reconciled("L1").available_pieces == available
    assert reconciled("L1").had_alternative is (available >= 3)
    assert reconciled("L2").had_alternative is False  # four wanted, at most three free


def test_a_collected_claim_keeps_its_pieces_and_a_relisted_item_counts_from_its_listing(
        org, db, make_item):
    item = make_item(org.outsider, quantity=2, category="kontorstol")
    item.created_at = oslo(2026, 3, 1, 9)
    db.session.commit()
    claim = claim_service.claim_item(org.member, item, 1)
    claim.created_at = oslo(2026, 3, 2, 9)
    claim_service.approve(org.outsider, claim)
    claim_service.collect(org.member, claim, replaces_purchase=True, costs_nok=Decimal(0))
    claim.closed_at = claim.collected_at = oslo(2026, 3, 3, 9)
    db.session.commit()
    add_lines(org.lead, "L1,PO-1,2026-03-10,SKOLE,Kinnarps,Stol,,kontorstol,1,4500")
    assert reconciled().available_pieces == 1


def test_the_unit_table_reads_the_same_tree_as_the_lines(org, db, make_unit, monkeypatch):
    """The school's March line counts under the etat it belonged to in March when the report
    reads the tree as it was, and under its new etat when it reads today's tree."""
    add_lines(org.lead, "L1,PO-1,2026-03-10,SKOLE,Bohus,Sofa,,sofa,1,12000")
    old_etat, new_etat = org.school.parent, make_unit("Ny etat")
    db.session.commit()
    monkeypatch.setattr(unit_service, "utcnow", lambda: oslo(2026, 6, 1, 9))
    unit_service.move_unit(org.admin, org.school, new_etat)
    db.session.commit()
    monkeypatch.undo()
    march = Period(date(2026, 3, 1), date(2026, 3, 31))

    def rows(tree: str) -> dict[str, int]:
        scope = Scope(march, tree=tree)
        return {unit.name: totals.lines
                for unit, totals in report.by_unit(scope, report.reconcile(scope))}

    assert rows(TREE_THEN)[top_of(old_etat).name] == 1
    assert top_of(new_etat).name not in rows(TREE_THEN)
    assert rows(TREE_NOW)[top_of(new_etat).name] == 1


def top_of(unit):
    while unit.parent is not None:
        unit = unit.parent
    return unit
