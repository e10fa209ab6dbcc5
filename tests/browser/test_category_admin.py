"""The sustainability lead keeps the category tree in the browser, in bokmål and in English,
on a desktop and on the narrowest phone: create, rename, retire, restore; pages pass axe."""

from __future__ import annotations

import pytest

from reuse.models import Role
from reuse.services import categories
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import AXE_OPTIONS, BLOCKING
from tests.browser.test_journeys import has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.browser

LOCALES = {"nb": "nb-NO", "en": "en-GB"}


@pytest.fixture
def lead(make_user, people):
    return make_user(people.admin.unit, Role.SUSTAINABILITY, name="Sofie Lie")


def blocking(axe, page) -> list:
    return [(v["id"], v["nodes"][0]["target"])
            for v in axe.run(page, options=AXE_OPTIONS).response["violations"]
            if v["impact"] in BLOCKING]


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("width", [1280, 320])
def test_the_lead_creates_renames_and_retires_a_category(chromium, live_server, lead, catalog,
                                                         db, width, language):
    from axe_playwright_python.sync_playwright import Axe

    lead.locale = language
    db.session.commit()
    phone = width < 600
    context = chromium.new_context(base_url=live_server, locale=LOCALES[language],
                                   viewport={"width": width, "height": 800},
                                   is_mobile=phone, has_touch=phone)
    context.set_default_timeout(10_000)
    page = context.new_page()
    english = language == "en"
    shown = (lambda nb, en: en) if english else (lambda nb, en: nb)
    try:
        log_in(page, lead, heading="You are signed in as" if english else None)
        axe = Axe()
        found = {}
        # From the factors page to the categories.
        page.goto("/reports/factors")
        page.locator("a[href='/admin/categories']").click()
        page.wait_for_url("**/admin/categories")
        assert has_no_horizontal_scroll(page)
        found["list"] = blocking(axe, page)

        page.locator("#name_nb").fill("Krakk")
        page.locator("#name_en").fill("Stool")
        page.locator("#parent").select_option(label="\u00a0\u00a0" + shown("Stoler", "Chairs"))
        page.locator("form[action='/admin/categories'] button[type=submit]").click()
        page.wait_for_url("**/admin/categories/krakk")
        assert page.locator("h1").inner_text() == shown("Krakk", "Stool")
        assert has_no_horizontal_scroll(page)
        found["edit"] = blocking(axe, page)

        # An empty English name is refused beside its field, the form kept.
        page.locator("#name_nb").fill("Taburett")
        page.locator("#name_en").fill("")
        page.locator("form[action$='/rename'] button[type=submit]").click()
        page.locator("#name_en-error").wait_for()
        found["refused"] = blocking(axe, page)
        page.locator("#name_en").fill("Bar stool")
        page.locator("form[action$='/rename'] button[type=submit]").click()
        page.locator("h1", has_text=shown("Taburett", "Bar stool")).wait_for()

        page.locator("form[action$='/retire'] button[type=submit]").click()
        page.locator("form[action$='/restore']").wait_for()
        assert has_no_horizontal_scroll(page)
        found["retired"] = blocking(axe, page)
        screenshot(page, f"category-{width}-{language}")
        assert categories.get_by_slug("krakk").retired_at is not None

        # The tree marks it; a new listing does not offer it.
        page.goto("/admin/categories")
        row = page.locator("#category-krakk")
        assert shown("Taburett", "Bar stool") in row.inner_text()
        assert shown("Ikke i bruk", "Not in use") in row.inner_text()
        page.goto("/items/new")
        assert shown("Taburett", "Bar stool") not in page.locator("#category_id").inner_text()
        assert shown("Kontorstol", "Office chair") in page.locator("#category_id").inner_text()

        page.goto("/admin/categories/krakk")
        page.locator("form[action$='/restore'] button[type=submit]").click()
        page.locator("form[action$='/retire']").wait_for()
        assert {name: v for name, v in found.items() if v} == {}
    finally:
        context.close()
