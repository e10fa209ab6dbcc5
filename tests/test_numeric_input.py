"""Numbers from outside: too large, not finite or absurdly written, in every JSON field, query
parameter and form field that takes one. Each is a clear 400/422 or a form error, never a
500, and is refused from its size before it is converted (a JSON exponent once kept a
worker busy for 31 s)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from reuse.models import Claim, Item, ReuseCheck, WantedRequest
from reuse.services import checks
from reuse.services import claims as claim_service

# JSON number texts no integer column can hold. 1e999999999 took 31 s to convert;
# 1e100000000000 ran out of memory at once; 1e9999999999999999999 overflows Decimal itself.
HUGE_NUMBERS = ["1e999999999", "-1e999999999", "1e100000000000", "1e9999999999999999999",
                "99999999999999999999", "2147483648", "2.5e10"]


@pytest.fixture
def endpoints(people, make_item, db):
    """Every JSON body field that takes an integer or a figure, with a body around it."""
    item = make_item(people.member, quantity=3)
    check = checks.create_check(people.outsider, "kontorstol")
    claim = claim_service.claim_item(people.outsider, item, 1)
    claim_service.approve(people.member, claim)
    db.session.commit()
    return [
        ("/api/v1/items", '{"title": "Skap", "category": "skap", "condition": "good", '
                          '"location": "Rådhusgaten 10", "quantity": %s}'),
        ("/api/v1/items", '{"title": "Skap", "category": "skap", "condition": "good", '
                          '"location": "Rådhusgaten 10", "quantity": 1, "new_price_nok": %s}'),
        ("/api/v1/items", '{"title": "Skap", "category": "skap", "condition": "good", '
                          '"location": "Rådhusgaten 10", "quantity": 1, "weight_kg": %s}'),
        (f"/api/v1/items/{item.id}/claims", '{"quantity": %s}'),
        (f"/api/v1/items/{item.id}/claims", '{"quantity": 1, "reuse_check_id": %s}'),
        ("/api/v1/reuse-checks", '{"need": "skap", "quantity": %s}'),
        (f"/api/v1/reuse-checks/{check.id}/outcome", '{"outcome": "reused", "claim_id": %s}'),
        ("/api/v1/wanted", '{"words": "skap", "quantity": %s}'),
        (f"/api/v1/claims/{claim.id}/collect", '{"replaces_purchase": true, "costs_nok": %s}'),
    ]


def _rows(db) -> tuple:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Item, Claim, ReuseCheck, WantedRequest))


@pytest.mark.parametrize("number", HUGE_NUMBERS)
def test_numbers_beyond_every_column_are_refused_in_every_json_field(api, people, endpoints,
                                                                      db, number):
    client = api(people.outsider)
    before = _rows(db)
    for path, template in endpoints:
        as_lister = path == "/api/v1/items"
        caller = api(people.member) if as_lister else client
        response = caller.client.post(path, data=(template % number).encode(),
                                      headers={**caller._headers(),
                                               "Content-Type": "application/json"})
        assert response.status_code in (400, 422), (path, template, response.get_data())
        assert response.get_json()["error"]["code"] in ("invalid_input", "invalid_json")
    assert _rows(db) == before
    assert set(db.session.scalars(select(Claim.status))) == {"approved"}  # not collected


@pytest.mark.parametrize("number, quantity", [("2.0", 2), ("2e0", 2), ("0.2e1", 2)])
def test_whole_numbers_written_as_decimals_still_count(api, people, make_item, number,
                                                       quantity):
    item = make_item(people.member, quantity=3)
    client = api(people.outsider)
    response = client.client.post(f"/api/v1/items/{item.id}/claims",
                                  data=f'{{"quantity": {number}}}'.encode(),
                                  headers={**client._headers(),
                                           "Content-Type": "application/json"})
    assert response.status_code == 201 and response.get_json()["quantity"] == quantity


# -- pages and query strings (finding 11) ------------------------------------------------------

# Beyond 32 bits, beyond 64 bits (SQLite cannot even bind it), and an exponent.
HUGE_TEXTS = ["2147483648", "9223372036854775808", "-9223372036854775809",
              "99999999999999999999", "1e999999999"]

INT_QUERY_PAGES = [
    "/?page={n}", "/?unit={n}",
    "/reports?unit={n}", "/reports?giver={n}", "/reports?category={n}",
    "/reports/records?unit={n}", "/reports/records?giver={n}", "/reports/records?page={n}",
    "/reports/checks?category={n}", "/reports/checks?page={n}",
    "/reports/records.csv?unit={n}", "/reports/summary.xlsx?giver={n}",
    "/claims?page={n}", "/claims/incoming?page={n}", "/my-unit/items?page={n}",
]


@pytest.mark.parametrize("number", HUGE_TEXTS)
@pytest.mark.parametrize("path", INT_QUERY_PAGES)
def test_huge_numbers_in_page_queries_are_refused_or_ignored_never_a_500(log_in, people, path,
                                                                         number):
    client = log_in(people.admin)
    response = client.get(path.format(n=number))
    assert response.status_code in (200, 400), response.status_code


@pytest.mark.parametrize("number", HUGE_TEXTS)
@pytest.mark.parametrize("path", ["/api/v1/items?page={n}", "/api/v1/items?per_page={n}",
                                  "/api/v1/items?unit={n}", "/api/v1/reports/summary?unit={n}"])
def test_huge_numbers_in_api_queries_are_400s(api, people, path, number):
    response = api(people.admin).get(path.format(n=number))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_query"


NOT_NUMBERS = ["sNaN", "NaN", "-sNaN", "Infinity", "-Infinity", "inf"]
TOO_LARGE = ["1e999999999", "1e100000000000", "99999999999999999999"]


@pytest.fixture
def forms(people, make_item, db):
    """(who, path, fields) of every form that reads a number, with valid other fields."""
    from reuse.services import categories

    item = make_item(people.member, quantity=3)
    check = checks.create_check(people.outsider, "kontorstol")
    claim = claim_service.claim_item(people.outsider, item, 1)
    claim_service.approve(people.member, claim)
    db.session.commit()
    chair = categories.get_by_slug("kontorstol")
    new_item = {"title": "Skap", "category_id": str(chair.id), "condition": "good",
                "quantity": "1", "location_address": "Rådhusgaten 10"}
    goal = {"year": "2026", "metric": "items_reused", "target": "10", "unit": ""}
    factor = {"valid_from": "2099-01-01", "new_price_nok": "100", "weight_kg": "1",
              "co2e_kg": "1"}
    return {
        "item.quantity": (people.member, "/items/new", new_item, "quantity"),
        "item.category": (people.member, "/items/new", new_item, "category_id"),
        "item.price": (people.member, "/items/new", new_item, "new_price_nok"),
        "item.weight": (people.member, "/items/new", new_item, "weight_kg"),
        "edit.price": (people.member, f"/items/{item.id}/edit", new_item, "new_price_nok"),
        "claim.quantity": (people.outsider, f"/items/{item.id}/claim", {}, "quantity"),
        "check.quantity": (people.outsider, "/checks/new", {"need": "stol"}, "quantity"),
        "match.quantity": (people.outsider, f"/checks/{check.id}/claim/{item.id}", {},
                           "quantity"),
        "wanted.quantity": (people.outsider, "/wanted", {"words": "stol"}, "quantity"),
        "collect.costs": (people.outsider, f"/claims/{claim.id}/collect",
                          {"replaces_purchase": "yes"}, "costs_nok"),
        "goal.year": (people.admin, "/reports/goals", goal, "year"),
        "goal.unit": (people.admin, "/reports/goals", goal, "unit"),
        "goal.target": (people.admin, "/reports/goals", goal, "target"),
        "factor.price": (people.admin, "/reports/factors/kontorstol", factor, "new_price_nok"),
        "factor.weight": (people.admin, "/reports/factors/kontorstol", factor, "weight_kg"),
        "factor.co2e": (people.admin, "/reports/factors/kontorstol", factor, "co2e_kg"),
    }


DECIMAL_FORMS = ["item.price", "item.weight", "edit.price", "collect.costs", "goal.target",
                 "factor.price", "factor.weight", "factor.co2e"]
INTEGER_FORMS = ["item.quantity", "item.category", "claim.quantity", "check.quantity",
                 "match.quantity", "wanted.quantity", "goal.year", "goal.unit"]


def _rows_everywhere(db) -> tuple:
    from reuse.models.reports import CategoryFactorVersion, Goal
    priced = select(func.count()).where(Item.new_price_nok.is_not(None))  # an edit stored
    return _rows(db) + tuple(db.session.scalar(select(func.count()).select_from(model))
                             for model in (Goal, CategoryFactorVersion)) + (
        db.session.scalar(priced),)


def _post_form(client, path, fields, name, value):
    return client.submit(path, {**fields, name: value})


@pytest.mark.parametrize("value", NOT_NUMBERS + TOO_LARGE)
@pytest.mark.parametrize("form", DECIMAL_FORMS)
def test_decimal_fields_refuse_what_is_not_a_storable_number(client, forms, db, form, value):
    from tests.conftest import login

    who, path, fields, name = forms[form]
    login(client, who)
    before = _rows_everywhere(db)
    response = _post_form(client, path, fields, name, value)
    assert response.status_code < 500  # a form error (or a flash and a redirect)
    assert _rows_everywhere(db) == before


@pytest.mark.parametrize("value", TOO_LARGE + ["9223372036854775808", "-9223372036854775809"])
@pytest.mark.parametrize("form", INTEGER_FORMS)
def test_integer_fields_refuse_numbers_beyond_every_column(client, forms, db, form, value):
    from tests.conftest import login

    who, path, fields, name = forms[form]
    login(client, who)
    before = _rows_everywhere(db)
    response = _post_form(client, path, fields, name, value)
    assert response.status_code < 500  # a form error (or a flash and a redirect)
    assert _rows_everywhere(db) == before


def test_a_number_too_large_to_store_gets_a_clear_form_error(log_in, people, catalog):
    from tests.conftest import page_text

    client = log_in(people.member)
    response = client.submit("/items/new", {"title": "Skap", "condition": "good",
                                            "quantity": "99999999999999999999",
                                            "location_address": "Rådhusgaten 10",
                                            "new_price_nok": "sNaN"})
    text = page_text(response)
    assert "Tallet er utenfor det som kan lagres" in text
    assert "Skriv et tall, for eksempel 1234,50" in text


def test_json_nested_beyond_reason_is_a_400(api, people):
    client = api(people.member)
    deep = b'{"words": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = client.client.post("/api/v1/wanted", data=deep,
                                  headers={**client._headers(),
                                           "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"


@pytest.mark.parametrize("target", ["/items\r\nSet-Cookie: x=1", "/items\n", "/\t/evil.example",
                                    "/\\evil.example", "/items\x85"])
def test_language_switch_never_follows_a_next_with_control_characters(client, people, target):
    response = client.submit("/language", {"locale": "en", "next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/"
    assert "\r" not in location and "\n" not in location
