"""/reports: exact figures, Oslo-time periods, the unit tree, reversals, who sees what, the
drill-down to the records behind each figure, and the CSV and XLSX downloads."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from reuse.models import ReuseCheck, ReuseRecord, Role
from reuse.services import ledger
from reuse.services.checks import LIST_LIMIT
from reuse.services.reports.breakdowns import TreeRow, by_receiving_unit
from reuse.services.reports.checks import check_counts
from reuse.services.reports.figures import Figures
from reuse.services.reports.ranking import ranking
from reuse.services.reports.records import PER_PAGE, records
from reuse.services.reports.scope import Scope, make_period, year_period
from reuse.services.reports.sums import monthly, totals
from tests.conftest import page_text

Y2025 = "from=2025-01-01&to=2025-12-31"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def record_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'data-record-id="(\d+)"',
                                       response.get_data(as_text=True))]


def links_in(response, table_id: str) -> list[tuple[str, str]]:
    """(row heading, href of its figures) for each row of the table with that id."""
    html = response.get_data(as_text=True)
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        heading = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, re.S)
        href = re.search(r'href="([^"]+)"', row)
        if heading and href:
            name = re.sub(r"<[^>]+>.*", "", heading.group(1), flags=re.S).strip()
            rows.append((name, href.group(1).replace("&amp;", "&")))
    return rows


@pytest.fixture
def lead(make_user, people):
    return make_user(people.admin.unit, Role.SUSTAINABILITY, name="Sofie Lie")


@pytest.fixture
def ledger_2025(people, hand_over):
    """Three hand-overs to the school and one to the kindergarten in 2025, one in 2026."""
    school, kindergarten = people.unit_admin, people.outsider
    giver = people.admin
    return {
        "odd": hand_over(giver, school, quantity=3, new_price_nok=Decimal("1234.56"),
                         costs_nok=Decimal("0.01"), when=utc(2025, 3, 14, 10)),
        "dime": hand_over(giver, school, new_price_nok=Decimal("0.10"), when=utc(2025, 3, 20)),
        "fifth": hand_over(giver, kindergarten, new_price_nok=Decimal("0.20"),
                           when=utc(2025, 11, 2)),
        "not_replaced": hand_over(giver, school, category="besoksstol",
                                  replaces_purchase=False, when=utc(2025, 7, 1)),
        "next_year": hand_over(giver, school, when=utc(2026, 1, 5)),
    }


# -- the figures -------------------------------------------------------------------------------

def test_figures_are_exact_to_the_ore(people, ledger_2025, db):
    scope = Scope(make_period(date(2025, 1, 1), date(2025, 12, 31)))
    figures = totals(scope)
    # 3 × 1234.56 − 0.01, plus 0.10 and 0.20 (a float sum would not give exactly 3703.97).
    assert figures.avoided_cost_nok == Decimal("3703.97")
    assert figures.items_reused == 6
    assert figures.avoided_co2e_kg == Decimal("360.000")  # (3 + 1 + 1) × 72; besøksstol not
    assert figures.avoided_waste_kg == Decimal("94.500")  # 5 × 17.5 + 7 (every hand-over)
    assert figures.records == 4
    records = db.session.scalars(select(ReuseRecord).where(
        ReuseRecord.id.in_([r.id for k, r in ledger_2025.items() if k != "next_year"]))).all()
    assert figures.avoided_cost_nok == sum(r.avoided_cost_nok for r in records)


def test_ten_tonnes_and_more_of_co2e_are_shown_in_tonnes(client, log_in, people, hand_over,
                                                         lead):
    hand_over(people.admin, people.unit_admin, quantity=170, when=utc(2025, 5, 5, 10))
    log_in(lead)  # 170 office chairs × 72 kg CO2e = 12 240 kg
    assert "12,2 tonn unngått CO2e" in page_text(client.get(f"/reports?{Y2025}"))
    assert "Unngått CO2e 12,2 tonn" in page_text(client.get(f"/reports/records?{Y2025}"))


def test_the_page_shows_this_years_figures_by_default_and_any_period_on_request(
        client, log_in, people, ledger_2025, lead):
    log_in(lead)
    text = page_text(client.get(f"/reports?{Y2025}"))
    assert "Hele kommunen · 01.01.2025–31.12.2025" in text
    assert "3 703,97 kr unngått kostnad" in text
    assert "6 ting gjenbrukt" in text
    assert "360 kg unngått CO2e" in text and "94,5 kg unngått avfall" in text
    default = client.get("/reports")
    assert default.status_code == 200
    this_year = date.today().year
    assert f"01.01.{this_year}–31.12.{this_year}" in page_text(default)


def test_a_hand_over_at_half_past_eleven_on_new_years_eve_belongs_to_that_year(
        people, hand_over):
    late = hand_over(people.admin, people.outsider, when=utc(2025, 12, 31, 22, 30))  # 23:30
    midnight = hand_over(people.admin, people.outsider, when=utc(2025, 12, 31, 23, 0))  # 00:00
    in_2025 = records(Scope(year_period(2025))).records
    in_2026 = records(Scope(year_period(2026))).records
    assert [r.id for r in in_2025] == [late.id]
    assert [r.id for r in in_2026] == [midnight.id]


def test_months_are_oslo_months_in_summer_time_too(people, hand_over):
    # 22:30 UTC on 30 June is 00:30 on 1 July in Oslo (UTC+2 in summer).
    july = hand_over(people.admin, people.outsider, when=utc(2025, 6, 30, 22, 30))
    june = hand_over(people.admin, people.outsider, when=utc(2025, 6, 30, 21, 30))
    months = monthly(Scope(year_period(2025)))
    assert [m.period.start.month for m in months] == list(range(1, 13))
    assert months[5].figures.records == 1 and months[6].figures.records == 1
    assert [r.id for r in records(Scope(months[6].period)).records] == [july.id]
    assert [r.id for r in records(Scope(months[5].period)).records] == [june.id]


def test_a_custom_period_includes_both_end_days(people, hand_over):
    first = hand_over(people.admin, people.outsider, when=utc(2025, 2, 28, 23, 30))  # 1 March
    last = hand_over(people.admin, people.outsider, when=utc(2025, 3, 10, 22, 59))  # 10 March
    hand_over(people.admin, people.outsider, when=utc(2025, 3, 10, 23, 0))  # 11 March
    scope = Scope(make_period(date(2025, 3, 1), date(2025, 3, 10)))
    assert [r.id for r in records(scope).records] == [first.id, last.id]


def test_a_units_figures_include_its_sub_units(people, ledger_2025):
    scope = Scope(year_period(2025))
    rows = {row.name: row for row in by_receiving_unit(scope)}
    school = rows["Møhlenpris skole"].figures
    kindergarten = rows["Landås barnehage"].figures
    sector = rows["Byrådsavdeling for barnehage og skole"]
    assert school.avoided_cost_nok == Decimal("3703.77")
    assert kindergarten.avoided_cost_nok == Decimal("0.20")
    assert sector.figures.avoided_cost_nok == Decimal("3703.97")
    assert sector.depth == 0 and rows["Etat for skole"].depth == 1 and \
        rows["Møhlenpris skole"].depth == 2
    etat = people.school.parent
    assert totals(scope.narrowed(unit_id=etat.id)) == rows["Etat for skole"].figures


def test_a_reversal_nets_the_record_to_zero_and_both_are_listed(people, hand_over, db):
    record = hand_over(people.admin, people.outsider, quantity=2, when=utc(2025, 5, 5))
    reversal = ledger.reverse(people.admin, record, "Feil mottaker")
    reversal.recorded_at = utc(2025, 5, 6)
    db.session.commit()
    scope = Scope(year_period(2025))
    figures = totals(scope)
    assert (figures.items_reused, figures.avoided_cost_nok, figures.avoided_co2e_kg,
            figures.avoided_waste_kg, figures.records) == (0, Decimal("0.00"),
                                                           Decimal("0.000"), Decimal("0.000"), 2)
    assert [r.id for r in records(scope).records] == [record.id, reversal.id]


def test_a_reversal_counts_in_the_period_it_was_written(people, hand_over, db):
    record = hand_over(people.admin, people.outsider, when=utc(2025, 12, 20))
    reversal = ledger.reverse(people.admin, record, "Aldri hentet")
    reversal.recorded_at = utc(2026, 1, 10)
    db.session.commit()
    assert totals(Scope(year_period(2025))).items_reused == 1
    assert totals(Scope(year_period(2026))).items_reused == -1


def test_ranking_lists_units_without_sub_units_by_avoided_cost(people, ledger_2025):
    ranked = ranking(Scope(year_period(2025)))
    assert [(r.rank, r.name) for r in ranked] == [(1, "Møhlenpris skole"),
                                                  (2, "Landås barnehage")]


# -- who sees what -----------------------------------------------------------------------------

def test_a_member_sees_their_own_units_report(client, log_in, people, ledger_2025):
    log_in(people.member)
    response = client.get(f"/reports?{Y2025}")
    assert response.status_code == 200
    text = page_text(response)
    assert "Møhlenpris skole med underliggende enheter · 01.01.2025–31.12.2025" in text
    assert "3 703,77 kr unngått kostnad" in text  # not the kindergarten's 0,20
    assert "Hele kommunen" not in text


@pytest.mark.parametrize("path", ["/reports", "/reports/records", "/reports/checks",
                                  "/reports/records.csv", "/reports/summary.xlsx"])
def test_a_member_is_refused_another_units_report(client, log_in, people, path):
    log_in(people.unit_admin)
    response = client.get(f"{path}?{Y2025}&unit={people.kindergarten.id}")
    assert response.status_code == 403
    assert "din egen enhet" in page_text(response)


def test_a_member_may_see_a_sub_unit_of_their_own(client, log_in, people, make_user,
                                                  ledger_2025):
    etat_member = make_user(people.school.parent)
    log_in(etat_member)
    response = client.get(f"/reports?{Y2025}&unit={people.school.id}")
    assert response.status_code == 200
    assert client.get(f"/reports?{Y2025}&unit={people.kindergarten.id}").status_code == 403


@pytest.mark.parametrize("role", [Role.SUSTAINABILITY, Role.ADMIN])
def test_the_lead_and_admins_see_every_unit(client, log_in, people, make_user, role,
                                            ledger_2025):
    log_in(make_user(role=role))
    response = client.get(f"/reports?{Y2025}&unit={people.kindergarten.id}")
    assert response.status_code == 200
    assert "0,20 kr unngått kostnad" in page_text(response)


def test_reports_need_a_login(client):
    assert client.get("/reports").status_code == 302


@pytest.mark.parametrize("query, problem", [
    ("from=2025-13-01", "Skriv datoen som ÅÅÅÅ-MM-DD"),
    ("from=2025-05-01&to=2025-01-01", "før fra-datoen"),
    ("from=1999-01-01&to=1999-12-31", "mellom 2000 og 2100"),
    ("from=2000-01-01&to=2020-12-31", "høyst 10 år"), ("unit=987654", "Fant ingen slik enhet"),
])
def test_a_bad_period_or_unit_is_explained_on_the_form(client, log_in, lead, query, problem):
    log_in(lead)
    response = client.get(f"/reports?{query}")
    assert response.status_code == 400
    assert "Rett opp dette" in page_text(response)
    assert problem in page_text(response)


def test_a_malformed_drill_down_link_is_a_400(client, log_in, lead):
    log_in(lead)
    assert client.get("/reports/records?from=x").status_code == 400
    assert client.get("/reports/checks?outcome=maybe").status_code == 400


# -- the drill-down ----------------------------------------------------------------------------

def test_every_figure_links_to_exactly_the_records_it_sums(client, log_in, lead, people,
                                                           ledger_2025, db):
    log_in(lead)
    page = client.get(f"/reports?{Y2025}")
    checked = 0
    for table in ("months-table", "receiving-table", "giving-table", "category-table",
                  "ranking-table"):
        for name, href in links_in(page, table):
            args = {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}
            listed = client.get(href)
            assert listed.status_code == 200, href
            ids = record_ids(listed)
            records = db.session.scalars(select(ReuseRecord).where(
                ReuseRecord.id.in_(ids))).all()
            expected = totals(Scope(
                make_period(date.fromisoformat(args["from"]), date.fromisoformat(args["to"])),
                unit_id=int(args["unit"]) if "unit" in args else None,
                giver_id=int(args["giver"]) if "giver" in args else None,
                category_id=int(args["category"]) if "category" in args else None))
            assert sum(r.avoided_cost_nok for r in records) == expected.avoided_cost_nok
            assert sum(r.quantity for r in records) == expected.items_reused
            assert len(ids) == expected.records, (table, name)
            checked += 1
    assert checked >= 12

    school_rows = dict(links_in(page, "receiving-table"))
    listed = client.get(school_rows["Møhlenpris skole"])
    assert sorted(record_ids(listed)) == sorted(
        ledger_2025[k].id for k in ("odd", "dime", "not_replaced"))


def test_the_records_page_shows_the_factor_values_each_record_used(client, log_in, lead,
                                                                   people, ledger_2025):
    log_in(lead)
    response = client.get(f"/reports/records?{Y2025}&unit={people.school.id}")
    text = page_text(response)
    assert "Føringene bak tallene" in text
    assert "Møhlenpris skole, 01.01.2025–31.12.2025" in text
    odd = ledger_2025["odd"]
    row = re.search(rf'<tr id="record-{odd.id}".*?</tr>', response.get_data(as_text=True),
                    re.S).group(0)
    cells = page_text_of(row)
    assert "14.03.2025 kl. 11.00" in cells  # 10:00 UTC is 11:00 in Oslo in winter
    assert "Byrådsleders avdeling Møhlenpris skole Kontorstol 3 Ja 1 234,56 kr 17,5 72 " \
        "0,01 kr 3 703,67 kr 216 52,5" in cells  # factors used, then the figures
    assert "Sum for alle 3 føringer" in text


def page_text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_checks_behind_the_counts(client, log_in, lead, people, db):
    def check(outcome, when, unit=people.school, user=people.member):
        found = ReuseCheck(user_id=user.id, unit_id=unit.id, need="Stoler", outcome=outcome,
                           reason_code="nothing_suitable" if outcome == "bought_new" else None,
                           created_at=when)
        db.session.add(found)
        return found

    reused = check("reused", utc(2025, 2, 1))
    bought = check("bought_new", utc(2025, 3, 1))
    still_open = check(None, utc(2025, 12, 31, 22, 59))
    check("reused", utc(2025, 12, 31, 23, 0))  # 2026 in Oslo
    check("reused", utc(2025, 4, 1), unit=people.kindergarten, user=people.outsider)
    db.session.commit()
    scope = Scope(year_period(2025), unit_id=people.school.id)
    counts = check_counts(scope)
    assert (counts.total, counts.reused, counts.bought_new, counts.open) == (3, 1, 1, 1)
    assert counts.reuse_share_percent == Decimal("50.00")
    log_in(lead)
    for outcome, expected in (("reused", reused), ("bought_new", bought),
                              ("open", still_open)):
        response = client.get(f"/reports/checks?{Y2025}&unit={people.school.id}"
                              f"&outcome={outcome}")
        assert response.status_code == 200
        assert re.findall(r'href="/checks/(\d+)"', response.get_data(as_text=True)) == \
            [str(expected.id)]


def test_the_checks_page_and_the_report_show_the_same_reuse_share(client, log_in, lead, people,
                                                                   db):
    """One definition: of the decided checks, the share that ended in reuse, counted over
    every check, not only the newest the checks page lists."""
    def check(outcome, when):
        db.session.add(ReuseCheck(
            user_id=people.member.id, unit_id=people.school.id, need="Stoler", outcome=outcome,
            reason_code="nothing_suitable" if outcome == "bought_new" else None,
            created_at=when))

    for outcome, day in (("reused", 1), ("reused", 2), ("bought_new", 3)):
        check(outcome, utc(2025, 2, day))
    for number in range(LIST_LIMIT):  # newer than the decided ones: they fill the list
        check(None, utc(2025, 6, 1, 8, number % 60))
    db.session.commit()
    log_in(lead)
    listed = page_text(client.get("/checks"))
    reported = page_text(client.get(f"/reports/checks?{Y2025}"))
    assert ("503 sjekker: 2 dekket med gjenbruk, 1 kjøpt nytt, 500 ikke avgjort ennå (av dem "
            "0 med en forespørsel som venter), og for 0 falt behovet bort.") in listed
    assert "Av de avgjorte endte 66,7 % i gjenbruk." in listed
    assert ("503 sjekker i alt: 2 endte i gjenbruk, 1 i kjøp av nytt, 500 er ikke avgjort "
            "ennå, og for 0 falt behovet bort.") in reported
    assert "Andelen som endte i gjenbruk, regnes av de avgjorte: 66,7 %." in reported


def test_the_reuse_share_is_written_alike_on_the_checks_page_and_the_report(
        client, log_in, lead, people, db):
    """"40.0 %" on one page and "42%" on another was two formats: one per language now."""
    for outcome in ("reused", "bought_new"):
        db.session.add(ReuseCheck(
            user_id=people.member.id, unit_id=people.school.id, need="Stoler", outcome=outcome,
            reason_code="nothing_suitable" if outcome == "bought_new" else None,
            created_at=utc(2025, 2, 1)))
    db.session.commit()
    log_in(lead)
    assert "Av de avgjorte endte 50 % i gjenbruk." in page_text(client.get("/checks"))
    assert "av de avgjorte: 50 %." in page_text(client.get(f"/reports/checks?{Y2025}"))
    lead.locale = "en"
    db.session.commit()
    assert "Of the decided ones, 50% ended in reuse." in page_text(client.get("/checks"))
    assert "out of the decided checks: 50%." in page_text(
        client.get(f"/reports/checks?{Y2025}"))


def test_times_are_written_as_each_language_writes_them(client, log_in, lead, people, db,
                                                        ledger_2025):
    """Bokmål writes «kl. 11.00» (Språkrådet), English «at 11:00», on every page alike."""
    receipt = ReuseCheck(user_id=lead.id, unit_id=lead.unit_id, need="Stoler",
                         created_at=utc(2025, 3, 14, 10))
    db.session.add(receipt)
    db.session.commit()
    log_in(lead)
    pages = (f"/reports/records?{Y2025}&unit={people.school.id}", f"/checks/{receipt.id}")
    for url in pages:
        assert "14.03.2025 kl. 11.00" in page_text(client.get(url)), url
    client.submit("/language", {"locale": "en"})
    for url in pages:
        assert "14 Mar 2025 at 11:00" in page_text(client.get(url)), url


def test_a_long_checks_list_comes_in_pages_and_keeps_its_filter(client, log_in, lead, people,
                                                                db):
    open_checks = [ReuseCheck(user_id=people.member.id, unit_id=people.school.id,
                              need=f"Stoler {number}", created_at=utc(2025, 3, 1, 8, number % 60))
                   for number in range(PER_PAGE + 1)]
    db.session.add_all(open_checks)
    db.session.add(ReuseCheck(user_id=people.member.id, unit_id=people.school.id, need="Pult",
                              outcome="reused", created_at=utc(2025, 3, 2)))
    db.session.commit()
    log_in(lead)
    listing = f"/reports/checks?{Y2025}&unit={people.school.id}&outcome=open"
    first = client.get(listing).get_data(as_text=True)
    second = client.get(listing + "&page=2").get_data(as_text=True)
    shown = [re.findall(r'href="/checks/(\d+)"', html) for html in (first, second)]
    assert (len(shown[0]), len(shown[1])) == (PER_PAGE, 1)
    oldest_first = sorted(open_checks, key=lambda check: (check.created_at, check.id))
    assert [int(found) for found in shown[0] + shown[1]] == [check.id for check in oldest_first]
    next_link = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "outcome=open" in next_link and "page=2" in next_link
    assert "Side 2 av 2." in second


# -- downloads ---------------------------------------------------------------------------------

def test_records_csv_has_norwegian_headings_and_decimal_commas(client, log_in, lead, people,
                                                               ledger_2025):
    log_in(lead)
    response = client.get(f"/reports/records.csv?{Y2025}&unit={people.school.id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data().decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    heading, *records = rows
    assert heading[:3] == ["Føring", "Tidspunkt", "Dato"]
    assert "Unngått kostnad (kr)" in heading and "Nypris brukt (kr per stk.)" in heading
    assert len(records) == 3
    by_id = {int(row[0]): dict(zip(heading, row)) for row in records}
    odd = by_id[ledger_2025["odd"].id]
    assert odd["Unngått kostnad (kr)"] == "3703,67"
    assert odd["Nypris brukt (kr per stk.)"] == "1234,56"
    assert odd["Dato"] == "2025-03-14" and odd["Mottakende enhet"] == "Møhlenpris skole"
    assert odd["Erstattet innkjøp"] == "Ja"


def test_records_xlsx_has_numbers_as_numbers(client, log_in, lead, people, ledger_2025):
    log_in(lead)
    response = client.get(f"/reports/records.xlsx?{Y2025}")
    assert response.status_code == 200
    assert response.mimetype == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.get_data()))["Føringer"]
    heading = [cell.value for cell in sheet[1]]
    assert heading[0] == "Føring" and "Unngått CO2e (kg)" in heading
    rows = [dict(zip(heading, row)) for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == 4
    cost = [row["Unngått kostnad (kr)"] for row in rows]
    assert all(cell.data_type == "n" for cell in cost)
    assert sum(Decimal(str(cell.value)) for cell in cost) == Decimal("3703.97")
    odd = next(row for row in rows if row["Føring"].value == ledger_2025["odd"].id)
    assert odd["Dato"].is_date and odd["Dato"].value.date() == date(2025, 3, 14)
    assert odd["Antall"].value == 3 and odd["Antall"].data_type == "n"


def test_summary_downloads_carry_the_figures_on_screen(client, log_in, lead, people,
                                                        ledger_2025):
    log_in(lead)
    workbook = load_workbook(io.BytesIO(client.get(f"/reports/summary.xlsx?{Y2025}")
                                        .get_data()))
    assert workbook.sheetnames == ["Sammendrag", "Mål", "Per måned", "Mottakende enhet",
                                   "Givende enhet", "Kategori", "Rangering",
                                   "Avfallshierarkiet", "Utenfor kommunen"]
    facts = {row[0].value: row[1] for row in workbook["Sammendrag"].iter_rows(min_row=2)}
    assert facts["Unngått kostnad (kr)"].value == pytest.approx(3703.97)
    assert facts["Unngått kostnad (kr)"].data_type == "n"
    assert facts["Ting gjenbrukt"].value == 6
    assert facts["Fra og med"].is_date
    months = list(workbook["Per måned"].iter_rows(min_row=2, values_only=True))
    assert len(months) == 12 and months[2][0] == "2025-03" and months[2][3] == 4

    body = client.get(f"/reports/summary.csv?{Y2025}").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[0] == ["Del", "Navn", "Nøkkeltall", "Verdi"]
    assert ["Totalt", "Hele kommunen", "Unngått kostnad (kr)", "3703,97"] in rows
    assert ["Mottakende enhet", "Møhlenpris skole", "Ting gjenbrukt", "5"] in rows


# -- the page is readable by everyone, and on paper -------------------------------------------

def test_the_chart_has_a_text_alternative_and_a_table(client, log_in, lead, ledger_2025):
    log_in(lead)
    html = client.get(f"/reports?{Y2025}").get_data(as_text=True)
    svg = re.search(r"<svg class=\"month-chart\"[^>]*>", html).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    assert re.search(r'<desc id="chart-desc">[^<]*Høyest i mar 2025 med 3\u00a0703,77', html)
    assert '<caption id="months-caption">Tall per måned</caption>' in html
    assert html.count("<caption id=") >= 5
    assert 'style="' not in html  # the Content-Security-Policy allows no inline styles
    assert "cdn" not in html.lower()


def test_the_report_links_its_print_stylesheet(client, log_in, lead, app):
    log_in(lead)
    html = client.get("/reports").get_data(as_text=True)
    assert "/static/css/reports.css" in html
    css = (app.static_folder + "/css/reports.css")
    with open(css, encoding="utf-8") as f:
        stylesheet = f.read()
    assert "@media print" in stylesheet and ".no-print" in stylesheet


def test_the_nav_links_to_the_reports(client, log_in, people):
    log_in(people.member)
    html = client.get("/").get_data(as_text=True)
    assert 'href="/reports"' in html and ">Rapporter<" in html


def test_the_method_page_explains_and_lists_factors_with_sources(client, log_in, people,
                                                                 catalog):
    log_in(people.member)
    response = client.get("/reports/method")
    assert response.status_code == 200
    text = page_text(response)
    assert "Slik regner vi" in text and "How we count" in text
    html = response.get_data(as_text=True)
    row = re.search(r'<tr id="factors-besoksstol">.*?</tr>', html, re.S).group(0)
    assert "Anslag" in row and "1\u00a0500\u00a0kr" in row
    chair = re.search(r'<tr id="factors-kontorstol">.*?</tr>', html, re.S).group(0)
    assert "HÅG Credo EPD" in chair and "72" in chair


def test_long_trees_show_whole_top_levels_and_link_to_the_rest():
    from reuse.services.reports.breakdowns import fold_tree

    def row(node_id: int, depth: int, has_children: bool = False) -> TreeRow:
        return TreeRow(node_id, f"Enhet {node_id}", depth, Figures.zero(), has_children)

    # Two sectors with three etater each, and ten schools under each etat.
    rows, next_id = [], 1
    for _sector in range(2):
        rows.append(row(next_id, 0, True))
        next_id += 1
        for _etat in range(3):
            rows.append(row(next_id, 1, True))
            next_id += 1
            for _school in range(10):
                rows.append(row(next_id, 2))
                next_id += 1
    everything = fold_tree(rows, limit=100)
    assert (len(everything.rows), everything.folded) == (68, set())
    two_levels = fold_tree(rows, limit=20)
    assert [r.depth for r in two_levels.rows] == [0, 1, 1, 1] * 2
    assert two_levels.folded == {r.id for r in rows if r.depth == 1}
    top_only = fold_tree(rows, limit=1)  # the top level is always shown
    assert [r.depth for r in top_only.rows] == [0, 0]
    assert top_only.folded == {r.id for r in rows if r.depth == 0}


def test_record_rows_link_to_the_item_and_claim_the_viewer_may_open(client, log_in, people,
                                                                    make_user, hand_over, db):
    from reuse.models import utcnow

    # A lead in a unit that neither gave nor received: the claims are not hers to read.
    lead = make_user(people.outsider.unit, Role.SUSTAINABILITY, name="Sofie Lie")

    shown = hand_over(people.admin, people.member, title="Kontorstol med nakkestøtte")
    gone = hand_over(people.admin, people.member, title="Trukket reol")
    gone.claim.item.withdrawn_at = utcnow()
    db.session.commit()
    item_link = f'href="/items/{shown.claim.item_id}"'
    claim_link = f'href="/claims/{shown.claim_id}"'

    log_in(people.admin)  # may open both, the withdrawn item too
    html = client.get("/reports/records").get_data(as_text=True)
    assert item_link in html and claim_link in html
    assert f'href="/items/{gone.claim.item_id}"' in html

    # The lead sees the figures, not people's claims nor withdrawn items.
    client.submit("/logout")
    log_in(lead)
    html = client.get("/reports/records").get_data(as_text=True)
    assert item_link in html
    assert claim_link not in html and f"forespørsel nr. {shown.claim_id}" in html
    assert f'href="/items/{gone.claim.item_id}"' not in html and "Trukket reol" in html


def test_the_exports_count_dropped_checks_as_the_report_does(client, log_in, lead, people, db):
    """total = reused + bought new + not decided + dropped, in the page and in both files."""
    from reuse.services import checks

    dropped = checks.create_check(people.outsider, "hyller")
    checks.drop_check(people.outsider, dropped, "Innkjøpet ble avlyst")
    checks.create_check(people.outsider, "stoler")
    db.session.commit()
    log_in(lead)
    body = client.get("/reports/summary.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert ["Gjenbrukssjekker", "Hele kommunen", "Gjenbrukssjekker", "2"] in rows
    assert ["Gjenbrukssjekker", "Hele kommunen", "Ikke avgjort", "1"] in rows
    assert ["Gjenbrukssjekker", "Hele kommunen", "Behovet falt bort", "1"] in rows
    workbook = load_workbook(io.BytesIO(client.get("/reports/summary.xlsx").get_data()))
    facts = {row[0].value: row[1].value for row in workbook["Sammendrag"].iter_rows(min_row=2)}
    assert (facts["Gjenbrukssjekker"], facts["Behovet falt bort"]) == (2, 1)
