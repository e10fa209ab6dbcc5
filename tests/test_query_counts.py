"""Pages cost a fixed number of SQL queries, however much they show (no N+1)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from reuse.services import checks, claims


@contextmanager
def counted(db):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def queries_for(client, db, path: str) -> int:
    client.get(path)  # warm: caches, first-request work
    with counted(db) as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


@pytest.fixture(autouse=True)
def _room_for_many_claims(app, monkeypatch):
    """The member claims more than one person may hold open, to grow the pages' rows."""
    monkeypatch.setitem(app.config, "OPEN_CLAIMS_PER_PERSON", 1000)


def fill(people, make_item, db, many: int):
    """Listings from another unit, each claimed by the member, plus checks."""
    found = []
    for number in range(many):
        item = make_item(people.outsider, title=f"Stol {number}", quantity=3)
        found.append(item)
        claims.claim_item(people.member, item, 1)
        checks.create_check(people.member, f"stol {number}")
    db.session.commit()
    return found


PAGES = ["/", "/?q=stol", "/?category=stoler", "/claims", "/claims/incoming", "/checks",
         "/my-unit/items", "/notifications", "/reports", "/reports/records",
         "/reports?tree=then", "/reports/records?tree=then"]


@pytest.mark.parametrize("path", PAGES)
def test_a_page_costs_the_same_number_of_queries_for_3_and_15_rows(app, people, make_item,
                                                                   db, log_in, path):
    client = log_in(people.member)
    fill(people, make_item, db, 3)
    few = queries_for(client, db, path)
    fill(people, make_item, db, 12)
    many = queries_for(client, db, path)
    assert many == few, f"{path}: {few} queries for 3 rows, {many} for 15"
    assert many <= 25, f"{path}: {many} queries"


def test_item_and_check_pages_do_not_grow_with_photos_and_matches(app, people, make_item, db,
                                                                  log_in):
    client = log_in(people.member)
    items = fill(people, make_item, db, 15)
    check = checks.create_check(people.member, "stol")
    db.session.commit()
    assert len(check.matches) == 15
    assert queries_for(client, db, f"/checks/{check.id}") <= 25
    assert queries_for(client, db, f"/items/{items[0].id}") <= 20


def test_creating_a_check_reads_the_same_however_many_items_match(app, people, make_item,
                                                                     db):
    import io

    from reuse.services import photos, tokens
    from tests.conftest import jpeg_bytes

    _, token = tokens.create_token(people.member)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()

    def add(count: int) -> None:
        for number in range(count):
            item = make_item(people.outsider, title=f"Kontorstol {number}")
            photos.add_photos(people.outsider, item,
                              [photos.Upload(io.BytesIO(jpeg_bytes(size=(64, 48))), "a.jpg")])
        db.session.commit()

    def queries() -> int:
        with counted(db) as statements:
            response = client.post("/api/v1/reuse-checks", json={"need": "kontorstol"},
                                   headers=headers)
        assert response.status_code == 201
        assert all(match["photos"] for match in response.get_json()["matches"])
        # Reads only: SQLite writes the (at most 20) stored matches one INSERT each.
        return sum(1 for statement in statements if statement.lstrip().startswith("SELECT"))

    add(2)
    queries()  # the first use of the token also records when it was used
    few = queries()
    add(10)
    assert queries() == few


def test_api_reads_record_token_use_without_a_write_per_request(app, people, db):
    from datetime import timedelta

    from reuse.models import ApiToken
    from reuse.services import tokens

    token, plain = tokens.create_token(people.member)
    db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/items", headers=headers).status_code == 200
    db.session.expire_all()
    first_use = db.session.get(ApiToken, token.id).last_used_at
    assert first_use is not None
    with counted(db) as statements:
        assert client.get("/api/v1/items", headers=headers).status_code == 200
    assert not [s for s in statements if s.lstrip().startswith("UPDATE")]
    # A minute later the time of use moves on.
    db.session.get(ApiToken, token.id).last_used_at = first_use - timedelta(minutes=2)
    db.session.commit()
    assert client.get("/api/v1/items", headers=headers).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at > first_use


ADMIN_PAGES = ["/admin/people", "/admin/people?q=person", "/admin/tokens", "/admin/audit",
               "/admin/audit?who=person", "/admin/people/{member}", "/admin/units",
               "/admin/units/{school}"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("role", ["admin", "unit_admin"])
def test_administration_pages_cost_the_same_for_3_and_15_rows(app, people, make_item,
                                                              make_user, db, log_in, path,
                                                              role):
    """People, their tokens and their events (with links to the objects they concern)."""
    from reuse.services import scim_tokens, tokens, users

    client = log_in(getattr(people, role))
    path = path.format(member=people.member.id, school=people.school.id)

    def grow(count: int) -> None:
        for _number in range(count):
            person = make_user(people.school)
            tokens.create_token(person, "nøkkel")
            tokens.create_token(people.member, "nøkkel")
            users.change_role(person, "unit_admin", by=people.admin)
            scim_tokens.create_token(people.admin, "scim")
        fill(people, make_item, db, count)  # claims and checks: events about items, claims
        db.session.commit()

    grow(3)
    few = queries_for(client, db, path)
    grow(12)
    many = queries_for(client, db, path)
    assert many == few, f"{path}: {few} queries for 3 rows, {many} for 15"
    assert many <= 25, f"{path}: {many} queries"
