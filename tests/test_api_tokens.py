"""API tokens: optional expiry, a list with last use, and revocation with a password reset."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from reuse.models import ApiToken, utcnow
from reuse.services import tokens, users
from tests.conftest import page_text

NEW_PASSWORD = "ny-og-lang-setning-2026"


def units_with(client, plain: str):
    return client.get("/api/v1/units", headers={"Authorization": f"Bearer {plain}"})


def create(runner, *args: str) -> str:
    result = runner.invoke(args=["create-token", *args])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_a_token_made_to_expire_stops_with_a_clear_code(runner, client, people, db):
    plain = create(runner, "--email", people.member.email, "--expires-in-days", "30")
    assert units_with(client, plain).status_code == 200
    token = db.session.scalar(select(ApiToken))
    assert timedelta(days=29) < token.expires_at - utcnow() <= timedelta(days=30)
    token.expires_at = utcnow() - timedelta(seconds=1)  # thirty days later
    db.session.commit()
    expired = units_with(client, plain)
    assert expired.status_code == 401
    assert expired.get_json()["error"]["code"] == "token_expired"
    assert "expired" in expired.get_json()["error"]["message"]
    assert expired.headers["WWW-Authenticate"] == 'Bearer realm="reuse"'


def test_a_token_without_expiry_keeps_working(runner, client, people, db):
    plain = create(runner, "--email", people.member.email)
    assert db.session.scalar(select(ApiToken.expires_at)) is None
    assert units_with(client, plain).status_code == 200


def test_an_expiry_out_of_range_is_one_clear_line(runner, people, db):
    for days in ("0", "-3", "99999999999999999999"):
        result = runner.invoke(args=["create-token", "--email", people.member.email,
                                     "--expires-in-days", days])
        assert result.exit_code == 1, result.output
        assert result.output.strip() == (
            "Error: Levetiden må være et helt antall dager fra 1 til 3650.")
    assert db.session.scalar(select(ApiToken)) is None


def test_list_tokens_shows_created_last_used_expiry_and_state(runner, client, people, db):
    used = create(runner, "--email", people.member.email, "--label", "Innkjøp")
    create(runner, "--email", people.member.email, "--label", "Skript",
           "--expires-in-days", "7")
    create(runner, "--email", people.member.email, "--label", "Gammel",
           "--expires-in-days", "1")
    create(runner, "--email", people.outsider.email, "--label", "Noen andres")
    units_with(client, used)
    revoked = db.session.scalar(select(ApiToken.id).where(ApiToken.label == "Skript"))
    runner.invoke(args=["revoke-token", "--id", str(revoked)])
    old = db.session.scalar(select(ApiToken).where(ApiToken.label == "Gammel"))
    old.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()

    result = runner.invoke(args=["list-tokens", "--email", people.member.email])
    assert result.exit_code == 0, result.output
    header, *rows = [line.split("\t") for line in result.output.strip().splitlines()]
    assert header == ["id", "navn", "opprettet", "sist brukt", "utløper", "status"]
    by_label = {row[1]: row for row in rows}
    assert set(by_label) == {"Innkjøp", "Skript", "Gammel"}
    today = utcnow().strftime("%Y-%m-%d")
    created, last_used, expires, state = by_label["Innkjøp"][2:]
    assert created.startswith(today) and created.endswith(" UTC")
    assert last_used.startswith(today) and (expires, state) == ("aldri", "virker")
    in_a_week = (utcnow() + timedelta(days=7)).strftime("%Y-%m-%d")
    _, last_used, expires, state = by_label["Skript"][2:]
    assert last_used == "aldri" and expires.startswith(in_a_week) and state == "trukket tilbake"
    assert by_label["Gammel"][5] == "utløpt"


def test_list_tokens_for_an_unknown_person_is_one_clear_line(runner, db):
    result = runner.invoke(args=["list-tokens", "--email", "ingen@bergen.example"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: Fant ingen bruker med e-post ingen@bergen.example."


def _reset(app, client, user, **extra):
    with app.test_request_context():
        link = f"/password/reset/{users.password_reset_token(user)}"
    assert "Logg ut overalt og trekk tilbake API-nøkler" in page_text(client.get(link))
    return client.submit(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, **extra})


def test_a_password_reset_can_revoke_every_api_token(app, client, people, db):
    _, plain = tokens.create_token(people.member, "Innkjøp")
    db.session.commit()
    assert _reset(app, client, people.member, revoke_everywhere="y").status_code == 302
    refused = units_with(client, plain)
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "unauthorized"


def test_a_password_reset_keeps_api_tokens_unless_asked(app, client, people, db):
    _, plain = tokens.create_token(people.member, "Innkjøp")
    db.session.commit()
    assert _reset(app, client, people.member).status_code == 302
    assert units_with(client, plain).status_code == 200
