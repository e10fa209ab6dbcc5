"""The JSON API around the contract: tokens, refusals in the error shape, odd input."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from reuse.models import ApiToken
from tests.conftest import PASSWORD, jpeg_bytes, login


def error_code(response) -> str:
    return response.get_json()["error"]["code"]


def test_create_token_prints_it_once_and_stores_only_a_hash(runner, people, db, client):
    result = runner.invoke(args=["create-token", "--email", people.member.email,
                                 "--label", "Innkjøpssystemet"])
    assert result.exit_code == 0, result.output
    plain = result.stdout.strip()
    stored = db.session.scalar(select(ApiToken))
    assert stored.label == "Innkjøpssystemet"
    assert plain not in stored.token_hash and len(stored.token_hash) == 64
    response = client.get("/api/v1/units", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200


def test_create_token_for_an_unknown_user_is_one_clear_line(runner, db):
    result = runner.invoke(args=["create-token", "--email", "ingen@bergen.example"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: Fant ingen bruker med e-post ingen@bergen.example."


def test_revoked_token_is_refused(runner, api, people, db):
    client = api(people.member)
    assert client.get("/api/v1/units").status_code == 200
    token_id = db.session.scalar(select(ApiToken.id))
    assert runner.invoke(args=["revoke-token", "--id", str(token_id)]).exit_code == 0
    response = client.get("/api/v1/units")
    assert response.status_code == 401 and error_code(response) == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_of_a_deactivated_user_is_refused(api, people, db):
    client = api(people.member)
    people.member.active = False
    db.session.commit()
    assert client.get("/api/v1/units").status_code == 401


def test_a_browser_session_does_not_authenticate_the_api(client, people):
    login(client, people.member, PASSWORD)
    response = client.get("/api/v1/units")
    assert response.status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic abc", "Bearer reuse_nope",
                                    "bearer " + "x" * 500])
def test_malformed_or_unknown_tokens_are_401(client, db, header):
    response = client.get("/api/v1/items", headers={"Authorization": header})
    assert response.status_code == 401 and error_code(response) == "unauthorized"


def test_unknown_api_paths_answer_in_the_error_shape(api, people):
    response = api(people.member).get("/api/v1/nothing-here")
    assert response.status_code == 404 and error_code(response) == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/items/99999999999999999999999",
                                  "/api/v1/claims/2147483648"])
def test_ids_beyond_the_database_range_are_404s(api, people, path):
    response = api(people.member).get(path)
    assert response.status_code == 404 and error_code(response) == "not_found"


def item_body(**overrides) -> dict:
    body = {"title": "Skap", "category": "skap", "condition": "good", "quantity": 2,
            "location": {"address": "Rådhusgaten 10"}}
    body.update(overrides)
    return body


@pytest.mark.parametrize("overrides, status, code", [
    ({"quantity": None}, 422, "invalid_input"),
    ({"quantity": "2"}, 400, "invalid_type"),
    ({"quantity": 2.5}, 400, "invalid_type"),
    ({"location": "x" * 201}, 422, "invalid_input"),
    ({"location": {"address": "A", "floor": 3}}, 400, "unknown_field"),
    ({"new_price_nok": 10**10}, 422, "invalid_input"),
    ({"new_price_nok": 12.345}, 422, "invalid_input"),
    ({"weight_kg": -1}, 422, "invalid_input"),
    ({"category": "finnes-ikke"}, 422, "invalid_input"),
    ({"condition": "broken"}, 422, "invalid_input"),
    ({"internal_until": "2020-01-01"}, 422, "invalid_input"),
    ({"internal_until": "i morgen"}, 400, "invalid_type"),
    ({"colour": "red"}, 400, "unknown_field"),
], ids=lambda value: str(value)[:30])
def test_bad_item_bodies_get_clear_4xx(api, people, catalog, overrides, status, code):
    response = api(people.member).post("/api/v1/items", json=item_body(**overrides))
    assert response.status_code == status, response.get_json()
    assert error_code(response) == code


@pytest.mark.parametrize("raw", [b"{", b"[1, 2]", b'"text"', b"NaN", b'{"quantity": NaN}'])
def test_malformed_json_is_a_400(api, people, make_item, raw):
    item = make_item(people.member)
    client = api(people.outsider)
    response = client.client.post(f"/api/v1/items/{item.id}/claims", data=raw,
                                  headers={**client._headers(),
                                           "Content-Type": "application/json"})
    assert response.status_code == 400 and error_code(response) == "invalid_json"


NUL = "Sk\x00ap"


@pytest.mark.parametrize("method, path, body", [
    ("post", "/api/v1/items", item_body(title=NUL)),
    ("post", "/api/v1/items", item_body(category=NUL)),
    ("post", "/api/v1/items", item_body(location=NUL)),
    ("post", "/api/v1/items", item_body(location={"address": "A", "room": NUL})),
    ("post", "/api/v1/items", item_body(description="lone \ud800 surrogate")),
    ("post", "/api/v1/items/{item}/claims", {"quantity": 1, "message": NUL}),
    ("post", "/api/v1/reuse-checks", {"need": NUL}),
    ("post", "/api/v1/reuse-checks", {"need": "skap", "category": NUL}),
    ("post", "/api/v1/wanted", {"words": NUL}),
    ("get", "/api/v1/items?category=Sk%00ap", None),
    ("get", "/api/v1/items?q=%00", None),
], ids=lambda value: str(value)[:40])
def test_text_no_database_can_store_is_a_400_not_a_500(api, people, make_item, method, path,
                                                      body):
    """PostgreSQL text cannot hold NUL, and no UTF-8 a lone surrogate (found by fuzzing)."""
    item = make_item(people.member)
    client = api(people.outsider)
    path = path.format(item=item.id)
    response = client.get(path) if method == "get" else client.post(path, json=body)
    assert response.status_code == 400, response.get_json()
    assert error_code(response) == ("invalid_query" if method == "get" else "invalid_text")


def test_a_photo_alt_text_with_nul_is_a_400(api, people, make_item):
    item = make_item(people.member)
    client = api(people.member)
    response = client.client.post(
        f"/api/v1/items/{item.id}/photos", headers=client._headers(),
        data={"photo": (io.BytesIO(jpeg_bytes()), "skap.jpg"), "alt_text": NUL},
        content_type="multipart/form-data")
    assert response.status_code == 400 and error_code(response) == "invalid_text"


def test_prices_come_back_exactly(api, people, catalog):
    response = api(people.member).post("/api/v1/items", json=item_body(
        new_price_nok=1234.55, weight_kg=12.125))
    assert response.status_code == 201
    assert b'"new_price_nok": 1234.55' in response.data or b'"new_price_nok":1234.55' in \
        response.data
    assert response.get_json()["weight_kg"] == 12.125


def test_filter_by_category_and_unit_together(api, people, make_item):
    chair = make_item(people.member, title="Stol")
    make_item(people.member, title="Kjøleskap", category="kjoleskap")
    make_item(people.outsider, title="Annen stol")
    response = api(people.admin).get(
        f"/api/v1/items?category=stoler&unit={people.school.parent.id}")
    assert [item["id"] for item in response.get_json()["items"]] == [chair.id]


def test_full_loop_through_the_api(api, people, make_item, db):
    item = make_item(people.member, title="Kontorstoler", quantity=3)
    receiver, giver = api(people.outsider), api(people.member)
    claim = receiver.post(f"/api/v1/items/{item.id}/claims", json={"quantity": 2}).get_json()
    assert claim["status"] == "pending" and claim["reuse_record"] is None
    assert receiver.post(f"/api/v1/claims/{claim['id']}/approve").status_code == 403
    assert giver.post(f"/api/v1/claims/{claim['id']}/approve").get_json()["status"] == "approved"
    done = receiver.post(f"/api/v1/claims/{claim['id']}/collect",
                         json={"replaces_purchase": True, "costs_nok": 99.9}).get_json()
    assert done["status"] == "collected"
    record = done["reuse_record"]
    assert (record["avoided_cost_nok"], record["avoided_co2e_kg"], record["avoided_waste_kg"]) \
        == (8900.1, 144, 35)
    again = giver.post(f"/api/v1/claims/{claim['id']}/collect", json={"replaces_purchase": True})
    assert again.status_code == 409 and error_code(again) == "invalid_state"
