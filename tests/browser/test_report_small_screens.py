"""The sustainability lead reads the report on a phone: the figures first, jump links, the
filter folded away, tables that scroll inside their own box and chart text she can read."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from reuse.clock import oslo_today
from reuse.models import Role
from reuse.services import checks, goals
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import AXE_OPTIONS, BLOCKING
from tests.browser.test_journeys import has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.browser

PAGES = ("/reports", "/reports/records", "/reports/checks")
LOCALES = {"nb": "nb-NO", "en": "en-GB"}


@pytest.fixture
def lead(make_user, people):
    return make_user(people.admin.unit, Role.SUSTAINABILITY, name="Sofie Lie")


@pytest.fixture
def a_year_of_reuse(people, hand_over, lead, db):
    """A record in every month so far this year, with the long names real listings have."""
    year = oslo_today().year
    for month in range(1, oslo_today().month + 1):
        hand_over(people.admin, people.member if month % 2 else people.outsider,
                  quantity=month, category="kontorstol" if month % 3 else "besoksstol",
                  title=f"Hev-senk-skrivebord med kabelkanal og elektrisk motor nr. {month}",
                  when=datetime(year, month, 3, 10, tzinfo=UTC))
    checks.create_check(people.member, "kontorstoler til nytt møterom")
    goals.set_goal(lead, year=year, metric="avoided_cost_nok", target=Decimal("200000"))
    db.session.commit()


def open_phone(chromium, live_server, width: int, language: str):
    context = chromium.new_context(base_url=live_server, locale=LOCALES[language],
                                   viewport={"width": width, "height": 740},
                                   device_scale_factor=2, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def font_sizes(page, selector: str) -> list[float]:
    return page.eval_on_selector_all(selector, """nodes => nodes
        .filter(node => node.getClientRects().length)
        .map(node => node.getBoundingClientRect().height)""")


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("width", [375, 320])
def test_the_lead_reads_the_report_on_a_phone(chromium, live_server, lead, a_year_of_reuse,
                                              db, width, language):
    from axe_playwright_python.sync_playwright import Axe

    lead.locale = language
    db.session.commit()
    context, page = open_phone(chromium, live_server, width, language)
    try:
        log_in(page, lead, heading=None if language == "nb" else "You are signed in as")
        axe = Axe()
        found = {}
        for path in PAGES:
            page.goto(path)
            assert has_no_horizontal_scroll(page), path
            found[path] = [(v["id"], v["impact"], v["nodes"][0]["target"])
                           for v in axe.run(page, options=AXE_OPTIONS).response["violations"]
                           if v["impact"] in BLOCKING]
            # Every wide table scrolls inside its own box, which the keyboard can reach.
            for box in page.locator(".table-scroll").all():
                assert box.get_attribute("tabindex") == "0"
                assert box.get_attribute("role") == "region"
                assert page.locator(f"#{box.get_attribute('aria-labelledby')}").count() == 1
                assert box.bounding_box()["width"] <= width
            if path == "/reports/records":
                records = page.locator(".table-scroll").first
                assert records.evaluate("box => box.scrollWidth > box.clientWidth")
            screenshot(page, f"report-{width}-{language}{path.replace('/', '-')}")
        assert {path: v for path, v in found.items() if v} == {}

        # The figures come first, then where to go, then the folded filter.
        page.goto("/reports")
        figures = page.locator(".key-figures").first.bounding_box()
        jump = page.locator(".report-jump").bounding_box()
        report_filter = page.locator(".report-filter")
        assert figures["y"] < jump["y"] < report_filter.bounding_box()["y"]
        assert figures["y"] < 740, "the key figures start on the first screen"
        # Four sums and how far the goal has come.
        assert page.locator(".key-figures").first.locator(".key-figure").count() == 5
        assert report_filter.get_attribute("open") is None
        page.locator(".report-filter__summary").click()
        assert page.locator("#from").is_visible()

        # Chart text at least 12 CSS pixels tall, every label that is shown.
        ticks = font_sizes(page, ".month-chart__tick")
        labels = font_sizes(page, ".month-chart__label")
        assert ticks and labels
        assert min(ticks + labels) >= 12

        page.locator(".report-jump a").nth(2).click()
        assert page.evaluate("location.hash") == "#category-heading"
    finally:
        context.close()


def test_a_chosen_period_keeps_the_filter_open_and_the_desktop_opens_it(new_page, lead,
                                                                        a_year_of_reuse):
    page = new_page(phone=True)
    log_in(page, lead)
    year = oslo_today().year
    page.goto(f"/reports?from={year}-01-01&to={year}-03-31")
    assert page.locator(".report-filter").get_attribute("open") is not None
    desktop = new_page()
    log_in(desktop, lead)
    desktop.goto("/reports")
    assert desktop.locator("#from").is_visible()
