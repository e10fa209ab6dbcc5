"""Password reset by an e-mailed link that expires and works once."""

from __future__ import annotations

import re

from reuse.services import users
from tests.conftest import login, page_text

NEW_PASSWORD = "ny-og-lang-setning-2026"


def reset_link(mailbox, address: str) -> str:
    [mail] = mailbox.to(address)
    assert mail["Subject"] == "Nytt passord til Gjenbruk"
    return re.search(r"https?://\S+/password/reset/\S+", mail.get_content()).group(0)


def path_of(link: str) -> str:
    return link[link.index("/password/"):]


def test_forgotten_password_is_replaced_through_the_mailed_link(client, people, mailbox, db):
    response = client.submit("/password/forgot", {"email": people.member.email})
    assert "har vi sendt en lenke" in page_text(client.get(response.headers["Location"]))
    link = path_of(reset_link(mailbox, people.member.email))
    assert people.member.email in page_text(client.get(link))
    response = client.submit(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    db.session.refresh(people.member)
    assert login(client, people.member, NEW_PASSWORD).status_code == 302


def test_the_link_works_only_once(client, people, mailbox, db):
    client.submit("/password/forgot", {"email": people.member.email})
    link = path_of(reset_link(mailbox, people.member.email))
    client.submit(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    again = client.get(link)
    assert again.status_code == 410 and "Lenken virker ikke lenger" in page_text(again)


def test_an_expired_link_is_refused(client, people, db, monkeypatch, app):
    with app.test_request_context():
        token = users.password_reset_token(people.member)
    monkeypatch.setattr(users, "RESET_MAX_AGE_SECONDS", -1)
    assert client.get(f"/password/reset/{token}").status_code == 410


def test_unknown_addresses_get_the_same_answer_and_no_mail(client, people, mailbox):
    known = client.submit("/password/forgot", {"email": people.member.email})
    unknown = client.submit("/password/forgot", {"email": "ingen@bergen.example"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert mailbox.to("ingen@bergen.example") == []


def test_weak_or_mismatched_passwords_are_refused(client, people, mailbox):
    client.submit("/password/forgot", {"email": people.member.email})
    link = path_of(reset_link(mailbox, people.member.email))
    mismatch = client.submit(link, {"password": NEW_PASSWORD, "confirm": "noe annet helt"})
    assert "Passordene er ikke like." in page_text(mismatch)
    weak = client.submit(link, {"password": "kort", "confirm": "kort"})
    assert "minst 10 tegn" in page_text(weak)


def test_resetting_ends_every_open_session(app, client, people, mailbox, log_in):
    log_in(people.member)
    other = app.test_client()
    other.submit("/password/forgot", {"email": people.member.email})
    link = path_of(reset_link(mailbox, people.member.email))
    other.submit(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert client.get("/").status_code == 302


def test_a_tampered_link_is_refused(client, people):
    assert client.get("/password/reset/not-a-token").status_code == 410
