"""Text people give the application: one-line fields refuse control, invisible and
direction-changing characters, multi-line fields keep their line breaks and refuse the rest.
A title "Stol\\rBcc: x@evil.example" was accepted and broke every e-mail about the item."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from reuse.models import Item, Unit, User
from reuse.services import categories, characters, items
from reuse.services.errors import InvalidInput
from tests.conftest import jpeg_bytes, page_text

ONE_LINE_REFUSED = {
    "CR": "Stol\rBcc: x@evil.example", "LF": "Stol\nBcc: x@evil.example", "TAB": "Stol\tgrå",
    "ESC": "Stol\x1b[31m", "DEL": "Stol\x7f", "NEL (C1)": "Stol\x85", "CSI (C1)": "Stol\x9b",
    "line separator": "Stol\u2028x", "paragraph separator": "Stol\u2029x",
    "zero-width space": "Sto\u200bl", "zero-width joiner": "Sto\u200dl",
    "word joiner": "Sto\u2060l", "invisible plus": "Sto\u2064l", "BOM": "\ufeffStol",
    "LRM": "Stol\u200e", "RLM": "Stol\u200f", "Arabic letter mark": "Stol\u061c",
    "LRE": "\u202aStol", "RLO": "Stol \u202egpj.exe", "PDF": "Stol\u202c",
    "LRI": "\u2066Stol", "FSI": "\u2068Stol", "PDI": "Stol\u2069",
}
FINE_EVERYWHERE = ["Kontorstol, HÅG Futu – svart", "Kontor\u00adstol (myk bindestrek)",
                   "Stol 🪑 «som ny»", "Møhlenpris skole, 2. etg.", "Ærlig talt: ø å é ü"]


@pytest.mark.parametrize("value", ONE_LINE_REFUSED.values(), ids=ONE_LINE_REFUSED.keys())
def test_one_line_text_refuses_control_invisible_and_direction_characters(value):
    assert characters.first_refused(value) is not None


@pytest.mark.parametrize("value", FINE_EVERYWHERE)
def test_ordinary_text_is_fine_in_every_field(value):
    assert characters.first_refused(value) is None
    assert characters.first_refused(value, multiline=True) is None


def test_multi_line_text_keeps_line_breaks_and_refuses_the_rest():
    assert characters.first_refused("Hentes hverdager.\r\nRing først.\nTakk!",
                                    multiline=True) is None
    for name, value in ONE_LINE_REFUSED.items():
        if name not in ("CR", "LF"):
            assert characters.first_refused(value, multiline=True) is not None, name


# -- the API ------------------------------------------------------------------------------

def _item_body(**overrides) -> dict:
    body = {"title": "Skap", "category": "skap", "condition": "good", "quantity": 2,
            "location": {"address": "Rådhusgaten 10"}}
    body.update(overrides)
    return body


@pytest.mark.parametrize("overrides, field", [
    ({"title": "Stol\rBcc: x@evil.example"}, "title"),
    ({"title": "Stol \u202egpj.exe"}, "title"),
    ({"location": "Rådhusgaten 10\nBcc: x@evil.example"}, "location"),
    ({"location": {"address": "Rådhusgaten 10", "room": "2\u200b14"}}, "room"),
    ({"location": {"address": "Rådhusgaten\t10"}}, "address"),
    ({"description": "Fin.\n\u2066Skjult\u2069"}, "description"),
    ({"collection_notes": "Ring\x1b[2J"}, "collection_notes"),
], ids=lambda value: repr(value)[:40])
def test_the_api_refuses_such_characters_naming_the_field(api, people, catalog, db, overrides,
                                                          field):
    response = api(people.member).post("/api/v1/items", json=_item_body(**overrides))
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid_text" and f"'{field}'" in error["message"]
    assert "U+" in error["message"]
    assert db.session.scalar(select(func.count()).select_from(Item)) == 0


def test_the_api_keeps_line_breaks_in_descriptions(api, people, catalog):
    response = api(people.member).post("/api/v1/items", json=_item_body(
        description="Lett slitasje.\nHentes bakdøren.", collection_notes="Ring\r\nfør."))
    assert response.status_code == 201
    assert response.get_json()["description"] == "Lett slitasje.\nHentes bakdøren."


@pytest.mark.parametrize("path, body", [
    ("/api/v1/items/{item}/claims", {"quantity": 1, "message": "Hei\u202e"}),
    ("/api/v1/reuse-checks", {"need": "kontorstol\r\nBcc: x@evil.example"}),
    ("/api/v1/wanted", {"words": "sto\u200bl"}),
], ids=lambda value: str(value)[:30])
def test_every_api_text_field_uses_the_same_rule(api, people, make_item, path, body):
    item = make_item(people.member)
    response = api(people.outsider).post(path.format(item=item.id), json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_text"


def test_a_bought_new_purchase_reference_is_one_line(api, people):
    client = api(people.member)
    check = client.post("/api/v1/reuse-checks", json={"need": "kontorstol"}).get_json()
    response = client.post(f"/api/v1/reuse-checks/{check['id']}/outcome", json={
        "outcome": "bought_new", "reason": "urgent", "purchase_reference": "PO-1\r\nX"})
    assert response.status_code == 400
    assert "'purchase_reference'" in response.get_json()["error"]["message"]


def test_a_photo_alt_text_is_one_line(api, people, make_item):
    item = make_item(people.member)
    client = api(people.member)
    response = client.client.post(
        f"/api/v1/items/{item.id}/photos", headers=client._headers(),
        data={"photo": (io.BytesIO(jpeg_bytes()), "skap.jpg"), "alt_text": "Skap\nBcc: x"},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_text"


# -- the forms -----------------------------------------------------------------------------

def _new_item_form(**overrides) -> dict:
    form = {"title": "Skap", "category_id": str(categories.get_by_slug("skap").id),
            "condition": "good", "quantity": "1", "location_address": "Rådhusgaten 10"}
    form.update(overrides)
    return form


@pytest.mark.parametrize("field, value, message", [
    ("title", "Stol\rBcc: x@evil.example", "«Tittel» må stå på én linje, uten linjeskift "
                                           "(fant U+000D)."),
    ("location_room", "2\u200b14", "«Rom» kan ikke inneholde usynlige tegn (fant U+200B)."),
    ("location_address", "Rådhusgaten \u202e01", "«Adresse» kan ikke inneholde tegn som "
                                                 "endrer skriveretningen (fant U+202E)."),
    ("description", "Fin\tstol", "«Beskrivelse» kan ikke inneholde kontrolltegn "
                                 "(fant U+0009)."),
])
def test_the_item_form_says_which_field_holds_which_character(log_in, people, catalog, db,
                                                              field, value, message):
    response = log_in(people.member).submit("/items/new", _new_item_form(**{field: value}))
    assert message in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(Item)) == 0


def test_the_message_is_in_english_for_english_readers(log_in, people, catalog):
    client = log_in(people.member)
    client.submit("/language", {"locale": "en", "next": "/"})
    response = client.submit("/items/new", _new_item_form(title="Stol\nBcc: x"))
    assert "“Title” must be on one line, without line breaks (found U+000A)." \
        in page_text(response)


def test_the_item_form_keeps_line_breaks_in_the_description(log_in, people, catalog, db):
    response = log_in(people.member).submit("/items/new", _new_item_form(
        description="Lett slitasje.\r\nHentes bakdøren."))
    assert response.status_code == 302
    assert db.session.scalar(select(Item.description)) == "Lett slitasje.\r\nHentes bakdøren."


@pytest.mark.parametrize("path, fields", [
    ("/checks/new", {"need": "stol\r\nBcc: x"}),
    ("/wanted", {"words": "sto\u200bl"}),
])
def test_other_one_line_forms_refuse_them_too(log_in, people, catalog, path, fields):
    response = log_in(people.outsider).submit(path, fields)
    assert "(fant U+" in page_text(response)


# -- the services: the last word, for the command line too ---------------------------------

def test_the_item_service_refuses_them_for_any_caller(people, catalog):
    with pytest.raises(InvalidInput) as refused:
        items.create_item(people.member, items.ItemDetails(
            title="Sto\x85l", category_id=categories.get_by_slug("skap").id,
            condition="good", quantity=1, location_address="Rådhusgaten 10"))
    assert refused.value.field == "title"


def test_the_command_line_refuses_a_unit_name_on_two_lines(runner, db):
    result = runner.invoke(args=["create-unit", "--name", "Etat for\nskole"])
    assert result.exit_code == 1
    assert result.output.strip() == \
        "Error: «Navn» må stå på én linje, uten linjeskift (fant U+000A)."
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 0


def test_the_command_line_refuses_a_person_name_with_a_direction_override(runner, db,
                                                                         make_unit):
    make_unit("Klimaetaten")
    result = runner.invoke(
        args=["create-user", "--email", "ola@bergen.example", "--name", "Ola \u202eNordmann",
              "--unit", "Klimaetaten", "--role", "member"],
        env={"REUSE_PASSWORD": "et-langt-og-godt-passord"})
    assert result.exit_code == 1 and "U+202E" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
