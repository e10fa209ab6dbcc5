"""Posting with several photos, on a phone (375 px) and a desktop: they survive a form error,
are put in order and described, and the page stays accessible on the way."""

from __future__ import annotations

import re

import pytest

from reuse.services import categories
from tests.browser.test_accessibility import AXE_OPTIONS, BLOCKING
from tests.browser.test_journeys import has_no_horizontal_scroll, log_in
from tests.conftest import jpeg_bytes

pytestmark = pytest.mark.browser


def blocking_violations(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    return [(v["id"], v["nodes"][0]["target"], v["help"]) for v in violations
            if v["impact"] in BLOCKING]


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_photos_chosen_survive_a_form_error_and_keep_their_order(
        new_page, people, catalog, db, language, phone):
    people.member.locale = language
    db.session.commit()
    english = language == "en"
    page = new_page(phone=phone, locale={"nb": "nb-NO", "en": "en-GB"}[language])
    log_in(page, people.member, heading="You are signed in as" if english else None)
    page.goto("/items/new")
    page.get_by_label("Choose photos" if english else "Velg bilder").set_input_files(files=[
        {"name": "forfra.jpg", "mimeType": "image/jpeg",
         "buffer": jpeg_bytes(size=(1200, 1600), colour=(200, 0, 0))},
        {"name": "ovenfra.jpg", "mimeType": "image/jpeg",
         "buffer": jpeg_bytes(size=(1600, 1200), colour=(0, 0, 200))}])
    page.locator("#photos-previews li").nth(1).wait_for()
    assert blocking_violations(page) == []
    # The title is forgotten.
    page.get_by_role("button", name="Post the listing" if english else "Legg ut annonsen",
                      exact=True).click()

    page.locator("#error-summary").wait_for()
    chosen = page.locator("#chosen-photos > li")
    assert chosen.count() == 2
    for index in range(2):
        image = chosen.nth(index).locator("img")
        image.wait_for()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert has_no_horizontal_scroll(page)
    assert blocking_violations(page) == []

    # The top view is the better cover; then the rest of the form is filled in.
    chosen.nth(1).get_by_role("button", name=re.compile(
        "Use as cover photo" if english else "Bruk som forsidebilde")).click()
    page.locator("#chosen-photos > li").first.get_by_text(
        "Cover photo" if english else "Forsidebilde", exact=True).wait_for()
    alt_label = "Describe the photo for those who cannot see it" if english else \
        "Beskriv bildet for dem som ikke ser det"
    chosen = page.locator("#chosen-photos > li")
    chosen.nth(0).get_by_label(alt_label).fill("Skrivebordet sett ovenfra")
    chosen.nth(1).get_by_label(alt_label).fill("Skrivebordet sett forfra")
    page.get_by_label("Title" if english else "Tittel").fill("Hev-senk-skrivebord, hvitt")
    desk_category = categories.get_by_slug("hev-senk-skrivebord")
    page.get_by_label("Category" if english else "Kategori").select_option(
        value=str(desk_category.id))
    page.get_by_label("Good" if english else "God", exact=True).check()
    page.get_by_label("Address" if english else "Adresse").fill("Konsul Börs gate 5")
    page.get_by_role("button", name="Post the listing" if english else "Legg ut annonsen",
                      exact=True).click()

    page.get_by_role("heading", name="Hev-senk-skrivebord, hvitt").wait_for()
    photos = page.locator(".item-page__photos img")
    assert [photos.nth(i).get_attribute("alt") for i in range(photos.count())] == [
        "Skrivebordet sett ovenfra", "Skrivebordet sett forfra"]

    page.goto(page.url + "/photos")
    assert blocking_violations(page) == []
    page.goto("/")
    card = page.get_by_role("link", name=re.compile("Hev-senk-skrivebord, hvitt"))
    assert card.locator("img").get_attribute("alt") == "Skrivebordet sett ovenfra"


def focused_photo_group(page) -> str:
    """The legend of the chosen-photo group that has focus, once one has it."""
    page.wait_for_function(
        "() => document.activeElement.matches('.chosen-photo__fields')", timeout=5000)
    return page.evaluate("() => document.activeElement.querySelector('legend')"
                         ".textContent.trim().replace(/\\s+/g, ' ')")


@pytest.mark.parametrize("language", ["nb", "en"])
def test_photo_buttons_put_focus_back_on_the_photo_and_say_what_happened(
        new_page, people, catalog, db, language):
    people.member.locale = language
    db.session.commit()
    english = language == "en"
    page = new_page(phone=True, locale={"nb": "nb-NO", "en": "en-GB"}[language])
    log_in(page, people.member, heading="You are signed in as" if english else None)
    page.goto("/items/new")
    page.get_by_label("Choose photos" if english else "Velg bilder").set_input_files(files=[
        {"name": f"{n}.jpg", "mimeType": "image/jpeg",
         "buffer": jpeg_bytes(colour=(60 * n, 0, 0))} for n in (1, 2, 3)])
    page.get_by_role("button", name="Post the listing" if english else "Legg ut annonsen",
                      exact=True).click()
    page.locator("#chosen-photos > li").nth(2).wait_for()
    status = page.locator(".photo-status[role=status]")

    def press(index: int, name: str) -> None:
        with page.expect_navigation():
            page.locator("#chosen-photos > li").nth(index).get_by_role(
                "button", name=re.compile(name)).click()
        page.wait_for_load_state()

    press(0, "Move down" if english else "Flytt ned")
    assert status.inner_text() == ("The photo has been moved." if english
                                         else "Bildet er flyttet.")
    assert focused_photo_group(page) == ("Photo 2" if english else "Bilde 2")

    press(2, "Use as cover photo" if english else "Bruk som forsidebilde")
    assert status.inner_text() == ("The cover photo has been changed." if english
                                         else "Forsidebildet er endret.")
    assert focused_photo_group(page).startswith("Photo 1" if english else "Bilde 1")

    press(1, "Remove" if english else "Fjern")
    assert status.inner_text() == ("The photo has been removed." if english
                                         else "Bildet er fjernet.")
    # The next photo took the removed one's place, and has focus.
    assert focused_photo_group(page) == ("Photo 2" if english else "Bilde 2")
    assert page.locator("#chosen-photos > li").count() == 2
    assert blocking_violations(page) == []
