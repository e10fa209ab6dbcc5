"""Wanted requests: told about a matching new listing, and not about unrelated ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from reuse.clock import oslo_today
from reuse.demo import DEMO_ITEMS
from reuse.models import Notification
from reuse.services import categories, wanted
from reuse.services.errors import InvalidInput
from tests.conftest import page_text
from tests.test_api_contract import call, tok  # noqa: F401  (tok is a fixture)


def notified_titles(db, request) -> set[str]:
    notes = db.session.scalars(select(Notification).where(
        Notification.kind == "wanted_match",
        Notification.dedup_key.like(f"wanted:{request.id}:%"))).all()
    return {note.subject.removeprefix("Noe du ønsket er lagt ut: ") for note in notes}


# (words, category slug or None) → exactly the demo listings that should be announced
EXPECTED = [
    (("hev-senk skrivebord", None), {"Hev-senk-skrivebord 160 × 80",
                                     "Hev-senk-skrivebord 140 cm, bjørk"}),
    (("hev-senk skrivebord", "mobler"), {"Hev-senk-skrivebord 160 × 80",
                                         "Hev-senk-skrivebord 140 cm, bjørk"}),
    (("kontorstol", None), {"Kontorstoler HÅG Futu, svarte", "Kontorstol med nakkestøtte",
                            "Kontorstoler, blå, uten armlener"}),
    (("", "kjoleskap"), {"Kjøleskap, høyt, hvitt", "Minikjøleskap"}),
    (("skjerm usb-c", None), {"Skjerm 27 tommer, USB-C"}),
    (("sofa", "mobler"), {"Sofa i grått stoff, tre-seter", "Loungesofa, grønn"}),
    (("whiteboard", None), {"Whiteboard på hjul"}),
    (("stablebare stoler", "stoler"), {"Barnestoler, stablebare", "Besøksstoler i bjørk"}),
    (("oppvaskmaskin", "kjokken"), {"Oppvaskmaskin, integrert"}),
    (("flygel", None), set()),
]


@pytest.mark.parametrize("request_terms, expected", EXPECTED,
                         ids=[f"{w or '-'}|{c or '-'}" for (w, c), _ in EXPECTED])
def test_requests_fire_on_exactly_the_matching_realistic_listings(people, make_item, db,
                                                                 request_terms, expected):
    words, slug = request_terms
    request = wanted.create_request(
        people.outsider, words=words, category=categories.get_by_slug(slug) if slug else None)
    db.session.commit()
    for title, category, condition, quantity, _, room, description in DEMO_ITEMS:
        make_item(people.member, title=title, category=category, condition=condition,
                  quantity=quantity, description=description, location_room=room)
    assert notified_titles(db, request) == expected


def test_a_match_arrives_by_mail_with_a_link(people, make_item, db, mailbox, client, log_in):
    wanted.create_request(people.outsider, words="hev-senk skrivebord")
    db.session.commit()
    log_in(people.member)
    client.submit("/items/new", {
        "title": "Hev-senk-skrivebord, hvitt", "condition": "good", "quantity": "2",
        "category_id": str(categories.get_by_slug("hev-senk-skrivebord").id),
        "location_address": "Konsul Börs gate 5"})
    [mail] = mailbox.to(people.outsider.email)
    assert mail["Subject"] == "Noe du ønsket er lagt ut: Hev-senk-skrivebord, hvitt"
    assert "https://gjenbruk.test/items/" in mail.get_content()


def test_own_units_listings_closed_and_lapsed_requests_stay_quiet(people, make_item, db):
    own = wanted.create_request(people.colleague, words="sofa")
    closed = wanted.create_request(people.outsider, words="sofa")
    wanted.close_request(people.outsider, closed)
    lapsed = wanted.create_request(people.admin, words="sofa")
    lapsed.until = oslo_today() - timedelta(days=1)
    db.session.commit()
    make_item(people.member, title="Sofa", category="sofa")
    assert notified_titles(db, own) == notified_titles(db, closed) == \
        notified_titles(db, lapsed) == set()


def test_renewing_reopens_and_extends(people, catalog, db):
    request = wanted.create_request(people.outsider, words="sofa")
    wanted.close_request(people.outsider, request)
    wanted.renew_request(people.outsider, request)
    assert wanted.is_open(request)
    assert request.until == oslo_today() + timedelta(days=90)


@pytest.mark.parametrize("words, until_days, message", [
    ("", None, "Skriv hva dere ser etter"), ("og i på", None, "Skriv hva dere ser etter"),
    ("sofa", -1, "sluttdato"), ("sofa", 400, "sluttdato")])
def test_empty_or_out_of_range_requests_are_refused(people, catalog, words, until_days, message):
    until = oslo_today() + timedelta(days=until_days) if until_days is not None else None
    with pytest.raises(InvalidInput, match=message):
        wanted.create_request(people.outsider, words=words, until=until)


def test_wanted_page_lists_closes_and_renews(client, people, catalog, log_in, db):
    log_in(people.outsider)
    response = client.submit("/wanted", {"words": "hev-senk skrivebord", "category": ""})
    assert response.status_code == 302
    assert "Ønsket er lagret" in page_text(client.get("/wanted"))
    request = wanted.requests_of(people.outsider)[0]
    client.submit(f"/wanted/{request.id}/close")
    assert "avsluttet" in page_text(client.get("/wanted"))
    client.submit(f"/wanted/{request.id}/renew")
    assert "gjelder til" in page_text(client.get("/wanted"))


def test_someone_elses_request_cannot_be_closed(client, people, catalog, log_in, db):
    request = wanted.create_request(people.outsider, words="sofa")
    db.session.commit()
    log_in(people.member)
    assert client.submit(f"/wanted/{request.id}/close").status_code == 404  # as in the API


def test_wanted_through_the_api(client, people, catalog, tok):
    created = call(client, "post", "/api/v1/wanted", 201, token=tok.outsider,
                   body={"words": "kjøleskap", "category": "kjokken", "quantity": 1})
    assert created["open"] is True
    listed = call(client, "get", "/api/v1/wanted", 200, token=tok.outsider)
    assert [w["id"] for w in listed["wanted"]] == [created["id"]]
    closed = call(client, "post", f"/api/v1/wanted/{created['id']}/close", 200,
                  token=tok.outsider)
    assert closed["open"] is False
    call(client, "post", f"/api/v1/wanted/{created['id']}/close", 409, token=tok.outsider)
    assert call(client, "post", f"/api/v1/wanted/{created['id']}/renew", 200,
                token=tok.outsider)["open"] is True
    call(client, "post", f"/api/v1/wanted/{created['id']}/close", 404, token=tok.member)
    call(client, "post", "/api/v1/wanted", 422, token=tok.outsider, body={"words": "og"})
