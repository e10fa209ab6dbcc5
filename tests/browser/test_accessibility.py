"""axe-core on every page, on a desktop and a phone, for a user with unread notifications:
no serious or critical violation."""

from __future__ import annotations

import io
import json
from urllib.parse import urlsplit

import pytest

from reuse.services import checks, claims, items, notifications, photos, users, wanted
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_journeys import log_in
from tests.conftest import jpeg_bytes

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag",
                           "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                      "best-practice"]},
               "resultTypes": ["violations"]}
BLOCKING = {"serious", "critical"}


@pytest.fixture
def site(people, make_item, db):
    item = make_item(people.outsider, title="Kontorstoler", quantity=4)
    own = make_item(people.member, title="Bokhylle", category="bokhylle")
    claim = claims.claim_item(people.member, item, 1)
    incoming = claims.claim_item(people.outsider, own, 1)
    # An answered request (the "Besvart" tab), on a listing with a photo (the unit's list
    # shows its cover).
    desk = make_item(people.member, title="Skrivebord", category="skrivebord", quantity=2)
    photos.add_photos(people.member, desk, [photos.Upload(io.BytesIO(jpeg_bytes()), "a.jpg",
                                                          "Skrivebord i bjørk")])
    claims.approve(people.member, claims.claim_item(people.outsider, desk, 1))
    gone = make_item(people.member, title="Gammel reol", category="bokhylle")
    items.withdraw_item(people.member, gone)
    check = checks.create_check(people.member, "stoler")
    misspelt = checks.create_check(people.member, "kontorstoll")  # offers "Mente du …?"
    wanted.create_request(people.member, words="sofa")
    db.session.commit()
    notifications.deliver_committed()
    # The header must pass with the unread badge showing, as a lister with requests sees it.
    assert notifications.unread_count(people.member) > 0
    return {"item": item.id, "own": own.id, "claim": claim.id, "check": check.id,
            "incoming": incoming.id, "withdrawn": gone.id, "misspelt": misspelt.id}


def paths(site) -> list[str]:
    return ["/", "/?sort=nearest", "/?q=stol", "/?q=flygel", "/?q=kontorstoll",
            f"/checks/{site['misspelt']}",
            f"/items/{site['item']}", f"/items/{site['own']}",
            f"/items/{site['own']}/edit", f"/items/{site['own']}/photos", "/items/new",
            "/my-unit/items", "/claims", "/claims/incoming", "/claims/incoming?tab=answered",
            f"/claims/{site['claim']}",
            "/notifications", "/notifications?unread=1", "/checks/new", "/checks/new?need=stol",
            "/checks/new?need=kontorstoll",
            f"/checks/{site['check']}", "/checks", "/wanted", "/items/999999",
            # Asking why before declining, confirming before cancelling and withdrawing, and
            # a withdrawn listing with its "list again".
            f"/claims/{site['incoming']}/decline?next=/claims/incoming",
            f"/claims/{site['claim']}/cancel", f"/items/{site['own']}/withdraw",
            f"/items/{site['withdrawn']}"]


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_no_serious_or_critical_accessibility_violations(new_page, people, site, phone,
                                                         language, db):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = new_page(phone=phone, locale={"nb": "nb-NO", "en": "en-GB"}[language])
    page.goto("/login")
    assert page.get_attribute("html", "lang") == language
    found = {"/login": axe.run(page, options=AXE_OPTIONS).response["violations"]}
    page.goto("/password/forgot")
    found["/password/forgot"] = axe.run(page, options=AXE_OPTIONS).response["violations"]
    # The reset form, with its box for revoking API tokens too.
    page.goto(urlsplit(users.password_reset_url(people.member)).path)
    assert page.locator("input[type=checkbox]").count() == 1
    found["/password/reset"] = axe.run(page, options=AXE_OPTIONS).response["violations"]
    people.member.locale = language
    db.session.commit()
    log_in(page, people.member, heading=None if language == "nb" else "You are signed in as")
    for path in paths(site):
        page.goto(path)
        found[path] = axe.run(page, options=AXE_OPTIONS).response["violations"]
    if phone:  # the open menu too
        page.goto("/")
        page.locator(".site-menu-button").click()
        page.locator("#site-menu a").first.wait_for()
        found["/ (menu open)"] = axe.run(page, options=AXE_OPTIONS).response["violations"]

    summary = {path: [(v["id"], v["impact"], len(v["nodes"])) for v in violations]
               for path, violations in found.items() if violations}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{language}-{'phone' if phone else 'desktop'}.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False))
    blocking = {path: [(v["id"], v["impact"], v["nodes"][0]["target"], v["help"])
                       for v in violations if v["impact"] in BLOCKING]
                for path, violations in found.items()}
    assert {path: v for path, v in blocking.items() if v} == {}


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_administration_pages_on_a_phone_with_unread_notifications(new_page, people,
                                                                         make_item, db,
                                                                         language):
    """An admin with requests waiting administers from a phone: every administration page
    passes axe and fits the screen with the unread badge in the header."""
    from axe_playwright_python.sync_playwright import Axe

    from reuse.services import partners

    shelf = make_item(people.admin, title="Bokhylle", category="bokhylle")
    county = partners.create_partner(None, "Vestland fylkeskommune", "821311632",
                                     "public_body")
    partners.invite_partner_person(None, county, "frida@vlfk.example", "Fylkes Frida")
    for number in range(3):
        notifications.notify(people.admin, "claim_created", f"Ny forespørsel {number}",
                             "Noen vil ha tingen.", link="/claims/incoming")
    people.admin.locale = language
    db.session.commit()
    notifications.deliver_committed()

    axe = Axe()
    page = new_page(phone=True, locale={"nb": "nb-NO", "en": "en-GB"}[language])
    log_in(page, people.admin, heading=None if language == "nb" else "You are signed in as")
    found, too_wide = {}, []
    for path in ["/admin/", "/admin/units", f"/admin/units/{people.school.id}",
                 "/admin/units/new", "/admin/units/import", "/admin/people",
                 f"/admin/people/{people.member.id}", "/admin/tokens", "/admin/audit",
                 "/admin/categories", "/admin/categories/kontorstol", "/admin/partners",
                 f"/admin/partners/{county.id}", f"/items/{shelf.id}"]:
        page.goto(path)
        assert page.locator(".count-badge").is_visible(), path
        if not page.evaluate("document.scrollingElement.scrollWidth"
                             " <= document.documentElement.clientWidth"):
            too_wide.append(path)
        found[path] = [(v["id"], v["impact"], v["nodes"][0]["target"], v["help"])
                       for v in axe.run(page, options=AXE_OPTIONS).response["violations"]
                       if v["impact"] in BLOCKING]
    assert too_wide == []
    assert {path: v for path, v in found.items() if v} == {}


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_final_stage_and_waste_hierarchy_pages_on_a_phone(new_page, people, make_item, db,
                                                             language):
    """Recording an end (with its form errors), the ends so far, the waste hierarchy on the
    report, its drill-down and an admin's correction: axe, and no sideways scrolling at
    375 px, in both languages."""
    from decimal import Decimal

    from axe_playwright_python.sync_playwright import Axe

    from reuse.models import Stage
    from reuse.services import dispositions
    from tests.browser.test_journeys import has_no_horizontal_scroll
    from tests.partners import at_stage, make_partner, make_partner_user, partner_hand_over

    item = at_stage(make_item(people.member, title="Kontorstoler", quantity=6), Stage.FINAL)
    ended = dispositions.record_end(people.member, item, "recycled", 2, fraction="metal")
    dispositions.record_end(people.member, item, "sold", 1, amount_nok=Decimal("150"))
    partner = make_partner("nonprofit", "Kirkens Bymisjon Bergen")
    partner_hand_over(people.member, make_partner_user(partner),
                      make_item(people.member, title="Bokhylle", category="bokhylle"), 1)
    people.admin.locale = people.member.locale = language
    db.session.commit()
    locale = {"nb": "nb-NO", "en": "en-GB"}[language]
    heading = None if language == "nb" else "You are signed in as"

    axe = Axe()
    found, too_wide = {}, []

    def check(page, name):
        if not has_no_horizontal_scroll(page):
            too_wide.append(name)
        found[name] = [(v["id"], v["impact"], v["nodes"][0]["target"], v["help"])
                       for v in axe.run(page, options=AXE_OPTIONS).response["violations"]
                       if v["impact"] in BLOCKING]

    page = new_page(phone=True, locale=locale)
    log_in(page, people.member, heading=heading)
    page.goto(f"/items/{item.id}")
    page.locator("#ends-heading").wait_for()
    check(page, "item page")
    page.locator("form[action$='/dispositions'] button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    check(page, "item page with errors")
    page.goto("/reports#waste-heading")
    check(page, "report")
    page.goto("/reports/waste?level=recycled")
    check(page, "drill-down")

    admin = new_page(phone=True, locale=locale)
    log_in(admin, people.admin, heading=heading)
    admin.goto(f"/dispositions/{ended.id}/reverse")
    check(admin, "correction")
    admin.locator("button[data-color=danger]").click()
    admin.locator("#error-summary").wait_for()
    check(admin, "correction with errors")
    admin.goto(f"/reports/waste?level=reused_nonprofits&partner={partner.id}")
    check(admin, "partner drill-down")
    assert too_wide == []
    assert {name: v for name, v in found.items() if v} == {}
