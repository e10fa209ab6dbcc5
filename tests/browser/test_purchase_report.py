"""The sustainability lead in a real browser, on a phone, in both languages: from the reports
overview to the purchases report, and from a figure to the lines behind it — axe-clean and
without sideways scrolling at 375 px."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from reuse.clock import OSLO, oslo_today
from reuse.models import Role
from reuse.services import categories, checks, purchase_rules, purchases
from tests.browser.test_accessibility import AXE_OPTIONS, BLOCKING
from tests.browser.test_journeys import has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.browser

HEADER = ("line_id,order_number,ordered_on,unit_code,supplier,description,unspsc,category,"
          "quantity,amount_nok")
TEXT = {
    "nb": {"locale": "nb-NO", "heading": None, "link": "Innkjøp med og uten gjenbrukssjekk",
           "title": "Innkjøp og gjenbrukssjekker",
           "figure": "uten sjekk, men noe passende var ledig",
           "drill": "Uten sjekk, men noe var ledig"},
    "en": {"locale": "en-GB", "heading": "You are signed in as",
           "link": "Purchases with and without a reuse check",
           "title": "Purchases and reuse checks",
           "figure": "without a check, while something suitable was available",
           "drill": "Without a check, and something was available"},
}


def oslo(*parts) -> datetime:
    return datetime(*parts, tzinfo=OSLO).astimezone(UTC)


@pytest.fixture
def purchased(db, catalog, people, make_user, make_item):
    """This year: a sofa bought while one was free, and office chairs after a check."""
    year = oslo_today().year
    people.school.code = "SKOLE"
    purchase_rules.load_defaults()
    db.session.commit()
    lead = make_user(people.admin.unit, Role.SUSTAINABILITY, name="Sofie Lie")
    check = checks.create_check(people.member, "kontorstoler",
                                category=categories.get_by_slug("kontorstol"))
    check.created_at = oslo(year, 1, 5, 9)
    sofa = make_item(people.outsider, title="Grå sofa", category="sofa", quantity=1)
    sofa.created_at = oslo(year, 1, 1, 9)
    db.session.commit()
    rows = [f"S1,PO-1,{date(year, 1, 10)},SKOLE,Kinnarps,Kontorstoler,,kontorstol,2,18000",
            f"S2,PO-2,{date(year, 1, 10)},SKOLE,Bohus,Sofa til personalrommet,,sofa,1,12000",
            f"S3,PO-3,{date(year, 1, 11)},SKOLE,Rema,Kaffebønner,,,5,500"]
    result = purchases.import_file(lead, "Visma", "\n".join((HEADER, *rows)).encode(),
                                   via="test")
    db.session.commit()
    assert not result.refused
    return lead


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_lead_follows_a_figure_to_its_lines(new_page, purchased, db, language):
    from axe_playwright_python.sync_playwright import Axe

    text = TEXT[language]
    purchased.locale = language
    db.session.commit()
    axe = Axe()
    found, too_wide = {}, []

    def check(page, name):
        if not has_no_horizontal_scroll(page):
            too_wide.append(name)
        found[name] = [(v["id"], v["impact"], v["nodes"][0]["target"], v["help"])
                       for v in axe.run(page, options=AXE_OPTIONS).response["violations"]
                       if v["impact"] in BLOCKING]

    page = new_page(phone=True, locale=text["locale"])
    log_in(page, purchased, heading=text["heading"])
    page.goto("/reports")
    page.get_by_role("link", name=text["link"]).click()
    page.get_by_role("heading", name=text["title"], level=1).wait_for()
    figures = page.locator("#purchase-figures").inner_text()
    assert re.search(r"50\s?%", figures)  # one of the two reusable lines had a check
    check(page, "report")

    page.locator("#purchase-figures").get_by_role(
        "link", name=re.compile(text["figure"])).click()
    page.get_by_role("heading", name=text["drill"], level=1).wait_for()
    rows = page.locator("#purchase-lines tbody tr")
    assert rows.count() == 1
    assert "Sofa til personalrommet" in rows.first.inner_text()
    assert "Grå sofa" in rows.first.inner_text()
    assert re.search(r"12[\s,]000", page.locator("#purchase-line-totals").inner_text())
    check(page, "drill-down")

    assert too_wide == []
    assert {name: violations for name, violations in found.items() if violations} == {}
