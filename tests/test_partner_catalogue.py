"""What a partner organisation's person sees and does, on the web pages and through the API:
only what the cascade offers their organisation now, never the municipality's internal
details, never another organisation's claims; and every refusal on the way."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from reuse.clock import oslo_today
from reuse.models import (
    Category,
    Claim,
    Disposition,
    DispositionKind,
    Notification,
    PartnerSubscription,
    ReuseRecord,
    Stage,
    utcnow,
)
from reuse.services import claims, tokens
from tests.conftest import login, page_text

ITEMS = "/api/v1/items"


def at_stage(db, item, stage: Stage, days: int = 14):
    """Put the item at a stage of the cascade, as the stage job would."""
    item.stage = stage.value
    item.stage_ends_on = None if stage == Stage.FINAL else oslo_today() + timedelta(days=days)
    db.session.commit()
    return item


@pytest.fixture
def offered(people, make_item, db):
    """The school's items at each stage: internal, offered to public bodies, offered to
    non-profits too, a fridge (electrical) not safety-checked, and one at the final stage."""
    internal = make_item(people.member, title="Intern kontorstol", quantity=3,
                         collection_notes="Nøkkel hos vaktmester Ola",
                         new_price_nok=Decimal("2500"))
    bodies = at_stage(db, make_item(
        people.member, title="Reol til fylket", category="bokhylle", quantity=4,
        description="Fire like reoler.", collection_notes="Ring vaktmester på 55 55 55 55",
        new_price_nok=Decimal("1800"), weight_kg=Decimal("30"), location_building="Bygg B"),
        Stage.PUBLIC_BODIES)
    charities = at_stage(db, make_item(people.member, title="Skap for alle", category="skap",
                                       quantity=2), Stage.NONPROFITS)
    fridge_category = db.session.scalar(select(Category).where(Category.slug == "kjoleskap"))
    fridge_category.electrical = True
    fridge = at_stage(db, make_item(people.member, title="Kjøleskap uten el-sjekk",
                                    category="kjoleskap"), Stage.NONPROFITS)
    final = at_stage(db, make_item(people.member, title="Siste sjanse-stol"), Stage.FINAL)
    return {"internal": internal, "bodies": bodies, "charities": charities, "fridge": fridge,
            "final": final}


def titles(html: str) -> set[str]:
    return set(re.findall(r'<h2 class="ds-heading" data-size="xs">([^<]+)</h2>', html))


# -- what is offered ----------------------------------------------------------------------

def test_a_public_body_sees_only_what_the_cascade_offers_it_now(client, partners, offered):
    login(client, partners.county_person)
    html = client.get("/partner/").get_data(as_text=True)
    assert titles(html) == {"Reol til fylket", "Skap for alle"}
    # The stage and until when; never the lister, their unit, or prices.
    text = page_text(client.get("/partner/"))
    until = offered["bodies"].stage_ends_on
    assert "Tilbys offentlige virksomheter til" in text
    assert "Kari Nordmann" not in text and "Møhlenpris skole" not in text
    assert str(until.year) in text
    assert "Vestland fylkeskommune" in text  # the organisation in the header


def test_a_nonprofit_sees_only_the_nonprofit_stage(client, partners, offered):
    login(client, partners.charity_person)
    assert titles(client.get("/partner/").get_data(as_text=True)) == {"Skap for alle"}
    assert client.get(f"/partner/items/{offered['bodies'].id}").status_code == 404
    assert client.get(f"/partner/items/{offered['charities'].id}").status_code == 200


def test_search_category_and_paging(client, partners, offered, people, make_item, db, app):
    login(client, partners.county_person)
    assert titles(client.get("/partner/?q=reol").get_data(as_text=True)) == {"Reol til fylket"}
    assert titles(client.get("/partner/?category=skap").get_data(as_text=True)) == {
        "Skap for alle"}
    # An unknown category is a form error, not a 500.
    response = client.get("/partner/?category=finnes-ikke")
    assert response.status_code == 200
    assert "Søket kunne ikke utføres" in page_text(response)
    for number in range(app.config["ITEMS_PER_PAGE"]):
        at_stage(db, make_item(people.member, title=f"Stol nummer {number}"), Stage.NONPROFITS)
    first, second = client.get("/partner/"), client.get("/partner/?page=2")
    assert len(titles(first.get_data(as_text=True))) == app.config["ITEMS_PER_PAGE"]
    assert len(titles(second.get_data(as_text=True))) == 2
    assert 'rel="next"' in first.get_data(as_text=True)


def test_an_internal_item_is_not_found_for_a_partner(client, partners, offered, api):
    login(client, partners.county_person)
    assert client.get(f"/partner/items/{offered['internal'].id}").status_code == 404
    assert client.get(f"/partner/items/{offered['final'].id}").status_code == 404
    partner_api = api(partners.county_person)
    assert partner_api.get(f"{ITEMS}/{offered['internal'].id}").status_code == 404
    assert partner_api.get(f"{ITEMS}/{offered['final'].id}").status_code == 404
    listed = {item["title"] for item in partner_api.get(ITEMS).get_json()["items"]}
    assert listed == {"Reol til fylket", "Skap for alle"}
    everything = {item["title"] for item in
                  partner_api.get(f"{ITEMS}?status=all").get_json()["items"]}
    assert everything == {"Reol til fylket", "Skap for alle"}


def test_an_electrical_item_is_offered_only_once_safety_checked(client, partners, offered,
                                                                 api, people, db):
    fridge = offered["fridge"]
    login(client, partners.charity_person)
    assert client.get(f"/partner/items/{fridge.id}").status_code == 404
    assert "Kjøleskap uten el-sjekk" not in titles(client.get("/partner/").get_data(True))
    charity_api = api(partners.charity_person)
    assert charity_api.get(f"{ITEMS}/{fridge.id}").status_code == 404
    refused = charity_api.post(f"{ITEMS}/{fridge.id}/claims", json={"quantity": 1})
    assert refused.status_code == 404
    fridge.safety_checked_at, fridge.safety_checked_by_id = utcnow(), people.member.id
    db.session.commit()
    assert client.get(f"/partner/items/{fridge.id}").status_code == 200
    assert charity_api.get(f"{ITEMS}/{fridge.id}").status_code == 200


def test_the_item_page_hides_the_municipality_s_internal_details(client, partners, offered,
                                                                 people, make_item):
    bodies = offered["bodies"]
    # Another unit's open claim on it: never shown to a partner.
    claims.claim_item(people.outsider, bodies, 1, "Til lærerværelset")
    login(client, partners.county_person)
    response = client.get(f"/partner/items/{bodies.id}")
    text = page_text(response)
    for shown in ("Reol til fylket", "Fire like reoler.", "Rådhusgaten 10, Bygg B", "Bokhylle",
                  "Tilbys offentlige virksomheter til"):
        assert shown in text, shown
    for hidden in ("Kari Nordmann", "kari@bergen.example", "Møhlenpris skole",
                   "Ring vaktmester", "1 800", "Nypris", "Vekt", "CO2e", "Lars Vik",
                   "Til lærerværelset", "Landås barnehage"):
        assert hidden not in text, hidden
    assert f'action="/partner/items/{bodies.id}/claim"' in response.get_data(as_text=True)


def test_the_api_hides_internal_details_from_a_partner(partners, offered, api, people):
    bodies = offered["bodies"]
    body = api(partners.county_person).get(f"{ITEMS}/{bodies.id}").get_json()
    assert body["collection_notes"] == ""
    assert body["new_price_nok"] is None and body["weight_kg"] is None
    assert body["co2e_kg"] is None and body["auto_approve"] is False
    assert body["unit"] == {"id": people.school.id, "name": "Møhlenpris skole"}
    assert body["stage"] == "public_bodies"
    listed = api(partners.county_person).get(ITEMS).get_json()["items"]
    assert all(i["collection_notes"] == "" and i["new_price_nok"] is None for i in listed)
    # A unit's token still sees everything.
    own = api(people.outsider).get(f"{ITEMS}/{bodies.id}").get_json()
    assert own["collection_notes"] == "Ring vaktmester på 55 55 55 55"
    assert own["new_price_nok"] == 1800


# -- claiming -----------------------------------------------------------------------------

def test_a_partner_claims_and_refusals_are_form_errors(client, partners, offered, db):
    bodies = offered["bodies"]
    login(client, partners.county_person)
    too_many = client.submit(f"/partner/items/{bodies.id}/claim", {"quantity": "9"})
    assert too_many.status_code == 422
    assert "Det er bare 4 ledige nå" in page_text(too_many)
    zero = client.submit(f"/partner/items/{bodies.id}/claim", {"quantity": "0"})
    assert zero.status_code == 422
    done = client.submit(f"/partner/items/{bodies.id}/claim",
                         {"quantity": "2", "message": "Henter fredag"})
    assert done.status_code == 302
    claim = db.session.scalar(select(Claim))
    assert done.headers["Location"] == f"/partner/claims/{claim.id}"
    assert claim.partner_id == partners.county.id and claim.unit_id is None
    # The cascade moves on: the non-profit stage is still theirs, the final stage is not.
    at_stage(db, bodies, Stage.FINAL)
    wrong = client.submit(f"/partner/items/{bodies.id}/claim", {"quantity": "1"})
    assert wrong.status_code == 422
    assert "Annonsen tilbys ikke deres organisasjon nå." in page_text(wrong)
    assert db.session.scalar(select(func.count()).select_from(Claim)) == 1


def test_claiming_at_the_wrong_stage_through_the_api(partners, offered, api, db):
    bodies = offered["bodies"]
    county = api(partners.county_person)
    made = county.post(f"{ITEMS}/{bodies.id}/claims", json={"quantity": 1})
    assert made.status_code == 201
    assert made.get_json()["organisation"] == {"id": partners.county.id,
                                               "name": "Vestland fylkeskommune"}
    assert made.get_json()["unit"] is None
    at_stage(db, bodies, Stage.FINAL)
    # Seen through the earlier claim, but no longer offered: a conflict with the stage.
    again = county.post(f"{ITEMS}/{bodies.id}/claims", json={"quantity": 1})
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "wrong_stage"
    # Another public body never claimed it: for them it does not exist.
    assert api(partners.trust_person).post(f"{ITEMS}/{bodies.id}/claims",
                                           json={"quantity": 1}).status_code == 404
    # A non-profit at the public bodies' stage: not found either.
    at_stage(db, bodies, Stage.PUBLIC_BODIES)
    assert api(partners.charity_person).post(f"{ITEMS}/{bodies.id}/claims",
                                             json={"quantity": 1}).status_code == 404
    assert api(partners.charity_person).get(f"{ITEMS}/{bodies.id}").status_code == 404


def test_an_item_claimed_earlier_shows_but_cannot_be_claimed_again(client, partners, offered,
                                                                   db):
    bodies = offered["bodies"]
    claims.claim_item(partners.county_person, bodies, 1)
    db.session.commit()
    at_stage(db, bodies, Stage.FINAL)
    login(client, partners.county_person)
    # Visible through the claim, not on the list of what is offered.
    assert "Reol til fylket" not in titles(client.get("/partner/").get_data(as_text=True))
    page = client.get(f"/partner/items/{bodies.id}")
    assert page.status_code == 200
    assert "Annonsen tilbys ikke deres organisasjon nå." in page_text(page)
    assert f"/partner/items/{bodies.id}/claim" not in page.get_data(as_text=True)


# -- the organisation's claims --------------------------------------------------------------

def test_claims_are_the_organisation_s_and_no_one_else_s(client, partners, offered, api, db):
    bodies = offered["bodies"]
    mine = claims.claim_item(partners.county_person, bodies, 1, "Fra Frida")
    colleague = claims.claim_item(partners.county_colleague, bodies, 1, "Fra Finn")
    other = claims.claim_item(partners.trust_person, bodies, 1, "Fra Hanne")
    db.session.commit()
    login(client, partners.county_person)
    text = page_text(client.get("/partner/claims"))
    assert "Fylkes Frida" in text and "Fylkes Finn" in text and "Helse Hanne" not in text
    assert client.get(f"/partner/claims/{colleague.id}").status_code == 200
    assert client.get(f"/partner/claims/{other.id}").status_code == 404
    # Only the claimant withdraws; a colleague sees the claim without the button.
    colleague_page = client.get(f"/partner/claims/{colleague.id}").get_data(as_text=True)
    assert f"/partner/claims/{colleague.id}/cancel" not in colleague_page
    assert client.submit(f"/partner/claims/{colleague.id}/cancel").status_code == 403
    assert client.submit(f"/partner/claims/{other.id}/cancel").status_code == 404
    assert client.submit(f"/partner/claims/{other.id}/collect").status_code == 404
    # The API: a list without the other organisation's claim, and 404 for it.
    county = api(partners.county_person)
    listed = {c["id"] for c in county.get("/api/v1/claims").get_json()["claims"]}
    assert listed == {mine.id}
    assert county.get("/api/v1/claims?scope=incoming").get_json()["claims"] == []
    assert county.get(f"/api/v1/claims/{other.id}").status_code == 404
    assert county.post(f"/api/v1/claims/{other.id}/cancel").status_code == 404
    assert county.post(f"/api/v1/claims/{other.id}/collect").status_code == 404


def test_collection_notes_only_on_an_approved_claim(client, partners, offered, people, db):
    bodies = offered["bodies"]
    claim = claims.claim_item(partners.county_person, bodies, 1)
    db.session.commit()
    login(client, partners.county_person)
    assert "Ring vaktmester" not in page_text(client.get(f"/partner/claims/{claim.id}"))
    # Not collectable before approval.
    assert client.submit(f"/partner/claims/{claim.id}/collect").status_code == 409
    claims.approve(people.member, claim)
    db.session.commit()
    text = page_text(client.get(f"/partner/claims/{claim.id}"))
    assert "Ring vaktmester på 55 55 55 55" in text and "Rådhusgaten 10" in text
    assert "Kari Nordmann" not in text


def test_a_partner_cancels_its_own_claim(client, partners, offered, db):
    bodies = offered["bodies"]
    claim = claims.claim_item(partners.county_person, bodies, 2)
    db.session.commit()
    login(client, partners.county_person)
    assert client.submit(f"/partner/claims/{claim.id}/cancel").status_code == 302
    db.session.refresh(claim)
    db.session.refresh(bodies)
    assert claim.status == "cancelled" and bodies.quantity_available == 4
    # Cancelled already: a conflict.
    assert client.submit(f"/partner/claims/{claim.id}/cancel").status_code == 409


def test_the_whole_flow_leaves_the_municipality_s_figures_alone(client, app, partners,
                                                                offered, people, api, db):
    admin_api = api(people.admin)
    before = admin_api.get("/api/v1/reports/summary").get_json()
    bodies = offered["bodies"]
    login(client, partners.county_person)
    assert client.submit(f"/partner/items/{bodies.id}/claim", {"quantity": "3"}
                         ).status_code == 302
    claim = db.session.scalar(select(Claim))
    # The lister sees the organisation's name on the item and claim pages, and approves.
    lister = app.test_client()
    login(lister, people.member)
    assert "Vestland fylkeskommune" in page_text(lister.get(f"/items/{bodies.id}"))
    assert "Vestland fylkeskommune" in page_text(lister.get("/claims/incoming"))
    claim_page = lister.get(f"/claims/{claim.id}")
    assert "Vestland fylkeskommune" in page_text(claim_page)
    assert lister.submit(f"/claims/{claim.id}/approve").status_code == 302
    # The lister's collect form does not ask about a new purchase for a partner's claim.
    claim_page = lister.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "replaces_purchase" not in claim_page
    assert f"/claims/{claim.id}/collect" in claim_page
    # The claimant confirms the collection on their own page.
    assert client.submit(f"/partner/claims/{claim.id}/collect").status_code == 302
    db.session.refresh(claim)
    assert claim.status == "collected"
    [disposition] = db.session.scalars(select(Disposition)).all()
    assert disposition.kind == DispositionKind.REUSED_BY_PARTNER
    assert disposition.partner_id == partners.county.id and disposition.quantity == 3
    assert db.session.scalar(select(func.count()).select_from(ReuseRecord)) == 0
    after = admin_api.get("/api/v1/reports/summary").get_json()
    assert after["avoided_cost_nok"] == before["avoided_cost_nok"]
    assert after["items_reused"] == before["items_reused"]
    # The lister's page shows it went out of the municipality.
    assert "Ført som gjenbrukt utenfor kommunen" in page_text(lister.get(f"/claims/{claim.id}"))


def test_the_lister_confirms_a_partner_s_collection_without_the_purchase_question(
        app, partners, offered, people, db):
    bodies = offered["bodies"]
    claim = claims.claim_item(partners.county_person, bodies, 1)
    claims.approve(people.member, claim)
    db.session.commit()
    lister = app.test_client()
    login(lister, people.member)
    assert lister.submit(f"/claims/{claim.id}/collect", {}).status_code == 302
    db.session.refresh(claim)
    assert claim.status == "collected" and claim.outside_record is not None
    assert db.session.scalar(select(func.count()).select_from(ReuseRecord)) == 0


def test_partner_api_cancel_and_collect(partners, offered, api, people, db):
    bodies = offered["bodies"]
    county = api(partners.county_person)
    first = county.post(f"{ITEMS}/{bodies.id}/claims", json={"quantity": 1}).get_json()
    assert county.post(f"/api/v1/claims/{first['id']}/cancel").get_json()["status"] == \
        "cancelled"
    second = county.post(f"{ITEMS}/{bodies.id}/claims", json={"quantity": 1}).get_json()
    assert county.post(f"/api/v1/claims/{second['id']}/collect").status_code == 409
    claims.approve(people.member, db.session.get(Claim, second["id"]))
    db.session.commit()
    collected = county.post(f"/api/v1/claims/{second['id']}/collect", json={})
    assert collected.status_code == 200
    assert collected.get_json()["reuse_record"]["outside_municipality"] is True


# -- who gets in at all ---------------------------------------------------------------------

def test_a_suspended_organisation_s_people_are_refused(client, app, partners, offered, db):
    _, token = tokens.create_token(partners.county_person, "integrasjon")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get(ITEMS, headers=headers).status_code == 200
    signed_in = app.test_client()
    assert login(signed_in, partners.county_person).status_code == 302
    partners.county.suspended_at = utcnow()
    db.session.commit()
    refused = login(client, partners.county_person)
    assert refused.status_code == 200  # the sign-in form again, with its message
    assert "/partner/" not in refused.headers.get("Location", "")
    response = client.get("/partner/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert app.test_client().get(ITEMS, headers=headers).status_code == 401
    # A session from before the suspension no longer sees anything either.
    assert signed_in.get("/partner/").status_code in (302, 404)
    assert signed_in.get(f"/partner/items/{offered['bodies'].id}").status_code in (302, 404)


@pytest.mark.parametrize("path", ["/reports", "/checks", "/checks/new", "/my-unit/items",
                                  "/admin/", "/claims", "/claims/incoming", "/items/new",
                                  "/wanted"])
def test_a_partner_cannot_open_the_municipality_s_pages(client, partners, path):
    login(client, partners.county_person)
    assert client.get(path).status_code == 404


def test_the_catalogue_front_page_sends_a_partner_home(client, partners):
    login(client, partners.county_person)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/partner/"


@pytest.mark.parametrize("path", ["/partner/", "/partner/claims", "/partner/varsler"])
def test_municipal_people_do_not_see_the_partner_pages(client, people, path):
    login(client, people.admin)
    assert client.get(path).status_code == 404


def test_municipal_people_do_not_see_a_partner_s_item_or_claim_pages(client, people, offered,
                                                                     partners, db):
    claim = claims.claim_item(partners.county_person, offered["bodies"], 1)
    db.session.commit()
    login(client, people.member)
    assert client.get(f"/partner/items/{offered['bodies'].id}").status_code == 404
    assert client.get(f"/partner/claims/{claim.id}").status_code == 404


def test_the_header_shows_only_the_partner_s_own_links(client, partners, catalog):
    login(client, partners.county_person)
    html = client.get("/partner/").get_data(as_text=True)
    for own in ("/partner/claims", "/partner/varsler", "/notifications", "/logout"):
        assert f'"{own}"' in html, own
    for municipal in ("/items/new", "/my-unit/items", "/claims/incoming", "/reports",
                      "/checks/new", "/admin/"):
        assert f'href="{municipal}"' not in html, municipal
    assert "Vestland fylkeskommune" in html


def test_notifications_work_for_a_partner(client, partners, offered, people, db):
    claim = claims.claim_item(partners.county_person, offered["bodies"], 1)
    claims.approve(people.member, claim, "Velkommen!")
    db.session.commit()
    login(client, partners.county_person)
    listing = client.get("/notifications")
    assert listing.status_code == 200
    assert "Reol til fylket" in page_text(listing)
    note = re.search(r'href="(/notifications/\d+)"', listing.get_data(as_text=True)).group(1)
    opened = client.get(note)
    assert opened.status_code == 302
    assert opened.headers["Location"] == f"/partner/claims/{claim.id}"
    assert client.get(opened.headers["Location"]).status_code == 200
    assert client.submit("/notifications/read").status_code == 302


# -- subscriptions --------------------------------------------------------------------------

def test_a_partner_chooses_categories_to_hear_about(client, partners, catalog, db):
    login(client, partners.county_person)
    page = client.get("/partner/varsler")
    assert page.status_code == 200
    shelves = db.session.scalar(select(Category).where(Category.slug == "bokhylle"))
    cupboards = db.session.scalar(select(Category).where(Category.slug == "skap"))
    saved = client.submit("/partner/varsler", {"categories": [str(shelves.id),
                                                              str(cupboards.id)]})
    assert saved.status_code == 302
    chosen = set(db.session.scalars(select(PartnerSubscription.category_id).where(
        PartnerSubscription.user_id == partners.county_person.id)))
    assert chosen == {shelves.id, cupboards.id}
    assert "checked" in client.get("/partner/varsler").get_data(as_text=True)
    assert client.submit("/partner/varsler", {"categories": [str(shelves.id)]}
                         ).status_code == 302
    assert set(db.session.scalars(select(PartnerSubscription.category_id))) == {shelves.id}
    # An unknown category is a form error, never a 500, and changes nothing.
    refused = client.submit("/partner/varsler", {"categories": ["999999"]})
    assert refused.status_code == 422
    refused = client.submit("/partner/varsler", {"categories": ["x"]})
    assert refused.status_code == 422
    assert set(db.session.scalars(select(PartnerSubscription.category_id))) == {shelves.id}


def test_a_retired_category_cannot_be_newly_chosen(client, partners, catalog, db):
    retired = db.session.scalar(select(Category).where(Category.slug == "skap"))
    retired.retired_at = utcnow()
    db.session.commit()
    login(client, partners.county_person)
    assert client.submit("/partner/varsler", {"categories": [str(retired.id)]}
                         ).status_code == 422
    assert db.session.scalar(select(func.count()).select_from(PartnerSubscription)) == 0



def test_a_partner_token_may_ask_for_any_order(partners, offered, api):
    """"Nearest" is nearness to one's own unit; a partner has none, so newest first."""
    county = api(partners.county_person)
    for order in ("newest", "nearest", "most"):
        response = county.get(f"{ITEMS}?sort={order}")
        assert response.status_code == 200, order
        assert {i["title"] for i in response.get_json()["items"]} == {"Reol til fylket",
                                                                     "Skap for alle"}


# -- the boundaries an independent review probed ------------------------------------------

def test_provisioning_neither_lists_nor_changes_a_partners_person(app, db, partners, people):
    """The municipality's identity provider provisions the municipality's people: a partner's
    person is not in its list, and every request for them is 404, so a provisioning token
    can neither re-address the account (and send its sign-in link elsewhere) nor close it."""
    from reuse.services import scim_tokens

    _, plain = scim_tokens.create_token(None, "Entra ID")
    db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {plain}", "Content-Type": "application/scim+json"}
    person = partners.county_person
    listed = client.get("/scim/v2/Users?count=200", headers=headers)
    assert listed.status_code == 200
    assert person.email not in listed.get_data(as_text=True)
    assert client.get(f'/scim/v2/Users?filter=userName eq "{person.email}"',
                      headers=headers).get_json()["totalResults"] == 0
    assert client.get(f"/scim/v2/Users/{person.id}", headers=headers).status_code == 404
    replaced = client.put(f"/scim/v2/Users/{person.id}", headers=headers, json={
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "mallory@evil.example", "active": True})
    assert replaced.status_code == 404
    assert client.delete(f"/scim/v2/Users/{person.id}", headers=headers).status_code == 404
    created = client.post("/scim/v2/Users", headers=headers, json={
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": person.email, "active": True})
    assert created.status_code == 409
    db.session.expire_all()
    assert (person.email, person.active, person.scim_external_id) == (
        "frida@vlfk.example", True, None)


def test_single_sign_on_never_takes_over_a_partners_person(db, partners):
    """An identity at the municipality's provider with a partner person's (verified) address
    is refused, and the account stays unbound."""
    from reuse.services import sso

    identity = sso.Identity(issuer="https://idp.example", subject="guest-sub",
                            email="frida@vlfk.example", email_verified=True, name="Frida")
    with pytest.raises(sso.SignInRefused):
        sso.account_for(identity, trust_email=True)
    db.session.expire_all()
    assert partners.county_person.oidc_subject is None


def test_an_item_leaves_a_partners_sight_once_their_claim_is_closed(
        db, partners, offered, people, client, api):
    """An open claim keeps the item in sight (they are to collect it); a cancelled one does
    not: moved back to internal, or withdrawn, the item is gone for the organisation."""
    from reuse.services import items, stages

    bodies = offered["bodies"]
    claim = claims.claim_item(partners.county_person, bodies, 1)
    db.session.commit()
    stages.move(people.member, bodies, Stage.INTERNAL.value, "Trengs likevel i høst")
    db.session.commit()
    partner_api = api(partners.county_person)
    assert partner_api.get(f"/api/v1/items/{bodies.id}").status_code == 200
    claims.cancel(partners.county_person, claim)
    db.session.commit()
    assert partner_api.get(f"/api/v1/items/{bodies.id}").status_code == 404
    assert bodies.id not in {item["id"] for item in partner_api.get(
        "/api/v1/items?status=all").get_json()["items"]}
    items.withdraw_item(people.member, bodies)
    db.session.commit()
    login(client, partners.county_colleague)
    assert client.get(f"/partner/items/{bodies.id}").status_code == 404


def test_a_partner_reads_no_prices_or_emissions_on_a_collected_claim(
        db, partners, offered, people, api):
    bodies = offered["bodies"]
    partner_api = api(partners.county_person)
    claim_id = partner_api.post(f"/api/v1/items/{bodies.id}/claims",
                                json={"quantity": 1}).get_json()["id"]
    claims.approve(people.member, claims.get_claim(claim_id))
    db.session.commit()
    assert partner_api.post(f"/api/v1/claims/{claim_id}/collect", json={}).status_code == 200
    record = partner_api.get(f"/api/v1/claims/{claim_id}").get_json()["reuse_record"]
    assert record["outside_municipality"] is True
    assert (record["new_price_nok_used"], record["co2e_kg_used"]) == (None, None)
    assert record["avoided_waste_kg"] == 30
    # The lister's side keeps the figures the record was written with.
    lister = api(people.member).get(f"/api/v1/claims/{claim_id}").get_json()["reuse_record"]
    assert lister["new_price_nok_used"] == 1800


def test_partners_are_told_the_giving_unit_not_the_lister(db, partners, offered, people):
    bodies = offered["bodies"]
    claim = claims.claim_item(partners.county_person, bodies, 1)
    claims.approve(people.member, claim)
    db.session.commit()
    told = db.session.scalar(select(Notification).where(
        Notification.user_id == partners.county_person.id,
        Notification.kind == "claim_approved"))
    assert people.member.name not in told.body
    assert bodies.unit.name in told.body


def test_changing_a_partners_password_asks_for_the_current_one(client, db, partners):
    from reuse.services import users

    login(client, partners.county_person)
    page = client.get("/account/password")
    assert "current_password" in page.get_data(as_text=True)
    refused = client.submit("/account/password", {
        "password": "en helt ny frase for fylket", "confirm": "en helt ny frase for fylket"})
    assert refused.status_code == 422
    assert "Det nåværende passordet stemmer ikke." in page_text(refused)
    db.session.expire_all()
    assert users.authenticate("frida@vlfk.example", "en helt ny frase for fylket") is None


def test_anonymising_a_partners_person_takes_their_sign_in_links_with_the_address(
        db, partners):
    from reuse.models import LoginLink
    from reuse.services import login_links, users

    login_links.create_link(partners.county_person)
    db.session.commit()
    users.anonymise(partners.county_person)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(LoginLink).where(
        LoginLink.email == "frida@vlfk.example")) == 0


def test_an_admin_revokes_a_partners_token_from_the_token_list(client, db, partners, people,
                                                                log_in):
    from reuse.models import ApiToken

    tokens.create_token(partners.county_person, "Fylkets innkjøp")
    db.session.commit()
    token = db.session.scalar(select(ApiToken).where(
        ApiToken.user_id == partners.county_person.id))
    log_in(people.admin)
    assert "Fylkes Frida" in page_text(client.get("/admin/tokens"))
    revoked = client.submit(f"/admin/tokens/{token.id}/revoke", {"confirm": "yes"})
    assert revoked.status_code in (302, 303)
    db.session.expire_all()
    assert token.revoked_at is not None
    # The token list and the confirmation lead to the organisation, not a person page that
    # partners' people do not have.
    page = client.get("/admin/tokens").get_data(as_text=True)
    assert f"/admin/partners/{partners.county.id}" in page


def test_the_partner_gate_names_only_endpoints_that_exist(app):
    """A renamed view would silently drop out of (or never enter) what partners may reach."""
    from reuse.services import permissions

    named = permissions.PARTNER_API_ENDPOINTS | permissions.PARTNER_WEB_ENDPOINTS
    assert named - set(app.view_functions) == set()
    for prefix in permissions.PARTNER_WEB_PREFIXES:
        assert any(endpoint.startswith(prefix) for endpoint in app.view_functions), prefix
