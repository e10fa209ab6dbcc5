"""Wanted requests: told about a matching new listing, and not about unrelated ones; bounded
per person, and matched by run-jobs, never while an item is being posted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from reuse.clock import oslo_today
from reuse.demo import DEMO_ITEMS
from reuse.models import Notification, User, WantedRequest
from reuse.services import categories, wanted
from reuse.services.errors import Conflict, InvalidInput
from tests.conftest import page_text
from tests.races import Race
from tests.test_api_contract import call, tok  # noqa: F401  (tok is a fixture)


def run_matching(db) -> int:
    """What run-jobs does for wanted requests: match every queued item, batch by batch."""
    told = 0
    while True:
        taken, people = wanted.match_pending()
        db.session.commit()
        told += people
        if not taken:
            return told


def notified_titles(db, user) -> set[str]:
    notes = db.session.scalars(select(Notification).where(
        Notification.kind == "wanted_match", Notification.user_id == user.id)).all()
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
    run_matching(db)
    assert request.user_id == people.outsider.id
    assert notified_titles(db, people.outsider) == expected


def test_a_match_arrives_by_mail_with_a_link(people, make_item, db, mailbox, client, log_in,
                                              runner):
    wanted.create_request(people.outsider, words="hev-senk skrivebord")
    db.session.commit()
    log_in(people.member)
    client.submit("/items/new", {
        "title": "Hev-senk-skrivebord, hvitt", "condition": "good", "quantity": "2",
        "category_id": str(categories.get_by_slug("hev-senk-skrivebord").id),
        "location_address": "Konsul Börs gate 5"})
    assert mailbox.to(people.outsider.email) == []  # not while the lister waits
    assert runner.invoke(args=["run-jobs"]).exit_code == 0
    [mail] = mailbox.to(people.outsider.email)
    assert mail["Subject"] == "Noe du ønsket er lagt ut: Hev-senk-skrivebord, hvitt"
    assert "https://gjenbruk.test/items/" in mail.get_content()


def test_posting_sends_nothing_and_the_job_tells_each_requester_once(
        people, catalog, make_unit, make_user, db, mailbox, client, log_in, runner):
    unit = make_unit("Etat for inkludering")
    requesters = [make_user(unit) for _ in range(12)]
    for person in requesters:
        wanted.create_request(person, words="kontorstol")
        wanted.create_request(person, words="kontorstol nakkestøtte")  # fits too: still once
        wanted.create_request(person, category=categories.get_by_slug("kontorstol"))
    db.session.commit()
    log_in(people.member)
    response = client.submit("/items/new", {
        "title": "Kontorstol med nakkestøtte", "condition": "good", "quantity": "2",
        "category_id": str(categories.get_by_slug("kontorstol").id),
        "location_address": "Rådhusgaten 10"})
    assert response.status_code == 302
    assert mailbox.messages == []
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0

    first = runner.invoke(args=["run-jobs"])
    assert first.exit_code == 0, first.output
    assert "12 personer har fått beskjed" in first.output
    assert sorted(m["To"] for m in mailbox.messages) == sorted(p.email for p in requesters)
    again = runner.invoke(args=["run-jobs"])
    assert again.exit_code == 0, again.output
    assert len(mailbox.messages) == len(requesters)


def test_an_item_gone_before_the_job_runs_is_announced_to_nobody(people, make_item, db):
    from reuse.services import items

    wanted.create_request(people.outsider, words="sofa")
    db.session.commit()
    sofa = make_item(people.member, title="Sofa", category="sofa")
    items.withdraw_item(people.member, sofa)
    db.session.commit()
    assert run_matching(db) == 0
    assert notified_titles(db, people.outsider) == set()


def test_own_units_listings_closed_and_lapsed_requests_stay_quiet(people, make_item, db):
    wanted.create_request(people.colleague, words="sofa")
    closed = wanted.create_request(people.outsider, words="sofa")
    wanted.close_request(people.outsider, closed)
    lapsed = wanted.create_request(people.admin, words="sofa")
    lapsed.until = oslo_today() - timedelta(days=1)
    db.session.commit()
    make_item(people.member, title="Sofa", category="sofa")
    assert run_matching(db) == 0
    assert notified_titles(db, people.colleague) == notified_titles(db, people.outsider) == \
        notified_titles(db, people.admin) == set()


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


# -- how much one person can ask for -----------------------------------------------------------

LIMIT = 10  # WANTED_REQUESTS_PER_PERSON's default


def fill_to_the_limit(db, user) -> list[WantedRequest]:
    made = [wanted.create_request(user, words=f"kontorstol {n}a") for n in range(LIMIT)]
    db.session.commit()
    return made


def test_one_request_past_the_limit_is_refused_and_closing_one_makes_room(people, catalog, db):
    made = fill_to_the_limit(db, people.outsider)
    with pytest.raises(Conflict, match="allerede 10 aktive ønsker") as refused:
        wanted.create_request(people.outsider, words="sofa")
    assert refused.value.code == "limit_reached"
    db.session.rollback()
    assert len(wanted.requests_of(people.outsider)) == 10
    wanted.create_request(people.colleague, words="sofa")  # the limit is per person

    wanted.close_request(people.outsider, made[0])
    made[1].until = oslo_today() - timedelta(days=1)  # lapsed: no longer active either
    db.session.commit()
    wanted.create_request(people.outsider, words="sofa")
    wanted.create_request(people.outsider, words="bokhylle")
    with pytest.raises(Conflict):
        wanted.create_request(people.outsider, words="whiteboard")


def test_reopening_a_request_needs_room_too(people, catalog, db, client, log_in):
    made = fill_to_the_limit(db, people.outsider)
    wanted.close_request(people.outsider, made[0])
    wanted.create_request(people.outsider, words="sofa")
    db.session.commit()
    with pytest.raises(Conflict, match="allerede 10 aktive ønsker"):
        wanted.renew_request(people.outsider, made[0])
    db.session.rollback()
    wanted.renew_request(people.outsider, made[1])  # an active one can always be extended
    db.session.commit()

    log_in(people.outsider)
    response = client.submit(f"/wanted/{made[0].id}/renew", follow_redirects=True)
    assert response.status_code == 200
    assert "allerede 10 aktive ønsker" in page_text(response)
    db.session.refresh(made[0])
    assert not wanted.is_open(made[0])


def test_the_page_tells_how_many_are_left_and_refuses_one_too_many(people, catalog, db,
                                                                  client, log_in):
    log_in(people.outsider)
    for words in ("sofa", "bokhylle", "kjøleskap"):
        client.submit("/wanted", {"words": words, "category": ""})
    assert "Du har 3 av 10 aktive ønsker." in page_text(client.get("/wanted"))
    for n in range(7):
        client.submit("/wanted", {"words": f"stol {n}a", "category": ""})
    assert "Du har 10 av 10 aktive ønsker, som er det meste" in page_text(client.get("/wanted"))
    response = client.submit("/wanted", {"words": "whiteboard", "category": ""})
    assert response.status_code == 200
    assert "Du har allerede 10 aktive ønsker" in page_text(response)
    assert len(wanted.requests_of(people.outsider)) == 10


def test_the_api_refuses_one_too_many_with_409(people, catalog, db, client, tok):
    fill_to_the_limit(db, people.outsider)
    refused = call(client, "post", "/api/v1/wanted", 409, token=tok.outsider,
                   body={"words": "sofa"})
    assert refused["error"]["code"] == "limit_reached"
    assert "10" in refused["error"]["message"]


def test_requests_racing_for_the_last_places_get_exactly_the_limit(app, people, catalog, db):
    user_id = people.outsider.id
    racers = 14  # fewer than the connection pool's 15: all hold a connection at once
    race = Race(app, db, racers)

    def create(n: int):
        def attempt() -> str:
            user = db.session.get(User, user_id)
            db.session.commit()
            race.start()
            wanted.create_request(user, words=f"sofa {n}a")
            return "created"
        return attempt

    outcomes = race.run([create(n) for n in range(racers)], refused=Conflict)
    assert outcomes == ["created"] * LIMIT + ["refused"] * (racers - LIMIT)
    assert db.session.scalar(select(func.count()).select_from(WantedRequest).where(
        WantedRequest.user_id == user_id)) == LIMIT


# -- what a request must say -----------------------------------------------------------------

@pytest.mark.parametrize("slug", ["mobler", "it-utstyr", "kjokken"])
def test_a_whole_top_level_category_without_words_is_refused(people, catalog, slug):
    with pytest.raises(InvalidInput, match="hel hovedkategori") as refused:
        wanted.create_request(people.outsider, category=categories.get_by_slug(slug))
    assert refused.value.field == "category"


def test_a_narrow_category_or_words_in_a_wide_one_are_fine(people, catalog, db):
    wanted.create_request(people.outsider, category=categories.get_by_slug("stoler"))
    wanted.create_request(people.outsider, category=categories.get_by_slug("kjoleskap"))
    wanted.create_request(people.outsider, words="sofa",
                          category=categories.get_by_slug("mobler"))
    db.session.commit()
    assert len(wanted.requests_of(people.outsider)) == 3


def test_page_and_api_explain_a_whole_category_refusal(people, catalog, db, client, log_in,
                                                       tok):
    refused = call(client, "post", "/api/v1/wanted", 422, token=tok.outsider,
                   body={"category": "mobler"})
    assert refused["error"]["code"] == "invalid_input"
    assert "Møbler" in refused["error"]["message"]
    log_in(people.outsider)
    response = client.submit("/wanted", {"words": "", "category": "mobler"})
    assert response.status_code == 200
    assert "«Møbler» er en hel hovedkategori" in page_text(response)
    assert wanted.requests_of(people.outsider) == []
