"""How long a sign-in lasts, what browsers may keep of a signed-in person's pages, and demo
accounts kept out of production."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from reuse import demo
from reuse.models import User
from tests.conftest import page_text

TWELVE_HOURS = 12 * 3600


def _age_sign_in(client, seconds: int) -> None:
    with client.session_transaction() as session:
        session["signed_in_at"] -= seconds


def test_a_sign_in_ends_twelve_hours_after_it_began_however_active(client, people, log_in):
    log_in(people.member)
    assert client.get("/").status_code == 200
    _age_sign_in(client, TWELVE_HOURS + 1)
    response = client.get("/items/new?category=3")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == ["/items/new?category=3"]
    assert "Logg inn igjen" in page_text(client.get(response.headers["Location"]))
    assert client.get("/").status_code == 302  # signed out, not just redirected once


def test_a_sign_in_within_its_lifetime_goes_on(client, people, log_in):
    log_in(people.member)
    _age_sign_in(client, TWELVE_HOURS - 60)
    assert client.get("/").status_code == 200


def test_pages_for_a_signed_in_person_are_never_stored(client, people, log_in, make_item):
    item = make_item(people.member)
    log_in(people.member)
    for path in ["/", f"/items/{item.id}", "/items/new", "/checks/new", "/wanted", "/reports",
                 "/claims", "/notifications"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    assert "no-store" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")


def test_seed_demo_refuses_outside_development(app, runner, db, monkeypatch):
    monkeypatch.setitem(app.config, "REUSE_ENV", "production")
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert "REUSE_ENV=development" in line and "--force" in line
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_seed_demo_runs_outside_development_when_forced(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "REUSE_ENV", "production")
    seeded = []
    monkeypatch.setattr(demo, "seed", lambda log: seeded.append(True))
    result = runner.invoke(args=["seed-demo", "--force"])
    assert result.exit_code == 0 and seeded
