"""Photos chosen on the new-item form survive a form error, are put in order, get a cover
and can be removed; a chosen photo is its uploader's alone, and is cleared away if the form is
never saved."""

from __future__ import annotations

import io
import os
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from reuse.models import Item, PendingPhoto
from reuse.services import categories, photos
from reuse.services.errors import NotFound
from tests.conftest import jpeg_bytes, login, page_text


def item_form(**overrides) -> dict:
    form = {
        "title": "Hev-senk-skrivebord, hvitt",
        "category_id": str(categories.get_by_slug("hev-senk-skrivebord").id),
        "condition": "good",
        "quantity": "2",
        "location_address": "Konsul Börs gate 5",
        "internal_until": "",
    }
    form.update(overrides)
    return form


def two_files() -> list:
    return [(io.BytesIO(jpeg_bytes(colour=(200, 0, 0))), "IMG_0001.jpg"),
            (io.BytesIO(jpeg_bytes(colour=(0, 0, 200))), "IMG_0002.jpg")]


def references(response) -> list[str]:
    """The references the re-shown form carries, in the order it shows the photos."""
    return re.findall(r'name="chosen-\d+-token" type="hidden" value="([^"]+)"',
                      response.get_data(as_text=True))


def chosen_fields(tokens_and_alt_texts: list[tuple[str, str]]) -> dict:
    fields = {}
    for index, (token, alt_text) in enumerate(tokens_and_alt_texts):
        fields[f"chosen-{index}-token"] = token
        fields[f"chosen-{index}-alt_text"] = alt_text
    return fields


def pending_of(db, user) -> list[PendingPhoto]:
    return list(db.session.scalars(select(PendingPhoto).where(PendingPhoto.user_id == user.id)
                                   .order_by(PendingPhoto.id)))


def item_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Item))


def stored(app, filename: str) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / filename


@pytest.fixture
def with_an_error(client, people, catalog, log_in):
    """Kari chose two photos but forgot the title: the form came back."""
    log_in(people.member)
    form = item_form(title="")
    form["photos"] = two_files()
    return client.submit("/items/new", form, content_type="multipart/form-data")


def test_photos_survive_a_form_error_and_are_saved_in_the_chosen_order(
        client, people, db, app, with_an_error):
    response = with_an_error
    assert response.status_code == 200
    assert "Gi annonsen en tittel." in page_text(response)
    first, second = references(response)
    assert [p.token for p in pending_of(db, people.member)] == [first, second]
    assert item_count(db) == 0
    html = response.get_data(as_text=True)
    for pending in pending_of(db, people.member):
        thumbnail = f"/photos/{pending.thumbnail_filename}"
        assert thumbnail in html
        assert client.get(thumbnail).status_code == 200

    # She types the title, the photos' descriptions and puts the second one first.
    response = client.submit("/items/new", {
        **item_form(), **chosen_fields([(second, "Skrivebordet sett ovenfra"),
                                        (first, "Skrivebordet sett forfra")])})

    assert response.status_code == 302
    item = db.session.scalar(select(Item))
    assert [p.alt_text for p in item.photos] == ["Skrivebordet sett ovenfra",
                                                 "Skrivebordet sett forfra"]
    assert pending_of(db, people.member) == []
    for photo in item.photos:
        assert stored(app, photo.filename).exists()
        assert stored(app, photo.thumbnail_filename).exists()


def test_photos_chosen_with_a_complete_form_are_saved_at_once(client, people, catalog, log_in,
                                                              db):
    log_in(people.member)
    form = item_form()
    form["photos"] = two_files()
    response = client.submit("/items/new", form, content_type="multipart/form-data")
    assert response.status_code == 302
    item = db.session.scalar(select(Item))
    # No description typed: each says at least what it is a photo of.
    assert [p.alt_text for p in item.photos] == [
        "Bilde 1 av Hev-senk-skrivebord, hvitt", "Bilde 2 av Hev-senk-skrivebord, hvitt"]


def test_a_bad_file_is_named_and_the_good_one_kept(client, people, catalog, log_in, db):
    log_in(people.member)
    form = item_form()
    form["photos"] = [(io.BytesIO(b"not an image"), "notat.txt"),
                      (io.BytesIO(jpeg_bytes()), "IMG_0003.jpg")]
    response = client.submit("/items/new", form, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "«notat.txt» er ikke et bilde vi kan lese" in page_text(response)
    assert len(references(response)) == 1
    assert item_count(db) == 0


def test_someone_elses_photo_reference_is_refused(client, people, db, app, with_an_error):
    first, second = references(with_an_error)
    thumbnail = pending_of(db, people.member)[0].thumbnail_filename
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    login(client, people.colleague)

    assert client.get(f"/photos/{thumbnail}").status_code == 404
    response = client.submit("/items/new", {**item_form(), **chosen_fields([(first, "")])})

    assert response.status_code == 200
    assert "1 bilde du valgte, er ikke lagret lenger." in page_text(response)
    assert first not in response.get_data(as_text=True)
    assert item_count(db) == 0
    assert len(pending_of(db, people.member)) == 2


def test_buttons_beside_the_photos_reorder_and_remove_without_complaining(
        client, people, db, app, with_an_error):
    first, second = references(with_an_error)
    keep = chosen_fields([(first, "Forfra"), (second, "Ovenfra")])

    response = client.submit("/items/new", {**item_form(title=""), **keep,
                                            "photo_action": f"cover:{second}"})
    assert references(response) == [second, first]
    assert "Gi annonsen en tittel." not in page_text(response)
    assert 'value="Ovenfra"' in response.get_data(as_text=True)

    response = client.submit("/items/new", {**item_form(title=""), **keep,
                                            "photo_action": f"later:{first}"})
    assert references(response) == [second, first]

    removed = pending_of(db, people.member)[0]
    response = client.submit("/items/new", {**item_form(title=""), **keep,
                                            "photo_action": f"remove:{first}"})
    assert references(response) == [second]
    assert [p.token for p in pending_of(db, people.member)] == [second]
    assert not stored(app, removed.filename).exists()
    assert not stored(app, removed.thumbnail_filename).exists()


def test_no_more_photos_than_an_item_may_have(client, people, catalog, log_in, db, app):
    log_in(people.member)
    limit = app.config["PHOTOS_PER_ITEM"]
    form = item_form(title="")
    form["photos"] = [(io.BytesIO(jpeg_bytes()), f"IMG_{n}.jpg") for n in range(limit + 1)]
    response = client.submit("/items/new", form, content_type="multipart/form-data")
    assert f"En annonse kan ha høyst {limit} bilder." in page_text(response)
    assert pending_of(db, people.member) == []


def test_one_person_keeps_only_a_few_forms_worth_of_waiting_photos(client, people, catalog,
                                                                    log_in, db, app):
    """Photos of forms never saved take disk for a day: starting form after form must not
    fill it."""
    log_in(people.member)
    limit = app.config["PHOTOS_PER_ITEM"]
    cap = photos.PENDING_FORMS_PER_PERSON * limit
    for _ in range(photos.PENDING_FORMS_PER_PERSON):
        form = item_form(title="")
        form["photos"] = [(io.BytesIO(jpeg_bytes()), f"IMG_{n}.jpg") for n in range(limit)]
        client.submit("/items/new", form, content_type="multipart/form-data")
    assert len(pending_of(db, people.member)) == cap
    form = item_form(title="")
    form["photos"] = two_files()
    response = client.submit("/items/new", form, content_type="multipart/form-data")
    assert "Du har mange bilder som venter" in page_text(response)
    assert len(pending_of(db, people.member)) == cap
    assert len(list(Path(app.config["UPLOAD_DIR"]).iterdir())) == 2 * cap  # photo, thumbnail


# -- an item's photos: order and cover --------------------------------------------------------

@pytest.fixture
def three_photos(people, make_item, db):
    item = make_item(people.member, title="Kontorstol")
    added = photos.add_photos(people.member, item, [
        photos.Upload(io.BytesIO(jpeg_bytes()), f"{n}.jpg", f"Stol {n}") for n in (1, 2, 3)])
    db.session.commit()
    return item, added


def card_image(client) -> str:
    [alt] = re.findall(r'<img src="/photos/[^"]+" alt="([^"]+)" loading="lazy"',
                       client.get("/").get_data(as_text=True))
    return alt


def test_reordering_and_choosing_the_cover_change_what_the_card_shows(client, people, log_in,
                                                                      three_photos, db):
    item, (one, two, three) = three_photos
    log_in(people.member)
    assert card_image(client) == "Stol 1"

    client.submit(f"/items/{item.id}/photos/{three.id}/arrange", {"action": "cover"})
    assert card_image(client) == "Stol 3"
    client.submit(f"/items/{item.id}/photos/{three.id}/arrange", {"action": "later"})
    assert card_image(client) == "Stol 1"
    db.session.expire_all()
    assert [p.alt_text for p in item.photos] == ["Stol 1", "Stol 3", "Stol 2"]
    assert [p.position for p in item.photos] == [0, 1, 2]


def test_only_those_who_manage_the_item_may_reorder_its_photos(client, people, log_in,
                                                              three_photos, db):
    item, (one, two, three) = three_photos
    log_in(people.colleague)
    response = client.submit(f"/items/{item.id}/photos/{three.id}/arrange",
                             {"action": "cover"})
    assert response.status_code == 403
    db.session.expire_all()
    assert [p.alt_text for p in item.photos] == ["Stol 1", "Stol 2", "Stol 3"]


def test_removing_a_photo_keeps_the_others_in_order_and_the_next_one_goes_last(
        client, people, log_in, three_photos, db):
    item, (one, two, three) = three_photos
    log_in(people.member)
    client.submit(f"/items/{item.id}/photos/{one.id}/delete")
    photos.add_photos(people.member, item, [photos.Upload(io.BytesIO(jpeg_bytes()), "4.jpg",
                                                          "Stol 4")])
    db.session.commit()
    db.session.expire_all()
    assert [(p.alt_text, p.position) for p in item.photos] == [
        ("Stol 2", 0), ("Stol 3", 1), ("Stol 4", 2)]
    assert card_image(client) == "Stol 2"


def test_the_photos_page_offers_the_moves_each_photo_can_make(client, people, log_in,
                                                              three_photos):
    item, _photos = three_photos
    log_in(people.member)
    page = page_text(client.get(f"/items/{item.id}/photos"))
    assert page.count("Bruk som forsidebilde") == 2
    assert page.count("Flytt opp") == 2 and page.count("Flytt ned") == 2
    assert page.count("Forsidebilde") == 1


@pytest.fixture
def one_photo(people, make_item, db):
    item = make_item(people.member, title="Kontorstol")
    photos.add_photos(people.member, item, [photos.Upload(io.BytesIO(jpeg_bytes()), "1.jpg",
                                                          "Stol 1")])
    db.session.commit()
    return item, item.photos


def test_the_photos_page_adds_several_photos_at_once_with_their_descriptions(
        client, people, log_in, one_photo, db):
    item, _photos = one_photo
    log_in(people.member)
    page = client.get(f"/items/{item.id}/photos").get_data(as_text=True)
    assert re.search(r'<input[^>]*accept="image/\*"[^>]*multiple|<input[^>]*multiple[^>]*'
                     r'accept="image/\*"', page)
    response = client.submit(f"/items/{item.id}/photos",
                             {"photos": two_files(),
                              "photos_alt_text": ["Stol bakfra", "Stol fra siden"]},
                             content_type="multipart/form-data")
    assert response.status_code == 302
    assert "2 bilder er lagt til." in page_text(client.get(response.location))
    db.session.expire_all()
    assert [p.alt_text for p in item.photos] == ["Stol 1", "Stol bakfra", "Stol fra siden"]
    assert pending_of(db, people.member) == []


def test_the_photos_page_keeps_good_photos_when_one_is_refused_and_lets_them_be_arranged(
        client, people, log_in, one_photo, db, app):
    item, _photos = one_photo
    log_in(people.member)
    response = client.submit(f"/items/{item.id}/photos", {"photos": [
        (io.BytesIO(jpeg_bytes()), "IMG_1.jpg"), (io.BytesIO(b"<svg/>"), "logo.svg"),
        (io.BytesIO(jpeg_bytes()), "IMG_2.jpg")]}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "«logo.svg» er en SVG-tegning" in page_text(response)
    first, second = references(response)
    db.session.expire_all()
    assert len(item.photos) == 1

    # The buttons beside the kept photos work as on the new-item form; then they are added.
    response = client.submit(f"/items/{item.id}/photos", {
        **chosen_fields([(first, "Første"), (second, "Andre")]),
        "photo_action": f"cover:{second}"})
    assert references(response) == [second, first]
    response = client.submit(f"/items/{item.id}/photos",
                             chosen_fields([(second, "Andre"), (first, "Første")]))
    assert response.status_code == 302
    db.session.expire_all()
    assert [p.alt_text for p in item.photos] == ["Stol 1", "Andre", "Første"]
    assert pending_of(db, people.member) == []


def test_the_photos_page_adds_no_more_than_the_item_may_have(client, people, log_in,
                                                            one_photo, db, app):
    item, _photos = one_photo
    log_in(people.member)
    room = app.config["PHOTOS_PER_ITEM"] - 1
    response = client.submit(f"/items/{item.id}/photos", {"photos": [
        (io.BytesIO(jpeg_bytes()), f"IMG_{n}.jpg") for n in range(room + 1)]},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Den har 1," in page_text(response)
    db.session.expire_all()
    assert len(item.photos) == 1 and pending_of(db, people.member) == []


def test_someone_elses_photo_reference_adds_nothing_on_the_photos_page(
        client, people, db, make_item, with_an_error):
    first, _second = references(with_an_error)
    theirs = make_item(people.colleague, title="Knuts stol")
    db.session.commit()
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    login(client, people.colleague)

    response = client.submit(f"/items/{theirs.id}/photos", chosen_fields([(first, "")]))

    assert response.status_code == 200
    assert "1 bilde du valgte, er ikke lagret lenger." in page_text(response)
    db.session.expire_all()
    assert theirs.photos == [] and len(pending_of(db, people.member)) == 2


# -- clearing away what was never saved ------------------------------------------------------

def test_run_jobs_removes_photos_of_forms_never_saved(runner, people, db, app,
                                                      with_an_error):
    stale, fresh = pending_of(db, people.member)
    stale.created_at -= photos.PENDING_KEPT_FOR + timedelta(minutes=1)
    db.session.commit()
    # The orphan-file cleanup leaves a waiting photo's files alone, however old they are.
    old = time.time() - 2 * 3600
    for name in (fresh.filename, fresh.thumbnail_filename):
        os.utime(stored(app, name), (old, old))

    result = runner.invoke(args=["run-jobs"])

    assert "2 bildefiler uten annonse er slettet" in result.output
    assert [p.token for p in pending_of(db, people.member)] == [fresh.token]
    assert not stored(app, stale.filename).exists()
    assert not stored(app, stale.thumbnail_filename).exists()
    assert stored(app, fresh.filename).exists() and stored(app, fresh.thumbnail_filename).exists()


def test_arranging_a_photo_removed_meanwhile_is_not_found_not_an_error(people, three_photos,
                                                                      db):
    """Another request removes the photo while this one waits for the item's lock."""
    item, (one, two, three) = three_photos
    assert three.item is item  # loaded, as the view had it before it waited
    with db.engine.begin() as other_request:
        other_request.execute(text("DELETE FROM photo WHERE id = :id"), {"id": three.id})
    with pytest.raises(NotFound):
        photos.arrange(people.member, three, "cover")
