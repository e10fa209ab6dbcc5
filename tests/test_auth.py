"""Logging in and out, and what an anonymous visitor can reach."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, login, page_text


def test_login_with_email_and_password_opens_the_catalogue(client, people):
    response = login(client, people.member)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = page_text(client.get("/"))
    assert "Du er logget inn som Kari Nordmann" in page
    assert "Møhlenpris skole" in page


def test_email_is_matched_without_regard_to_case_or_spaces(client, people):
    response = client.submit("/login", {"email": "  KARI@Bergen.Example ", "password": PASSWORD})
    assert response.status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(client, people):
    wrong_password = client.submit("/login", {"email": people.member.email,
                                              "password": "feil-passord-123"})
    unknown_email = client.submit("/login", {"email": "ingen@bergen.example",
                                             "password": "feil-passord-123"})
    assert wrong_password.status_code == unknown_email.status_code == 200
    assert "Feil e-post eller passord." in page_text(wrong_password)
    assert page_text(wrong_password) == page_text(unknown_email)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_deactivated_user_cannot_log_in(client, people, db):
    people.member.active = False
    db.session.commit()
    response = login(client, people.member)
    assert "Feil e-post eller passord." in page_text(response)


def test_deactivated_user_loses_an_open_session(client, people, db, log_in):
    log_in(people.member)
    people.member.active = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_passwords_are_stored_as_argon2id_hashes(people):
    assert people.member.password_hash.startswith("$argon2id$")
    assert PASSWORD not in people.member.password_hash


def test_login_form_without_csrf_token_is_refused(client, people):
    response = client.post("/login", data={"email": people.member.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Skjemaet var utløpt" in page_text(response)


def test_logout_ends_the_session(client, people, log_in):
    log_in(people.member)
    response = client.submit("/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_logout_by_get_is_not_possible(client, people, log_in):
    """A link or an image on another site must not be able to log people out."""
    log_in(people.member)
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_session_is_renewed_at_login(client, people):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client, people.member)
    with client.session_transaction() as session:
        assert "planted" not in session


@pytest.mark.parametrize("path", ["/", "/items/1", "/items/new", "/my-unit/items",
                                  "/photos/AAAAAAAAAAAAAAAAAAAAAA.jpg"])
def test_anonymous_visitors_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_login_returns_to_the_page_asked_for(client, people):
    response = client.submit("/login?next=/my-unit/items",
                             {"email": people.member.email, "password": PASSWORD})
    assert response.headers["Location"] == "/my-unit/items"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:x"])
def test_login_never_redirects_to_another_site(client, people, target):
    response = client.submit(f"/login?next={target}",
                             {"email": people.member.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_session_cookie_is_http_only_and_same_site(client, people):
    response = login(client, people.member)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
