"""Keyboard-only use, visible focus, and no sideways scrolling on a 320 px screen (for a user
with unread notifications: their badge once pushed the page sideways)."""

from __future__ import annotations

import pytest

from reuse.services import categories
from tests.browser.test_journeys import has_no_horizontal_scroll, log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def tab_to(page, css: str, limit: int = 60) -> None:
    """Press Tab until the element matching css has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(css) => document.activeElement.matches(css)", css):
            return
    raise AssertionError(f"{css} cannot be reached with Tab")


def focus_is_visible(page) -> bool:
    return page.evaluate("""() => {
        const style = getComputedStyle(document.activeElement);
        return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
            || style.boxShadow !== 'none';
    }""")


def test_staff_post_an_item_with_the_keyboard_only(new_page, people, catalog):
    page = new_page()
    page.goto("/login")
    tab_to(page, "a.ds-skip-link")
    assert page.locator("a.ds-skip-link").bounding_box()["width"] > 50  # shown on focus
    tab_to(page, "#email")
    page.keyboard.type(people.member.email)
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_text("Du er logget inn som").wait_for()

    page.goto("/items/new")
    tab_to(page, "#title")
    assert focus_is_visible(page)
    page.keyboard.type("Skap med skyvedører")
    tab_to(page, "#category_id")
    skap = categories.get_by_slug("skap")
    page.select_option("#category_id", str(skap.id))  # a select opens with the keyboard too
    tab_to(page, "#condition-0")  # Tab enters a radio group once; arrows move within it
    page.keyboard.press("ArrowRight")
    assert page.locator("#condition-1").is_checked()
    tab_to(page, "#location_address")
    page.keyboard.type("Rådhusgaten 10")
    tab_to(page, "button[type=submit]:not(.language-switch button)")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Skap med skyvedører").wait_for()


@pytest.mark.parametrize("path", ["/", "/?sort=nearest", "/items/new", "/checks/new",
                                  "/claims", "/wanted", "/reports", "/my-unit/items",
                                  "/reports/factors", "/reports/goals"])
def test_no_sideways_scrolling_at_320_pixels(chromium, live_server, people, catalog, unread,
                                             make_item, path):
    # Tables hold screen-reader texts ("Handlinger", "Endre …"): they must stay inside the
    # table's own scroll box, not stretch the page.
    make_item(people.member, title="Skap med skyvedører")
    user = people.admin if path in ("/reports/factors", "/reports/goals") else people.member
    context = chromium.new_context(base_url=live_server, locale="nb-NO",
                                   viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        log_in(page, user)
        page.goto(path)
        assert has_no_horizontal_scroll(page), path
    finally:
        context.close()


@pytest.mark.parametrize("width", [375, 320])
def test_browse_orders_are_one_compact_row_on_a_phone(chromium, live_server, people, catalog,
                                                      make_item, db, width):
    """Three small links, not three stacked buttons pushing the results down."""
    make_item(people.outsider, title="Bokhylle")
    db.session.commit()
    context = chromium.new_context(base_url=live_server, locale="nb-NO",
                                   viewport={"width": width, "height": 700})
    try:
        page = context.new_page()
        log_in(page, people.member)
        page.goto("/?sort=most")
        assert has_no_horizontal_scroll(page)
        orders = page.locator("nav.sort-links")
        assert orders.bounding_box()["height"] < (60 if width == 375 else 90)  # buttons: 130
        assert orders.get_by_role("link", name="Flest ledige").get_attribute(
            "aria-current") == "page"
    finally:
        context.close()
