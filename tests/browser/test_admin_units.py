"""Unit administration in a browser, in both languages: axe finds nothing serious, the pages
fit a 320 px screen, and an admin renames, closes and imports units through the forms."""

from __future__ import annotations

import pytest

from reuse.services import notifications
from tests.browser.test_accessibility import AXE_OPTIONS, BLOCKING
from tests.browser.test_journeys import has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.browser

CSV = "code,name,parent_code\nK1,Kommunen,\nK2,Etat for gjenbruk,K1\n"


@pytest.mark.parametrize("language", ["nb", "en"])
def test_an_admin_administers_units_in_the_browser(new_page, people, make_item, db, language,
                                                   tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    make_item(people.outsider, title="Barnehagestoler")
    people.admin.locale = language
    # Every page must pass with the header's unread badge showing.
    notifications.notify(people.admin, "test", "Ny forespørsel", "Noen vil ha tingen.")
    db.session.commit()
    axe = Axe()
    page = new_page(locale={"nb": "nb-NO", "en": "en-GB"}[language])
    page.set_viewport_size({"width": 320, "height": 800})
    log_in(page, people.admin, heading=None if language == "nb" else "You are signed in as")

    found = {}
    kindergarten = people.kindergarten.id
    for path in ("/admin/", "/admin/units", "/admin/units?q=skole", "/admin/units/new",
                 f"/admin/units/{kindergarten}", f"/admin/units/{kindergarten}/close",
                 "/admin/units/import"):
        page.goto(path)
        assert has_no_horizontal_scroll(page), path
        found[path] = axe.run(page, options=AXE_OPTIONS).response["violations"]

    page.goto(f"/admin/units/{people.school.id}")
    page.locator("#name").fill("Møhlenpris skole og SFO")
    page.locator("form[action$='/rename'] button").click()
    page.get_by_role("heading", name="Møhlenpris skole og SFO").wait_for()

    page.goto(f"/admin/units/{kindergarten}/close")
    page.locator("form[action$='/close'] button[type=submit]").click()
    page.locator("#move-items-heading").wait_for()  # its open item waits to be moved
    found["closed unit"] = axe.run(page, options=AXE_OPTIONS).response["violations"]
    page.locator("form[action$='/move-items'] button").click()
    page.locator("#unit-open-items").wait_for(state="detached")

    upload = tmp_path / "enheter.csv"
    upload.write_text(CSV, encoding="utf-8")
    page.goto("/admin/units/import")
    page.locator("#file").set_input_files(str(upload))
    page.locator("form[enctype] button[type=submit]").click()
    page.locator("#import-plan").wait_for()
    assert has_no_horizontal_scroll(page)
    found["import preview"] = axe.run(page, options=AXE_OPTIONS).response["violations"]

    # Another file uploaded in a second tab: the first tab's button imports nothing and says so.
    other = tmp_path / "andre.csv"
    other.write_text(CSV.replace("Etat for gjenbruk", "Etat for innkjøp"), encoding="utf-8")
    second = page.context.new_page()
    second.goto("/admin/units/import")
    second.locator("#file").set_input_files(str(other))
    second.locator("form[enctype] button[type=submit]").click()
    second.locator("#import-plan").wait_for()
    second.close()
    page.locator("form input[name=confirm] ~ button").click()
    page.locator(".ds-alert[data-color=warning]").wait_for()
    assert "Etat for innkjøp" in page.locator("#import-plan").inner_text()
    assert has_no_horizontal_scroll(page)
    found["import replaced"] = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert page.locator(".count-badge").first.inner_text() == "1"

    page.locator("form input[name=confirm] ~ button").click()
    page.goto("/admin/units?q=K2")
    assert page.get_by_role("link", name="Etat for innkjøp").is_visible()

    blocking = {path: [(v["id"], v["impact"], v["nodes"][0]["target"], v["help"])
                       for v in violations if v["impact"] in BLOCKING]
                for path, violations in found.items()}
    assert {path: v for path, v in blocking.items() if v} == {}
