"""An item's internal period: from today, at most a year ahead (9999-12-31 was accepted)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from reuse.models import Item
from reuse.services import categories, items
from reuse.services.errors import InvalidInput
from tests.conftest import page_text

LATEST = items.MAX_INTERNAL_PERIOD_DAYS


def _body(until: str) -> dict:
    return {"title": "Skap", "category": "skap", "condition": "good", "quantity": 1,
            "location": "Rådhusgaten 10", "internal_until": until}


@pytest.mark.parametrize("until", ["9999-12-31", (date.today() + timedelta(days=LATEST + 1))
                                   .isoformat()])
def test_an_internal_period_beyond_a_year_is_refused_by_the_api(api, people, catalog, until):
    response = api(people.member).post("/api/v1/items", json=_body(until))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input" and str(LATEST) in error["message"]


def test_an_internal_period_of_a_year_is_accepted(api, people, catalog):
    until = (date.today() + timedelta(days=LATEST)).isoformat()
    response = api(people.member).post("/api/v1/items", json=_body(until))
    assert response.status_code == 201 and response.get_json()["internal_until"] == until


def test_the_form_says_how_long_an_internal_period_may_be(log_in, people, catalog, db):
    client = log_in(people.member)
    response = client.submit("/items/new", {
        "title": "Skap", "category_id": str(categories.get_by_slug("skap").id),
        "condition": "good", "quantity": "1", "location_address": "Rådhusgaten 10",
        "internal_until": "9999-12-31"})
    assert "Intern periode kan vare høyst 366 dager" in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(Item)) == 0


def test_the_service_refuses_it_for_every_caller(people, catalog):
    with pytest.raises(InvalidInput) as refused:
        items.create_item(people.member, items.ItemDetails(
            title="Skap", category_id=categories.get_by_slug("skap").id, condition="good",
            quantity=1, location_address="Rådhusgaten 10", internal_until=date(9999, 12, 31)))
    assert refused.value.field == "internal_until"


def test_the_date_picker_offers_no_later_day_than_the_service_accepts(log_in, people,
                                                                       catalog):
    html = log_in(people.member).get("/items/new").get_data(as_text=True)
    assert f'max="{items.latest_internal_until().isoformat()}"' in html
