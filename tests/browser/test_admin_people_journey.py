"""An administrator in a real browser, in both languages and at 320 px: finds a person and
changes their role, makes an API token for them and revokes it, and filters the audit log.
Every page on the way passes axe."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import AXE_OPTIONS, BLOCKING
from tests.browser.test_journeys import has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.browser

WORDS = {
    "nb": {"signed_in": None, "people": "Personer", "search": "Søk", "name": "Navn eller e-post",
           "unit_admin": "Enhetsadministrator", "change_role": "Endre rolle",
           "role_changed": "Kari Nordmann er nå enhetsadministrator.",
           "new_token": "Lag en API-nøkkel for Kari Nordmann", "label": "Navn på nøkkelen",
           "create": "Lag nøkkelen", "copy": "Kopier den nå; den vises ikke igjen.",
           "done": "Ferdig", "revoke": "Trekk tilbake nøkkelen",
           "confirm": "Ja, trekk tilbake nøkkelen", "revoked": "API-nøkkelen er trukket tilbake.",
           "log": "Logg", "who": "Hvem", "what": "Hva", "role_changed_action": "Rolle endret",
           "filter": "Filtrer", "one_event": "1 hendelse"},
    "en": {"signed_in": "You are signed in as", "people": "People", "search": "Search",
           "name": "Name or e-mail", "unit_admin": "Unit administrator",
           "change_role": "Change role",
           "role_changed": "Kari Nordmann is now unit administrator.",
           "new_token": "Create an API key for Kari Nordmann", "label": "Name of the key",
           "create": "Create the key", "copy": "Copy it now; it is not shown again.",
           "done": "Done", "revoke": "Revoke the key", "confirm": "Yes, revoke the key",
           "revoked": "The API key has been revoked.", "log": "Audit log", "who": "Who",
           "what": "What", "role_changed_action": "Role changed", "filter": "Filter",
           "one_event": "1 event"},
}


@pytest.mark.parametrize("language", ["nb", "en"])
def test_an_admin_changes_a_role_makes_and_revokes_a_token_and_reads_the_log(
        new_page, people, db, language):
    from axe_playwright_python.sync_playwright import Axe

    words = WORDS[language]
    people.admin.locale = language
    db.session.commit()
    axe = Axe()
    found: dict[str, list] = {}
    page = new_page(locale={"nb": "nb-NO", "en": "en-GB"}[language])
    page.set_viewport_size({"width": 320, "height": 800})

    def check(name: str, path: str) -> None:
        # The heading of the page being left is still there right after a click; wait for the
        # new address before measuring or running axe.
        page.wait_for_url(re.compile(path))
        page.locator("h1").wait_for()
        assert has_no_horizontal_scroll(page), name
        found[name] = axe.run(page, options=AXE_OPTIONS).response["violations"]

    log_in(page, people.admin, heading=words["signed_in"])
    page.goto("/admin/")
    page.get_by_role("link", name=words["people"], exact=True).click()
    check("people", r"/admin/people(\?|$)")
    page.get_by_label(words["name"]).fill("kari")
    page.get_by_role("button", name=words["search"], exact=True).click()
    page.get_by_role("link", name="Kari Nordmann").click()
    check("person", r"/admin/people/\d+$")
    page.locator("select#role").select_option("unit_admin")
    page.get_by_role("button", name=words["change_role"]).click()
    page.get_by_text(words["role_changed"]).wait_for()
    screenshot(page, f"admin-person-{language}")

    page.get_by_role("link", name=words["new_token"]).click()
    check("new token", r"/tokens/new")
    page.get_by_label(words["label"]).fill("Innkjøp")
    page.get_by_role("button", name=words["create"]).click()
    page.get_by_text(words["copy"]).wait_for()
    assert page.locator("#plain-token").input_value().startswith("reuse_")
    check("token shown once", r"/tokens")
    page.get_by_role("link", name=words["done"]).click()
    page.get_by_role("link", name=re.compile(words["revoke"])).click()
    check("revoke", r"/revoke")
    page.get_by_role("button", name=words["confirm"]).click()
    page.get_by_text(words["revoked"]).wait_for()

    page.goto("/admin/")
    page.get_by_role("link", name=words["log"], exact=True).click()
    check("audit", r"/admin/audit")
    page.get_by_label(words["who"], exact=True).fill("Per Admin")
    page.get_by_label(words["what"], exact=True).select_option(
        label=words["role_changed_action"])
    page.get_by_role("button", name=words["filter"]).click()
    page.get_by_text(words["one_event"], exact=True).wait_for()
    assert "Kari Nordmann" in page.locator("#audit-table").inner_text()
    check("audit filtered", r"/admin/audit\?")
    screenshot(page, f"admin-audit-{language}")

    page.goto("/admin/tokens")
    check("tokens", r"/admin/tokens$")

    blocking = {name: [(v["id"], v["impact"], v["nodes"][0]["target"], v["help"])
                       for v in violations if v["impact"] in BLOCKING]
                for name, violations in found.items()}
    assert {name: v for name, v in blocking.items() if v} == {}
