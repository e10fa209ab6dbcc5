"""Partners' people sign in with one-time e-mailed links, or with a password of their own."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from reuse.models import LoginLink, User, utcnow
from reuse.services import login_links, partners, tokens
from tests.conftest import login, page_text
from tests.races import Race

PARTNER_PASSWORD = "bergen-frivillig-sentral-2026"


def path_of(link: str) -> str:
    return link[link.index("/login/link/"):]


def signed_in_id(client) -> int | None:
    with client.session_transaction() as session:
        user_id = session.get("_user_id")
    return int(user_id.split(":")[0]) if user_id else None


@pytest.fixture
def partner(db):
    partner = partners.create_partner(None, "Bergen Røde Kors", "974760673", "nonprofit")
    db.session.commit()
    return partner


@pytest.fixture
def invited(db, partner):
    """A partner's person, invited; returns (person, the sign-in link's path)."""
    link = partners.invite_partner_person(None, partner, "Siri@Rodekors.example", "Siri Hope")
    db.session.commit()
    return partners.users.find_by_email("siri@rodekors.example"), path_of(link)


def test_the_link_shows_a_button_and_signs_in_once(client, invited, app):
    person, link = invited
    page = client.get(link)
    assert page.status_code == 200
    assert 'method="post"' in page.get_data(as_text=True)
    assert signed_in_id(client) is None  # a mail scanner's GET signs nobody in
    assert client.get(link).status_code == 200  # nor uses the link up

    signed_in = client.submit(link)
    assert signed_in.status_code == 302
    expected = "/partner" if "partner.home" in app.view_functions else "/"
    assert signed_in.headers["Location"].startswith(expected)
    assert signed_in_id(client) == person.id

    other = app.test_client()
    again = other.submit(link)
    assert again.status_code == 410
    assert "Innloggingslenken virker ikke lenger" in page_text(again)
    assert "Få en ny innloggingslenke på e-post" in page_text(again)
    assert signed_in_id(other) is None
    assert other.get(link).status_code == 410


def test_the_invitation_is_mailed_with_a_working_link_of_its_own(client, mailbox, db, partner):
    client_link = partners.invite_partner_person(None, partner, "ole@kirkens.example", "Ole")
    db.session.commit()
    from reuse.services import notifications

    notifications.deliver_committed()
    [mail] = mailbox.to("ole@kirkens.example")
    assert mail["Subject"] == "Invitasjon til Gjenbruk"
    assert "Bergen Røde Kors" in mail.get_content()
    mailed = re.search(r"https://gjenbruk\.test/login/link/\S+", mail.get_content()).group(0)
    assert mailed != client_link
    assert client.submit(path_of(mailed)).status_code == 302
    # Only digests are stored: no working link in the database.
    stored = set(db.session.scalars(select(LoginLink.token_hash)))
    assert path_of(mailed).rsplit("/", 1)[1] not in stored
    assert login_links.digest(path_of(mailed).rsplit("/", 1)[1]) in stored


def test_an_expired_link_is_refused(client, invited, monkeypatch):
    _, link = invited
    later = utcnow() + timedelta(minutes=16)
    monkeypatch.setattr(login_links, "utcnow", lambda: later)
    assert client.get(link).status_code == 410
    refused = client.submit(link)
    assert refused.status_code == 410
    assert signed_in_id(client) is None


def test_a_link_works_until_its_last_minute(client, invited, monkeypatch):
    _, link = invited
    later = utcnow() + timedelta(minutes=14)
    monkeypatch.setattr(login_links, "utcnow", lambda: later)
    assert client.submit(link).status_code == 302


def test_a_link_to_an_address_that_changed_since_is_refused(client, invited, db):
    person, link = invited
    person.email = "siri.hope@rodekors.example"
    db.session.commit()
    assert client.get(link).status_code == 410
    assert client.submit(link).status_code == 410
    assert signed_in_id(client) is None


def test_unknown_and_malformed_links_are_refused_not_errors(client):
    assert client.get("/login/link/not-a-token").status_code == 410
    assert client.submit("/login/link/not-a-token").status_code == 410
    assert client.submit("/login/link/" + "x" * 5000).status_code == 410


def test_a_post_without_the_forms_token_uses_nothing(client, invited, db):
    _, link = invited
    assert client.post(link).status_code == 400
    assert client.submit(link).status_code == 302


def test_two_uses_of_one_link_sign_in_once(app, invited, db):
    """The conditional UPDATE settles it: the second finds the link used."""
    person, link = invited
    token = link.rsplit("/", 1)[1]
    assert login_links.redeem(token).id == person.id
    with pytest.raises(login_links.LinkRefused):
        login_links.redeem(token)


def test_a_suspended_organisation_is_shut_out_everywhere(app, client, invited, partner, db,
                                                          api):
    person, link = invited
    # Signed in with one link, a second link waiting, a token in use.
    assert client.submit(link).status_code == 302
    waiting = path_of(login_links.create_link(person))
    db.session.commit()
    token_client = api(person)
    assert token_client.get("/api/v1/items").status_code == 200

    partners.suspend_partner(None, partner)
    db.session.commit()

    # The session has ended: the next request finds nobody signed in.
    after = client.get("/account/password")
    assert after.status_code == 302 and after.headers["Location"].startswith("/login")
    assert token_client.get("/api/v1/items").status_code == 401
    other = app.test_client()
    assert other.get(waiting).status_code == 410
    assert other.submit(waiting).status_code == 410
    assert signed_in_id(other) is None
    with pytest.raises(partners.Conflict):
        login_links.create_link(person)

    partners.resume_partner(None, partner)
    db.session.commit()
    assert token_client.get("/api/v1/items").status_code == 200


def test_a_suspended_partners_password_does_not_sign_in(client, invited, partner, db):
    person, link = invited
    client.submit(link)
    client.submit("/account/password", {"password": PARTNER_PASSWORD,
                                         "confirm": PARTNER_PASSWORD})
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    partners.suspend_partner(None, partner)
    db.session.commit()
    refused = login(client, person, PARTNER_PASSWORD)
    assert refused.status_code == 200
    assert "Feil e-post eller passord." in page_text(refused)
    assert signed_in_id(client) is None


# -- a password of their own ---------------------------------------------------------------

def test_a_partner_sets_a_password_and_signs_in_with_it_with_password_login_off(
        app, client, invited, db, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_LOGIN", False)
    person, link = invited
    client.submit(link)
    weak = client.submit("/account/password", {"password": "kort", "confirm": "kort"})
    assert weak.status_code == 422
    assert "Passordet må ha minst 10 tegn." in page_text(weak)
    mismatch = client.submit("/account/password", {"password": PARTNER_PASSWORD,
                                                   "confirm": PARTNER_PASSWORD + "x"})
    assert "Passordene er ikke like." in page_text(mismatch)

    saved = client.submit("/account/password", {"password": PARTNER_PASSWORD,
                                                 "confirm": PARTNER_PASSWORD})
    assert saved.status_code == 302
    assert signed_in_id(client) == person.id  # this session goes on
    client.post("/logout", data={"csrf_token": client.csrf_token()})

    assert 'name="password"' in client.get("/login?partner=1").get_data(as_text=True)
    assert login(client, person, "feil-passord-igjen").status_code == 200
    assert login(client, person, PARTNER_PASSWORD).status_code == 302
    assert signed_in_id(client) == person.id


def test_municipal_people_set_no_partner_password(client, people, log_in):
    log_in(people.member)
    assert client.get("/account/password").status_code == 403
    assert client.submit("/account/password", {"password": PARTNER_PASSWORD,
                                               "confirm": PARTNER_PASSWORD}).status_code == 403


def test_password_login_off_still_refuses_members(app, client, people, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_LOGIN", False)
    assert "Feil e-post eller passord." in page_text(login(client, people.member))
    assert signed_in_id(client) is None


# -- asking for a link --------------------------------------------------------------------

def test_the_login_page_leads_partners_to_their_link(client):
    page = client.get("/login")
    assert "Samarbeidspartner? Få en innloggingslenke på e-post" in page_text(page)
    assert "/login/partner" in page.get_data(as_text=True)
    assert client.get("/login/partner").status_code == 200


def test_asking_for_a_link_answers_alike_for_every_address(client, invited, people, mailbox,
                                                           db):
    person, _ = invited
    answers = []
    for address in (person.email, "ingen@nowhere.example", people.member.email):
        response = client.submit("/login/partner", {"email": address})
        answers.append((response.status_code, response.headers["Location"]))
    assert answers[0] == answers[1] == answers[2] == (302, "/login")
    assert "har vi sendt en innloggingslenke" in page_text(client.get("/login"))
    [mail] = mailbox.to(person.email)
    assert mail["Subject"] == "Innloggingslenke til Gjenbruk"
    link = re.search(r"https://gjenbruk\.test/login/link/\S+", mail.get_content()).group(0)
    assert client.submit(path_of(link)).status_code == 302
    # Neither the unknown address nor the municipal account got anything.
    assert mailbox.to("ingen@nowhere.example") == []
    assert mailbox.to(people.member.email) == []


def test_asking_for_links_is_throttled(app, client, invited):
    person, _ = invited
    statuses = [client.submit("/login/partner", {"email": person.email}).status_code
                for _ in range(6)]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429
    # An unknown address is throttled the same way.
    unknown = [client.submit("/login/partner", {"email": "ingen@nowhere.example"}).status_code
               for _ in range(6)]
    assert unknown == statuses


def test_an_address_held_back_by_the_sign_in_throttle_gets_no_link(client, invited, mailbox):
    person, _ = invited
    for _ in range(5):
        login(client, person, "feil-passord-123")
    refused = client.submit("/login/partner", {"email": person.email})
    assert refused.status_code == 429
    assert "Vent" in page_text(refused)
    assert mailbox.to(person.email) == []


def test_a_bad_address_is_a_form_error(client):
    empty = client.submit("/login/partner", {"email": ""})
    assert empty.status_code == 200
    assert "Skriv inn e-postadressen din." in page_text(empty)


def test_create_token_works_for_partner_people(runner, invited, app):
    person, _ = invited
    result = runner.invoke(args=["create-token", "--email", person.email])
    assert result.exit_code == 0, result.output
    plain = result.stdout.strip().splitlines()[0]
    response = app.test_client().get("/api/v1/items",
                                     headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200
    assert tokens.user_for_token(plain).id == person.id
    # The API gate keeps them to the partner's endpoints.
    assert app.test_client().get("/api/v1/units", headers={
        "Authorization": f"Bearer {plain}"}).status_code == 404


def test_only_partners_get_links(db, people):
    with pytest.raises(partners.Conflict):
        login_links.create_link(people.member)
    assert db.session.scalar(select(User).where(User.email == people.member.email)).is_partner \
        is False


def test_one_link_used_at_once_by_many_signs_in_exactly_once(app, db, invited):
    """Mail scanner and person, or two tabs: the conditional UPDATE lets exactly one through."""
    _, link = invited
    token = link.rsplit("/", 1)[1]
    race = Race(app, db, 6)

    def attempt() -> str:
        db.session.commit()
        race.start()
        login_links.redeem(token)
        return "signed in"

    outcomes = race.run([attempt] * 6, refused=login_links.LinkRefused)
    assert outcomes == ["refused"] * 5 + ["signed in"]
