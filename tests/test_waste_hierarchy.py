"""The waste hierarchy: what a unit's surplus became, by the giving unit, with hand-computed
figures (several kinds, reversals, Oslo-time period edges, a unit's subtree), its drill-down
rows, the API summary and the disposition endpoint."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from reuse.extensions import db
from reuse.models import Stage
from reuse.services import dispositions
from reuse.services import tokens as token_service
from reuse.services.reports.report import report
from reuse.services.reports.scope import Period, Scope
from reuse.services.reports.waste_hierarchy import (
    LEVELS,
    Amounts,
    level_rows,
    waste_hierarchy,
)
from tests.partners import at_stage, make_partner, make_partner_user, partner_hand_over
from tests.test_api_contract import PREFIX, call, code

Y2025 = Scope(Period(date(2025, 1, 1), date(2025, 12, 31)))
Y2026 = Scope(Period(date(2026, 1, 1), date(2026, 12, 31)))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def kg(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture
def year(people, make_item, hand_over):
    """2025 at the school (kontorstol: 17.5 kg, 4500 kr, 72 kg CO2e a piece)."""
    hand_over(people.member, people.outsider, quantity=2, when=utc(2025, 3, 1))
    hand_over(people.outsider, people.member, quantity=1, when=utc(2025, 3, 2))
    askoy = make_partner("public_body", "Askøy kommune")
    bymisjon = make_partner("nonprofit", "Kirkens Bymisjon")
    for partner, quantity in ((askoy, 3), (bymisjon, 1)):
        row = partner_hand_over(people.member, make_partner_user(partner),
                                make_item(people.member, quantity=quantity), quantity)
        row.recorded_at = utc(2025, 4, 1)
    item = at_stage(make_item(people.member, quantity=12), Stage.FINAL)

    def end(kind, quantity, when, **details):
        row = dispositions.record_end(people.member, item, kind, quantity, **details)
        row.recorded_at = when
        return row

    end("sold", 2, utc(2025, 5, 1), amount_nok=Decimal("300.50"))
    end("donated", 1, utc(2025, 5, 2), recipient="Fretex")
    end("recycled", 3, utc(2025, 5, 3), fraction="metal", weight_kg=Decimal("40.125"))
    end("recycled", 1, utc(2025, 5, 4), fraction="wood")
    wrong = end("disposed", 1, utc(2025, 6, 1))
    dispositions.reverse(people.admin, wrong, "Feil ting").recorded_at = utc(2025, 6, 2)
    late = end("disposed", 1, utc(2025, 7, 1))
    dispositions.reverse(people.admin, late, "Feil").recorded_at = utc(2026, 2, 1)
    end("disposed", 1, utc(2024, 12, 31, 23, 0))  # 00:00 on 1 January 2025 in Oslo
    end("disposed", 1, utc(2025, 12, 31, 22, 30))  # 23:30 on New Year's Eve in Oslo
    end("disposed", 1, utc(2025, 12, 31, 23, 0))  # 00:00 on 1 January 2026: not 2025
    db.session.commit()
    return {"askoy": askoy, "bymisjon": bymisjon, "item": item}


EXPECTED_2025 = {
    "reused_internal": Amounts(3, kg("52.500"), 2),
    "reused_public_bodies": Amounts(3, kg("52.500"), 1),
    "reused_nonprofits": Amounts(1, kg("17.500"), 1),
    "donated": Amounts(1, kg("17.500"), 1),
    "sold": Amounts(2, kg("35.000"), 1),
    "recycled": Amounts(4, kg("57.625"), 2),
    # 1 − 1 reversed in June, 1 in July (reversed only in 2026), and the two at the edges.
    "disposed": Amounts(3, kg("52.500"), 5),
}


def test_the_years_hierarchy_is_the_hand_computed_sum(year):
    found = waste_hierarchy(Y2025)
    assert list(found.levels) == list(LEVELS)
    assert found.levels == EXPECTED_2025
    assert found.sold_amount_nok == Decimal("300.50")
    assert found.fractions == {"metal": Amounts(3, kg("40.125"), 1),
                               "wood": Amounts(1, kg("17.500"), 1)}
    assert found.outside == Amounts(4, kg("70.000"), 2)
    assert found.reused_external.waste_kg == kg("87.500")


def test_a_reversal_counts_in_its_own_period(year):
    found = waste_hierarchy(Y2026)
    assert found.levels["disposed"] == Amounts(0, kg("0.000"), 2)  # −1 reversal, +1 at 00:00
    assert found.levels["reused_internal"] == Amounts()


def test_a_unit_sees_what_it_and_the_units_under_it_gave(year, people):
    school = waste_hierarchy(Y2025.narrowed(unit_id=people.school.id))
    assert school.levels == {**EXPECTED_2025,
                             "reused_internal": Amounts(2, kg("35.000"), 1)}
    assert waste_hierarchy(Y2025.narrowed(unit_id=people.school.parent_id)).levels == \
        school.levels
    kindergarten = waste_hierarchy(Y2025.narrowed(unit_id=people.kindergarten.id))
    assert kindergarten.levels == {level: Amounts() for level in LEVELS} | {
        "reused_internal": Amounts(1, kg("17.500"), 1)}
    assert kindergarten.partners == []


def test_partners_avoided_purchases_are_theirs_not_the_municipalitys(year):
    rows = waste_hierarchy(Y2025).partners
    assert [(row.name, row.kind, row.amounts, row.avoided_cost_nok, row.avoided_co2e_kg)
            for row in rows] == [
        ("Askøy kommune", "public_body", Amounts(3, kg("52.500"), 1), Decimal("13500.00"),
         kg("216.000")),
        ("Kirkens Bymisjon", "nonprofit", Amounts(1, kg("17.500"), 1), Decimal("4500.00"),
         kg("72.000")),
    ]
    # The municipality's avoided kroner are its two internal hand-overs only (3 × 4500).
    assert report(Y2025).totals.avoided_cost_nok == Decimal("13500.00")
    assert report(Y2025).totals.items_reused == 3


@pytest.mark.parametrize("scope", [Y2025, Y2026])
def test_each_figure_is_the_sum_of_its_drill_down_rows(year, scope):
    found = waste_hierarchy(scope)
    for level in LEVELS:
        page = level_rows(scope, level, per_page=None)
        rows = page.rows
        waste = [getattr(row, "waste_kg", None) for row in rows]
        if level == "reused_internal":
            waste = [row.avoided_waste_kg for row in rows]
        assert Amounts(sum(row.quantity for row in rows), sum(waste, kg("0.000")),
                       len(rows)) == found.levels[level] == page.totals, level
    sold = level_rows(scope, "sold", per_page=None)
    assert sum((row.amount_nok for row in sold.rows), Decimal("0.00")) == \
        found.sold_amount_nok


def test_what_was_reused_internally_matches_its_ledger_rows_however_it_is_narrowed(year,
                                                                                      people):
    """The internal level is read from the month totals by giving unit where it can be: for
    part of a month, one giving unit, a category, and both units at once it is the rows."""
    march_2 = Period(date(2025, 3, 2), date(2025, 5, 2))
    school = people.member.unit_id
    for scope in (Scope(march_2), Scope(march_2, unit_id=school),
                  Scope(march_2, giver_id=people.outsider.unit_id),
                  Scope(Y2025.period, unit_id=school, giver_id=school),
                  Scope(Y2025.period, category_id=year["item"].category_id)):
        page = level_rows(scope, "reused_internal", per_page=None)
        assert waste_hierarchy(scope).levels["reused_internal"] == page.totals == Amounts(
            sum(row.quantity for row in page.rows),
            sum((row.avoided_waste_kg for row in page.rows), kg("0.000")),
            len(page.rows)), scope


def test_a_partners_and_a_fractions_rows(year):
    askoy = level_rows(Y2025, "reused_public_bodies", partner_id=year["askoy"].id)
    assert askoy.totals == Amounts(3, kg("52.500"), 1)
    assert level_rows(Y2025, "reused_public_bodies",
                      partner_id=year["bymisjon"].id).totals == Amounts()
    assert level_rows(Y2025, "recycled", fraction="wood").totals == Amounts(1, kg("17.500"), 1)


# -- the API --------------------------------------------------------------------------------

@pytest.fixture
def token(db):
    def make(user) -> str:
        _, plain = token_service.create_token(user, "tests")
        db.session.commit()
        return plain
    return make


def test_the_summary_carries_the_hierarchy(client, year, people, token):
    answer = call(client, "get", f"{PREFIX}/reports/summary?from=2025-01-01&to=2025-12-31",
                  200, token=token(people.admin))
    assert answer["outside_municipality"] == {"items": 4, "waste_kg": 70}
    assert answer["waste_hierarchy"] == {"reused_internal_kg": 52.5,
                                         "reused_external_kg": 87.5, "sold_kg": 35,
                                         "recycled_kg": 57.625, "disposed_kg": 52.5}
    assert answer["avoided_cost_nok"] == 13500  # the partners' purchases are not in it
    mine = call(client, "get", f"{PREFIX}/reports/summary?from=2025-01-01&to=2025-12-31",
                200, token=token(people.outsider))
    assert mine["waste_hierarchy"]["reused_internal_kg"] == 17.5
    assert mine["outside_municipality"] == {"items": 0, "waste_kg": 0}


@pytest.fixture
def final_item(people, make_item):
    return at_stage(make_item(people.member, quantity=3), Stage.FINAL)


def _url(item) -> str:
    return f"{PREFIX}/items/{item.id}/dispositions"


def test_the_api_records_an_end(client, people, token, final_item):
    answer = call(client, "post", _url(final_item), 201, token=token(people.member),
                  body={"kind": "sold", "quantity": 2, "amount_nok": 250.5})
    assert {key: answer[key] for key in ("kind", "quantity", "waste_kg", "amount_nok",
                                         "fraction", "recipient")} == {
        "kind": "sold", "quantity": 2, "waste_kg": 35, "amount_nok": 250.5,
        "fraction": None, "recipient": None}
    assert answer["recorded_at"] and answer["id"]
    recycled = call(client, "post", _url(final_item), 201, token=token(people.unit_admin),
                    body={"kind": "recycled", "quantity": 1, "fraction": "wood",
                          "weight_kg": 12.125})
    assert (recycled["fraction"], recycled["waste_kg"]) == ("wood", 12.125)
    refused = call(client, "post", _url(final_item), 409, token=token(people.member),
                   body={"kind": "disposed", "quantity": 1})
    assert code(refused) == "not_available"


def test_the_api_refuses_an_item_not_at_its_final_stage(client, people, token, make_item):
    item = make_item(people.member, quantity=2)
    refused = call(client, "post", _url(item), 409, token=token(people.member),
                   body={"kind": "disposed", "quantity": 1})
    assert code(refused) == "wrong_stage"


def test_the_api_refuses_someone_who_does_not_manage_the_item(client, people, token,
                                                             final_item):
    refused = call(client, "post", _url(final_item), 403, token=token(people.outsider),
                   body={"kind": "disposed", "quantity": 1})
    assert code(refused) == "forbidden"


@pytest.mark.parametrize("body, status, error", [
    ({"kind": "disposed", "quantity": 1, "colour": "red"}, 400, "unknown_field"),
    ({"kind": "disposed"}, 400, "missing_field"),
    ({"kind": "disposed", "quantity": "1"}, 400, "invalid_type"),
    ({"kind": "sold", "quantity": 1, "amount_nok": "12"}, 400, "invalid_type"),
    ({"kind": 3, "quantity": 1}, 400, "invalid_type"),
    ({"kind": "recycled", "quantity": 1, "fraction": 1}, 400, "invalid_type"),
    ({"kind": "donated", "quantity": 1, "recipient": 7}, 400, "invalid_type"),
    ({"kind": "donated", "quantity": 1, "recipient": "Fretex\nBergen"}, 400, "invalid_text"),
    ({"kind": "burned", "quantity": 1}, 422, "invalid_input"),
    ({"kind": "sold", "quantity": 1}, 422, "invalid_input"),
    ({"kind": "sold", "quantity": 1, "amount_nok": 1.234}, 422, "invalid_input"),
    ({"kind": "disposed", "quantity": 0}, 422, "invalid_input"),
    ({"kind": "disposed", "quantity": 1, "weight_kg": -1}, 422, "invalid_input"),
    ({"kind": "disposed", "quantity": 1, "recipient": "Fretex"}, 422, "invalid_input"),
    ({"kind": "recycled", "quantity": 1, "fraction": "glass"}, 422, "invalid_input"),
])
def test_the_api_refuses_bad_input(client, people, token, final_item, body, status, error):
    refused = call(client, "post", _url(final_item), status, token=token(people.member),
                   body=body)
    assert code(refused) == error
    db.session.refresh(final_item)
    assert final_item.quantity_ended == 0


# -- the report page, its drill-down and the exports ----------------------------------------

def test_the_report_page_shows_the_hierarchy_and_the_partners(client, log_in, people, year):
    from tests.conftest import page_text
    log_in(people.admin)
    response = client.get("/reports?from=2025-01-01&to=2025-12-31")
    assert response.status_code == 200
    text = page_text(response)
    assert "Avfallshierarkiet" in text and "Utenfor kommunen" in text
    assert "Kirkens Bymisjon" in text and "Askøy kommune" in text
    html = response.get_data(as_text=True)
    assert "/reports/waste?" in html and 'id="waste-table"' in html
    assert "57,625" in text  # recycled kilos


@pytest.mark.parametrize("level", ["reused_internal", "reused_public_bodies", "sold",
                                   "recycled", "disposed"])
def test_each_levels_drill_down_lists_its_rows(client, log_in, people, year, level):
    log_in(people.admin)
    response = client.get(f"/reports/waste?from=2025-01-01&to=2025-12-31&level={level}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = level_rows(Y2025, level, per_page=None).rows
    assert html.count("data-row-id=") == len(rows)
    for row in rows:
        assert f'data-row-id="{row.id}"' in html


@pytest.mark.parametrize("query", ["level=burned", "", "level=sold&partner=1",
                                   "level=recycled&fraction=glass",
                                   "level=reused_nonprofits&partner=99999999999999999999",
                                   "level=reused_nonprofits&partner=abc"])
def test_a_bad_drill_down_is_a_400(client, log_in, people, year, query):
    log_in(people.admin)
    assert client.get(f"/reports/waste?from=2025-01-01&to=2025-12-31&{query}"
                      ).status_code == 400


def test_a_member_drills_down_only_into_their_own_unit(client, log_in, people, year):
    log_in(people.outsider)
    own = client.get("/reports/waste?from=2025-01-01&to=2025-12-31&level=reused_internal")
    assert own.status_code == 200
    assert own.get_data(as_text=True).count("data-row-id=") == 1  # the kindergarten's one
    other = client.get(f"/reports/waste?from=2025-01-01&to=2025-12-31&level=sold"
                       f"&unit={people.school.id}")
    assert other.status_code == 403


def test_the_exports_carry_the_hierarchy(client, log_in, people, year):
    import io

    from openpyxl import load_workbook
    log_in(people.admin)
    csv = client.get("/reports/summary.csv?from=2025-01-01&to=2025-12-31")
    text = csv.get_data(as_text=True)
    assert "Avfallshierarkiet" in text and "Levert til gjenvinning" in text
    assert "57,625" in text or "57.625" in text
    assert "Kirkens Bymisjon" in text
    workbook = load_workbook(io.BytesIO(client.get(
        "/reports/summary.xlsx?from=2025-01-01&to=2025-12-31").get_data()))
    sheet = workbook["Avfallshierarkiet"]
    values = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["Solgt"] == (2, 35, 300.5)
    assert values["Kastet"][:2] == (3, 52.5)
    outside = {row[0]: row[1:] for row in workbook["Utenfor kommunen"].iter_rows(
        min_row=2, values_only=True)}
    assert outside["Askøy kommune"] == (3, 52.5, 13500, 216)
