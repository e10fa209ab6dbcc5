"""What the service publishes about itself, and accounts as SCIM User resources.

The published User schema lists only what an account holds (a subset, as RFC 7643 §7
allows); requests may still carry the other attributes of the standard schema, which are
accepted and not stored.
"""

from __future__ import annotations

import json

from flask import Response
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    EnterpriseUser,
    Error,
    ETag,
    Filter,
    Meta,
    Name,
    Patch,
    ResourceType,
    ScimPolicy,
    ServiceProviderConfig,
    Sort,
)
from scim2_models import User as ScimUser

from reuse.links import site_url
from reuse.models import User
from reuse.services.provisioning import MAX_PAGE

MEDIA_TYPE = "application/scim+json"
UserResource = ScimUser[EnterpriseUser]

# Entra ID's PATCH forms: `emails[type eq "work"].value` on an account without that entry
# adds it, and a `remove` may name its value.
POLICY = ScimPolicy(unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
                    remove_value_as_filter=ScimPolicy.RemoveValue.apply)

# The attributes an account holds; the published schemas list these and no others.
PUBLISHED = {
    str(ScimUser.__schema__): {"userName": None, "name": {"formatted"}, "displayName": None,
                               "active": None},
    str(EnterpriseUser.__schema__): {"department": None},
}


def _published_schema(model):
    schema = model.to_schema()
    keep = PUBLISHED[str(model.__schema__)]
    attributes = []
    for attribute in schema.attributes:
        if attribute.name not in keep:
            continue
        if keep[attribute.name] is not None:
            attribute.sub_attributes = [sub for sub in attribute.sub_attributes or []
                                        if sub.name in keep[attribute.name]]
        attributes.append(attribute)
    schema.attributes = attributes
    schema.meta = Meta(resource_type="Schema", location=site_url(f"/scim/v2/Schemas/{schema.id}"))
    return schema


def schemas():
    return [_published_schema(ScimUser), _published_schema(EnterpriseUser)]


def resource_types():
    user_type = ResourceType.from_resource(UserResource)
    user_type.description = "Accounts"
    user_type.meta = Meta(resource_type="ResourceType",
                          location=site_url("/scim/v2/ResourceTypes/User"))
    return [user_type]


def service_provider_config() -> ServiceProviderConfig:
    return ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_PAGE),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[AuthenticationScheme(
            type="oauthbearertoken", name="OAuth Bearer Token",
            description="A provisioning token from `flask --app reuse create-scim-token`.",
            primary=True)],
        meta=Meta(resource_type="ServiceProviderConfig",
                  location=site_url("/scim/v2/ServiceProviderConfig")),
    )


def location(user: User) -> str:
    return site_url(f"/scim/v2/Users/{user.id}")


def user_resource(user: User) -> UserResource:
    resource = UserResource(
        id=str(user.id),
        external_id=user.scim_external_id,
        user_name=user.email,
        display_name=user.name,
        name=Name(formatted=user.name),
        active=user.active,
        meta=Meta(resource_type="User", created=user.created_at, location=location(user)),
    )
    resource[EnterpriseUser] = EnterpriseUser(department=user.unit.code or user.unit.name)
    return resource


def answer(payload, status: int = 200, parameters=None, **headers) -> Response:
    """A SCIM answer: the object dumped for a response (only the attributes `parameters`
    selects, if given), as application/scim+json."""
    if not isinstance(payload, dict):
        payload = payload.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE,
                                     response_parameters=parameters)
    response = Response(json.dumps(payload, default=str, ensure_ascii=False), status=status,
                        mimetype=MEDIA_TYPE, headers=headers)
    response.headers["Cache-Control"] = "no-store"
    return response


def error(status: int, detail: str, scim_type: str | None = None) -> Response:
    """A SCIM error body (RFC 7644 §3.12) for any refusal."""
    response = answer(Error(status=status, scim_type=scim_type or None, detail=detail)
                      .model_dump(), status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="reuse-scim"'
    return response
