"""Domain errors raised by services; the web, API and CLI layers turn them into messages."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the request. `message` is shown to the user as is."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class InvalidInput(DomainError):
    code = "invalid_input"


class NotFound(DomainError):
    code = "not_found"


class PermissionDenied(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    code = "conflict"
