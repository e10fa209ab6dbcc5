"""A partner organisation's person on a phone, in both languages: what is offered to them, an
item, their organisation's claims and the categories to hear about, with an unread
notification in the header; no axe violations and nothing wider than the screen."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from reuse.clock import oslo_today
from reuse.models import Stage
from reuse.services import claims, notifications, photos
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import AXE_OPTIONS
from tests.browser.test_journeys import has_no_horizontal_scroll, log_in
from tests.conftest import jpeg_bytes

pytestmark = pytest.mark.browser

LOCALES = {"nb": "nb-NO", "en": "en-GB"}


@pytest.fixture
def offered(people, partners, make_item, db):
    """Two items offered to public bodies, one with a photo; the county has an approved
    claim on one (so an unread notification waits for its person)."""
    shelves = make_item(people.member, title="Reoler i eik fra biblioteket, godt brukt",
                        category="bokhylle", quantity=6, description="Seks like reoler.",
                        collection_notes="Ring vaktmester.")
    photos.add_photos(people.member, shelves, [photos.Upload(
        io.BytesIO(jpeg_bytes()), "reol.jpg", "Reoler i eik")])
    cupboard = make_item(people.member, title="Garderobeskap", category="skap", quantity=2)
    for item in (shelves, cupboard):
        item.stage = Stage.PUBLIC_BODIES.value
        item.stage_ends_on = oslo_today() + timedelta(days=14)
    db.session.commit()
    claim = claims.claim_item(partners.county_person, cupboard, 1, "Henter torsdag")
    claims.approve(people.member, claim, "Velkommen!")
    db.session.commit()
    notifications.deliver_committed()
    assert notifications.unread_count(partners.county_person) > 0
    return {"shelves": shelves.id, "claim": claim.id}


@pytest.mark.parametrize("language", ["nb", "en"])
def test_a_partner_uses_its_pages_on_a_phone(chromium, live_server, partners, offered, db,
                                             language):
    from axe_playwright_python.sync_playwright import Axe

    person = partners.county_person
    person.locale = language
    db.session.commit()
    context = chromium.new_context(base_url=live_server, locale=LOCALES[language],
                                   viewport={"width": 375, "height": 812},
                                   device_scale_factor=2, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, person, heading=None if language == "nb" else "You are signed in as")
        # Signed in, they land on their own home page.
        assert page.url.rstrip("/").endswith("/partner")
        axe = Axe()
        found = {}
        for path in ("/partner/", f"/partner/items/{offered['shelves']}", "/partner/claims",
                     f"/partner/claims/{offered['claim']}", "/partner/varsler",
                     "/notifications"):
            page.goto(path)
            assert has_no_horizontal_scroll(page), path
            found[path] = [(v["id"], v["impact"], v["nodes"][0]["target"])
                           for v in axe.run(page, options=AXE_OPTIONS).response["violations"]]
            screenshot(page, f"partner-375-{language}{path.rstrip('/').replace('/', '-')}")
        assert {path: v for path, v in found.items() if v} == {}

        # The header: the organisation and the unread count; only their own links.
        page.goto("/partner/")
        badge = page.locator(".site-quick .count-badge")
        assert badge.inner_text() == "1"
        page.locator(".site-menu-button").click()
        menu = page.locator("#site-menu")
        assert "Vestland fylkeskommune" in menu.inner_text()
        links = menu.locator("a").evaluate_all("links => links.map(a => a.pathname)")
        assert set(links) == {"/partner/", "/partner/claims", "/partner/varsler"}
        assert page.locator(".site-quick a").evaluate_all(
            "links => links.map(a => a.pathname)") == ["/notifications"]

        # Claiming from the item page lands on the claim.
        page.goto(f"/partner/items/{offered['shelves']}")
        page.locator("#quantity").fill("2")
        page.locator(".claim-box button[type=submit]").click()
        page.wait_for_url("**/partner/claims/*")
        assert has_no_horizontal_scroll(page)
    finally:
        context.close()


@pytest.mark.parametrize("language", ["nb", "en"])
def test_a_partner_signs_in_with_a_link_on_a_phone(chromium, live_server, partners, db,
                                                   language):
    """Asking for a link, the link's page and its button, and setting a password: axe and
    no sideways scrolling at 375 px."""
    from axe_playwright_python.sync_playwright import Axe

    from reuse.services import login_links

    person = partners.charity_person
    person.locale = language
    link = login_links.create_link(person)
    db.session.commit()
    context = chromium.new_context(base_url=live_server, locale=LOCALES[language],
                                   viewport={"width": 375, "height": 812},
                                   device_scale_factor=2, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    axe = Axe()
    found = {}

    def check(name: str) -> None:
        page.locator("h1").wait_for()
        assert has_no_horizontal_scroll(page), name
        found[name] = [(v["id"], v["impact"], v["nodes"][0]["target"])
                       for v in axe.run(page, options=AXE_OPTIONS).response["violations"]]

    try:
        page.goto("/login/partner")
        check("ask for a link")
        page.goto(link[link.index("/login/link/"):])
        check("the link's page")
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/partner/")
        page.goto("/account/password")
        check("set a password")
        page.locator("main form button[type=submit]").click()
        page.locator("#error-summary").wait_for()
        check("set a password, with errors")
        page.goto(link[link.index("/login/link/"):])
        check("a used link")
        assert {name: v for name, v in found.items() if v} == {}
    finally:
        context.close()
