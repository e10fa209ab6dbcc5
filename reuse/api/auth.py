"""Bearer-token authentication. Tokens come only from the Authorization header, never cookies."""

from __future__ import annotations

from flask import request

from reuse.extensions import db
from reuse.models import ApiToken, User
from reuse.services import tokens


class Unauthorized(Exception):
    """No valid bearer token came with the request."""


def bearer_user() -> User | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return tokens.user_for_token(value.strip())


def require_user() -> User:
    """The token's user, looked up once per request (kept on the request, not the app context)."""
    if "reuse.api_user" not in request.environ:
        request.environ["reuse.api_user"] = bearer_user()
        if any(isinstance(changed, ApiToken) for changed in db.session.dirty):
            # The token's time of use, at most once a minute: kept even when the request
            # itself only reads (its own transaction ends without a commit).
            db.session.commit()
    user = request.environ["reuse.api_user"]
    if user is None:
        raise Unauthorized()
    return user
