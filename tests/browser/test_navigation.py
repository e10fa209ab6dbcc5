"""The header on phones and desktops, for someone with unread notifications: the count in
view, nothing sideways, the rest behind "Meny" and every link reachable by keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import UNREAD
from tests.browser.test_journeys import has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.browser

TEXT = {
    "nb": {"locale": "nb-NO", "signed_in": "Du er logget inn som", "menu": "Meny",
           "notifications": f"Varsler, {UNREAD} uleste", "post": "Legg ut",
           "links": ["Finn ting", "Sjekk før kjøp", "Mine forespørsler", "Enhetens annonser",
                     "Forespørsler til enheten", "Rapporter"]},
    "en": {"locale": "en-GB", "signed_in": "You are signed in as", "menu": "Menu",
           "notifications": f"Notifications, {UNREAD} unread", "post": "Post an item",
           "links": ["Find items", "Check before buying", "My requests", "Your unit's listings",
                     "Requests to your unit", "Reports"]},
}


def open_as_member(chromium, live_server, people, db, language, width, height):
    people.member.locale = language
    db.session.commit()
    context = chromium.new_context(base_url=live_server, locale=TEXT[language]["locale"],
                                   viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, people.member, heading=None if language == "nb" else TEXT[language]["signed_in"])
    return context, page


def tab_to_link(page, container: str, name: str, limit: int = 20) -> None:
    """Press Tab until a link named name inside container has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("""([container, name]) => {
                const active = document.activeElement;
                return active.matches(container + ' a') && active.textContent.trim() === name;
            }""", [container, name]):
            return
    raise AssertionError(f"{name} cannot be reached with Tab")


def in_viewport(locator) -> bool:
    return locator.evaluate("""element => {
        const box = element.getBoundingClientRect();
        return box.width > 0 && box.left >= 0 && box.top >= 0
            && box.right <= window.innerWidth && box.bottom <= window.innerHeight;
    }""")


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("width", [320, 375])
def test_on_a_phone_the_unread_count_is_in_view_and_the_rest_behind_the_menu(
        chromium, live_server, people, catalog, unread, db, language, width):
    text = TEXT[language]
    context, page = open_as_member(chromium, live_server, people, db, language, width, 640)
    try:
        for path in ["/", "/items/new", "/claims", "/notifications", "/wanted"]:
            page.goto(path)
            assert has_no_horizontal_scroll(page), path
            assert in_viewport(page.get_by_role("link", name=text["notifications"], exact=True))
            assert in_viewport(page.get_by_role("link", name=text["post"], exact=True))
            assert in_viewport(page.get_by_role("button", name=text["menu"], exact=True))
            for name in text["links"]:
                assert not page.get_by_role("link", name=name, exact=True).is_visible(), name

        page.goto("/")
        menu_button = page.get_by_role("button", name=text["menu"], exact=True)
        assert menu_button.get_attribute("aria-expanded") == "false"
        menu_button.focus()
        page.keyboard.press("Enter")
        expect(menu_button).to_have_attribute("aria-expanded", "true")
        assert has_no_horizontal_scroll(page)
        # Tab goes from the button into the open menu, through every link in it.
        for name in text["links"]:
            tab_to_link(page, "#site-menu", name, limit=12)
            assert in_viewport(page.locator(":focus"))
        page.keyboard.press("Escape")
        expect(menu_button).to_have_attribute("aria-expanded", "false")
        expect(menu_button).to_be_focused()
        assert not page.get_by_role("link", name=text["links"][0], exact=True).is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("language", ["nb", "en"])
def test_on_a_desktop_every_link_is_in_the_header_and_none_wraps_alone(
        chromium, live_server, people, catalog, unread, db, language):
    text = TEXT[language]
    context, page = open_as_member(chromium, live_server, people, db, language, 1280, 800)
    try:
        page.goto("/")
        assert has_no_horizontal_scroll(page)
        assert not page.get_by_role("button", name=text["menu"], exact=True).is_visible()
        assert in_viewport(page.get_by_role("link", name=text["notifications"], exact=True))
        # The navigation is one row: no link has wrapped onto a line of its own.
        tops = page.locator(".site-nav a").evaluate_all(
            "links => links.map(link => Math.round(link.getBoundingClientRect().top))")
        assert len(tops) == len(text["links"]) and len(set(tops)) == 1, tops
        quick = page.locator(".site-quick a").evaluate_all(
            "links => links.map(link => Math.round(link.getBoundingClientRect().top))")
        assert len(set(quick)) == 1, quick
        for name in [text["post"], *text["links"]]:
            tab_to_link(page, "header", name)
            assert in_viewport(page.locator(":focus"))
    finally:
        context.close()


def test_opening_a_notification_takes_you_there_and_the_count_follows(
        chromium, live_server, people, catalog, unread, db):
    context, page = open_as_member(chromium, live_server, people, db, "nb", 375, 640)
    try:
        page.goto("/notifications?unread=1")
        page.get_by_role("heading", name="I dag").wait_for()
        page.get_by_role("link", name="Ny forespørsel 3", exact=True).click()
        page.wait_for_url("**/claims/incoming")
        expect(page.get_by_role("link", name=f"Varsler, {UNREAD - 1} uleste")).to_be_visible()
        page.goto("/notifications?unread=1")
        expect(page.get_by_role("link", name="Ny forespørsel 3", exact=True)).to_have_count(0)
        assert has_no_horizontal_scroll(page)
    finally:
        context.close()
