"""GET /api/v1/reports/summary exactly as API.md says, checked against the OpenAPI document."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from reuse.models import ReuseCheck, Role
from reuse.services import goals, ledger
from reuse.services import tokens as token_service
from tests.test_api_contract import PREFIX, call, code

URL = f"{PREFIX}/reports/summary"
CONTRACT_KEYS = {"from", "to", "items_reused", "avoided_cost_nok", "avoided_co2e_kg",
                 "avoided_waste_kg", "reuse_checks", "goal"}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def lead(make_user, people):
    return make_user(people.admin.unit, Role.SUSTAINABILITY, name="Sofie Lie")


@pytest.fixture
def token(db):
    def make(user) -> str:
        _, plain = token_service.create_token(user, "tests")
        db.session.commit()
        return plain
    return make


@pytest.fixture
def year_2025(people, hand_over, lead, db):
    school = hand_over(people.admin, people.member, quantity=2, costs_nok=Decimal("350.55"),
                       when=utc(2025, 12, 31, 22, 30))  # 23:30 on New Year's Eve in Oslo
    hand_over(people.admin, people.outsider, category="besoksstol", when=utc(2025, 5, 1))
    hand_over(people.admin, people.member, when=utc(2025, 12, 31, 23, 0))  # 2026 in Oslo
    for outcome in ("reused", "bought_new", None):
        db.session.add(ReuseCheck(user_id=people.member.id, unit_id=people.school.id,
                                  need="Stoler", outcome=outcome, created_at=utc(2025, 8, 1),
                                  reason_code="other" if outcome == "bought_new" else None))
    goals.set_goal(lead, year=2025, metric="avoided_cost_nok", target=Decimal("17298.9"))
    goals.set_goal(lead, year=2025, metric="items_reused", target=Decimal("10"))
    goals.set_goal(lead, year=2025, metric="items_reused", target=Decimal("4"),
                   unit=people.school)
    db.session.commit()
    return school


def test_the_summary_is_the_sum_of_the_years_records(client, lead, token, year_2025):
    answer = call(client, "get", f"{URL}?from=2025-01-01&to=2025-12-31", 200,
                  token=token(lead))
    assert set(answer) >= CONTRACT_KEYS
    assert answer == {
        "from": "2025-01-01", "to": "2025-12-31", "unit": None,
        "items_reused": 3,
        "avoided_cost_nok": 9000 - 350.55 + 1500,  # 10149.45
        "avoided_co2e_kg": 144, "avoided_waste_kg": 42,  # 2 × 17.5 + 7
        "records": 2,
        "reuse_checks": {"total": 3, "reused": 1, "bought_new": 1, "open": 1, "claimed": 0,
                         "dropped": 0},
        "goal": {"metric": "avoided_cost_nok", "year": 2025, "target": 17298.9,
                 "achieved": 10149.45, "share": 0.5867},
        "goals": [{"metric": "avoided_cost_nok", "year": 2025, "target": 17298.9,
                   "achieved": 10149.45, "share": 0.5867},
                  {"metric": "items_reused", "year": 2025, "target": 10, "achieved": 3,
                   "share": 0.3}],
        # Nothing left the municipality; the internal reuse counted by the giving unit.
        "outside_municipality": {"items": 0, "waste_kg": 0},
        "waste_hierarchy": {"reused_internal_kg": 42, "reused_external_kg": 0, "sold_kg": 0,
                            "recycled_kg": 0, "disposed_kg": 0},
    }
    assert isinstance(answer["avoided_cost_nok"], float) and \
        str(answer["avoided_cost_nok"]) == "10149.45"


def test_a_unit_gets_its_own_and_its_sub_units_figures_and_goal(client, lead, people, token,
                                                                year_2025):
    etat = people.school.parent
    answer = call(client, "get", f"{URL}?from=2025-01-01&to=2025-12-31&unit={etat.id}", 200,
                  token=token(lead))
    assert answer["unit"] == {"id": etat.id, "name": "Etat for skole"}
    assert (answer["items_reused"], answer["avoided_cost_nok"]) == (2, 8649.45)
    assert answer["goal"] is None and answer["goals"] == []
    school = call(client, "get", f"{URL}?from=2025-01-01&to=2025-12-31&unit="
                                 f"{people.school.id}", 200, token=token(lead))
    assert school["goal"] == {"metric": "items_reused", "year": 2025, "target": 4,
                              "achieved": 2, "share": 0.5}


def test_a_member_gets_their_own_unit_and_is_refused_another(client, people, token,
                                                             year_2025):
    mine = token(people.member)
    answer = call(client, "get", f"{URL}?from=2025-01-01&to=2025-12-31", 200, token=mine)
    assert answer["unit"] == {"id": people.school.id, "name": "Møhlenpris skole"}
    assert answer["items_reused"] == 2
    refused = call(client, "get", f"{URL}?from=2025-01-01&to=2025-12-31"
                                  f"&unit={people.kindergarten.id}", 403, token=mine)
    assert code(refused) == "forbidden"


def test_without_dates_the_summary_is_this_year(client, lead, token, people, hand_over):
    hand_over(people.admin, people.outsider)
    answer = call(client, "get", URL, 200, token=token(lead))
    year = date.today().year
    assert (answer["from"], answer["to"]) == (f"{year}-01-01", f"{year}-12-31")
    assert answer["items_reused"] == 1 and answer["goal"] is None
    only_from = call(client, "get", f"{URL}?from=2024-03-01", 200, token=token(lead))
    assert (only_from["from"], only_from["to"]) == ("2024-03-01", "2024-12-31")


def test_reversals_net_to_zero(client, lead, token, people, hand_over, db):
    record = hand_over(people.admin, people.outsider, quantity=3, when=utc(2025, 2, 2))
    reversal = ledger.reverse(people.admin, record, "Registrert to ganger")
    reversal.recorded_at = utc(2025, 2, 3)
    db.session.commit()
    answer = call(client, "get", f"{URL}?from=2025-02-01&to=2025-02-28", 200,
                  token=token(lead))
    assert (answer["items_reused"], answer["avoided_cost_nok"], answer["avoided_co2e_kg"],
            answer["avoided_waste_kg"], answer["records"]) == (0, 0, 0, 0, 2)


@pytest.mark.parametrize("query", ["from=2025-1-1", "from=01.01.2025", "to=2025-02-30",
                                   "from=yesterday", "unit=abc", "unit=0", "unit=-3",
                                   "unit=99999999999"])
def test_malformed_queries_are_400s(client, lead, token, query):
    answer = call(client, "get", f"{URL}?{query}", 400, token=token(lead))
    assert code(answer) == "invalid_query"


@pytest.mark.parametrize("query", ["from=2025-06-01&to=2025-05-31",
                                   "from=1999-01-01&to=1999-12-31",
                                   "from=2001-01-01&to=2025-01-01", "unit=987654"])
def test_unacceptable_periods_and_units_are_422s(client, lead, token, query):
    answer = call(client, "get", f"{URL}?{query}", 422, token=token(lead))
    assert code(answer) == "invalid_input"


def test_the_summary_needs_a_token(client):
    assert code(call(client, "get", URL, 401)) == "unauthorized"
