"""The sustainability lead uploads a file of purchase lines on a phone, in both languages:
sees what will be created and refused before anything is written, confirms, and maps a line
no rule reaches — every page axe-clean and without sideways scrolling at 375 px."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from reuse.models import PurchaseLine, Role
from reuse.services import notifications, purchase_rules
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import AXE_OPTIONS, BLOCKING
from tests.browser.test_journeys import has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.browser

CSV = ("line_id;order_number;ordered_on;unit_code;supplier;description;unspsc;category;"
       "quantity;amount_nok\n"
       "L1;PO-1;03.03.2026;SKOLE;Kinnarps;Kontorstol med armlener;56112102;;6;26 940,00\n"
       "L2;PO-1;03.03.2026;NOSUCH;Kinnarps;Kontorstol;;;2;9000\n"
       "L3;PO-2;04.03.2026;SKOLE;Rema;Gardiner til klasserom;;;4;1200\n")
TEXT = {
    "nb": {"locale": "nb-NO", "heading": None, "file": "Fil med innkjøpslinjer (CSV eller XLSX)",
           "source": "Kilde", "preview": "Vis hva som vil skje", "will": "Dette vil skje",
           "import": "Importer linjene", "done": "Innkjøpslinjene er importert",
           "unmapped": "Linjer uten kategori", "rules": "Regler som gir innkjøpslinjer en "
           "kategori", "new": "Nye linjer", "refused": "Avvist",
           "quantity": "antall 6 → 8"},
    "en": {"locale": "en-GB", "heading": "You are signed in as",
           "file": "File of purchase lines (CSV or XLSX)", "source": "Source",
           "preview": "Show what will happen", "will": "This will happen",
           "import": "Import the lines", "done": "The purchase lines are imported",
           "unmapped": "Lines without a category",
           "rules": "Rules that give purchase lines a category", "new": "New lines",
           "refused": "Refused", "quantity": "quantity 6 → 8"},
}


@pytest.fixture
def lead(db, catalog, people, make_user):
    people.school.code = "SKOLE"
    purchase_rules.load_defaults()
    db.session.commit()
    return make_user(people.admin.unit, Role.SUSTAINABILITY, name="Sofie Lie")


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_lead_uploads_sees_the_preview_confirms_and_maps_a_line(
        new_page, lead, db, tmp_path, language):
    from axe_playwright_python.sync_playwright import Axe

    text = TEXT[language]
    lead.locale = language
    # The header must pass with the unread badge showing.
    notifications.notify(lead, "test", "Ny forespørsel", "Noen vil ha tingen.")
    db.session.commit()
    axe = Axe()
    found, too_wide = {}, []

    def check(page, name):
        page.locator("h1").wait_for()
        if not has_no_horizontal_scroll(page):
            too_wide.append(name)
        found[name] = [(v["id"], v["impact"], v["nodes"][0]["target"], v["help"])
                       for v in axe.run(page, options=AXE_OPTIONS).response["violations"]
                       if v["impact"] in BLOCKING]

    path = tmp_path / "visma-mars.csv"
    path.write_text(CSV, encoding="utf-8")
    page = new_page(phone=True, locale=text["locale"])
    log_in(page, lead, heading=text["heading"])
    page.goto("/reports/purchases/import")
    check(page, "import")
    page.get_by_label(text["file"]).set_input_files(str(path))
    page.get_by_label(text["source"], exact=True).fill("Visma")
    page.get_by_role("button", name=text["preview"]).click()
    page.get_by_role("heading", name=text["will"], level=1).wait_for()
    counts = page.locator("#import-counts").inner_text()
    assert f"{text['new']}\n2" in counts and f"{text['refused']}\n1" in counts
    assert "NOSUCH" in page.locator("#import-refused").inner_text()
    assert db.session.scalar(select(func.count()).select_from(PurchaseLine)) == 0
    check(page, "preview")
    screenshot(page, f"purchase-preview-{language}")

    page.get_by_role("button", name=text["import"]).click()
    page.get_by_role("heading", name=text["done"], level=1).wait_for()
    assert "created 2, updated 0, unchanged 0, refused 1" in page.locator("main").inner_text()
    check(page, "done")

    # The same file again with one line changed: the preview names what changes, in words.
    path.write_text(CSV.replace("Kontorstol med armlener;56112102;;6;26 940,00",
                                "Kontorstol med armlener;56112102;;8;35 920,00"),
                    encoding="utf-8")
    page.goto("/reports/purchases/import")
    page.get_by_label(text["file"]).set_input_files(str(path))
    page.get_by_label(text["source"], exact=True).fill("Visma")
    page.get_by_role("button", name=text["preview"]).click()
    page.locator("#import-updated").wait_for()
    assert text["quantity"] in page.locator("#import-updated").inner_text()
    check(page, "preview with changes")
    page.locator("form[action$='/import/cancel'] button").click()
    page.wait_for_url("**/reports/purchases/import")

    page.get_by_role("link", name=text["unmapped"]).first.click()
    page.wait_for_url("**/reports/purchases/unmapped")
    assert "Gardiner til klasserom" in page.locator("#unmapped").inner_text()
    check(page, "unmapped")
    page.locator("#unmapped").get_by_role("link").first.click()
    page.get_by_role("heading", name=text["rules"], level=1).wait_for()
    assert page.locator("#pattern").input_value() == "gardiner"
    check(page, "rules")
    screenshot(page, f"purchase-rules-{language}")

    assert too_wide == []
    assert {name: violations for name, violations in found.items() if violations} == {}
