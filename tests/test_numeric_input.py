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
