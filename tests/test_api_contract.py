"""The OpenAPI document (/api/v1/openapi.json) and the API agree: every route with exactly its
methods, every status an operation answers with, and every field of every answer.

Responses are validated against the schema the document gives for that path, method and
status, with every documented object closed (an undocumented field fails), and requests the
server accepts must be valid by the document's request schemas.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from PIL import Image

from reuse.api import views
from reuse.api.openapi import document
from reuse.services import items as item_service
from reuse.services import tokens
from tests.conftest import jpeg_bytes

DOC = document()
PREFIX = DOC["servers"][0]["url"]
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
NOTHING = object()
# 400 codes that mean "the body has the wrong shape": the document's schema must refuse it too.
SHAPE_ERRORS = {"unknown_field", "missing_field", "invalid_type", "too_long"}


# -- reading the document ----------------------------------------------------------------

def resolve(obj: dict) -> dict:
    """Follow an OpenAPI Reference Object (keeping a description given beside it)."""
    while "$ref" in obj:
        target = DOC
        for part in obj["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        obj = {**target, **{k: v for k, v in obj.items() if k != "$ref"}}
    return obj


def operations():
    for path, item in DOC["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def parameters(operation: dict) -> list[dict]:
    return [resolve(p) for p in operation.get("parameters", [])]


def operation_for(method: str, url: str) -> tuple[str, dict]:
    path = urlsplit(url).path
    assert path.startswith(PREFIX), path
    segments = path[len(PREFIX):].split("/")
    for template, item in DOC["paths"].items():
        parts = template.split("/")
        if len(parts) == len(segments) and all(
                p == s or (p.startswith("{") and p.endswith("}") and s)
                for p, s in zip(parts, segments)):
            assert method in item, f"{method.upper()} {template} is not documented"
            return template, item[method]
    raise AssertionError(f"{path} is not documented")


def _closed(node):
    """Every object schema with properties made closed: undocumented fields fail."""
    if isinstance(node, list):
        return [_closed(value) for value in node]
    if not isinstance(node, dict):
        return node
    node = {key: _closed(value) for key, value in node.items()}
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    return node


FORMATS = FormatChecker(formats=())


@FORMATS.checks("date", raises=ValueError)
def _is_date(value) -> bool:
    if not isinstance(value, str):
        return True
    date.fromisoformat(value)
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))


@FORMATS.checks("date-time", raises=ValueError)
def _is_timestamp(value) -> bool:
    if not isinstance(value, str):
        return True
    pattern = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})"
    return bool(re.fullmatch(pattern, value)) and datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("uri")
def _is_uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


CLOSED_COMPONENTS = _closed(DOC["components"])


def validator(schema: dict, *, closed: bool = True) -> Draft202012Validator:
    """A validator for a schema from the document, with the document's components as root,
    so that `#/components/schemas/...` references resolve."""
    root = {**(_closed(schema) if closed else schema),
            "components": CLOSED_COMPONENTS if closed else DOC["components"]}
    return Draft202012Validator(root, format_checker=FORMATS)


def problems(schema: dict, instance, *, closed: bool = True) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator(schema, closed=closed).iter_errors(instance)]


def request_schema(operation: dict, media_type: str = "application/json") -> dict:
    return resolve(operation["requestBody"])["content"][media_type]["schema"]


# -- calling the API ---------------------------------------------------------------------

def call(client, method: str, url: str, status: int, *, token: str | None = None,
         body=NOTHING, raw: bytes | None = None, form: dict | None = None):
    """Send a request, check its status, and validate the answer against the document."""
    template, operation = operation_for(method, url)
    documented_query = {p["name"] for p in parameters(operation) if p["in"] == "query"}
    assert set(parse_qs(urlsplit(url).query)) <= documented_query, template
    kwargs: dict = {"headers": {"Authorization": f"Bearer {token}"} if token else {}}
    if body is not NOTHING:
        kwargs["json"] = body
        if status < 300:
            found = problems(request_schema(operation), body, closed=False)
            assert not found, f"accepted body is invalid by the document: {found}"
    elif raw is not None:
        kwargs.update(data=raw, content_type="application/json")
    elif form is not None:
        kwargs.update(data=form, content_type="multipart/form-data")
        if status < 300:
            schema = request_schema(operation, "multipart/form-data")
            fields = {name: "file" if isinstance(value, tuple) else value
                      for name, value in form.items()}
            assert not problems(schema, fields, closed=False), fields

    response = client.open(url, method=method.upper(), **kwargs)

    assert response.status_code == status, (
        f"{method.upper()} {url}: {response.status_code} {response.get_data(as_text=True)}")
    responses = operation["responses"]
    assert str(status) in responses, f"{method.upper()} {template} answered an undocumented " \
                                     f"{status}"
    documented = resolve(responses[str(status)])
    assert response.mimetype in documented["content"], response.mimetype
    payload = response.get_json()
    schema = documented["content"][response.mimetype]["schema"]
    found = problems(schema, payload)
    assert not found, f"{method.upper()} {template} {status}: {found}\n{payload}"
    for header in documented.get("headers", {}):
        assert header in response.headers, header
    if body is not NOTHING and status == 400 and payload["error"]["code"] in SHAPE_ERRORS:
        assert problems(request_schema(operation), body, closed=False), \
            f"the server refused a body the document allows: {body}"
    return payload


def code(payload: dict) -> str:
    return payload["error"]["code"]


@dataclass
class Tokens:
    member: str
    colleague: str
    unit_admin: str
    outsider: str
    admin: str
    stranger: str  # a member of a third unit, with nothing to do with the claims
    neighbour: str  # the outsider's colleague at the kindergarten


@pytest.fixture
def tok(db, people, make_user) -> Tokens:
    stranger = make_user(name="Siri Fremmed")

    def plain(user) -> str:
        _, value = tokens.create_token(user, "test")
        return value

    result = Tokens(member=plain(people.member), colleague=plain(people.colleague),
                    unit_admin=plain(people.unit_admin), outsider=plain(people.outsider),
                    admin=plain(people.admin), stranger=plain(stranger),
                    neighbour=plain(make_user(people.kindergarten, name="Nina Nabo")))
    db.session.commit()
    return result


def valid_item(**changes) -> dict:
    return {"title": "Kontorstol", "category": "kontorstol", "condition": "good",
            "quantity": 1, "location": "Rådhusgaten 10", **changes}


# -- the document covers the routes ------------------------------------------------------

def _flask_routes(app) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes.setdefault(path, set()).update(
                m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    return routes


def test_every_api_route_is_documented_with_exactly_its_methods(app):
    documented = {PREFIX + path: {m for m in item if m in HTTP_METHODS}
                  for path, item in DOC["paths"].items()}
    assert _flask_routes(app) == documented


def test_path_parameters_match_the_routes(app):
    kinds = {"int": "integer", "string": "string", "default": "string", "path": "string"}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        converters = {name: kind or "default" for kind, name in
                      re.findall(r"<(?:([^<>:]+):)?([^<>]+)>", rule.rule)}
        path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)[len(PREFIX):]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = DOC["paths"][path][method.lower()]
            declared = {p["name"]: p for p in parameters(operation) if p["in"] == "path"}
            assert set(declared) == set(converters), (path, method)
            for name, kind in converters.items():
                assert declared[name]["required"] is True
                assert declared[name]["schema"]["type"] == kinds[kind], (path, name)


def test_every_operation_but_the_document_itself_needs_a_token():
    assert DOC["security"] == [{"bearerAuth": []}]
    assert DOC["components"]["securitySchemes"]["bearerAuth"] == {
        **DOC["components"]["securitySchemes"]["bearerAuth"], "type": "http",
        "scheme": "bearer"}
    for path, method, operation in operations():
        if path == "/openapi.json":
            assert operation["security"] == []
            assert "401" not in operation["responses"]
        else:
            assert "security" not in operation, (path, method)
            assert "401" in operation["responses"], (path, method)


def test_every_operation_answers_401_without_a_valid_token_as_documented(client, tok):
    for path, method, _operation in operations():
        if path == "/openapi.json":
            continue
        url = PREFIX + re.sub(r"\{[^}]+\}", "1", path)
        assert code(call(client, method, url, 401)) == "unauthorized"
        assert code(call(client, method, url, 401, token="reuse_not-a-real-token")) == \
            "unauthorized"


def test_the_document_is_served_without_a_token(client):
    served = call(client, "get", f"{PREFIX}/openapi.json", 200)
    assert served == json.loads(json.dumps(DOC))


# -- the document is well formed -----------------------------------------------------------

def _refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_the_document_is_a_well_formed_openapi_3_1_description():
    assert DOC["openapi"] == "3.1.0"
    assert DOC["info"]["title"] and DOC["info"]["version"]
    for _name, schema in DOC["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
    for parameter in DOC["components"]["parameters"].values():
        Draft202012Validator.check_schema(parameter["schema"])
    for ref in set(_refs(DOC)):
        assert ref.startswith("#/"), ref
        resolve({"$ref": ref})  # raises KeyError if it points at nothing
    operation_ids = [operation["operationId"] for _, _, operation in operations()]
    assert len(operation_ids) == len(set(operation_ids))
    for path, method, operation in operations():
        placeholders = set(re.findall(r"\{([^}]+)\}", path))
        declared = {p["name"] for p in parameters(operation) if p["in"] == "path"}
        assert placeholders == declared, (path, method)
        for parameter in parameters(operation):
            Draft202012Validator.check_schema(parameter["schema"])
            assert parameter["in"] in {"path", "query", "header", "cookie"}
        assert any(status.startswith("2") for status in operation["responses"]), path
        for status, response in operation["responses"].items():
            assert re.fullmatch(r"[1-5]\d\d", status), status
            response = resolve(response)
            assert response["description"], (path, method, status)
            if not status.startswith("2"):
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"}, (path, method, status)
        if "requestBody" in operation:
            for content in resolve(operation["requestBody"])["content"].values():
                Draft202012Validator.check_schema(content["schema"])


def _reachable(refs) -> set[str]:
    seen: set[str] = set()
    todo = list(refs)
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        todo.extend(_refs(resolve({"$ref": ref})))
    return seen


def _objects(schema):
    """Every object schema with properties inside a schema (not following $refs)."""
    if isinstance(schema, dict):
        if "properties" in schema:
            yield schema
        for value in schema.values():
            yield from _objects(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _objects(value)


def test_response_schemas_require_every_field_and_request_schemas_refuse_unknown_ones():
    response_refs = _reachable(
        ref for _, _, operation in operations() for ref in _refs(operation["responses"]))
    request_refs = _reachable(
        ref for _, _, operation in operations() for ref in _refs(operation.get("requestBody")))
    response_schemas = {r for r in response_refs if r.startswith("#/components/schemas/")}
    assert "#/components/schemas/ReuseRecord" in response_schemas
    assert not response_schemas & request_refs
    for ref in response_schemas:
        for schema in _objects(resolve({"$ref": ref})):
            assert set(schema.get("required", [])) == set(schema["properties"]), ref
    for _, _, operation in operations():
        content = resolve(operation.get("requestBody", {"content": {}}))["content"]
        if "application/json" in content:
            for ref in _reachable(_refs(content["application/json"]["schema"])):
                for schema in _objects(resolve({"$ref": ref})):
                    assert schema.get("additionalProperties") is False, ref


def test_request_schemas_list_the_fields_the_endpoints_accept():
    schemas = DOC["components"]["schemas"]
    assert set(schemas["ItemCreate"]["properties"]) == views.ITEM_FIELDS
    assert set(schemas["ClaimCreate"]["properties"]) == views.CLAIM_FIELDS


# -- real answers validate, and say the right things ---------------------------------------

def test_a_whole_listing_and_claim_flow_matches_the_document(app, client, people, catalog,
                                                             tok):
    today = date.today()

    categories = call(client, "get", f"{PREFIX}/categories", 200, token=tok.member)
    by_slug = {c["slug"]: c for c in categories["categories"]}
    assert by_slug["kontorstol"] == {
        "slug": "kontorstol", "name": "Kontorstol", "name_en": "Office chair",
        "parent": "stoler", "retired": False, "new_price_nok": 4500, "weight_kg": 17.5,
        "co2e_kg": 72}
    assert by_slug["mobler"]["parent"] is None and by_slug["besoksstol"]["co2e_kg"] is None
    order = [c["slug"] for c in categories["categories"]]
    assert order.index("mobler") < order.index("stoler") < order.index("kontorstol")

    units = call(client, "get", f"{PREFIX}/units", 200, token=tok.member)["units"]
    assert {"id": people.school.id, "name": "Møhlenpris skole",
            "parent_id": people.school.parent_id, "code": None} in units
    assert [u["name"] for u in units] == sorted(u["name"] for u in units)

    # List two items: one with every field given, one with a plain address and own figures.
    internal_until = (today + timedelta(days=10)).isoformat()
    chair = call(client, "post", f"{PREFIX}/items", 201, token=tok.member, body={
        "title": "Kontorstol med armlener", "description": "Grå, justerbar.",
        "category": "kontorstol", "condition": "good", "quantity": 3,
        "location": {"address": "Rådhusgaten 10", "building": "Rådhuset", "room": "412"},
        "collection_notes": "Ring på forhånd.", "internal_until": internal_until,
        "new_price_nok": None, "weight_kg": None, "auto_approve": False})
    created_at = datetime.fromisoformat(chair["created_at"])
    assert abs(created_at - datetime.now(created_at.tzinfo)) < timedelta(minutes=5)
    assert chair == {
        "id": chair["id"], "title": "Kontorstol med armlener", "description": "Grå, justerbar.",
        "category": "kontorstol", "condition": "good", "quantity": 3, "quantity_available": 3,
        "location": {"address": "Rådhusgaten 10", "building": "Rådhuset", "room": "412"},
        "collection_notes": "Ring på forhånd.",
        "unit": {"id": people.school.id, "name": "Møhlenpris skole"},
        "new_price_nok": 4500, "weight_kg": 17.5, "co2e_kg": 72, "auto_approve": False,
        "status": "available", "photos": [], "created_at": chair["created_at"],
        "internal_until": internal_until, "stage": "internal",
        "stage_ends_on": internal_until, "electrical": False, "safety_checked_at": None}
    meeting_chair = call(client, "post", f"{PREFIX}/items", 201, token=tok.member, body={
        "title": "Møtestol", "category": "besoksstol", "condition": "as_new", "quantity": 1,
        "location": "Allégaten 5", "new_price_nok": 1200.5, "weight_kg": 3.25,
        "auto_approve": True})
    assert meeting_chair["location"] == {"address": "Allégaten 5", "building": "", "room": ""}
    assert (meeting_chair["new_price_nok"], meeting_chair["weight_kg"],
            meeting_chair["co2e_kg"]) == (1200.5, 3.25, None)
    assert meeting_chair["description"] == "" and meeting_chair["auto_approve"] is True
    assert meeting_chair["internal_until"] == (today + timedelta(days=30)).isoformat()

    photo = call(client, "post", f"{PREFIX}/items/{chair['id']}/photos", 201,
                 token=tok.member, form={"photo": (io.BytesIO(jpeg_bytes()), "stol.jpg"),
                                         "alt_text": "Grå kontorstol"})
    assert (photo["width"], photo["height"], photo["alt_text"]) == (800, 600, "Grå kontorstol")
    image = client.get(photo["url"], headers={"Authorization": f"Bearer {tok.outsider}"})
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    image = client.get(photo["thumbnail_url"], headers={"Authorization": f"Bearer {tok.outsider}"})
    assert image.status_code == 200 and image.mimetype == "image/jpeg"

    fetched = call(client, "get", f"{PREFIX}/items/{chair['id']}", 200, token=tok.outsider)
    assert fetched == {**chair, "photos": [photo]}

    found = call(client, "get", f"{PREFIX}/items?q=kontorstol&category=stoler&condition=good"
                 "&status=available&page=1&per_page=5", 200, token=tok.outsider)
    assert found == {"items": [fetched], "total": 1, "page": 1, "per_page": 5}
    found = call(client, "get", f"{PREFIX}/items?unit={people.school.parent_id}&q=armlener",
                 200, token=tok.outsider)
    assert found == {"items": [fetched], "total": 1, "page": 1, "per_page": 20}
    found = call(client, "get", f"{PREFIX}/items?category=mobler&per_page=1&page=2", 200,
                 token=tok.outsider)
    assert (found["total"], found["page"], found["per_page"]) == (2, 2, 1)
    assert [i["id"] for i in found["items"]] == [chair["id"]]  # newest first
    found = call(client, "get", f"{PREFIX}/items", 200, token=tok.outsider)
    assert (found["total"], found["page"], found["per_page"]) == (2, 1, 20)
    found = call(client, "get", f"{PREFIX}/items?unit={people.kindergarten.id}", 200,
                 token=tok.outsider)
    assert found == {"items": [], "total": 0, "page": 1, "per_page": 20}

    # Claim two of the three chairs from the kindergarten.
    claim = call(client, "post", f"{PREFIX}/items/{chair['id']}/claims", 201,
                 token=tok.outsider,
                 body={"quantity": 2, "message": "Vi trenger to.", "reuse_check_id": None})
    assert claim == {
        "id": claim["id"], "item_id": chair["id"], "quantity": 2, "status": "pending",
        "message": "Vi trenger to.", "claimant": {"id": people.outsider.id, "name": "Lars Vik"},
        "unit": {"id": people.kindergarten.id, "name": "Landås barnehage"},
        "collect_by": claim["collect_by"], "created_at": claim["created_at"],
        "decided_at": None, "decline_reason": None, "decision_message": "",
        "collected_at": None, "reuse_record": None, "organisation": None}
    assert date.fromisoformat(claim["collect_by"]) > today
    item = call(client, "get", f"{PREFIX}/items/{chair['id']}", 200, token=tok.member)
    assert (item["quantity_available"], item["status"]) == (1, "available")

    refused = call(client, "post", f"{PREFIX}/items/{chair['id']}/claims", 409,
                   token=tok.outsider, body={"quantity": 2})
    assert code(refused) == "not_available"
    refused = call(client, "post", f"{PREFIX}/items/{chair['id']}/claims", 403,
                   token=tok.colleague, body={"quantity": 1})
    assert code(refused) == "own_unit"

    mine = call(client, "get", f"{PREFIX}/claims?scope=mine", 200, token=tok.outsider)
    assert mine == {"claims": [claim], "open_claims": {"count": 1, "limit": 10}}
    incoming = call(client, "get", f"{PREFIX}/claims?scope=incoming", 200, token=tok.colleague)
    assert incoming == {"claims": [claim], "open_claims": {"count": 0, "limit": 10}}
    assert call(client, "get", f"{PREFIX}/claims", 200, token=tok.member) == {
        "claims": [], "open_claims": {"count": 0, "limit": 10}}
    assert call(client, "get", f"{PREFIX}/claims/{claim['id']}", 200,
                token=tok.outsider) == claim
    assert code(call(client, "get", f"{PREFIX}/claims/{claim['id']}", 404,
                     token=tok.stranger)) == "not_found"

    # Approve (not by the claimant), then collect with hand-over costs.
    assert code(call(client, "post", f"{PREFIX}/claims/{claim['id']}/approve", 403,
                     token=tok.outsider)) == "forbidden"
    assert code(call(client, "post", f"{PREFIX}/claims/{claim['id']}/collect", 409,
                     token=tok.outsider, body={"replaces_purchase": True})) == "invalid_state"
    approved = call(client, "post", f"{PREFIX}/claims/{claim['id']}/approve", 200,
                    token=tok.member, body={"message": "Hent på mandag."})
    assert approved["status"] == "approved" and approved["decided_at"] is not None
    assert approved["collected_at"] is None and approved["reuse_record"] is None
    collected = call(client, "post", f"{PREFIX}/claims/{claim['id']}/collect", 200,
                     token=tok.outsider, body={"replaces_purchase": True, "costs_nok": 250.50})
    assert collected["status"] == "collected" and collected["collected_at"] is not None
    assert collected["reuse_record"] == {
        "id": collected["reuse_record"]["id"], "replaces_purchase": True, "costs_nok": 250.5,
        "avoided_cost_nok": 8749.5, "avoided_co2e_kg": 144, "avoided_waste_kg": 35,
        "new_price_nok_used": 4500, "weight_kg_used": 17.5, "co2e_kg_used": 72,
        "outside_municipality": False}
    assert call(client, "get", f"{PREFIX}/claims/{claim['id']}", 200,
                token=tok.member) == collected
    assert code(call(client, "post", f"{PREFIX}/claims/{claim['id']}/approve", 409,
                     token=tok.member)) == "invalid_state"
    assert code(call(client, "post", f"{PREFIX}/claims/{claim['id']}/collect", 409,
                     token=tok.outsider, body={"replaces_purchase": False})) == "invalid_state"
    item = call(client, "get", f"{PREFIX}/items/{chair['id']}", 200, token=tok.member)
    assert (item["quantity"], item["quantity_available"], item["status"]) == (3, 1, "available")

    # The last chair: reserved, declined by the unit admin, claimed again and cancelled.
    second = call(client, "post", f"{PREFIX}/items/{chair['id']}/claims", 201,
                  token=tok.outsider, body={"quantity": 1})
    item = call(client, "get", f"{PREFIX}/items/{chair['id']}", 200, token=tok.member)
    assert (item["quantity_available"], item["status"]) == (0, "reserved")
    declined = call(client, "post", f"{PREFIX}/claims/{second['id']}/decline", 200,
                    token=tok.unit_admin, body={"message": "Beklager, den er lovet bort."})
    assert declined["status"] == "declined" and declined["reuse_record"] is None
    third = call(client, "post", f"{PREFIX}/items/{chair['id']}/claims", 201,
                 token=tok.outsider, body={"quantity": 1, "message": None})
    assert code(call(client, "post", f"{PREFIX}/claims/{third['id']}/cancel", 403,
                     token=tok.member)) == "forbidden"
    cancelled = call(client, "post", f"{PREFIX}/claims/{third['id']}/cancel", 200,
                     token=tok.outsider, body={"message": "Vi fant en annen."})
    assert cancelled["status"] == "cancelled"
    assert code(call(client, "post", f"{PREFIX}/claims/{third['id']}/cancel", 409,
                     token=tok.outsider)) == "invalid_state"
    assert code(call(client, "post", f"{PREFIX}/claims/{third['id']}/decline", 409,
                     token=tok.member)) == "invalid_state"
    incoming = call(client, "get", f"{PREFIX}/claims?scope=incoming", 200, token=tok.unit_admin)
    assert [c["id"] for c in incoming["claims"]] == [third["id"], second["id"], claim["id"]]
    assert [c["status"] for c in incoming["claims"]] == ["cancelled", "declined", "collected"]

    # An auto-approving item; collected by the giving side, costs left at their default.
    auto = call(client, "post", f"{PREFIX}/items/{meeting_chair['id']}/claims", 201,
                token=tok.outsider, body={"quantity": 1})
    assert auto["status"] == "approved" and auto["decided_at"] is not None
    done = call(client, "post", f"{PREFIX}/claims/{auto['id']}/collect", 200,
                token=tok.colleague, body={"replaces_purchase": True})
    assert done["reuse_record"] == {
        "id": done["reuse_record"]["id"], "replaces_purchase": True, "costs_nok": 0,
        "avoided_cost_nok": 1200.5, "avoided_co2e_kg": 0, "avoided_waste_kg": 3.25,
        "new_price_nok_used": 1200.5, "weight_kg_used": 3.25, "co2e_kg_used": None,
        "outside_municipality": False}
    item = call(client, "get", f"{PREFIX}/items/{meeting_chair['id']}", 200, token=tok.member)
    assert (item["quantity_available"], item["status"]) == (0, "handed_over")
    found = call(client, "get", f"{PREFIX}/items?status=all&category=besoksstol", 200,
                 token=tok.outsider)
    assert [i["id"] for i in found["items"]] == [meeting_chair["id"]]
    assert call(client, "get", f"{PREFIX}/items?category=besoksstol", 200,
                token=tok.outsider)["total"] == 0


def test_a_purchase_not_replaced_avoids_only_waste(client, people, make_item, tok):
    item = make_item(people.member, quantity=2)
    claim = call(client, "post", f"{PREFIX}/items/{item.id}/claims", 201, token=tok.outsider,
                 body={"quantity": 1})
    call(client, "post", f"{PREFIX}/claims/{claim['id']}/approve", 200, token=tok.unit_admin)
    done = call(client, "post", f"{PREFIX}/claims/{claim['id']}/collect", 200,
                token=tok.outsider, body={"replaces_purchase": False, "costs_nok": None})
    assert {k: v for k, v in done["reuse_record"].items() if k != "id"} == {
        "replaces_purchase": False, "costs_nok": 0, "avoided_cost_nok": 0,
        "avoided_co2e_kg": 0, "avoided_waste_kg": 17.5, "new_price_nok_used": 4500,
        "weight_kg_used": 17.5, "co2e_kg_used": 72,
        "outside_municipality": False}


def test_items_can_be_filtered_by_category_and_unit_together(client, people, make_item, tok):
    item = make_item(people.member)
    found = call(client, "get", f"{PREFIX}/items?category=stoler&unit={people.school.id}", 200,
                 token=tok.outsider)
    assert [i["id"] for i in found["items"]] == [item.id]


def test_withdrawn_items_are_shown_to_those_who_manage_them_and_hidden_from_others(
        client, db, people, make_item, tok):
    item = make_item(people.member)
    item_service.withdraw_item(people.member, item)
    db.session.commit()
    for token in (tok.member, tok.unit_admin, tok.admin):
        assert call(client, "get", f"{PREFIX}/items/{item.id}", 200,
                    token=token)["status"] == "withdrawn"
        listed = call(client, "get", f"{PREFIX}/items?status=all", 200, token=token)
        assert [i["status"] for i in listed["items"]] == ["withdrawn"]
    for token in (tok.colleague, tok.outsider):
        assert code(call(client, "get", f"{PREFIX}/items/{item.id}", 404,
                         token=token)) == "not_found"
        assert call(client, "get", f"{PREFIX}/items?status=all", 200,
                    token=token)["total"] == 0
    assert code(call(client, "post", f"{PREFIX}/items/{item.id}/claims", 404,
                     token=tok.outsider, body={"quantity": 1})) == "not_found"
    assert call(client, "get", f"{PREFIX}/items", 200, token=tok.outsider)["total"] == 0


# -- error answers ---------------------------------------------------------------------------

def test_malformed_requests_are_400s_as_documented(client, people, make_item, tok):
    items_url = f"{PREFIX}/items"
    for raw in (b'{"title": ', b"[1, 2]", b'"text"', b'{"quantity": NaN}', b"\xff\xfe"):
        assert code(call(client, "post", items_url, 400, token=tok.member, raw=raw)) == \
            "invalid_json"
    cases = [
        (valid_item(colour="grå"), "unknown_field"),
        (valid_item(location={"address": "Rådhusgaten 10", "floor": 2}), "unknown_field"),
        (valid_item(quantity="1"), "invalid_type"),
        (valid_item(quantity=1.5), "invalid_type"),
        (valid_item(auto_approve="yes"), "invalid_type"),
        (valid_item(new_price_nok="100"), "invalid_type"),
        (valid_item(internal_until="1. mars"), "invalid_type"),
        (valid_item(location=["Rådhusgaten 10"]), "invalid_type"),
        (valid_item(title="x" * 121), "too_long"),
        (valid_item(location={"address": "Rådhusgaten 10", "room": "x" * 121}), "too_long"),
    ]
    for field in ("title", "category", "condition", "quantity", "location"):
        body = valid_item()
        del body[field]
        cases.append((body, "missing_field"))
    for body, expected in cases:
        assert code(call(client, "post", items_url, 400, token=tok.member, body=body)) == \
            expected, body

    item = make_item(people.member, quantity=2)
    claims_url = f"{PREFIX}/items/{item.id}/claims"
    for body, expected in [({"quantity": 1, "note": "x"}, "unknown_field"), ({}, "missing_field"),
                           ({"message": "hei"}, "missing_field"),
                           ({"quantity": True}, "invalid_type"),
                           ({"quantity": 1, "message": "x" * 2001}, "too_long")]:
        assert code(call(client, "post", claims_url, 400, token=tok.outsider, body=body)) == \
            expected, body
    claim = call(client, "post", claims_url, 201, token=tok.outsider, body={"quantity": 1})
    claim_url = f"{PREFIX}/claims/{claim['id']}"
    for action in ("approve", "decline", "cancel"):
        assert code(call(client, "post", f"{claim_url}/{action}", 400, token=tok.member,
                         body={"message": "x", "grunn": "y"})) == "unknown_field"
        assert code(call(client, "post", f"{claim_url}/{action}", 400, token=tok.member,
                         body={"message": 5})) == "invalid_type"
    for body, expected in [({"costs": 1}, "unknown_field"),
                           ({"replaces_purchase": "yes"}, "invalid_type"),
                           ({"costs_nok": "250"}, "invalid_type")]:
        assert code(call(client, "post", f"{claim_url}/collect", 400, token=tok.outsider,
                         body=body)) == expected, body

    for url in (f"{items_url}?per_page=101", f"{items_url}?per_page=0", f"{items_url}?page=0",
                f"{items_url}?page=x", f"{items_url}?unit=abc", f"{items_url}?unit=0",
                f"{items_url}?status=gone", f"{PREFIX}/claims?scope=everything"):
        assert code(call(client, "get", url, 400, token=tok.member)) == "invalid_query", url

    photos_url = f"{PREFIX}/items/{item.id}/photos"
    assert code(call(client, "post", photos_url, 400, token=tok.member,
                     form={"alt_text": "Uten bilde"})) == "missing_field"


def test_unacceptable_requests_are_422s_as_documented(client, people, make_item, tok):
    items_url = f"{PREFIX}/items"
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    for body in (valid_item(condition="broken"), valid_item(quantity=0),
                 valid_item(quantity=10_001), valid_item(title="   "), valid_item(location=" "),
                 valid_item(location={"address": ""}), valid_item(internal_until=yesterday),
                 valid_item(new_price_nok=-1), valid_item(weight_kg=-0.5)):
        assert code(call(client, "post", items_url, 422, token=tok.member, body=body)) == \
            "invalid_input", body
    for url in (f"{items_url}?category=finnes-ikke", f"{items_url}?condition=broken"):
        assert code(call(client, "get", url, 422, token=tok.member)) == "invalid_input"

    item = make_item(people.member, quantity=2)
    claims_url = f"{PREFIX}/items/{item.id}/claims"
    for body in ({"quantity": 0}, {"quantity": 10_001}, {"quantity": 1, "reuse_check_id": 7}):
        assert code(call(client, "post", claims_url, 422, token=tok.outsider, body=body)) == \
            "invalid_input", body
    claim = call(client, "post", claims_url, 201, token=tok.outsider, body={"quantity": 1})
    call(client, "post", f"{PREFIX}/claims/{claim['id']}/approve", 200, token=tok.member)
    for costs in (-1, 0.001, 10_000_001):
        assert code(call(client, "post", f"{PREFIX}/claims/{claim['id']}/collect", 422,
                         token=tok.outsider, body={"replaces_purchase": True,
                                                   "costs_nok": costs})) == "invalid_input"
    # The answer decides the avoided kroner and CO2e, so leaving it out is no silent "yes".
    for body in ({}, {"costs_nok": 0}, {"replaces_purchase": None}):
        refused = call(client, "post", f"{PREFIX}/claims/{claim['id']}/collect", 422,
                       token=tok.outsider, body=body)
        assert code(refused) == "invalid_input", body
    assert call(client, "get", f"{PREFIX}/claims/{claim['id']}", 200,
                token=tok.outsider)["status"] == "approved"

    photos_url = f"{PREFIX}/items/{item.id}/photos"
    assert code(call(client, "post", photos_url, 422, token=tok.member,
                     form={"photo": (io.BytesIO(b"not an image"), "stol.jpg")})) == \
        "invalid_input"
    for _ in range(4):  # PHOTOS_PER_ITEM in the tests
        call(client, "post", photos_url, 201, token=tok.member,
             form={"photo": (io.BytesIO(jpeg_bytes(size=(40, 30))), "stol.jpg")})
    assert code(call(client, "post", photos_url, 422, token=tok.member,
                     form={"photo": (io.BytesIO(jpeg_bytes(size=(40, 30))), "stol.jpg")})) == \
        "invalid_input"


def test_an_unknown_category_when_listing_is_a_422(client, people, catalog, tok):
    payload = call(client, "post", f"{PREFIX}/items", 422, token=tok.member,
                   body=valid_item(category="finnes-ikke"))
    assert code(payload) == "invalid_input"


def test_refusals_and_unknown_objects_are_403s_and_404s_as_documented(client, people,
                                                                      make_item, tok):
    item = make_item(people.member, quantity=2)
    photos_url = f"{PREFIX}/items/{item.id}/photos"
    for token in (tok.outsider, tok.colleague):  # another unit; a colleague not the lister
        assert code(call(client, "post", photos_url, 403, token=token,
                         form={"photo": (io.BytesIO(jpeg_bytes()), "stol.jpg")})) == "forbidden"
    call(client, "post", photos_url, 201, token=tok.unit_admin,
         form={"photo": (io.BytesIO(jpeg_bytes()), "stol.jpg")})

    claim = call(client, "post", f"{PREFIX}/items/{item.id}/claims", 201, token=tok.outsider,
                 body={"quantity": 1})
    claim_url = f"{PREFIX}/claims/{claim['id']}"
    for action, token in (("approve", tok.colleague), ("decline", tok.outsider),
                          ("cancel", tok.member), ("cancel", tok.unit_admin)):
        assert code(call(client, "post", f"{claim_url}/{action}", 403, token=token)) == \
            "forbidden", (action, token)
    for action in ("approve", "decline", "cancel", "collect"):
        assert code(call(client, "post", f"{claim_url}/{action}", 404, token=tok.stranger)) \
            == "not_found"
    call(client, "post", f"{claim_url}/approve", 200, token=tok.admin)
    assert call(client, "get", claim_url, 200, token=tok.neighbour)["status"] == "approved"
    assert code(call(client, "post", f"{claim_url}/collect", 403, token=tok.neighbour)) == \
        "forbidden"
    assert code(call(client, "post", f"{claim_url}/collect", 404, token=tok.stranger)) \
        == "not_found"

    missing = 987_654
    for method, url, extra in (
            ("get", f"{PREFIX}/items/{missing}", {}),
            ("post", f"{PREFIX}/items/{missing}/claims", {"body": {"quantity": 1}}),
            ("post", f"{PREFIX}/items/{missing}/photos",
             {"form": {"photo": (io.BytesIO(jpeg_bytes()), "stol.jpg")}}),
            ("get", f"{PREFIX}/claims/{missing}", {}),
            ("post", f"{PREFIX}/claims/{missing}/approve", {}),
            ("post", f"{PREFIX}/claims/{missing}/decline", {}),
            ("post", f"{PREFIX}/claims/{missing}/cancel", {}),
            ("post", f"{PREFIX}/claims/{missing}/collect", {})):
        assert code(call(client, method, url, 404, token=tok.admin, **extra)) == "not_found", url


def test_too_large_requests_are_413s_as_documented(app, client, people, make_item, tok,
                                                   monkeypatch):
    item = make_item(people.member, quantity=2)
    claim = call(client, "post", f"{PREFIX}/items/{item.id}/claims", 201, token=tok.outsider,
                 body={"quantity": 1})
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    padding = "x" * 4000
    for url, token, body in (
            (f"{PREFIX}/items", tok.member, valid_item(description=padding)),
            (f"{PREFIX}/items/{item.id}/claims", tok.outsider,
             {"quantity": 1, "message": padding}),
            *((f"{PREFIX}/claims/{claim['id']}/{action}", tok.member, {"message": padding})
              for action in ("approve", "decline", "cancel")),
            (f"{PREFIX}/claims/{claim['id']}/collect", tok.outsider, {"costs_nok": padding})):
        assert code(call(client, "post", url, 413, token=token, body=body)) == "too_large", url
    noise = io.BytesIO()
    Image.effect_noise((200, 200), 80).convert("RGB").save(noise, format="JPEG")
    big = noise.getvalue()
    assert len(big) > 2048
    assert code(call(client, "post", f"{PREFIX}/items/{item.id}/photos", 413, token=tok.member,
                     form={"photo": (io.BytesIO(big), "stol.jpg")})) == "too_large"
