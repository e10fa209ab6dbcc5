"""Reading JSON bodies and query strings strictly: wrong shapes and types are 400s, not 500s."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from flask import request

from reuse.services import characters, numbers
from reuse.services.errors import InvalidInput


class BadRequest(Exception):
    """The request is malformed: not JSON, not an object, a wrong type or an unknown field."""

    def __init__(self, message: str, code: str = "bad_request"):
        super().__init__(message)
        self.message = message
        self.code = code


def json_body(allowed: set[str], *, required: set[str] = frozenset()) -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        body: Any = {}
    else:
        try:
            # Decimals straight from the text: money never passes through a float.
            body = json.loads(raw, parse_float=numbers.json_decimal,
                              parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequest(f"The body is not valid JSON: {exc}", "invalid_json") from None
        except RecursionError:  # the parser recurses per level; 100 000 levels exhaust it
            raise BadRequest("The body is nested too deeply.", "invalid_json") from None
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.", "invalid_json")
    unknown = set(body) - allowed
    if unknown:
        raise BadRequest(f"Unknown field(s): {', '.join(sorted(unknown))}.", "unknown_field")
    missing = required - set(body)
    if missing:
        raise BadRequest(f"Missing field(s): {', '.join(sorted(missing))}.", "missing_field")
    return body


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number")


def text(value: str, what: str, code: str = "invalid_text") -> str:
    """Text fit to store and search: no NUL (PostgreSQL text cannot hold it, and no person
    types it) and no lone surrogate from a JSON escape (not encodable as UTF-8)."""
    if "\x00" in value:
        raise BadRequest(f"{what} may not contain the NUL character (U+0000).", code)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest(f"{what} may not contain a lone surrogate (U+D800–U+DFFF).",
                         code) from None
    return value


def plain_text(value: str, what: str, *, multiline: bool = False) -> str:
    """Text a person could have typed for this field (reuse.services.characters): one line
    unless multiline, and no control, invisible or direction-changing characters."""
    value = text(value, what)
    found = characters.first_refused(value, multiline=multiline)
    if found is not None:
        kind, code = found
        raise BadRequest(f"{what} {characters.ENGLISH[kind]} (found {code}).", "invalid_text")
    return value


def string(body: dict, name: str, *, default: str = "", max_length: int = 5000,
           multiline: bool = False) -> str:
    """A text field; one line unless multiline (descriptions, notes, messages)."""
    value = body.get(name, default)
    if value is None:
        value = default
    if not isinstance(value, str):
        raise BadRequest(f"'{name}' must be a string.", "invalid_type")
    if len(value) > max_length:
        raise BadRequest(f"'{name}' may be at most {max_length} characters.", "too_long")
    return plain_text(value, f"'{name}'", multiline=multiline)


def _out_of_range(name: str) -> InvalidInput:
    return InvalidInput(f"'{name}' is out of range (whole numbers from {numbers.MIN_INT} to "
                        f"{numbers.MAX_INT}).", field=name)


def integer(body: dict, name: str, *, default: int | None = None) -> int | None:
    """A whole number that fits the database's integers. 2, 2.0 and 2e0 are all 2; a number
    beyond the range is refused from its exponent, before it is ever converted."""
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, Decimal):
        try:
            value = numbers.whole_number(value)
        except numbers.OutOfRange:
            raise _out_of_range(name) from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"'{name}' must be a whole number.", "invalid_type")
    if not numbers.fits_int(value):
        raise _out_of_range(name)
    return value


def boolean(body: dict, name: str, *, default: bool | None) -> bool | None:
    value = body.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise BadRequest(f"'{name}' must be true or false.", "invalid_type")
    return value


def decimal(body: dict, name: str, *, default: Decimal | None = None) -> Decimal | None:
    """A number, exactly; beyond every figure column (10^15 and up) it is refused from its
    exponent, so no service compares, rounds or converts a 1e999999999."""
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise BadRequest(f"'{name}' must be a number.", "invalid_type")
    try:
        return numbers.figure(Decimal(value))
    except numbers.OutOfRange:
        raise InvalidInput(f"'{name}' is out of range (at most 15 digits before the decimal "
                           "point).", field=name) from None


def iso_date(body: dict, name: str) -> date | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"'{name}' must be a date as YYYY-MM-DD.", "invalid_type")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"'{name}' must be a date as YYYY-MM-DD.", "invalid_type") from None


def query_int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = numbers.parse_int(raw)
    except numbers.OutOfRange:
        value = None
    except ValueError:
        raise BadRequest(f"Query parameter '{name}' must be a whole number.",
                         "invalid_query") from None
    if value is None or not minimum <= value <= maximum:
        raise BadRequest(f"Query parameter '{name}' must be between {minimum} and {maximum}.",
                         "invalid_query")
    return value


def query_text(name: str) -> str:
    return text(request.args.get(name, ""), f"Query parameter '{name}'", "invalid_query")


def form_text(name: str) -> str:
    return plain_text(request.form.get(name, ""), f"'{name}'")


def query_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = request.args.get(name, default) or default
    if value not in choices:
        raise BadRequest(f"Query parameter '{name}' must be one of: {', '.join(choices)}.",
                         "invalid_query")
    return value
