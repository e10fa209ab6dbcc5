"""Property-based fuzzing of /api/v1 with Schemathesis, driven by the OpenAPI document itself.

The document is loaded from the running app in-process (WSGI, no server). Every operation is
sent generated requests — valid ones and, as often, ones the document says are wrong — as one of
the seeded users, with path ids drawn mostly from objects that exist (items, claims in every
state, reuse checks, wanted requests) and partly from ones that do not. Each answer must not be
a 5xx, and its status code, content type and body must be the ones the document gives for it.

Each operation gets freshly seeded data (one pytest test per operation), a bounded and
derandomized number of examples, and no deadline: a failure names the operation and replays
the same way on every run and on both databases.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from reuse.api.openapi import document
from reuse.clock import oslo_today
from reuse.models import Role
from reuse.services import categories, checks, claims, goals, items, ledger, photos, tokens, wanted
from tests.conftest import jpeg_bytes

OPENAPI_PATH = "/api/v1/openapi.json"
OPERATION_IDS = [operation["operationId"] for path_item in document()["paths"].values()
                 for operation in path_item.values() if isinstance(operation, dict)]
EXAMPLES_PER_OPERATION = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance,
          ignored_auth]  # a 2xx is re-sent without the token, and must then be refused
# Ids no object has: just past the seeded ones, the largest a route accepts, one past it.
MISSING_IDS = (2**31 - 1, 2**31, 10**12)


@dataclass
class World:
    """What the fuzzer acts on: tokens of users in every role, and ids per path parameter."""

    tokens: list[str] = field(default_factory=list)
    ids: dict[str, list[int]] = field(default_factory=dict)
    unit_ids: list[int] = field(default_factory=list)
    slugs: list[str] = field(default_factory=list)

    def id_strategy(self, name: str) -> st.SearchStrategy[int]:
        existing = self.ids[name]
        missing = [max(existing) + 1000, *MISSING_IDS]
        # Existing objects three times as often as missing ones.
        return st.sampled_from(existing * 3 + missing)


def _photo(user, item, colour) -> None:
    photos.add_photos(user, item, [photos.Upload(io.BytesIO(jpeg_bytes((64, 48), colour)),
                                                 "bilde.jpg", "Et bilde")])


@pytest.fixture
def world(db, people, make_user, make_item) -> World:
    """A school and a kindergarten trading items, with claims in every state."""
    sustainability = make_user(people.kindergarten.parent, Role.SUSTAINABILITY)
    school, kindergarten = people.member, people.outsider
    chairs = make_item(school, title="Kontorstoler HÅG", quantity=10,
                       new_price_nok=Decimal("1200"), weight_kg=Decimal("12.5"))
    desk = make_item(school, title="Hev-senk-skrivebord", category="hev-senk-skrivebord",
                     quantity=3, auto_approve=True, condition="as_new")
    shelf = make_item(kindergarten, title="Bokhylle i eik", category="skrivebord",
                      quantity=4, location_building="Hovedbygg", location_room="101")
    gone = make_item(school, title="Gammel tavle", quantity=1)
    withdrawn = make_item(kindergarten, title="Trukket lampe", quantity=2)
    for item, colour in ((chairs, (200, 60, 40)), (desk, (40, 60, 200)),
                         (shelf, (60, 200, 40))):
        _photo(item.created_by, item, colour)
    items.withdraw_item(kindergarten, withdrawn)

    made = {}
    for status in ("pending", "approved", "collected", "declined", "cancelled"):
        made[status] = claims.claim_item(kindergarten, chairs, 1, f"Forespørsel ({status})")
    claims.approve(school, made["approved"])
    claims.approve(people.unit_admin, made["collected"])
    claims.collect(kindergarten, made["collected"], replaces_purchase=True,
                   costs_nok=Decimal("150.50"))
    claims.decline(school, made["declined"], "Beklager")
    claims.cancel(kindergarten, made["cancelled"])
    auto = claims.claim_item(kindergarten, desk, 1)  # approved at once
    handed = claims.claim_item(kindergarten, gone, 1)
    claims.approve(school, handed)
    claims.collect(school, handed, replaces_purchase=False)
    the_other_way = claims.claim_item(people.colleague, shelf, 2, "Til biblioteket")

    open_check = checks.create_check(kindergarten, "kontorstoler", quantity=2)
    bought = checks.create_check(people.member, "whiteboard")
    checks.record_bought_new(people.member, bought, "nothing_suitable", "",
                             "PO-2026-17")
    reused = checks.create_check(people.colleague, "bokhylle",
                                 category=categories.get_by_slug("skrivebord"))
    checks.link_claim(people.colleague, reused, the_other_way)

    # A collection corrected afterwards, and goals for the report to measure against.
    ledger.reverse(people.admin, handed.reuse_record, "Feilregistrert")
    year = oslo_today().year
    goals.set_goal(people.admin, year=year, metric="avoided_cost_nok", target=Decimal("50000"))
    goals.set_goal(people.admin, year=year, metric="reuse_check_share", target=Decimal("40"),
                   unit=people.kindergarten)

    standing = wanted.create_request(kindergarten, words="kontorstol", quantity=2)
    closed = wanted.create_request(school, category=categories.get_by_slug("skrivebord"),
                                   until=oslo_today() + timedelta(days=10))
    wanted.close_request(school, closed)

    users = [people.member, people.colleague, people.unit_admin, kindergarten, people.admin,
             sustainability]
    found = World(
        tokens=[tokens.create_token(user, "fuzz")[1] for user in users],
        ids={"item_id": [chairs.id, desk.id, shelf.id, gone.id, withdrawn.id],
             "claim_id": [claim.id for claim in (*made.values(), auto, handed, the_other_way)],
             "check_id": [open_check.id, bought.id, reused.id],
             "request_id": [standing.id, closed.id]},
        unit_ids=[people.school.id, people.school.parent_id, people.kindergarten.id,
                  people.admin.unit_id],
        slugs=["kontorstol", "stoler", "mobler", "skrivebord", "hev-senk-skrivebord"])
    db.session.commit()  # and nothing read after: no transaction left open during the run
    return found


@pytest.fixture
def api_schema(app):
    """The document as the app serves it, sent requests in-process; each request in an app
    context of its own, as in production (not the test's, whose session would be shared)."""

    def wsgi(environ, start_response):
        with app.app_context():
            return app.wsgi_app(environ, start_response)

    schema = schemathesis.openapi.from_wsgi(OPENAPI_PATH, app)
    schema.app = wsgi
    return schema


def _cases(operation) -> st.SearchStrategy:
    positive = operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
    if not operation.body and not any(True for _ in operation.iter_parameters()):
        return positive  # nothing to get wrong
    return st.one_of(positive, operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


@pytest.mark.parametrize("operation_id", OPERATION_IDS)
def test_api_fuzz(operation_id, api_schema, world):
    operation = api_schema.find_operation_by_id(operation_id)
    seeded = {name: world.id_strategy(name) for name in world.ids
              if "{" + name + "}" in operation.path}

    @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None,
              database=None, phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                     HealthCheck.data_too_large])
    @given(case=_cases(operation), token=st.sampled_from(world.tokens), data=st.data())
    def fuzz(case, token, data):
        # Well-formed ids, slugs and unit ids are often swapped for ones that exist, so that
        # requests get past "not found" to the checks behind it; malformed ones are kept.
        for name, ids in seeded.items():
            if _is_id(case.path_parameters.get(name)):
                case.path_parameters[name] = data.draw(ids, label=name)
        for where in (case.query, case.body):
            if not isinstance(where, dict):
                continue
            if isinstance(where.get("category"), str) and data.draw(st.booleans()):
                where["category"] = data.draw(st.sampled_from(world.slugs), label="category")
            if _is_id(where.get("unit")) and data.draw(st.booleans()):
                where["unit"] = data.draw(st.sampled_from(world.unit_ids), label="unit")
        if operation_id == "addPhoto" and isinstance(case.body, dict) and data.draw(
                st.booleans(), label="real photo"):
            case.body["photo"] = jpeg_bytes((32, 24))
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    fuzz()
