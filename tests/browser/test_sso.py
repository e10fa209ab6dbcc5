"""Signing in with the municipal account in Chromium, through a real OpenID provider
(oidc-provider-mock): the login page's button, the provider's own form, and back in the app;
a person whose account names no unit chooses one. The login page, the unit choice and a
refusal pass axe in both languages and fit a 320 px screen."""

from __future__ import annotations

import pytest
import requests

from tests.browser.conftest import SSO_UNIT_CLAIM, screenshot
from tests.browser.test_accessibility import AXE_OPTIONS, BLOCKING
from tests.browser.test_journeys import has_no_horizontal_scroll

pytestmark = pytest.mark.browser

LOCALES = {"nb": "nb-NO", "en": "en-GB"}
TEXT = {
    "nb": {"button": "Logg inn med kommunekontoen", "signed_in": "Du er logget inn som",
           "choose": "Velg enheten din", "search": "Søk", "use": "Bruk denne enheten",
           "refused": "Innloggingen ble avvist"},
    "en": {"button": "Sign in with your municipal account", "signed_in": "You are signed in as",
           "choose": "Choose your unit", "search": "Search", "use": "Use this unit",
           "refused": "Sign-in refused"},
}


def set_claims(issuer: str, sub: str, **claims) -> None:
    """What the provider will say about `sub` (its API, as tests/test_oidc.py uses it)."""
    response = requests.put(f"{issuer}/users/{sub}", json=claims, timeout=10)
    assert response.status_code == 204


def sign_in_at_the_provider(page, issuer: str, sub: str) -> None:
    """On the provider's authorization page: type the subject and authorize."""
    page.wait_for_url(f"{issuer}/oauth2/authorize**")
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def blocking(axe, page) -> list:
    return [(v["id"], v["nodes"][0]["target"], v["help"])
            for v in axe.run(page, options=AXE_OPTIONS).response["violations"]
            if v["impact"] in BLOCKING]


@pytest.fixture
def school(db, people):
    people.school.code = "MOH"
    db.session.commit()
    return people.school


def test_a_person_signs_in_with_the_municipal_account(chromium, sso_live_server,
                                                      oidc_provider, school):
    set_claims(oidc_provider, "kari-sso", email="kari.sso@bergen.example", email_verified=True,
               name="Kari Sso", **{SSO_UNIT_CLAIM: "MOH"})
    context = chromium.new_context(base_url=sso_live_server, locale="nb-NO")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_role("link", name="Logg inn med kommunekontoen").click()
        sign_in_at_the_provider(page, oidc_provider, "kari-sso")
        page.get_by_text("Du er logget inn som Kari Sso").wait_for()
        assert page.url == sso_live_server + "/"
        # Her account is at the school the claim named: its listings are hers to see.
        page.goto("/my-unit/items")
        assert "Møhlenpris skole" in page.locator("main").inner_text()
    finally:
        context.close()


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("width", [1280, 320])
def test_without_a_unit_the_person_chooses_one_and_every_page_passes_axe(
        chromium, sso_live_server, oidc_provider, people, school, width, language):
    from axe_playwright_python.sync_playwright import Axe

    text = TEXT[language]
    sub = f"nils-{width}-{language}"
    set_claims(oidc_provider, sub, email=f"{sub}@bergen.example", email_verified=True,
               name="Nils Ny")
    phone = width < 600
    context = chromium.new_context(base_url=sso_live_server, locale=LOCALES[language],
                                   viewport={"width": width, "height": 800},
                                   is_mobile=phone, has_touch=phone)
    context.set_default_timeout(10_000)
    axe = Axe()
    found, too_wide = {}, []

    def check(name: str) -> None:
        found[name] = blocking(axe, page)
        if not has_no_horizontal_scroll(page):
            too_wide.append(name)

    try:
        page = context.new_page()
        page.goto("/login")
        assert page.get_attribute("html", "lang") == language
        check("login")
        page.get_by_role("link", name=text["button"]).click()
        sign_in_at_the_provider(page, oidc_provider, sub)

        page.wait_for_url("**/login/oidc/unit")
        page.get_by_role("heading", name=text["choose"]).wait_for()
        check("unit choice")
        page.locator("#unit-search").fill("møhlen")
        page.get_by_role("button", name=text["search"], exact=True).click()
        page.wait_for_url("**/login/oidc/unit?q=*")
        labels = page.locator("fieldset label").all_inner_texts()
        assert labels == ["Møhlenpris skole (MOH)"]
        check("unit choice, filtered")
        screenshot(page, f"sso-unit-{width}-{language}")
        page.get_by_label("Møhlenpris skole (MOH)").check()
        page.get_by_role("button", name=text["use"]).click()
        page.get_by_text(f"{text['signed_in']} Nils Ny").wait_for()

        # A callback the app never started: a clear refusal page.
        page.context.clear_cookies()
        page.goto("/login/oidc/callback?state=bogus&code=x")
        page.get_by_role("heading", name=text["refused"]).wait_for()
        check("refusal")
        screenshot(page, f"sso-refused-{width}-{language}")
    finally:
        context.close()
    assert {name: v for name, v in found.items() if v} == {}
    assert too_wide == []
