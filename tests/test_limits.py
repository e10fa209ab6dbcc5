"""Every limit is written once, and the forms, the API and the OpenAPI document all keep it.

The forms are read by introspection: every field with a Length or NumberRange validator must
be listed here, either beside the API input that takes the same value (their limits must be
equal) or as a page-only field held to the constant that defines it. The API is held to the
document by asking it: one character (or one unit) beyond a documented limit is refused, the
limit itself is not refused for its size.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from decimal import Decimal

import pytest
from wtforms import Form
from wtforms.fields.core import UnboundField
from wtforms.validators import Length, NumberRange

import reuse.web
from reuse.api.openapi import document
from reuse.models.catalog import MAX_ALT_TEXT
from reuse.models.claims import MAX_TOKEN_LABEL
from reuse.models.organisation import MAX_EMAIL
from reuse.models.partners import MAX_PARTNER_NAME
from reuse.models.purchases import MAX_KEYWORD
from reuse.services import (
    categories,
    claims,
    factors,
    figures,
    goals,
    items,
    ledger,
    partners,
    tokens,
    units,
    users,
)
from reuse.services.numbers import MAX_INT
from reuse.web.checks.forms import SUBMISSION_LENGTH

DOC = document()
SCHEMAS = DOC["components"]["schemas"]

# (form, field) -> (request schema, property): the same value entered on a page or sent to the API.
SAME_AS_API = {
    ("ItemForm", "title"): ("ItemCreate", "title"),
    ("ItemForm", "quantity"): ("ItemCreate", "quantity"),
    ("ItemForm", "description"): ("ItemCreate", "description"),
    ("ItemForm", "location_address"): ("LocationInput", "address"),
    ("ItemForm", "location_building"): ("LocationInput", "building"),
    ("ItemForm", "location_room"): ("LocationInput", "room"),
    ("ItemForm", "collection_notes"): ("ItemCreate", "collection_notes"),
    ("ItemForm", "new_price_nok"): ("ItemCreate", "new_price_nok"),
    ("ItemForm", "weight_kg"): ("ItemCreate", "weight_kg"),
    ("ClaimForm", "quantity"): ("ClaimCreate", "quantity"),
    ("DispositionForm", "quantity"): ("DispositionCreate", "quantity"),
    ("DispositionForm", "recipient"): ("DispositionCreate", "recipient"),
    ("PurchaseImportForm", "source"): ("PurchaseLineBatch", "source"),
    ("DispositionForm", "amount_nok"): ("DispositionCreate", "amount_nok"),
    ("DispositionForm", "weight_kg"): ("DispositionCreate", "weight_kg"),
    ("ClaimForm", "message"): ("ClaimCreate", "message"),
    ("DecisionForm", "message"): ("Decision", "message"),
    ("DeclineForm", "message"): ("DeclineDecision", "message"),
    ("CancelForm", "message"): ("Decision", "message"),
    ("CollectForm", "costs_nok"): ("Collect", "costs_nok"),
    ("CheckForm", "need"): ("ReuseCheckCreate", "need"),
    ("CheckForm", "quantity"): ("ReuseCheckCreate", "quantity"),
    ("ClaimMatchForm", "quantity"): ("ClaimCreate", "quantity"),
    ("BoughtNewForm", "reason_text"): ("CheckOutcome", "reason_text"),
    ("BoughtNewForm", "purchase_reference"): ("CheckOutcome", "purchase_reference"),
    ("DropForm", "reason"): ("CheckOutcome", "reason"),
    ("WantedForm", "words"): ("WantedCreate", "words"),
    ("WantedForm", "quantity"): ("WantedCreate", "quantity"),
    ("StageForm", "reason"): ("StageMove", "reason"),
}

# (form, field) -> its limits, for fields no API input takes; each read from its constant.
PAGE_ONLY = {
    # The rules that give purchase lines a category are kept on the pages only.
    ("PurchaseRuleForm", "pattern"): {"maxLength": MAX_KEYWORD},
    # Units are administered on the pages and by import-units; the API only lists them.
    ("UnitForm", "name"): {"maxLength": units.MAX_NAME},
    ("RenameForm", "name"): {"maxLength": units.MAX_NAME},
    ("UnitForm", "code"): {"maxLength": units.MAX_CODE},
    ("ChosenPhotoForm", "alt_text"): {"maxLength": MAX_ALT_TEXT},
    ("AltTextForm", "alt_text"): {"maxLength": MAX_ALT_TEXT},
    ("ReverseRecordForm", "reason"): {"maxLength": ledger.MAX_REASON},
    ("ReverseDispositionForm", "reason"): {"maxLength": ledger.MAX_REASON},
    # Withdrawing has no API endpoint; its message goes to the claimants as a decline's does.
    ("WithdrawForm", "message"): {"maxLength": claims.MAX_MESSAGE},
    # The search page's key for its claim forms (a double click claims once).
    ("ClaimMatchForm", "submission"): {"maxLength": SUBMISSION_LENGTH},
    ("BrowseForm", "q"): {"maxLength": items.MAX_QUERY},
    # Categories are kept in the browser only; the API lists them.
    ("NamesForm", "name_nb"): {"maxLength": categories.MAX_NAME},
    ("NamesForm", "name_en"): {"maxLength": categories.MAX_NAME},
    ("BrowseForm", "location"): {"maxLength": items.MAX_QUERY},
    ("BrowseForm", "page"): {"minimum": 1},
    ("GoalForm", "year"): {"minimum": goals.FIRST_YEAR, "maximum": goals.LAST_YEAR},
    ("GoalForm", "target"): {"minimum": Decimal("0.001")},
    ("FactorForm", "new_price_nok"): {"minimum": 0, "maximum": figures.PRICE.maximum},
    ("FactorForm", "weight_kg"): {"minimum": 0, "maximum": figures.WEIGHT.maximum},
    ("FactorForm", "co2e_kg"): {"minimum": 0, "maximum": figures.CO2E.maximum},
    ("FactorForm", "new_price_source"): {"maxLength": factors.MAX_SOURCE},
    ("FactorForm", "weight_source"): {"maxLength": factors.MAX_SOURCE},
    ("FactorForm", "co2e_source"): {"maxLength": factors.MAX_SOURCE},
    ("FactorForm", "note"): {"maxLength": factors.MAX_NOTE},
    ("LoginForm", "email"): {"maxLength": MAX_EMAIL},
    ("LoginForm", "password"): {"maxLength": users.MAX_PASSWORD_LENGTH},
    ("ForgotPasswordForm", "email"): {"maxLength": MAX_EMAIL},
    ("ResetPasswordForm", "password"): {"maxLength": users.MAX_PASSWORD_LENGTH},
    # The administration's searches and tokens (API tokens are made with the command line).
    ("PeopleFilterForm", "q"): {"maxLength": users.MAX_QUERY},
    ("AuditFilterForm", "who"): {"maxLength": users.MAX_QUERY},
    ("ApiTokenForm", "label"): {"maxLength": MAX_TOKEN_LABEL},
    ("ApiTokenForm", "expires_in_days"): {"minimum": 1, "maximum": tokens.MAX_EXPIRY_DAYS},
    ("ScimTokenForm", "label"): {"maxLength": MAX_TOKEN_LABEL},
    # Partner organisations and their people are administered on the pages and the command
    # line; partners sign in and browse in the browser (the API has its own item search).
    ("PartnerForm", "name"): {"maxLength": MAX_PARTNER_NAME},
    ("PartnerForm", "org_number"): {"maxLength": partners.MAX_ORG_NUMBER_INPUT},
    ("InviteForm", "name"): {"maxLength": users.MAX_NAME},
    ("InviteForm", "email"): {"maxLength": MAX_EMAIL},
    ("LoginLinkRequestForm", "email"): {"maxLength": MAX_EMAIL},
    ("PartnerPasswordForm", "password"): {"maxLength": users.MAX_PASSWORD_LENGTH},
    ("PartnerPasswordForm", "current_password"): {"maxLength": users.MAX_PASSWORD_LENGTH},
    ("PartnerBrowseForm", "q"): {"maxLength": items.MAX_QUERY},
    ("PartnerBrowseForm", "page"): {"minimum": 1},
}

LIMIT_KEYS = ("maxLength", "minimum", "maximum")


def _form_classes():
    for module_info in pkgutil.walk_packages(reuse.web.__path__, "reuse.web."):
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Form) and cls.__module__ == module.__name__:
                yield cls


def _form_limits() -> dict[tuple[str, str], dict]:
    """Every form field's limits as its validators state them, in the document's words."""
    found = {}
    for cls in _form_classes():
        for name in dir(cls):
            field = getattr(cls, name, None)
            if not isinstance(field, UnboundField):
                continue
            limits = {}
            for validator in field.kwargs.get("validators", []):
                if isinstance(validator, Length) and validator.max != -1:
                    limits["maxLength"] = validator.max
                if isinstance(validator, NumberRange):
                    if validator.min is not None:
                        limits["minimum"] = validator.min
                    if validator.max is not None:
                        limits["maximum"] = validator.max
            if limits:
                # A form that inherits the field is held to the same entry as its parent.
                owner = next(base for base in reversed(cls.__mro__)
                             if isinstance(getattr(base, name, None), UnboundField))
                found[(owner.__name__, name)] = limits
    return found


def _property(schema_name: str, prop: str) -> dict:
    """A request property's own schema: without the `or null` wrapping."""
    schema = SCHEMAS[schema_name]["properties"][prop]
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            return option
    return schema


def _limits(schema: dict) -> dict:
    return {key: schema[key] for key in LIMIT_KEYS if key in schema}


FORM_LIMITS = _form_limits()


def test_every_limited_form_field_is_held_to_the_api_or_to_its_constant():
    unlisted = set(FORM_LIMITS) - set(SAME_AS_API) - set(PAGE_ONLY)
    assert not unlisted, f"add these form fields to SAME_AS_API or PAGE_ONLY: {unlisted}"
    gone = (set(SAME_AS_API) | set(PAGE_ONLY)) - set(FORM_LIMITS)
    assert not gone, f"these listed form fields have no limits any more: {gone}"


@pytest.mark.parametrize("form_field", sorted(SAME_AS_API), ids="{0[0]}.{0[1]}".format)
def test_a_form_field_and_its_api_input_have_the_same_limits(form_field):
    schema_name, prop = SAME_AS_API[form_field]
    assert FORM_LIMITS[form_field] == _limits(_property(schema_name, prop))


@pytest.mark.parametrize("form_field", sorted(PAGE_ONLY), ids="{0[0]}.{0[1]}".format)
def test_a_page_only_field_has_its_constants_limits(form_field):
    assert FORM_LIMITS[form_field] == PAGE_ONLY[form_field]


def test_the_item_service_refuses_what_the_document_refuses():
    """The service's own text limits are the document's (the columns are sized by them)."""
    document_limits = {"title": _property("ItemCreate", "title")["maxLength"],
                       "description": _property("ItemCreate", "description")["maxLength"],
                       "location_address": _property("LocationInput", "address")["maxLength"],
                       "location_building": _property("LocationInput", "building")["maxLength"],
                       "location_room": _property("LocationInput", "room")["maxLength"],
                       "collection_notes":
                           _property("ItemCreate", "collection_notes")["maxLength"]}
    assert document_limits == items.TEXT_LIMITS


# -- the API parser keeps the document's limits --------------------------------------------

def _request_schemas() -> set[str]:
    names = set()
    for item in DOC["paths"].values():
        for operation in item.values():
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                ref = media["schema"].get("$ref", "")
                names.add(ref.rsplit("/", 1)[-1])
    names.add("LocationInput")  # inside ItemCreate
    return {name for name in names if name in SCHEMAS}


@pytest.fixture
def tok(db, people):
    class Tokens:
        member = tokens.create_token(people.member, "test")[1]
        outsider = tokens.create_token(people.outsider, "test")[1]
        admin = tokens.create_token(people.admin, "test")[1]
    db.session.commit()
    return Tokens


@pytest.fixture
def send(client, db, people, make_item, tok):
    """Sends one property's value in a request that is otherwise acceptable."""
    own = make_item(people.member, quantity=3)
    auto = make_item(people.member, quantity=3, auto_approve=True)
    # Each decline probe claims a piece first; a refused probe leaves its claim waiting.
    to_decline = make_item(people.member, quantity=10)
    staged = make_item(people.member, quantity=2)
    staged.stage = "public_bodies"
    # Each accepted end probe ends a piece of an item at the final stage.
    to_end = make_item(people.member, quantity=20)
    to_end.stage = "final"
    db.session.commit()

    def headers(token):
        return {"Authorization": f"Bearer {token}"}

    def claim(item, token=tok.outsider):
        response = client.post(f"/api/v1/items/{item.id}/claims", json={"quantity": 1},
                               headers=headers(token))
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def check():
        response = client.post("/api/v1/reuse-checks", json={"need": "kontorstol"},
                               headers=headers(tok.member))
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def item_body(prop, value):
        return {"title": "Kontorstol", "category": "kontorstol", "condition": "good",
                "quantity": 1, "location": "Rådhusgaten 10", prop: value}

    makers = {
        "ItemCreate": lambda prop, value: ("/api/v1/items", tok.member, item_body(prop, value)),
        "LocationInput": lambda prop, value: (
            "/api/v1/items", tok.member,
            item_body("location", {"address": "Rådhusgaten 10", prop: value})),
        "ClaimCreate": lambda prop, value: (f"/api/v1/items/{own.id}/claims", tok.outsider,
                                            {"quantity": 1, prop: value}),
        "Decision": lambda prop, value: (f"/api/v1/claims/{claim(own)}/cancel", tok.outsider,
                                         {prop: value}),
        "DeclineDecision": lambda prop, value: (f"/api/v1/claims/{claim(to_decline)}/decline",
                                                tok.member, {prop: value}),
        "Collect": lambda prop, value: (f"/api/v1/claims/{claim(auto)}/collect", tok.outsider,
                                        {"replaces_purchase": True, prop: value}),
        "DispositionCreate": lambda prop, value: (
            f"/api/v1/items/{to_end.id}/dispositions", tok.member,
            {"quantity": 1, **_end_details(prop), prop: value}),
        "ReuseCheckCreate": lambda prop, value: ("/api/v1/reuse-checks", tok.member,
                                                 {"need": "kontorstol", prop: value}),
        "CheckOutcome": lambda prop, value: (
            f"/api/v1/reuse-checks/{check()}/outcome", tok.member,
            {"outcome": "bought_new", "reason": "other", "reason_text": "Annet",
             prop: value}),
        # Moving back needs the reason: the first probe moves the item, later ones are 409s.
        "StageMove": lambda prop, value: (f"/api/v1/items/{staged.id}/stage", tok.member,
                                          {"stage": "internal", prop: value}),
        "WantedCreate": lambda prop, value: ("/api/v1/wanted", tok.outsider,
                                             {"category": "kontorstol", prop: value}),
        "PurchaseLineBatch": lambda prop, value: (
            "/api/v1/purchase-lines", tok.admin,
            {"lines": [{"line_id": "L1", "ordered_on": "2026-03-01", "unit_code": "X",
                        "quantity": 1, "amount_nok": 1}], "source": "Visma", prop: value}),
    }

    def send_(schema_name, prop, value):
        path, token, body = makers[schema_name](prop, value)
        return client.post(path, json=body, headers=headers(token))

    send_.schemas = set(makers)
    return send_


def _end_details(prop: str) -> dict:
    """An end whose kind takes the probed property."""
    return {"recipient": {"kind": "donated"}, "fraction": {"kind": "recycled"},
            "amount_nok": {"kind": "sold"}}.get(prop, {"kind": "sold", "amount_nok": 0})


def _limited_properties():
    for schema_name in sorted(_request_schemas()):
        for prop in SCHEMAS[schema_name].get("properties", {}):
            schema = _property(schema_name, prop)
            if "maxLength" in schema or "maximum" in schema:
                yield schema_name, prop, schema


def test_every_request_schema_with_a_limit_is_probed(send):
    limited = {schema_name for schema_name, _, _ in _limited_properties()}
    assert limited <= send.schemas


def _words(length: int) -> str:
    """Text of that length, in words as a person writes them."""
    return ("stol " * length)[:length - 1] + "x"


def test_the_api_refuses_exactly_beyond_each_documented_limit(send):
    for schema_name, prop, schema in _limited_properties():
        what = f"{schema_name}.{prop}"
        if "maxLength" in schema:
            limit = schema["maxLength"]
            over = send(schema_name, prop, _words(limit + 1))
            assert over.status_code == 400, (what, over.get_json())
            assert over.get_json()["error"]["code"] == "too_long", what
            assert f"'{prop}'" in over.get_json()["error"]["message"], what
            at = send(schema_name, prop, _words(limit))
            assert at.get_json().get("error", {}).get("code") != "too_long", (what, at.json)
        if "maximum" in schema:
            limit = schema["maximum"]
            step = 1 if "integer" in schema["type"] else 0.01
            over = send(schema_name, prop, limit + step)
            assert over.status_code == 422, (what, over.get_json())
            at = send(schema_name, prop, limit)
            assert at.status_code != 422, (what, at.get_json())


@pytest.mark.parametrize("path", sorted(
    path for path, item in DOC["paths"].items()
    if "get" in item and "{" not in path and "parameters" in item["get"]))
def test_query_parameters_are_refused_exactly_beyond_their_documented_maximum(client, tok,
                                                                               path):
    for parameter in DOC["paths"][path]["get"]["parameters"]:
        maximum = parameter["schema"].get("maximum")
        if maximum is None:
            continue
        headers = {"Authorization": f"Bearer {tok.admin}"}
        url = f"/api/v1{path}?{parameter['name']}="
        over = client.get(f"{url}{maximum + 1}", headers=headers)
        assert over.status_code == 400, (path, parameter["name"])
        at = client.get(f"{url}{maximum}", headers=headers)
        assert at.status_code != 400, (path, parameter["name"], at.get_json())
        assert maximum <= MAX_INT
