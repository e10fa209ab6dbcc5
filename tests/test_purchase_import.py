"""Purchase lines in: the file format, idempotency, refusals with their line numbers, all or
nothing, and the category each line gets (its file's, a UNSPSC rule's, a keyword rule's)."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from reuse.models import AuditEvent, Classification, PurchaseLine, Role
from reuse.services import categories, purchase_rules, purchases
from reuse.services.errors import PermissionDenied

HEADER = ("line_id,order_number,ordered_on,unit_code,supplier,description,unspsc,category,"
          "quantity,amount_nok")


@pytest.fixture
def buyer_units(db, catalog, people):
    people.school.code = "SKOLE"
    people.kindergarten.code = "BHG"
    purchase_rules.load_defaults()
    db.session.commit()
    return people


@pytest.fixture
def lead(make_user, people):
    return make_user(people.school, Role.SUSTAINABILITY, name="Siri Berekraft")


def import_text(lead, text: str, *, source="Visma", **kwargs):
    result = purchases.import_file(lead, source, text.encode("utf-8"), "innkjop.csv",
                                   via="test", **kwargs)
    purchases.db.session.commit()
    return result


def line(source: str, line_id: str) -> PurchaseLine:
    return purchases.db.session.scalar(select(PurchaseLine).where(
        PurchaseLine.source == source, PurchaseLine.line_id == line_id))


def test_a_file_in_either_dialect_gives_the_same_lines(buyer_units, lead):
    comma = (f"{HEADER}\n"
             "L1,PO-100,2026-03-01,SKOLE,Kinnarps,Kontorstol svart,,,4,\"12 000,50\"\n")
    semicolon = ("\ufeff" + HEADER.replace(",", ";") + "\n"
                 "L1;PO-100;01.03.2026;SKOLE;Kinnarps;Kontorstol svart;;;4;12000.50\n")
    assert import_text(lead, comma).summary() == "created 1, updated 0, unchanged 0, refused 0"
    assert import_text(lead, semicolon).summary() == \
        "created 0, updated 0, unchanged 1, refused 0"
    stored = line("Visma", "L1")
    assert (stored.ordered_on, stored.quantity, stored.amount_nok) == (
        date(2026, 3, 1), Decimal("4"), Decimal("12000.50"))
    assert stored.unit_id == buyer_units.school.id


def test_importing_the_same_file_twice_changes_nothing_and_a_changed_line_is_audited(
        buyer_units, lead, db):
    text = (f"{HEADER}\n"
            "L1,PO-1,2026-03-01,SKOLE,Kinnarps,Kontorstol,,,2,9000\n"
            "L2,PO-1,2026-03-01,SKOLE,Kinnarps,Møtebord,,,1,7000\n")
    assert import_text(lead, text).counts() == {"created": 2, "updated": 0, "unchanged": 0,
                                                "refused": 0}
    assert import_text(lead, text).counts() == {"created": 0, "updated": 0, "unchanged": 2,
                                                "refused": 0}
    changed = text.replace("Møtebord,,,1,7000", "Møtebord,,,1,7500")
    assert import_text(lead, changed).counts() == {"created": 0, "updated": 1, "unchanged": 1,
                                                   "refused": 0}
    assert line("Visma", "L2").amount_nok == Decimal("7500.00")
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "purchase_line.updated"))
    assert event.actor_id == lead.id and '"old": "7000.00"' in event.details
    # Another system's line with the same id is another line.
    assert import_text(lead, text, source="Agresso").counts()["created"] == 2
    assert db.session.scalar(select(func.count()).select_from(PurchaseLine)) == 4


def test_bad_lines_are_refused_with_their_line_number_and_the_good_ones_go_in(
        buyer_units, lead, db):
    text = (f"{HEADER}\n"
            "L1,PO-1,2026-03-01,SKOLE,Kinnarps,Kontorstol,,,2,9000\n"
            "L2,PO-1,31.02.2026,SKOLE,Kinnarps,Stol,,,2,9000\n"
            "L3,PO-1,2026-03-01,NOSUCH,Kinnarps,Stol,,,2,9000\n"
            "L4,PO-1,2026-03-01,SKOLE,Kinnarps,Stol,,,0,9000\n"
            "L5,PO-1,2026-03-01,SKOLE,Kinnarps,Stol,,sofa-x,2,ni tusen\n"
            "L1,PO-1,2026-03-01,SKOLE,Kinnarps,Kontorstol,,,2,9000\n"
            "L7,PO-1,2026-03-01,SKOLE\n")
    result = import_text(lead, text)
    assert result.counts() == {"created": 1, "updated": 0, "unchanged": 0, "refused": 6}
    by_line = {refusal.line: refusal.message for refusal in result.refused}
    assert set(by_line) == {3, 4, 5, 6, 7, 8}
    assert "ordered_on" in by_line[3]
    assert "ukjent enhet NOSUCH" in by_line[4]
    assert "quantity" in by_line[5]
    assert "ukjent kategori sofa-x" in by_line[6] and "amount_nok" in by_line[6]
    assert "linje 2" in by_line[7]
    assert "4 felt" in by_line[8]
    assert result.refused[0].text().startswith("linje 3 (L2): ")


def test_numbers_that_cannot_be_read_one_way_only_are_refused(buyer_units, lead):
    text = (f"{HEADER}\n"
            "L1,PO-1,2026-03-01,SKOLE,Kinnarps,Stol,,,2,12.000\n"  # 12 or 12 000?
            "L2,PO-1,2026-03-01,SKOLE,Kinnarps,Stol,,,2,\"12,000\"\n"
            "L3,PO-1,2026-03-01,SKOLE,Kinnarps,Stol,,,2,1e1000000\n"
            "L4,PO-1,2026-03-01,SKOLE,Kinnarps,Stol,,,1e-1000000,100\n"
            "L5,PO-1,2026-03-01,SKOLE,Kinnarps,Stol,,,2,\"12.000,50\"\n"
            "L6,PO-1,2026-03-01,SKOLE,Kinnarps,Stol,,,2,12.5000\n")
    result = import_text(lead, text)
    by_id = {refusal.line_id: refusal.message for refusal in result.refused}
    assert set(by_id) == {"L1", "L2", "L3", "L4", "L6"}
    assert "tusenskille" in by_id["L1"] and "tusenskille" in by_id["L2"]
    assert "amount_nok «1e1000000» er ikke et tall" in by_id["L3"]
    assert "quantity «1e-1000000» er ikke et tall" in by_id["L4"]
    assert "høyst to desimaler" in by_id["L6"]
    assert line("Visma", "L5").amount_nok == Decimal("12000.50")


def test_all_or_nothing_writes_nothing_when_a_line_is_refused(buyer_units, lead, db):
    text = (f"{HEADER}\n"
            "L1,PO-1,2026-03-01,SKOLE,Kinnarps,Kontorstol,,,2,9000\n"
            "L2,PO-1,2026-03-01,NOSUCH,Kinnarps,Stol,,,2,9000\n")
    result = import_text(lead, text, all_or_nothing=True)
    assert result.summary() == "created 0, updated 0, unchanged 0, refused 1"
    assert db.session.scalar(select(func.count()).select_from(PurchaseLine)) == 0


def test_a_file_without_the_header_is_refused_as_a_whole(buyer_units, lead):
    with pytest.raises(purchases.FileRefused, match="mangler ordered_on, unit_code"):
        import_text(lead, "line_id,order_number\nL1,PO-1\n")
    with pytest.raises(purchases.FileRefused, match="UTF-8"):
        purchases.import_file(lead, "Visma", HEADER.encode() + "\nø".encode("latin-1"),
                              via="test")


def test_a_spreadsheet_reads_as_the_csv_does(buyer_units, lead, db):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append([4711, "PO-9", date(2026, 3, 2), "BHG", "Elkjøp", "Kjøleskap 60 cm",
                  52141501, None, 1, 8990.5])
    data = io.BytesIO()
    book.save(data)
    result = purchases.import_file(lead, "Visma", data.getvalue(), "innkjop.xlsx", via="test")
    db.session.commit()
    assert result.summary() == "created 1, updated 0, unchanged 0, refused 0"
    stored = line("Visma", "4711")
    assert (stored.ordered_on, stored.unspsc, stored.amount_nok) == (
        date(2026, 3, 2), "52141501", Decimal("8990.50"))
    assert stored.category.slug == "kjoleskap" and stored.classification == "unspsc"


def test_a_spreadsheet_number_is_read_as_the_cell_shows_it(buyer_units, lead, db):
    book = Workbook()
    book.active.append(HEADER.split(","))
    # Excel keeps 89.85 as the nearest binary number, 89.850000000000009.
    book.active.append(["L1", "PO-1", date(2026, 3, 2), "BHG", "Lev", "Stol", None, None,
                        1, 89.850000000000009])
    data = io.BytesIO()
    book.save(data)
    result = purchases.import_file(lead, "Visma", data.getvalue(), "innkjop.xlsx", via="test")
    db.session.commit()
    assert result.refused == [] and line("Visma", "L1").amount_nok == Decimal("89.85")


def spreadsheet_with_sheet_edited(row: list, edit) -> bytes:
    """One line of purchases as an XLSX file, its sheet's XML passed through edit()."""
    book = Workbook()
    book.active.append(HEADER.split(","))
    book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    edited = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data.getvalue())) as source, \
            zipfile.ZipFile(edited, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            target.writestr(name, edit(content) if name.endswith("sheet1.xml") else content)
    return edited.getvalue()


def test_a_spreadsheet_that_declares_its_size_wrong_is_read_whole(buyer_units, lead, db):
    def narrower(content: bytes) -> bytes:
        # Some programs write a <dimension> smaller than the sheet (here two columns of ten).
        content = content.replace(b'<dimension ref="A1:J2"', b'<dimension ref="A1:B2"')
        assert b'ref="A1:B2"' in content
        return content

    wrong = spreadsheet_with_sheet_edited(
        ["L1", "PO-1", "2026-03-02", "BHG", "Lev", "Stol", "", "", 3, 450], narrower)
    result = purchases.import_file(lead, "Visma", wrong, "innkjop.xlsx", via="test")
    db.session.commit()
    assert result.summary() == "created 1, updated 0, unchanged 0, refused 0"
    assert line("Visma", "L1").amount_nok == Decimal("450")


@pytest.mark.parametrize(("unspsc", "category", "description", "slug", "how"), [
    ("", "sofa", "Noe helt annet", "sofa", "file"),  # the file's own category first
    ("43211503", "", "Lenovo ThinkPad", "barbar-pc", "unspsc"),  # the longest prefix
    ("43219999", "", "Dokkingstasjon", "it-utstyr", "unspsc"),
    ("56101500", "", "Kontorstoler, svart", "kontorstol", "keyword"),  # narrows "Møbler"
    ("56101500", "", "Kjøleskap", "mobler", "unspsc"),  # a keyword outside does not
    ("", "", "Hev-senk skrivebord 160x80", "hev-senk-skrivebord", "keyword"),
    ("", "", "Arbeidsstoler til lærerværelset", "kontorstol", "keyword"),
    ("", "", "Bokhyller og reoler", "bokhylle", "keyword"),
    # Inflected words match their base-form keyword; the longer keyword wins.
    ("", "", "Bærbare PC-er", "barbar-pc", "keyword"),
    ("", "", "Skrivere til kontoret", "skriver", "keyword"),
    ("", "", "Tavlene i møterommet", "tavle", "keyword"),
    # Under a code, the most specific keyword *under its category* narrows it.
    ("56101500", "", "Bord for projektor", "bord", "keyword"),
])
def test_each_line_gets_its_category_by_the_first_rule_that_applies(
        buyer_units, lead, unspsc, category, description, slug, how):
    import_text(lead, f"{HEADER}\nL1,PO-1,2026-03-01,SKOLE,Lev,\"{description}\",{unspsc},"
                      f"{category},1,100\n")
    stored = line("Visma", "L1")
    assert (stored.category.slug, stored.classification) == (slug, how)


@pytest.mark.parametrize(("unspsc", "description", "classification"), [
    ("80101500", "Konsulenttimer", Classification.NOT_REUSABLE),
    ("", "Forsikringsselskap, premie", Classification.NOT_REUSABLE),  # not "skap"
    ("", "Kaffebønner", Classification.UNMAPPED),
    ("", "Beskrivelse av oppdraget", Classification.UNMAPPED),  # not a "skriver"
])
def test_lines_nothing_maps_or_a_rule_excludes_have_no_category(
        buyer_units, lead, unspsc, description, classification):
    import_text(lead, f"{HEADER}\nL1,,2026-03-01,SKOLE,Lev,\"{description}\",{unspsc},,1,100\n")
    stored = line("Visma", "L1")
    assert (stored.category_id, stored.classification) == (None, classification.value)


def test_a_new_rule_reclassifies_past_lines_and_removing_it_puts_them_back(
        buyer_units, lead, db):
    import_text(lead, f"{HEADER}\nL1,,2026-03-01,SKOLE,Lev,Garderobebenk i eik,,,2,100\n"
                      f"L2,,2026-03-01,SKOLE,Lev,Sofa,,sofa,1,100\n")
    assert line("Visma", "L1").classification == "unmapped"
    rule, changed = purchase_rules.add(lead, "keyword", "Garderobebenk",
                                       categories.get_by_slug("oppbevaring"))
    db.session.commit()
    assert changed == 1
    assert line("Visma", "L1").category.slug == "oppbevaring"
    assert line("Visma", "L2").classification == "file"  # the file's own is never overridden
    assert purchase_rules.remove(lead, rule) == 1
    db.session.commit()
    assert line("Visma", "L1").classification == "unmapped"


def test_only_the_lead_and_admins_import_or_change_rules(buyer_units, db):
    with pytest.raises(PermissionDenied):
        purchases.import_file(buyer_units.member, "Visma", HEADER.encode(), via="test")
    with pytest.raises(PermissionDenied):
        purchase_rules.add(buyer_units.unit_admin, "keyword", "benk", None)


def test_a_generated_year_of_ten_thousand_lines_imports_twice_and_the_second_changes_nothing(
        buyer_units, lead, db):
    from reuse import purchase_year

    data = purchase_year.csv_bytes(2026, ["SKOLE", "BHG"], 10_000)
    first = purchases.import_file(lead, "Visma", data, "visma-2026.csv", via="test")
    db.session.commit()
    assert first.summary() == "created 10000, updated 0, unchanged 0, refused 0"
    second = purchases.import_file(lead, "Visma", data, "visma-2026.csv", via="test")
    db.session.commit()
    assert second.summary() == "created 0, updated 0, unchanged 10000, refused 0"
    by_kind = dict(db.session.execute(
        select(PurchaseLine.classification, func.count()).group_by(
            PurchaseLine.classification)).all())
    # Every kind of line the generator makes is classified as the rules say: reusable ones
    # by the file, a code or a word; consumables and services as not reusable.
    assert set(by_kind) == {"file", "unspsc", "keyword", "not_reusable", "unmapped"}
    assert by_kind["unmapped"] < 500


def test_two_imports_of_the_same_lines_at_once_write_them_once(buyer_units, lead, db):
    from reuse.services.errors import Conflict

    text = f"{HEADER}\nL1,PO-1,2026-03-01,SKOLE,Kinnarps,Kontorstol,,,2,9000\n".encode()
    first = purchases.plan("Visma", purchases.read(text))
    second = purchases.plan("Visma", purchases.read(text))  # planned before the first wrote
    purchases.apply(lead, first, via="test")
    db.session.commit()
    with pytest.raises(Conflict, match="samtidig"):
        purchases.apply(lead, second, via="test")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PurchaseLine)) == 1


def test_a_damaged_spreadsheet_is_refused_as_a_whole(buyer_units, lead):
    damaged = spreadsheet_with_sheet_edited(
        ["L1", "PO-1", "2026-03-01", "SKOLE", "Lev", "Stol", "", "", 1, 100],
        lambda content: content[:len(content) // 2])
    chart_first = Workbook()
    chart_first.create_chartsheet(title="Diagram", index=0)
    chart_first.remove(chart_first.worksheets[0])
    only_chart = io.BytesIO()
    chart_first.save(only_chart)
    for broken in (damaged, b"PK\x03\x04 not a zip", only_chart.getvalue()):
        with pytest.raises(purchases.FileRefused, match="Regnearket kan ikke leses"):
            purchases.import_file(lead, "Visma", broken, "innkjop.xlsx", via="test")
