"""Posting, changing and withdrawing items, and who may do it."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from reuse.models import Item
from reuse.services import categories, claims, factors, items, photos
from tests.conftest import jpeg_bytes, page_text


def item_form(**overrides) -> dict:
    form = {
        "title": "Hev-senk-skrivebord, hvitt",
        "category_id": str(categories.get_by_slug("hev-senk-skrivebord").id),
        "condition": "good",
        "quantity": "4",
        "description": "Elektriske, 160 × 80 cm.",
        "location_address": "Konsul Börs gate 5",
        "location_building": "Hovedbygget",
        "location_room": "Rom 104",
        "collection_notes": "Hverdager 08–15",
        "internal_until": "",
    }
    form.update(overrides)
    return form


def item_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Item))


def test_member_posts_an_item_with_a_photo_for_their_unit(client, people, catalog, log_in, db):
    log_in(people.member)
    form = item_form()
    form["photos"] = (io.BytesIO(jpeg_bytes()), "IMG_2041.jpg")
    form["photos_alt_text"] = "Hvitt skrivebord sett forfra"
    response = client.submit("/items/new", form, content_type="multipart/form-data")

    assert response.status_code == 302
    item = db.session.scalar(select(Item))
    assert response.headers["Location"] == f"/items/{item.id}"
    assert item.unit_id == people.school.id
    assert item.created_by_id == people.member.id
    assert item.quantity == 4 and item.quantity_available == 4
    assert item.internal_until == date.today() + timedelta(days=30)
    assert [p.alt_text for p in item.photos] == ["Hvitt skrivebord sett forfra"]

    page = page_text(client.get(response.headers["Location"]))
    assert "Annonsen er lagt ut" in page
    assert "Hev-senk-skrivebord, hvitt" in page
    assert "Konsul Börs gate 5, Hovedbygget, Rom 104" in page
    assert "Møhlenpris skole" in page


def test_new_item_form_offers_the_camera_and_starts_with_defaults(client, people, catalog,
                                                                 log_in):
    log_in(people.member)
    html = client.get("/items/new").get_data(as_text=True)
    assert 'type="file"' in html and 'accept="image/*"' in html
    assert f'value="{(date.today() + timedelta(days=30)).isoformat()}"' in html


def test_new_item_form_starts_from_the_users_last_location(client, people, make_item, log_in):
    make_item(people.member, location_address="Landåsveien 40", location_room="Kjelleren")
    log_in(people.member)
    html = client.get("/items/new").get_data(as_text=True)
    assert 'value="Landåsveien 40"' in html and 'value="Kjelleren"' in html


def test_missing_fields_are_shown_beside_the_fields_and_nothing_is_saved(client, people, catalog,
                                                                       log_in, db):
    log_in(people.member)
    response = client.submit("/items/new", item_form(title="", location_address="",
                                                     category_id="0", quantity="0"))
    assert response.status_code == 200
    page = page_text(response)
    assert "Gi annonsen en tittel." in page
    assert "Oppgi adressen der tingene kan hentes." in page
    assert "Velg en kategori." in page
    assert "Antall må være mellom 1 og 10000." in page
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert item_count(db) == 0


def test_internal_period_cannot_end_in_the_past(client, people, catalog, log_in, db):
    log_in(people.member)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    response = client.submit("/items/new", item_form(internal_until=yesterday))
    assert "Intern periode kan ikke slutte før i dag." in page_text(response)
    assert item_count(db) == 0


def test_a_bad_photo_refuses_the_whole_listing_and_keeps_what_was_typed(client, people, catalog,
                                                                      log_in, db, app):
    log_in(people.member)
    form = item_form(title="Skap med lås")
    form["photos"] = (io.BytesIO(b"not an image at all"), "notes.txt")
    response = client.submit("/items/new", form, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "er ikke et bilde vi kan lese" in page_text(response)
    assert 'value="Skap med lås"' in response.get_data(as_text=True)
    assert item_count(db) == 0


def test_price_and_weight_default_from_the_category(people, make_item):
    chair = make_item(people.member)
    assert chair.new_price_nok is None
    figures = factors.piece_figures(chair)
    assert figures.new_price_nok == chair.category.new_price_nok == Decimal("4500.00")
    assert figures.weight_kg == Decimal("17.500")


def test_price_and_weight_given_on_the_item_override_the_category(people, make_item):
    chair = make_item(people.member, new_price_nok=Decimal("3999.50"), weight_kg=Decimal("12.25"))
    figures = factors.piece_figures(chair)
    assert figures.new_price_nok == Decimal("3999.50")
    assert figures.weight_kg == Decimal("12.250")


def test_negative_price_is_refused(client, people, catalog, log_in, db):
    log_in(people.member)
    response = client.submit("/items/new", item_form(new_price_nok="-10"))
    assert "Nypris kan ikke være negativ." in page_text(response)
    assert item_count(db) == 0


def test_lister_edits_their_item(client, people, make_item, log_in, db):
    item = make_item(people.member, title="Stol")
    log_in(people.member)
    response = client.submit(f"/items/{item.id}/edit", item_form(title="Kontorstoler, 6 stk",
                                                                  quantity="6"))
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.title == "Kontorstoler, 6 stk" and item.quantity == 6
    assert "kontorstol" in item.search_text


@pytest.mark.parametrize("who", ["unit_admin", "admin"])
def test_unit_admin_and_admin_may_edit_the_item(client, people, make_item, log_in, db, who):
    item = make_item(people.member, title="Stol")
    log_in(getattr(people, who))
    assert client.get(f"/items/{item.id}/edit").status_code == 200
    response = client.submit(f"/items/{item.id}/edit", item_form(title="Endret"))
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.title == "Endret"


@pytest.mark.parametrize("who", ["outsider", "colleague"])
def test_others_cannot_edit_by_form_or_by_crafted_post(client, people, make_item, log_in, db, who):
    item = make_item(people.member, title="Stol")
    log_in(getattr(people, who))
    assert client.get(f"/items/{item.id}/edit").status_code == 403
    response = client.submit(f"/items/{item.id}/edit", item_form(title="Kapret"))
    assert response.status_code == 403
    assert client.submit(f"/items/{item.id}/withdraw", {"confirm": "yes"}).status_code == 403
    db.session.refresh(item)
    assert item.title == "Stol" and item.withdrawn_at is None
    assert "Endre" not in page_text(client.get(f"/items/{item.id}"))


def test_quantity_cannot_go_below_what_is_reserved(client, people, make_item, log_in, db):
    item = make_item(people.member, quantity=5)
    item.quantity_reserved = 3
    db.session.commit()
    log_in(people.member)
    response = client.submit(f"/items/{item.id}/edit", item_form(quantity="2"))
    assert "Antall kan ikke være lavere enn det som er reservert eller levert (3)." in \
        page_text(response)
    db.session.refresh(item)
    assert item.quantity == 5


def test_withdrawn_item_disappears_for_others_but_stays_in_the_units_list(client, people,
                                                                        make_item, log_in, db):
    item = make_item(people.member, title="Gammel lenestol")
    log_in(people.member)
    response = client.submit(f"/items/{item.id}/withdraw", {"confirm": "yes"})
    assert response.status_code == 302
    assert "trukket tilbake" in page_text(client.get("/my-unit/items"))
    assert "Gammel lenestol" not in page_text(client.get("/"))

    client.submit("/logout")
    log_in(people.outsider)
    assert client.get(f"/items/{item.id}").status_code == 404


def test_withdrawing_twice_is_a_clear_refusal(client, people, make_item, log_in):
    item = make_item(people.member)
    log_in(people.member)
    client.submit(f"/items/{item.id}/withdraw", {"confirm": "yes"})
    response = client.submit(f"/items/{item.id}/withdraw", {"confirm": "yes"})
    assert response.status_code == 409
    assert "allerede trukket tilbake" in page_text(response)


def test_units_list_shows_edit_links_only_where_the_user_may_edit(client, people, make_item,
                                                                  log_in):
    make_item(people.member, title="Kari sin stol")
    make_item(people.colleague, title="Knut sin pult")
    log_in(people.member)
    html = client.get("/my-unit/items").get_data(as_text=True)
    assert "Kari sin stol" in html and "Knut sin pult" in html
    assert html.count("Endre<span") == 1


def test_a_large_units_list_comes_in_pages_with_withdrawn_items_last(client, people,
                                                                    make_item, log_in, db):
    withdrawn = make_item(people.member, title="Gammel reol")
    listed = [make_item(people.member, title=f"Stol nummer {number}")
              for number in range(items.UNIT_ITEMS_PER_PAGE)]
    log_in(people.member)
    assert client.submit(f"/items/{withdrawn.id}/withdraw", {"confirm": "yes"}).status_code == 302

    first = client.get("/my-unit/items").get_data(as_text=True)
    second = client.get("/my-unit/items?page=2").get_data(as_text=True)
    def shown(html):
        return [int(found) for found in re.findall(r'href="/items/(\d+)"', html)]
    assert shown(first) == [item.id for item in reversed(listed)]  # newest first
    assert shown(second) == [withdrawn.id]
    assert 'href="/my-unit/items?page=2"' in first
    assert "side 1 av 2" in first
    # A page past the end, or no number at all, shows a page rather than an error.
    assert shown(client.get("/my-unit/items?page=99").get_data(as_text=True)) == [withdrawn.id]
    assert client.get("/my-unit/items?page=to").status_code == 200


def test_crafted_post_without_csrf_token_changes_nothing(client, people, make_item, log_in, db):
    item = make_item(people.member, title="Stol")
    log_in(people.member)
    response = client.post(f"/items/{item.id}/withdraw")
    assert response.status_code == 400
    db.session.refresh(item)
    assert item.withdrawn_at is None


def test_the_units_list_and_the_api_tell_each_items_status_alike(client, people, make_item,
                                                                  log_in, api, db):
    make_item(people.member, title="Ledig stol", quantity=2)
    reserved = make_item(people.member, title="Reservert stol", quantity=1)
    claims.approve(people.member, claims.claim_item(people.outsider, reserved, 1))
    handed_over = make_item(people.member, title="Hentet stol", quantity=1)
    claim = claims.claim_item(people.outsider, handed_over, 1)
    claims.approve(people.member, claim)
    claims.collect(people.outsider, claim, replaces_purchase=True, costs_nok=Decimal(0))
    items.withdraw_item(people.member, make_item(people.member, title="Trukket stol"))
    db.session.commit()

    listed = api(people.member).get("/api/v1/items?status=all").get_json()["items"]
    assert {item["title"]: item["status"] for item in listed} == {
        "Ledig stol": "available", "Reservert stol": "reserved",
        "Hentet stol": "handed_over", "Trukket stol": "withdrawn"}
    log_in(people.member)
    rows = page_text(client.get("/my-unit/items"))
    # Promised to someone is not the same as given away: each has its own word.
    for title, label in (("Ledig stol", "Ledig"), ("Reservert stol", "Reservert"),
                         ("Hentet stol", "Gitt bort"), ("Trukket stol", "Trukket tilbake")):
        assert re.search(rf"{title} \d+ av \d+ \S+ {label}\b", rows), (title, label)


def test_the_units_list_shows_each_items_cover_with_its_description(client, people, make_item,
                                                                     log_in, db):
    shelf = make_item(people.member, title="Bokhylle i eik")
    photos.add_photos(people.member, shelf, [
        photos.Upload(io.BytesIO(jpeg_bytes(colour=(90, 60, 30))), "a.jpg", "Bokhylle forfra"),
        photos.Upload(io.BytesIO(jpeg_bytes(colour=(30, 60, 90))), "b.jpg", "Baksiden")])
    make_item(people.member, title="Stol uten bilde")
    db.session.commit()
    log_in(people.member)
    html = client.get("/my-unit/items").get_data(as_text=True)
    cover = shelf.photos[0]
    thumbnails = re.findall(r'<img src="([^"]+)" alt="([^"]*)"', html)
    assert thumbnails == [(f"/photos/{cover.thumbnail_filename}", "Bokhylle forfra")]
    assert client.get(thumbnails[0][0]).status_code == 200
