"""Goals set by the sustainability lead, and category factors that change without changing
history: past records and report figures keep the values they were written with."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from reuse.clock import OSLO, oslo_today
from reuse.models import AuditEvent, Category, CategoryFactorVersion, Goal, ReuseCheck, Role
from reuse.services import categories, claims, factors, goals, ledger
from reuse.services.errors import InvalidInput, PermissionDenied
from reuse.services.reports.goal_progress import goals_in_scope
from reuse.services.reports.scope import Period, Scope, year_period
from reuse.services.reports.sums import monthly, totals
from tests.conftest import page_text


@pytest.fixture
def lead(make_user, people):
    return make_user(people.admin.unit, Role.SUSTAINABILITY, name="Sofie Lie")


def audit_actions(db, object_type: str) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == object_type).order_by(AuditEvent.id)))


def change(valid_from: date, **values) -> factors.FactorChange:
    base = dict(new_price_nok=Decimal("5000"), new_price_source="Rammeavtale 2026",
                weight_kg=Decimal("17.5"), weight_source="HÅG Credo EPD",
                co2e_kg=Decimal("80"), co2e_source="Ny EPD")
    base.update(values)
    return factors.FactorChange(valid_from=valid_from, **base)


# -- goals -------------------------------------------------------------------------------------

def test_the_lead_sets_replaces_and_deletes_a_goal(lead, people, db):
    goal = goals.set_goal(lead, year=2026, metric="avoided_cost_nok",
                          target=Decimal("500000"))
    db.session.commit()
    again = goals.set_goal(lead, year=2026, metric="avoided_cost_nok",
                           target=Decimal("650000.50"))
    db.session.commit()
    assert again.id == goal.id and goal.target == Decimal("650000.50")
    unit_goal = goals.set_goal(lead, year=2026, metric="items_reused", target=Decimal("40"),
                               unit=people.school)
    db.session.commit()
    assert [g.id for g in goals.goals_for_year(2026)] == [goal.id, unit_goal.id]
    goals.delete_goal(lead, goal)
    db.session.commit()
    assert db.session.scalars(select(Goal.id)).all() == [unit_goal.id]
    assert audit_actions(db, "goal") == ["goal.set", "goal.changed", "goal.set",
                                         "goal.deleted"]


@pytest.mark.parametrize("who", ["member", "unit_admin"])
def test_members_and_unit_admins_may_not_set_goals(people, who):
    with pytest.raises(PermissionDenied):
        goals.set_goal(getattr(people, who), year=2026, metric="items_reused",
                       target=Decimal("10"))


@pytest.mark.parametrize("year, metric, target, field", [
    (1999, "items_reused", Decimal("10"), "year"),
    (2026, "happiness", Decimal("10"), "metric"),
    (2026, "items_reused", Decimal("0"), "target"),
    (2026, "items_reused", Decimal("1.5"), "target"),
    (2026, "reuse_check_share", Decimal("101"), "target"),
    (2026, "avoided_cost_nok", Decimal("1.005"), "target"),
])
def test_odd_goals_are_refused(lead, year, metric, target, field):
    with pytest.raises(InvalidInput) as refused:
        goals.set_goal(lead, year=year, metric=metric, target=target)
    assert refused.value.field == field


def test_the_database_keeps_one_municipality_wide_goal_per_metric_and_year(lead, db):
    for _ in range(2):
        db.session.add(Goal(year=2026, metric="items_reused", target=Decimal(1),
                            created_by_id=lead.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_goal_progress_is_measured_in_the_period_for_the_goals_unit(lead, people, hand_over,
                                                                     db):
    when = datetime(2025, 6, 1, 12, tzinfo=UTC)
    hand_over(people.admin, people.member, quantity=2, when=when)  # 9000 kr to the school
    hand_over(people.admin, people.outsider, quantity=1, when=when)  # 4500 kr elsewhere
    goals.set_goal(lead, year=2025, metric="avoided_cost_nok", target=Decimal("27000"))
    goals.set_goal(lead, year=2025, metric="items_reused", target=Decimal("4"),
                   unit=people.school)
    db.session.commit()
    progress = goals_in_scope(Scope(year_period(2025)))
    assert [(p.goal.metric, p.achieved, p.share, p.bar_percent) for p in progress] == [
        ("avoided_cost_nok", Decimal("13500.00"), Decimal("0.5000"), 50),
        ("items_reused", Decimal(2), Decimal("0.5000"), 50)]
    school_only = goals_in_scope(Scope(year_period(2025), unit_id=people.school.id))
    assert [p.goal.metric for p in school_only] == ["items_reused"]
    assert goals_in_scope(Scope(Period(date(2024, 6, 1), date(2025, 6, 1)))) == []


def test_the_share_of_checks_ending_in_reuse_counts_only_decided_checks(lead, people, db):
    for outcome in ("reused", "reused", "reused", "bought_new", None):
        db.session.add(ReuseCheck(
            user_id=people.member.id, unit_id=people.school.id, need="Pult", outcome=outcome,
            reason_code="not_enough" if outcome == "bought_new" else None,
            created_at=datetime(2025, 9, 1, tzinfo=UTC)))
    goals.set_goal(lead, year=2025, metric="reuse_check_share", target=Decimal("60"))
    db.session.commit()
    [progress] = goals_in_scope(Scope(year_period(2025)))
    assert (progress.achieved, progress.share) == (Decimal("75.00"), Decimal("1.2500"))
    assert progress.bar_percent == 100


def test_goals_page_for_the_lead_and_the_report_shows_progress(client, log_in, lead, people,
                                                               hand_over, db):
    hand_over(people.admin, people.member, quantity=3,
              when=datetime(2025, 2, 1, tzinfo=UTC))
    log_in(lead)
    assert client.get("/reports/goals").status_code == 200
    response = client.submit("/reports/goals", {"year": "2025", "metric": "items_reused",
                                                "target": "12", "unit": ""})
    assert response.status_code == 302
    response = client.submit("/reports/goals", {"year": "2025", "metric": "items_reused",
                                                "target": "-3", "unit": ""})
    assert response.status_code == 422 and "større enn 0" in page_text(response)
    text = page_text(client.get("/reports?from=2025-01-01&to=2025-12-31"))
    assert "Hele kommunen Ting gjenbrukt (stk.) 12 stk. 3 stk. 25 %" in text
    [goal] = db.session.scalars(select(Goal)).all()
    response = client.submit(f"/reports/goals/{goal.id}/delete")
    assert response.status_code == 302 and db.session.scalars(select(Goal)).all() == []


@pytest.mark.parametrize("changes, field, message", [
    ({"metric": "reuse_check_share", "target": "101"}, "target",
     "En andel kan være høyst 100 %."),
    ({"unit": "999999"}, "unit", "Fant ingen slik enhet."),
])
def test_a_refused_goal_is_explained_beside_its_field_and_the_form_kept(
        client, log_in, lead, db, changes, field, message):
    log_in(lead)
    sent = {"year": "2027", "metric": "items_reused", "target": "40", "unit": "", **changes}
    response = client.submit("/reports/goals", sent)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(rf'id="{field}-error"[^>]*>\s*{re.escape(message)}', html), html
    assert 'value="2027"' in html and f'value="{sent["target"]}"' in html
    assert db.session.scalars(select(Goal)).all() == []


def test_members_get_no_goal_or_factor_pages(client, log_in, people, catalog):
    log_in(people.unit_admin)
    for path in ("/reports/goals", "/reports/factors", "/reports/factors/kontorstol"):
        assert client.get(path).status_code == 403, path
    assert client.submit("/reports/goals", {"year": "2026", "metric": "items_reused",
                                            "target": "1"}).status_code == 403


# -- factors -----------------------------------------------------------------------------------

def test_changing_a_factor_keeps_history_and_updates_todays_values(lead, catalog, db):
    chair = categories.get_by_slug("kontorstol")
    today = oslo_today()
    version = factors.change_factors(lead, chair, change(today, note="Ny rammeavtale"),
                                     today=today)
    db.session.commit()
    assert (chair.new_price_nok, chair.new_price_source, chair.co2e_kg) == (
        Decimal("5000.00"), "Rammeavtale 2026", Decimal("80.000"))
    history = factors.history(chair)
    assert [(h.valid_from, h.new_price_nok) for h in history] == [
        (today, Decimal("5000.00")), (factors.BASELINE_DATE, Decimal("4500.00"))]
    assert history[1].since_start and history[1].new_price_estimate  # "Illustrativ demopris"
    assert factors.in_effect(chair, today).version_id == version.id
    assert factors.in_effect(chair, today - timedelta(days=1)).new_price_nok == Decimal("4500")
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "category.factors_changed"))
    assert event.actor_id == lead.id and json.loads(event.details)["new_price_nok"] == "5000"


def test_a_factor_change_changes_no_past_record_or_report_figure(lead, people, hand_over,
                                                                 catalog, db):
    before = hand_over(people.admin, people.outsider, quantity=2,
                       when=datetime(2025, 4, 1, tzinfo=UTC))
    scope = Scope(year_period(2025))
    figures_before = totals(scope)
    months_before = monthly(scope)
    assert figures_before.avoided_cost_nok == Decimal("9000.00")

    chair = categories.get_by_slug("kontorstol")
    factors.change_factors(lead, chair, change(oslo_today(), new_price_nok=Decimal("9999"),
                                               co2e_kg=Decimal("1"), weight_kg=Decimal("1")))
    db.session.commit()
    db.session.expire_all()

    assert totals(scope) == figures_before
    assert monthly(scope) == months_before
    record = db.session.get(type(before), before.id)
    assert (record.new_price_nok_used, record.co2e_kg_used, record.avoided_cost_nok) == (
        Decimal("4500.00"), Decimal("72.000"), Decimal("9000.00"))
    after = hand_over(people.admin, people.outsider)
    assert (after.new_price_nok_used, after.avoided_cost_nok, after.avoided_co2e_kg) == (
        Decimal("9999.00"), Decimal("9999.00"), Decimal("1.000"))


def test_a_factor_valid_from_a_later_day_is_not_used_today(lead, people, hand_over, catalog,
                                                           db, make_item):
    chair = categories.get_by_slug("kontorstol")
    today = oslo_today()
    next_week = today + timedelta(days=7)
    factors.change_factors(lead, chair, change(next_week), today=today)
    db.session.commit()
    assert chair.new_price_nok == Decimal("4500.00")  # still today's value on the category

    record = hand_over(people.admin, people.outsider)
    assert (record.new_price_nok_used, record.co2e_kg_used) == (Decimal("4500.00"),
                                                                Decimal("72.000"))
    # A collection on that day is valued with the new factors.
    item = make_item(people.admin, quantity=1)
    claim = claims.claim_item(people.outsider, item, 1)
    claim.collected_at = datetime.combine(next_week, datetime.min.time(), OSLO)
    valued = ledger.value(claim, replaces_purchase=True, costs_nok=Decimal(0))
    assert (valued.new_price_nok_used, valued.co2e_kg_used) == (Decimal("5000"), Decimal("80"))
    # run-jobs makes them the category's current values when the day comes.
    assert factors.apply_due(today) == 0
    assert factors.apply_due(next_week) == 1
    assert chair.new_price_nok == Decimal("5000.00")
    assert factors.apply_due(next_week) == 0


def test_the_items_own_price_and_weight_still_win(lead, people, hand_over, catalog, db):
    chair = categories.get_by_slug("kontorstol")
    factors.change_factors(lead, chair, change(oslo_today()))
    db.session.commit()
    record = hand_over(people.admin, people.outsider, new_price_nok=Decimal("1200"),
                       weight_kg=Decimal("9.5"))
    assert (record.new_price_nok_used, record.weight_kg_used, record.co2e_kg_used) == (
        Decimal("1200.00"), Decimal("9.500"), Decimal("80.000"))


@pytest.mark.parametrize("days, values, field", [
    (-1, {}, "valid_from"),
    (800, {}, "valid_from"),
    (0, {"new_price_nok": Decimal("-1")}, "new_price_nok"),
    (0, {"weight_kg": Decimal("1.0005")}, "weight_kg"),
    (0, {"co2e_source": "  "}, "co2e_source"),
    (0, {"note": "x" * 2001}, "note"),
])
def test_odd_factor_changes_are_refused(lead, catalog, days, values, field):
    chair = categories.get_by_slug("kontorstol")
    with pytest.raises(InvalidInput) as refused:
        factors.change_factors(lead, chair, change(oslo_today() + timedelta(days=days),
                                                   **values))
    assert refused.value.field == field


def test_two_versions_from_the_same_day_are_refused(lead, catalog, db):
    chair = categories.get_by_slug("kontorstol")
    factors.change_factors(lead, chair, change(oslo_today()))
    with pytest.raises(InvalidInput, match="allerede faktorer"):
        factors.change_factors(lead, chair, change(oslo_today()))


def test_only_the_lead_and_admins_change_factors(people, catalog):
    chair = categories.get_by_slug("kontorstol")
    with pytest.raises(PermissionDenied):
        factors.change_factors(people.unit_admin, chair, change(oslo_today()))


def test_the_lead_changes_factors_on_the_factor_page(client, log_in, lead, catalog, db):
    log_in(lead)
    page = client.get("/reports/factors/kontorstol")
    assert page.status_code == 200 and "Fra start" in page_text(page)
    tomorrow = oslo_today() + timedelta(days=1)
    response = client.submit("/reports/factors/kontorstol", {
        "valid_from": tomorrow.isoformat(), "new_price_nok": "4 800,50",
        "new_price_source": "Rammeavtale møbler 2027", "weight_kg": "17,5",
        "weight_source": "EPD", "co2e_kg": "72", "co2e_source": "FIRA",
        "co2e_estimate": "y"})
    assert response.status_code == 302, page_text(response)
    versions = db.session.scalars(select(CategoryFactorVersion).order_by(
        CategoryFactorVersion.valid_from)).all()
    assert [(v.valid_from, v.new_price_nok, v.co2e_estimate) for v in versions] == [
        (factors.BASELINE_DATE, Decimal("4500.00"), False),
        (tomorrow, Decimal("4800.50"), True)]
    text = page_text(client.get("/reports/factors/kontorstol"))
    assert "Kommer" in text and "4 800,50 kr" in text and "Gjelder nå" in text
    listing = page_text(client.get("/reports/factors"))
    assert f"Nye faktorer fra {tomorrow:%d.%m.%Y}" in listing

    refused = client.submit("/reports/factors/kontorstol", {
        "valid_from": "2020-01-01", "new_price_nok": "1", "new_price_source": "x"})
    assert refused.status_code == 422 and "i dag eller senere" in page_text(refused)


def test_run_jobs_applies_factors_whose_day_has_come(runner, lead, catalog, db):
    chair = categories.get_by_slug("kontorstol")
    today = oslo_today()
    db.session.add(CategoryFactorVersion(category_id=chair.id, valid_from=today,
                                         new_price_nok=Decimal("4321"),
                                         new_price_source="Ny avtale"))
    db.session.commit()
    result = runner.invoke(args=["run-jobs"])
    assert result.exit_code == 0, result.output
    assert "1 kategorier har fått nye faktorer fra i dag." in result.output
    db.session.expire_all()
    assert db.session.get(Category, chair.id).new_price_nok == Decimal("4321.00")


def test_on_the_day_a_factor_changes_the_item_page_shows_what_a_collection_records(
        lead, people, catalog, db, make_item, client, log_in, api, hand_over):
    chair = categories.get_by_slug("kontorstol")
    today = oslo_today()
    # Set yesterday for today; run-jobs has not yet copied it into the category's columns.
    factors.change_factors(lead, chair, change(today, new_price_nok=Decimal("5250"),
                                               weight_kg=Decimal("19")),
                           today=today - timedelta(days=1))
    db.session.commit()
    assert chair.new_price_nok == Decimal("4500.00")

    item = make_item(people.member)
    log_in(people.outsider)
    page = page_text(client.get(f"/items/{item.id}")).replace("\u00a0", " ")
    shown = api(people.outsider).get(f"/api/v1/items/{item.id}").get_json()
    listed = api(people.outsider).get("/api/v1/categories").get_json()["categories"]
    record = hand_over(people.member, people.outsider)

    assert (record.new_price_nok_used, record.weight_kg_used) == (Decimal("5250"),
                                                                  Decimal("19"))
    assert "Nypris per stykk 5 250 kr" in page and "4 500" not in page
    assert "Vekt per stykk 19,0 kg" in page
    assert (Decimal(str(shown["new_price_nok"])), Decimal(str(shown["weight_kg"]))) == (
        record.new_price_nok_used, record.weight_kg_used)
    assert Decimal(str(shown["co2e_kg"])) == record.co2e_kg_used
    [category] = [c for c in listed if c["slug"] == "kontorstol"]
    assert Decimal(str(category["new_price_nok"])) == record.new_price_nok_used
