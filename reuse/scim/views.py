"""The SCIM endpoints. Each reads SCIM, calls reuse.services.provisioning, and answers SCIM."""

from __future__ import annotations

import json
import re

from flask import request
from pydantic import ValidationError
from scim2_models import (
    Context,
    EnterpriseUser,
    ListResponse,
    PatchOp,
    ResponseParameters,
    SCIMException,
)
from sqlalchemy.exc import IntegrityError

from reuse.extensions import csrf, db
from reuse.models import ScimToken
from reuse.scim import bp
from reuse.scim import resources as r
from reuse.services import characters, permissions, provisioning, scim_tokens
from reuse.services.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from reuse.services.numbers import MAX_INT

csrf.exempt(bp)  # a bearer token, never a cookie: there is no session to forge requests with

# The two searches a provisioning client makes: `userName eq "…"` and `externalId eq "…"`.
_FILTER = re.compile(r'^\s*(userName|externalId)\s+eq\s+("(?:[^"\\]|\\.)*")\s*$', re.I)


class Refused(Exception):
    """A request SCIM refuses with this status and scimType."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None):
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


@bp.before_request
def authenticate():
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    token = scim_tokens.authenticate(value.strip()) if scheme.lower() == "bearer" else None
    if any(isinstance(changed, ScimToken) for changed in db.session.dirty):
        db.session.commit()  # the token's time of use, kept even when the request only reads
    if token is None:
        return r.error(401, "A valid provisioning token is required.")
    return None


@bp.errorhandler(Refused)
def refused(error: Refused):
    db.session.rollback()
    return r.error(error.status, error.detail, error.scim_type)


@bp.errorhandler(SCIMException)
def scim_refused(error: SCIMException):
    db.session.rollback()
    return r.error(error.status, error.detail, error.scim_type or None)


@bp.errorhandler(ValidationError)
def invalid(error: ValidationError):
    db.session.rollback()
    first = error.errors()[0] if error.errors() else {}
    scim_type = (first.get("ctx") or {}).get("scim_type") or "invalidValue"
    where = ".".join(str(part) for part in first.get("loc", ()))
    return r.error(400, f"{where}: {first.get('msg', 'invalid')}".lstrip(": "), scim_type)


@bp.errorhandler(DomainError)
def domain_refused(error: DomainError):
    db.session.rollback()
    if isinstance(error, NotFound):
        return r.error(404, error.message)
    if isinstance(error, PermissionDenied):
        return r.error(403, error.message)
    if isinstance(error, Conflict):
        return r.error(409, error.message, "uniqueness" if error.code == "uniqueness" else None)
    return r.error(400, error.message, "invalidValue")


@bp.errorhandler(IntegrityError)
def clashed(error: IntegrityError):
    # Two requests for the same address at once: the unique index settled it.
    db.session.rollback()
    return r.error(409, "The userName or externalId is already used.", "uniqueness")


def _body() -> dict:
    try:
        body = json.loads(request.get_data(cache=False) or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise Refused(400, "The body is not valid JSON.", "invalidSyntax") from None
    if not isinstance(body, dict):
        raise Refused(400, "The body must be a JSON object.", "invalidSyntax")
    return body


def _account(resource: r.UserResource) -> provisioning.Account:
    extension = resource[EnterpriseUser]
    return provisioning.Account(
        email=resource.user_name,
        name=_name(resource),
        external_id=resource.external_id,
        active=resource.active,
        department=extension.department if extension is not None else None,
    )


def _name(resource: r.UserResource) -> str | None:
    """displayName, else name.formatted, else givenName and familyName."""
    name = resource.name
    parts = [name.given_name, name.family_name] if name is not None else []
    return ((resource.display_name or "").strip()
            or (name.formatted if name is not None and name.formatted else "").strip()
            or " ".join(part.strip() for part in parts if part and part.strip())
            or None)


def _user(user_id: str):
    # Only ASCII digits, and few enough to fit an id ('²'.isdigit() is true; int() of
    # thousands of digits is refused): anything else names no account.
    if re.fullmatch(r"[0-9]{1,10}", user_id) is None:
        raise NotFound(f"No user with id {user_id}.")
    return permissions.provisioned_user(int(user_id))


def _parameters():
    """The `attributes` or `excludedAttributes` the client asked for, if any."""
    chosen = {name: request.args[name] for name in ("attributes", "excludedAttributes")
              if request.args.get(name)}
    if not chosen:
        return None
    return ResponseParameters[r.UserResource].model_validate(chosen)


def _created(user) -> object:
    return r.answer(r.user_resource(user), 201, Location=r.location(user))


# -- discovery ------------------------------------------------------------------------------

@bp.get("/ServiceProviderConfig")
def service_provider_config():
    return r.answer(r.service_provider_config())


@bp.get("/ResourceTypes")
def resource_types():
    types = r.resource_types()
    return r.answer(ListResponse[type(types[0])](total_results=len(types), start_index=1,
                                                 items_per_page=len(types), resources=types))


@bp.get("/ResourceTypes/<name>")
def resource_type(name: str):
    for item in r.resource_types():
        if item.id == name:
            return r.answer(item)
    raise NotFound(f"No resource type {name}.")


@bp.get("/Schemas")
def schemas():
    items = r.schemas()
    return r.answer(ListResponse[type(items[0])](total_results=len(items), start_index=1,
                                                 items_per_page=len(items), resources=items))


@bp.get("/Schemas/<path:schema_id>")
def schema(schema_id: str):
    for item in r.schemas():
        if item.id == schema_id:
            return r.answer(item)
    raise NotFound(f"No schema {schema_id}.")


# -- users ----------------------------------------------------------------------------------

def _whole_number(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Refused(400, f"{name} must be a whole number.", "invalidValue") from None
    # Beyond every page there is: capped before it reaches an OFFSET or a LIMIT.
    return min(value, MAX_INT)


@bp.get("/Users")
def list_users():
    criteria = {}
    text = request.args.get("filter")
    if text is not None:
        match = _FILTER.match(text)
        if match is None:
            raise Refused(400, 'Only userName eq "…" and externalId eq "…" filters are '
                               "supported.", "invalidFilter")
        key = "email" if match.group(1).lower() == "username" else "external_id"
        try:
            value = json.loads(match.group(2))
            characters.check(value, match.group(1), field="filter")
        except (ValueError, InvalidInput):
            raise Refused(400, "The filter's value is not a valid string.",
                          "invalidFilter") from None
        criteria[key] = value
    start = max(_whole_number("startIndex", 1), 1)
    count = max(_whole_number("count", provisioning.MAX_PAGE), 0)
    total, page = provisioning.find(start=start, count=count, **criteria)
    return r.answer(ListResponse[r.UserResource](
        total_results=total, start_index=start, items_per_page=len(page),
        resources=[r.user_resource(user) for user in page]), parameters=_parameters())


@bp.get("/Users/<user_id>")
def get_user(user_id: str):
    return r.answer(r.user_resource(_user(user_id)), parameters=_parameters())


@bp.post("/.search")
@bp.post("/Users/.search")
def search():
    raise Refused(501, "Searching with POST is not supported; use GET /Users?filter=….")


@bp.post("/Users")
def create_user():
    resource = r.UserResource.model_validate(
        _body(), scim_ctx=Context.RESOURCE_CREATION_REQUEST, scim_policy=r.POLICY)
    user = provisioning.create(_account(resource))
    db.session.commit()
    return _created(user)


@bp.put("/Users/<user_id>")
def replace_user(user_id: str):
    user = _user(user_id)
    resource = r.UserResource.model_validate(
        _body(), scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST, scim_policy=r.POLICY)
    provisioning.update(user, _account(resource))
    db.session.commit()
    return r.answer(r.user_resource(user))


@bp.patch("/Users/<user_id>")
def patch_user(user_id: str):
    user = _user(user_id)
    patch = PatchOp[r.UserResource].model_validate(
        _body(), scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=r.POLICY)
    before = r.user_resource(user)
    after = before.model_copy(deep=True)
    patch.patch(after, scim_policy=r.POLICY)
    account = _account(after)
    if not after.user_name:
        raise InvalidInput("userName is required.")
    # The account holds one name: a PATCH renames it through displayName or name.formatted
    # (a lone givenName or familyName would otherwise replace the whole name).
    new_name = None
    if (after.display_name or "") != (before.display_name or ""):
        new_name = after.display_name
    elif after.name is not None and (after.name.formatted or "") != user.name:
        new_name = after.name.formatted
    # A removed externalId is cleared (None would mean "not mentioned").
    external_id = "" if before.external_id and not after.external_id else account.external_id
    provisioning.update(user, provisioning.Account(**{**account.__dict__, "name": new_name,
                                                      "external_id": external_id}))
    db.session.commit()
    return r.answer(r.user_resource(user))


@bp.delete("/Users/<user_id>")
def delete_user(user_id: str):
    provisioning.remove(_user(user_id))
    db.session.commit()
    return "", 204
