"""Journeys in a real browser: what a newcomer does in the first minutes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from reuse.services import categories
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD, jpeg_bytes

pytestmark = pytest.mark.browser


def log_in(page, user, heading: str | None = None) -> None:
    """Log in through the form in whichever language the page is in."""
    page.goto("/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]:not(.language-switch button)").click()
    page.get_by_text(f"{heading or 'Du er logget inn som'} {user.name}").wait_for()


def has_no_horizontal_scroll(page) -> bool:
    # Measure the page that has finished loading, with its fonts, after the next two frames:
    # a page measured between a click and its layout can be one frame wider than it will be.
    page.wait_for_load_state("load")
    # clientWidth, not innerWidth: on a phone, a too-wide page widens the layout viewport, and
    # innerWidth grows with it.
    return page.evaluate("""async () => {
        await document.fonts.ready;
        await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
        return document.scrollingElement.scrollWidth <= document.documentElement.clientWidth;
    }""")


def test_staff_posts_an_item_from_a_phone_and_another_unit_finds_it(new_page, people, catalog):
    phone = new_page(phone=True)
    log_in(phone, people.member)
    phone.get_by_role("link", name="Legg ut", exact=True).click()
    # Measure the form, not the page the click is leaving.
    phone.get_by_role("heading", name="Legg ut noe enheten ikke trenger").wait_for()
    assert has_no_horizontal_scroll(phone)

    phone.get_by_label("Tittel").fill("Hev-senk-skrivebord, hvitt")
    desk_category = categories.get_by_slug("hev-senk-skrivebord")
    phone.get_by_label("Kategori").select_option(value=str(desk_category.id))
    phone.get_by_label("God", exact=True).check()
    phone.get_by_label("Antall").fill("3")
    phone.get_by_label("Adresse").fill("Konsul Börs gate 5")
    phone.get_by_label("Velg bilder").set_input_files(
        files=[{"name": "IMG_2041.jpg", "mimeType": "image/jpeg",
                "buffer": jpeg_bytes(size=(1200, 1600))}])
    phone.locator("#photos-previews").wait_for(state="visible")
    phone.get_by_label("Beskriv bildet for dem som ikke ser det (IMG_2041.jpg)").fill(
        "Hvitt skrivebord i hevet stilling")
    screenshot(phone, "post-item-phone")
    phone.get_by_role("button", name="Legg ut annonsen").click()

    phone.get_by_role("heading", name="Hev-senk-skrivebord, hvitt").wait_for()
    assert phone.get_by_text("Annonsen er lagt ut").is_visible()
    photo = phone.get_by_role("img", name="Hvitt skrivebord i hevet stilling")
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
    assert has_no_horizontal_scroll(phone)

    desk = new_page()
    log_in(desk, people.outsider)
    desk.get_by_label("Søk", exact=True).fill("skrivebordet")
    desk.get_by_role("button", name="Søk", exact=True).click()
    card = desk.get_by_role("link", name=re.compile("Hev-senk-skrivebord, hvitt"))
    card.wait_for()
    screenshot(desk, "browse-desktop")
    card.click()
    desk.get_by_text("Møhlenpris skole").first.wait_for()
    assert desk.get_by_role("link", name="Endre").count() == 0


def test_a_form_error_is_announced_and_focused(new_page, people, catalog):
    page = new_page()
    log_in(page, people.member)
    page.goto("/items/new")
    page.get_by_role("button", name="Legg ut annonsen").click()
    summary = page.locator("#error-summary")
    # The deferred script moves focus once the page has loaded; expect() waits for it.
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Gi annonsen en tittel.").click()
    expect(page.locator("#title")).to_be_focused()
    assert page.locator("#title").get_attribute("aria-invalid") == "true"


def test_buyer_claims_the_giver_approves_and_the_buyer_confirms_collection(new_page, people,
                                                                         make_item):
    chairs = make_item(people.member, title="Kontorstoler HÅG", quantity=6)

    buyer = new_page()
    log_in(buyer, people.outsider)
    buyer.goto(f"/items/{chairs.id}")
    buyer.get_by_label("Hvor mange trenger dere?").fill("2")
    buyer.get_by_label("Melding til giveren").fill("Vi henter fredag")
    buyer.get_by_role("button", name=re.compile("Be om tingene")).click()
    buyer.get_by_text("Forespørselen er sendt").wait_for()
    claim_url = buyer.url

    giver = new_page()
    log_in(giver, people.member)
    giver.get_by_role("link", name=re.compile("Varsler")).click()
    giver.get_by_role("link", name="Ny forespørsel: Kontorstoler HÅG").click()
    giver.get_by_role("button", name=re.compile("^Godkjenn")).click()
    giver.get_by_text("Forespørselen er godkjent").wait_for()

    buyer.goto(claim_url)
    buyer.get_by_label("Ja, vi slipper å kjøpe nytt").check()
    buyer.get_by_label("Kostnader ved overleveringen (kr)").fill("150,50")
    buyer.get_by_role("button", name="Bekreft henting").click()
    buyer.get_by_text("Hentingen er bekreftet").wait_for()
    screenshot(buyer, "claim-collected")
    record = buyer.locator(".record-box").inner_text()
    assert "8\u00a0849,50\u00a0kr" in record  # 2 × 4500 − 150,50
    assert "144,0\u00a0kg CO2e" in record and "35,0 kg" in record


def test_buyer_checks_before_buying_and_claims_a_match(new_page, people, make_item):
    make_item(people.outsider, title="Hev-senk-skrivebord 160 cm", category="hev-senk-skrivebord",
              quantity=4)
    page = new_page(phone=True)
    log_in(page, people.member)
    page.get_by_role("button", name="Meny").click()  # on a phone the rest is behind "Meny"
    page.get_by_role("link", name="Sjekk før kjøp").click()
    page.get_by_label("Hva trenger dere?").fill("2 hev-senk skrivebord")
    page.get_by_role("button", name="Sjekk hva som finnes").click()
    page.get_by_role("heading", name="1 ledig annonse passer").wait_for()
    assert has_no_horizontal_scroll(page)
    page.get_by_label("Antall av Hev-senk-skrivebord 160 cm").fill("2")
    page.get_by_role("button", name="Be om Hev-senk-skrivebord 160 cm").click()
    page.get_by_text(re.compile("knyttet til gjenbrukssjekk GJ-")).wait_for()


def test_buyer_refines_the_search_and_saves_the_receipt_on_a_phone(new_page, people,
                                                                    make_item, db):
    from sqlalchemy import func, select

    from reuse.models import ReuseCheck

    make_item(people.outsider, title="Kontorstol med armlener", category="kontorstol",
              quantity=6)
    page = new_page(phone=True)
    assert page.viewport_size["width"] == 375
    log_in(page, people.member)
    page.goto("/checks/new")
    page.get_by_label("Hva trenger dere?").fill("skrivebord")
    page.get_by_role("button", name="Sjekk hva som finnes").click()
    page.get_by_text("Ingen ledige ting passer behovet nå.").wait_for()
    page.get_by_label("Hva trenger dere?").fill("kontorstol")  # refining: search again
    page.get_by_role("button", name="Sjekk hva som finnes").click()
    page.get_by_role("heading", name="1 ledig annonse passer").wait_for()
    assert has_no_horizontal_scroll(page)
    assert db.session.scalar(select(func.count()).select_from(ReuseCheck)) == 0
    page.get_by_role("button", name="Lagre kvitteringen").click()
    page.get_by_text("Kvitteringen er lagret.").wait_for()
    page.get_by_role("heading", name=re.compile(r"^GJ-\d{4}-\d{6}$")).wait_for()
    assert page.get_by_text("Åpen", exact=True).is_visible()
    assert has_no_horizontal_scroll(page)
    page.get_by_role("button", name="Behovet falt bort").click()
    page.get_by_text("Registrert: behovet falt bort.").wait_for()


def test_buyer_records_bought_new_and_the_receipt_prints_without_forms(new_page, people,
                                                                       catalog):
    page = new_page()
    log_in(page, people.member)
    page.goto("/checks/new")
    page.get_by_label("Hva trenger dere?").fill("flygel til aulaen")
    page.get_by_role("button", name="Sjekk hva som finnes").click()
    page.get_by_label("Ingenting passende var ledig").check()
    page.get_by_label("Bestillingsnummer").fill("PO-2026-0042")
    page.get_by_role("button", name="Vi kjøper nytt").click()
    page.get_by_text("Registrert: dere kjøper nytt").wait_for()
    page.emulate_media(media="print")
    # expect() waits for the print styles to apply; a busy machine takes a moment.
    expect(page.get_by_role("button", name="Skriv ut kvitteringen")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_text("PO-2026-0042")).to_be_visible()
    screenshot(page, "check-receipt-print")
