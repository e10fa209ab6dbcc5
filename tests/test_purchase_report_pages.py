"""/reports/purchases: the figures worked out by hand, each a link to lines that sum to it,
who sees which unit, and the downloads."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook

from reuse.clock import OSLO
from reuse.models import Role
from reuse.services import categories, checks, items, purchase_rules, purchases
from tests.conftest import page_text

HEADER = ("line_id,order_number,ordered_on,unit_code,supplier,description,unspsc,category,"
          "quantity,amount_nok")
Y2026 = "from=2026-01-01&to=2026-12-31"


def oslo(*parts) -> datetime:
    return datetime(*parts, tzinfo=OSLO).astimezone(UTC)


def add_lines(db, lead, *rows: str):
    result = purchases.import_file(lead, "Visma", "\n".join((HEADER, *rows)).encode(),
                                   via="test")
    db.session.commit()
    assert not result.refused, [refusal.text() for refusal in result.refused]


@pytest.fixture
def org(db, catalog, people, make_user, make_item):
    """The school and the kindergarten buy; a check and a listing cover some of it.

    By hand, for 2026 and the whole municipality:
    - S1 school, 10 March, office chairs 2 × 9 000: covered by the member's check of 1 March.
    - S2 school, 12 March, sofa 1 × 12 000: uncovered; a sofa was free (listed 1 March).
    - S3 school, 2 April, office chair 1 × 4 500: uncovered; nothing free (the chairs taken).
    - S4 school, 2 April, consultancy 50 000: not reusable (UNSPSC rule).
    - S5 school, 3 April, coffee 500: unmapped.
    - K1 kindergarten, 15 April, cabinet 1 × 3 000: covered, by its order number on a check.
    Lines 6; amount 88 000; reusable 4; covered 2 (50 %); uncovered 2 for 16 500; with an
    alternative 1 for 12 000; unmapped 1; not reusable 1.
    """
    people.school.code = "SKOLE"
    people.kindergarten.code = "BHG"
    purchase_rules.load_defaults()
    db.session.commit()
    people.lead = make_user(people.admin.unit, Role.SUSTAINABILITY, name="Siri Berekraft")
    check = checks.create_check(people.member, "kontorstoler",
                                category=categories.get_by_slug("kontorstol"))
    check.created_at = oslo(2026, 3, 1, 9)
    reference_check = checks.create_check(people.outsider, "skap")
    reference_check.created_at = oslo(2026, 4, 1, 9)
    checks.record_bought_new(people.outsider, reference_check, "nothing_suitable",
                             purchase_reference="PO-K1")
    sofa = make_item(people.outsider, title="Grå sofa", category="sofa", quantity=1)
    sofa.created_at = oslo(2026, 3, 1, 9)
    db.session.commit()
    add_lines(db, people.lead,
              "S1,PO-1,2026-03-10,SKOLE,Kinnarps,Kontorstoler,,kontorstol,2,18000",
              "S2,PO-2,2026-03-12,SKOLE,Bohus,Sofa til personalrommet,,sofa,1,12000",
              "S3,PO-3,2026-04-02,SKOLE,Kinnarps,Kontorstol,,kontorstol,1,4500",
              "S4,PO-4,2026-04-02,SKOLE,Konsulent AS,Rådgivning,80101500,,1,50000",
              "S5,PO-5,2026-04-03,SKOLE,Rema,Kaffebønner,,,5,500",
              "K1,PO-K1,2026-04-15,BHG,Skapfabrikken,Garderobeskap,,skap,1,3000")
    people.check, people.reference_check, people.sofa = check, reference_check, sofa
    return people


def figure(response, name: str) -> tuple[str, str]:
    """(the shown value, the drill-down href) of a headline figure."""
    html = response.get_data(as_text=True)
    found = re.search(rf'href="([^"]+)" data-figure="{name}"><span class="key-figure__value">'
                      r"(.*?)</span>", html)
    return found.group(2), found.group(1).replace("&amp;", "&")


def line_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'data-line-id="(\d+)"', response.get_data(as_text=True))]


def drill_total(response) -> tuple[str, str]:
    html = response.get_data(as_text=True)
    return (re.search(r'data-total="lines">(.*?)<', html).group(1),
            re.search(r'data-total="amount">(.*?)<', html).group(1))


def test_the_headline_figures_are_those_worked_out_by_hand(org, log_in):
    client = log_in(org.lead)
    response = client.get(f"/reports/purchases?{Y2026}")
    assert response.status_code == 200
    shown = {name: figure(response, name)[0] for name in (
        "coverage", "lines", "amount", "reusable", "uncovered", "uncovered_amount",
        "with_alternative", "with_alternative_amount", "unmapped")}
    assert shown == {"coverage": "50\u00a0%", "lines": "6", "amount": "88\u00a0000\u00a0kr",
                     "reusable": "4", "uncovered": "2",
                     "uncovered_amount": "16\u00a0500\u00a0kr", "with_alternative": "1",
                     "with_alternative_amount": "12\u00a0000\u00a0kr", "unmapped": "1"}


@pytest.mark.parametrize(("name", "lines", "amount"), [
    ("lines", 6, "88\u00a0000\u00a0kr"), ("reusable", 4, "37\u00a0500\u00a0kr"),
    ("coverage", 2, "21\u00a0000\u00a0kr"), ("uncovered", 2, "16\u00a0500\u00a0kr"),
    ("with_alternative", 1, "12\u00a0000\u00a0kr"), ("unmapped", 1, "500\u00a0kr")])
def test_each_figure_links_to_the_lines_that_make_it(org, log_in, name, lines, amount):
    client = log_in(org.lead)
    _value, href = figure(client.get(f"/reports/purchases?{Y2026}"), name)
    drill = client.get(href)
    assert drill.status_code == 200
    assert len(line_ids(drill)) == lines
    assert drill_total(drill) == (str(lines), amount)


def test_the_month_and_unit_rows_link_to_their_lines(org, log_in):
    client = log_in(org.lead)
    html = client.get(f"/reports/purchases?{Y2026}").get_data(as_text=True)
    table = re.search(r'id="purchase-months-table".*?</table>', html, re.S).group(0)
    march = re.search(r"mars 2026</th>(.*?)</tr>", table, re.S).group(1)
    hrefs = [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', march)]
    uncovered = next(href for href in hrefs if "group=uncovered" in href)
    assert parse_qs(urlsplit(uncovered).query)["month"] == ["2026-03"]
    drill = client.get(uncovered)
    assert drill_total(drill) == ("1", "12\u00a0000\u00a0kr")
    assert "Grå sofa" in page_text(drill)  # what was free on the order day
    units = re.search(r'id="purchase-units-table".*?</table>', html, re.S).group(0)
    assert "Byrådsavdeling for barnehage og skole" in units


def test_an_alternative_withdrawn_since_is_counted_but_not_named(org, db, log_in):
    """The sofa was free on the order day; its lister has withdrawn it since, which takes
    its title from everyone who may not manage it: the line still had an alternative."""
    items.withdraw_item(org.outsider, org.sofa)
    db.session.commit()
    client = log_in(org.lead)
    drill = client.get(f"/reports/purchases/lines?{Y2026}&group=with_alternative")
    assert drill_total(drill) == ("1", "12\u00a0000\u00a0kr")
    text = page_text(drill)
    assert "Grå sofa" not in text
    assert "1 ting som er trukket tilbake siden" in text
    assert f"/items/{org.sofa.id}" not in drill.get_data(as_text=True)


def test_a_covered_line_names_its_check_and_links_it_only_for_those_who_may_see_it(
        org, log_in, client, app):
    url = f"/reports/purchases/lines?{Y2026}&group=covered&unit={org.school.id}"
    lead_view = log_in(org.lead).get(url).get_data(as_text=True)
    assert org.check.reference in lead_view
    assert f'href="/checks/{org.check.id}"' in lead_view
    client.get("/logout")
    colleague = app.test_client()
    from tests.conftest import login
    login(colleague, org.colleague)
    colleague_view = colleague.get(url).get_data(as_text=True)
    assert org.check.reference in colleague_view
    assert f'href="/checks/{org.check.id}"' not in colleague_view


def test_a_member_sees_only_their_unit_and_the_lead_everything(org, log_in):
    client = log_in(org.member)
    response = client.get(f"/reports/purchases?{Y2026}")
    assert figure(response, "lines")[0] == "5"  # the school's, not the kindergarten's
    assert client.get(f"/reports/purchases?{Y2026}&unit={org.kindergarten.id}"
                      ).status_code == 403
    assert client.get(f"/reports/purchases/lines?{Y2026}&unit={org.kindergarten.id}"
                      ).status_code == 403
    drill = client.get(f"/reports/purchases/lines?{Y2026}")
    assert len(line_ids(drill)) == 5


def test_a_bad_group_or_month_is_a_bad_request(org, log_in):
    client = log_in(org.lead)
    assert client.get("/reports/purchases/lines?group=everything").status_code == 400
    assert client.get("/reports/purchases/lines?month=2026-13").status_code == 400


def test_the_downloads_have_the_same_numbers(org, log_in):
    client = log_in(org.lead)
    response = client.get(f"/reports/purchases.csv?{Y2026}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    total = next(row for row in rows if row and row[0] == "Totalt")
    assert total[2:9] == ["6", "88000,00", "4", "2", "50,00", "2", "16500,00"]
    march = next(row for row in rows if row and row[1] == "2026-03")
    assert march[2:4] == ["2", "30000,00"]

    workbook = load_workbook(io.BytesIO(client.get(f"/reports/purchases.xlsx?{Y2026}").data))
    assert workbook.sheetnames == ["Sammendrag", "Per måned", "Per enhet", "Per kategori",
                                   "Innkjøpslinjer"]
    lines = list(workbook["Innkjøpslinjer"].iter_rows(min_row=2, values_only=True))
    assert len(lines) == 6
    assert sum(Decimal(str(row[7])) for row in lines) == Decimal("88000")
    summary = {row[0]: row[1] for row in workbook["Sammendrag"].iter_rows(values_only=True)}
    assert summary["Uten sjekk (kr)"] == 16500

    uncovered = client.get(f"/reports/purchases/lines.csv?{Y2026}&group=uncovered")
    rows = list(csv.reader(io.StringIO(uncovered.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert len(rows) == 3
    assert sorted(row[7] for row in rows[1:]) == ["12000,00", "4500,00"]


def test_the_overview_links_the_purchases_report(org, log_in):
    html = log_in(org.member).get("/reports").get_data(as_text=True)
    assert 'id="purchase-report-link"' in html


def test_no_lines_show_zeroes_and_no_error(db, catalog, people, log_in):
    response = log_in(people.admin).get(f"/reports/purchases?{Y2026}")
    assert response.status_code == 200
    assert figure(response, "lines")[0] == "0"
    assert figure(response, "coverage")[0] == "–"


# -- the goal --------------------------------------------------------------------------------

def test_the_lead_sets_a_purchase_coverage_goal_and_sees_it_next_to_the_others(org, log_in, db):
    client = log_in(org.lead)
    page = client.get("/reports/goals").get_data(as_text=True)
    assert 'value="purchase_coverage"' in page
    response = client.submit("/reports/goals", {"year": "2026", "metric": "purchase_coverage",
                                                 "target": "80", "unit": ""})
    assert response.status_code == 302, page_text(response)
    client.submit("/reports/goals", {"year": "2026", "metric": "items_reused",
                                     "target": "10", "unit": ""})
    assert "Andel innkjøp med gjenbrukssjekk (%)" in page_text(client.get("/reports/goals"))
    html = client.get(f"/reports?{Y2026}").get_data(as_text=True)
    goals_table = re.search(r'class="ds-table report-table goal-table".*?</table>', html,
                            re.S).group(0)
    row = re.search(r"Andel innkjøp med gjenbrukssjekk \(%\)</td>(.*?)</tr>", goals_table,
                    re.S).group(1)
    assert "80\u00a0%" in row and "50\u00a0%" in row  # the target, and achieved: 2 of 4
    assert "/reports/purchases/lines?" in row and "group=covered" in row
    assert "Ting gjenbrukt (stk.)" in goals_table  # beside the other goals


def test_the_goal_is_achieved_as_the_report_counts_for_the_goals_unit(org, db):
    from reuse.services import goals
    from reuse.services.reports.goal_progress import goals_in_scope
    from reuse.services.reports.scope import Period, Scope

    goals.set_goal(org.lead, year=2026, metric="purchase_coverage", target=Decimal("75"))
    goals.set_goal(org.lead, year=2026, metric="purchase_coverage", target=Decimal("90"),
                   unit=org.school)
    db.session.commit()
    found = {progress.goal.unit_id: progress for progress in goals_in_scope(
        Scope(Period(date(2026, 1, 1), date(2026, 12, 31))))}
    assert found[None].achieved == Decimal("50.00")  # 2 of 4
    assert found[org.school.id].achieved == Decimal("33.33")  # 1 of 3
    assert found[None].share == Decimal("0.6667")


@pytest.mark.parametrize(("target", "message"), [
    ("100,5", "En andel kan være høyst 100 %."), ("50,123", "høyst 2 desimaler")])
def test_a_coverage_goal_is_a_percentage(org, log_in, target, message):
    response = log_in(org.lead).submit("/reports/goals", {
        "year": "2026", "metric": "purchase_coverage", "target": target, "unit": ""})
    assert response.status_code == 422
    assert message in page_text(response)
