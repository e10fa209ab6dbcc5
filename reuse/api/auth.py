"""Bearer-token authentication. Tokens come only from the Authorization header, never cookies."""

from __future__ import annotations

from flask import request

from reuse.extensions import db
from reuse.models import ApiToken, User
from reuse.services import tokens


class Unauthorized(Exception):
    """No valid bearer token came with the request; `code` and `message` say why."""

    def __init__(self, refusal: tokens.TokenRefused):
        super().__init__(refusal.message)
        self.code = refusal.code
        self.message = refusal.message


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def bearer_user() -> User | None:
    token = _bearer_token()
    return tokens.user_for_token(token) if token else None


def _authenticate() -> User | tokens.TokenRefused:
    token = _bearer_token()
    if token is None:
        return tokens.TokenRefused()
    try:
        return tokens.authenticate(token)
    except tokens.TokenRefused as refusal:
        return refusal


def require_user() -> User:
    """The token's user, looked up once per request (kept on the request, not the app context)."""
    if "reuse.api_user" not in request.environ:
        request.environ["reuse.api_user"] = _authenticate()
        if any(isinstance(changed, ApiToken) for changed in db.session.dirty):
            # The token's time of use, at most once a minute: kept even when the request
            # itself only reads (its own transaction ends without a commit).
            db.session.commit()
    result = request.environ["reuse.api_user"]
    if isinstance(result, tokens.TokenRefused):
        raise Unauthorized(result)
    return result
