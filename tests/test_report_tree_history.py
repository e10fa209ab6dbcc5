"""Reports after a reorganisation: the unit tree as it is now, or as it was at the end of the
period. Records keep their receiving unit, so no record is ever lost and the municipality's
figures are the same either way; only which parent a moved unit's records count under
changes."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from reuse.clock import OSLO
from reuse.models import ReuseCheck, ReuseRecord, Role, Unit, UnitPlacement
from reuse.services import goals, unit_import
from reuse.services import units as unit_service
from reuse.services.reports.breakdowns import by_receiving_unit
from reuse.services.reports.checks import check_counts
from reuse.services.reports.goal_progress import goals_in_scope
from reuse.services.reports.ranking import ranking
from reuse.services.reports.records import records
from reuse.services.reports.report import report
from reuse.services.reports.scope import TREE_NOW, TREE_THEN, Period, Scope
from reuse.services.reports.sums import monthly, totals

Q1 = Period(date(2025, 1, 1), date(2025, 3, 31))
Q3 = Period(date(2025, 7, 1), date(2025, 9, 30))
JUNE = datetime(2025, 6, 15, 9, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def at(monkeypatch, moment: datetime) -> None:
    """The units service's clock stands at `moment` (moves and closures happen then)."""
    monkeypatch.setattr(unit_service, "utcnow", lambda: moment)


@pytest.fixture
def reorganised(db, people, make_unit, make_user, hand_over, monkeypatch):
    """Etat A with Ytre skole (moved to etat B in June 2025) and Gamle skole (closed in June);
    each school received records in March 2025, Ytre skole one more in August."""
    etat_a, etat_b = make_unit("Etat A"), make_unit("Etat B")
    ytre, gamle = make_unit("Ytre skole", parent=etat_a), make_unit("Gamle skole", parent=etat_a)
    ytre_user, gamle_user = make_user(ytre), make_user(gamle)
    giver = people.admin
    march = [hand_over(giver, ytre_user, quantity=2, new_price_nok=Decimal("100.00"),
                       when=utc(2025, 3, 10, 12)),
             hand_over(giver, ytre_user, quantity=1, new_price_nok=Decimal("50.00"),
                       when=utc(2025, 3, 31, 21, 30))]  # 23.30 on 31 March in Oslo
    closed_march = hand_over(giver, gamle_user, quantity=4, new_price_nok=Decimal("10.00"),
                             when=utc(2025, 3, 20, 8))
    august = hand_over(giver, ytre_user, quantity=1, new_price_nok=Decimal("7.00"),
                       when=utc(2025, 8, 5, 8))
    db.session.add(ReuseCheck(user_id=ytre_user.id, unit_id=ytre.id, need="Stol",
                              outcome="reused", created_at=utc(2025, 3, 12, 9)))
    db.session.commit()
    at(monkeypatch, JUNE)
    unit_service.move_unit(people.admin, ytre, etat_b)
    db.session.commit()
    at(monkeypatch, utc(2025, 6, 20))
    gamle_user.unit_id = etat_a.id  # people leave before the unit closes
    unit_service.close_unit(people.admin, gamle)
    db.session.commit()
    monkeypatch.undo()
    return {"a": etat_a, "b": etat_b, "ytre": ytre, "gamle": gamle, "march": march,
            "closed_march": closed_march, "august": august}


def ids(page) -> set[int]:
    return {record.id for record in page.records}


def test_a_moved_units_records_count_under_its_old_parent_then_and_its_new_parent_now(
        reorganised):
    a, b = reorganised["a"].id, reorganised["b"].id
    march = {record.id for record in reorganised["march"]}
    closed = {reorganised["closed_march"].id}
    then_a, now_a = Scope(Q1, unit_id=a, tree=TREE_THEN), Scope(Q1, unit_id=a)
    then_b, now_b = Scope(Q1, unit_id=b, tree=TREE_THEN), Scope(Q1, unit_id=b)

    # By hand: Ytre skole received 2 × 100 + 1 × 50 kr in March, Gamle skole 4 × 10 kr.
    assert totals(then_a).avoided_cost_nok == Decimal("290.00")
    assert totals(then_b).avoided_cost_nok == Decimal("0")
    assert totals(now_a).avoided_cost_nok == Decimal("40.00")
    assert totals(now_b).avoided_cost_nok == Decimal("250.00")
    assert ids(records(then_a)) == march | closed and ids(records(then_b)) == set()
    assert ids(records(now_a)) == closed and ids(records(now_b)) == march
    # The month table (from the month totals) agrees with the total.
    assert [row.figures.avoided_cost_nok for row in monthly(then_a)] == [
        Decimal("0"), Decimal("0"), Decimal("290.00")]
    assert sum((row.figures.avoided_cost_nok for row in monthly(now_b)), Decimal(0)) == \
        Decimal("250.00")
    # Checks follow the same tree.
    assert check_counts(then_a).reused == 1 and check_counts(then_b).reused == 0
    assert check_counts(now_a).reused == 0 and check_counts(now_b).reused == 1


def test_the_municipality_total_is_the_same_in_both_trees_and_a_closed_units_records_stay(
        reorganised):
    then, now = Scope(Q1, tree=TREE_THEN), Scope(Q1)
    assert totals(then) == totals(now)
    assert totals(now).avoided_cost_nok == Decimal("290.00")
    assert ids(records(then)) == ids(records(now))
    gamle = reorganised["gamle"].id
    for tree in (TREE_NOW, TREE_THEN):
        assert totals(Scope(Q1, unit_id=gamle, tree=tree)).items_reused == 4


def test_then_means_the_end_of_the_periods_last_day(reorganised):
    """After the move, a period ending after it has Ytre skole under etat B either way."""
    a, b = reorganised["a"].id, reorganised["b"].id
    for tree in (TREE_NOW, TREE_THEN):
        assert totals(Scope(Q3, unit_id=b, tree=tree)).avoided_cost_nok == Decimal("7.00")
        assert totals(Scope(Q3, unit_id=a, tree=tree)).records == 0
    assert Q1.last_moment == utc(2025, 3, 31, 21, 59, 59, 999999)


def test_the_unit_table_shows_the_tree_of_the_chosen_moment(reorganised):
    def rows(tree):
        return {(row.name, row.depth, row.closed, row.figures.items_reused)
                for row in by_receiving_unit(Scope(Q1, tree=tree))}

    assert rows(TREE_THEN) == {("Etat A", 0, False, 7), ("Ytre skole", 1, False, 3),
                               ("Gamle skole", 1, False, 4)}  # closed only in June
    assert rows(TREE_NOW) == {("Etat A", 0, False, 4), ("Gamle skole", 1, True, 4),
                              ("Etat B", 0, False, 3), ("Ytre skole", 1, False, 3)}
    whole = report(Scope(Q1, tree=TREE_THEN))
    assert [row.name for row in whole.receiving if row.depth == 0] == ["Etat A"]
    assert {row.name for row in ranking(Scope(Q1, tree=TREE_THEN))} == {
        "Ytre skole", "Gamle skole"}


def test_goal_progress_reads_the_same_tree(reorganised, people, db):
    goals.set_goal(people.admin, year=2025, metric="items_reused", target=Decimal(10),
                   unit=reorganised["a"])
    db.session.commit()
    [then] = goals_in_scope(Scope(Q1, unit_id=reorganised["a"].id, tree=TREE_THEN))
    [now] = goals_in_scope(Scope(Q1, unit_id=reorganised["a"].id))
    assert (then.achieved, now.achieved) == (Decimal(7), Decimal(4))
    assert then.scope.tree == TREE_THEN


def test_every_create_and_move_writes_the_placement_history(reorganised, db):
    ytre = reorganised["ytre"]
    rows = db.session.scalars(select(UnitPlacement).where(UnitPlacement.unit_id == ytre.id)
                              .order_by(UnitPlacement.valid_from)).all()
    assert [(row.parent_id, row.valid_from, row.valid_to) for row in rows] == [
        (reorganised["a"].id, unit_service.BEGINNING, JUNE),
        (reorganised["b"].id, JUNE, None)]


def test_an_import_writes_the_placement_history_too(people, db, make_unit):
    top = make_unit("Topp")
    top.code = "100"
    db.session.commit()
    plan = unit_import.prepare("code,name,parent_code\n100,Topp,\n200,Ny,100\n300,Under,200\n")
    unit_import.apply(people.admin, plan)
    db.session.commit()
    plan = unit_import.prepare("code,name,parent_code\n100,Topp,\n200,Ny,\n300,Under,100\n")
    unit_import.apply(people.admin, plan)
    db.session.commit()
    open_rows = dict(db.session.execute(select(UnitPlacement.unit_id, UnitPlacement.parent_id)
                                        .where(UnitPlacement.valid_to.is_(None))).all())
    assert open_rows == dict(db.session.execute(select(Unit.id, Unit.parent_id)).all())
    under = unit_service.get_by_name("Under")
    history = db.session.execute(select(UnitPlacement.parent_id).where(
        UnitPlacement.unit_id == under.id).order_by(UnitPlacement.id)).scalars().all()
    assert history == [unit_service.get_by_name("Ny").id, top.id]


# -- the pages and the API -----------------------------------------------------------------

@pytest.fixture
def lead(make_user, people):
    return make_user(people.admin.unit, Role.SUSTAINABILITY, name="Sofie Lie")


def test_the_report_page_offers_the_choice_and_keeps_it_in_every_link(
        client, log_in, lead, reorganised):
    log_in(lead)
    url = f"/reports?from=2025-01-01&to=2025-03-31&unit={reorganised['a'].id}&tree=then"
    html = client.get(url).get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="then"|<input[^>]*value="then"[^>]*checked',
                     html)
    assert "slik det var ved periodens slutt" in html
    links = re.findall(r'href="(/reports/[^"]*)"', html)
    drill = [link for link in links if link.startswith(("/reports/records", "/reports/checks",
                                                        "/reports/summary."))]
    assert drill and all("tree=then" in link for link in drill)
    records_page = client.get(f"/reports/records?from=2025-01-01&to=2025-03-31"
                              f"&unit={reorganised['a'].id}&tree=then").get_data(as_text=True)
    assert "tree=then" in re.search(r'class="breadcrumbs[^>]*>.*?</nav>', records_page,
                                    re.S).group(0)
    csv = client.get(f"/reports/records.csv?from=2025-01-01&to=2025-03-31"
                     f"&unit={reorganised['a'].id}&tree=then").get_data(as_text=True)
    assert csv.count("\n") == 1 + 3  # heading and the three records


def test_the_report_page_marks_closed_units(client, log_in, lead, reorganised):
    log_in(lead)
    html = client.get("/reports?from=2025-01-01&to=2025-03-31").get_data(as_text=True)
    table = re.search(r'id="receiving-table".*?</table>', html, re.S).group(0)
    assert re.search(r"Gamle skole.{0,80}\(nedlagt\)", table, re.S)


def test_an_unknown_tree_is_explained_on_the_form(client, log_in, lead):
    log_in(lead)
    response = client.get("/reports?tree=sometime")
    assert response.status_code == 400
    assert "Velg enhetstreet slik det er nå eller slik det var." in response.get_data(
        as_text=True)


def test_the_api_summary_takes_the_tree_too(app, reorganised, lead, db):
    from reuse.services import tokens
    _, token = tokens.create_token(lead)
    db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    base = f"/api/v1/reports/summary?from=2025-01-01&to=2025-03-31&unit={reorganised['a'].id}"
    assert client.get(base, headers=headers).get_json()["items_reused"] == 4
    assert client.get(base + "&tree=now", headers=headers).get_json()["items_reused"] == 4
    assert client.get(base + "&tree=then", headers=headers).get_json()["items_reused"] == 7
    bad = client.get(base + "&tree=later", headers=headers)
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_query"


# -- property: whatever the moves, every record counts once, under one top unit -------------

@st.composite
def reorganisations(draw):
    """A random tree, records at random moments, random moves at random later moments (some
    refused as cycles), and a random period."""
    size = draw(st.integers(2, 7))
    parents = [None] + [draw(st.sampled_from([None, *range(i)])) for i in range(1, size)]
    moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31),
                           timezones=st.just(UTC))
    entries = draw(st.lists(st.tuples(st.integers(0, size - 1), st.integers(1, 9), moments),
                            min_size=1, max_size=15))
    moves = draw(st.lists(st.tuples(st.integers(0, size - 1),
                                    st.one_of(st.none(), st.integers(0, size - 1)), moments),
                          max_size=6))
    start = draw(st.dates(date(2024, 1, 1), date(2026, 12, 31)))
    end = min(start + timedelta(days=draw(st.integers(0, 400))), date(2026, 12, 31))
    return parents, entries, sorted(moves, key=lambda move: move[2]), Period(start, end)


def _top(parent_of: dict[int, int | None], node: int) -> int:
    while parent_of[node] is not None:
        node = parent_of[node]
    return node


@pytest.fixture
def claim(people, make_item, db):
    """Any claim will do: the records below only need something to point at."""
    from reuse.services import claims
    found = claims.claim_item(people.outsider, make_item(people.member, quantity=1), 1)
    db.session.commit()
    return found


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=reorganisations())
def test_after_any_moves_the_top_units_add_up_to_the_municipality_in_both_trees(
        db, people, claim, case):
    try:
        _check_tops(db, people, claim, *case)
    finally:
        db.session.rollback()


def _check_tops(db, people, claim, parents, entries, moves, period):
    tag = uuid.uuid4().hex[:8]
    units: list[Unit] = []
    for index, parent in enumerate(parents):
        units.append(unit_service.create_unit(
            name=f"Enhet {tag}-{index}", parent=units[parent] if parent is not None else None))
    written = []
    for unit_index, quantity, moment in entries:
        record = ReuseRecord(
            claim_id=claim.id, from_unit_id=units[0].id, to_unit_id=units[unit_index].id,
            category_id=claim.item.category_id, quantity=quantity, replaces_purchase=False,
            costs_nok=Decimal(0), avoided_cost_nok=Decimal(0), avoided_co2e_kg=Decimal(0),
            avoided_waste_kg=Decimal(0), recorded_at=moment, recorded_by_id=people.admin.id)
        db.session.add(record)
        written.append((unit_index, moment, record))
    db.session.flush()

    # The tree after each move, replayed here: (from when, parent index by unit index).
    parent_of = dict(enumerate(parents))
    history = [(unit_service.BEGINNING, dict(parent_of))]
    for unit_index, new_parent, moment in moves:
        if unit_service.would_cycle(parent_of, unit_index, new_parent):
            continue
        with patch.object(unit_service, "utcnow", lambda moment=moment: moment):
            unit_service.move_unit(people.admin, units[unit_index],
                                   units[new_parent] if new_parent is not None else None)
        parent_of[unit_index] = new_parent
        history.append((moment, dict(parent_of)))

    in_period = [(unit_index, record) for unit_index, moment, record in written
                 if period.start <= moment.astimezone(OSLO).date() <= period.end]
    everything = {record.id for _unit, record in in_period}
    items = sum(record.quantity for _unit, record in in_period)
    for tree, tree_at in ((TREE_NOW, history[-1][1]),
                          (TREE_THEN, [tree for since, tree in history
                                       if since <= period.last_moment][-1])):
        assert totals(Scope(period, tree=tree)).items_reused == items
        tops = [index for index, parent in tree_at.items() if parent is None]
        counted: list[int] = []
        for top in tops:
            scope = Scope(period, unit_id=units[top].id, tree=tree)
            found = ids(records(scope, per_page=None))
            expected = {record.id for unit_index, record in in_period
                        if _top(tree_at, unit_index) == top}
            assert found == expected, (tree, top)
            assert totals(scope).items_reused == sum(
                record.quantity for unit_index, record in in_period
                if _top(tree_at, unit_index) == top)
            counted += found
        assert sorted(counted) == sorted(everything), tree  # each record under one top unit
        table = by_receiving_unit(Scope(period, tree=tree))
        assert {row.id for row in table if row.depth == 0} <= {units[top].id for top in tops}
        assert sum(row.figures.items_reused for row in table if row.depth == 0) == items
