"""Blueprints for people, one per area; each has its forms beside its views."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from wtforms import FieldList

from reuse.extensions import db
from reuse.services.errors import DomainError

# Control characters cannot go in a Location header (CR/LF split it: a 500), and browsers drop
# tabs and newlines and read a backslash as a slash: /\evil.example would leave the site.
_NOT_IN_A_PATH = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")


def safe_next(target: str | None, default: str) -> str:
    """Only follow ?next= to a path on this site, never to another host."""
    if not target or _NOT_IN_A_PATH.search(target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def apply_to_form(form, error: DomainError) -> None:
    """Show a service's refusal beside the field it concerns, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and not isinstance(field, FieldList):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def show_on_form(form, error: DomainError) -> None:
    """A refusal about one field goes beside it; any other refusal becomes an error page.

    Either way the half-done transaction is rolled back first.
    """
    db.session.rollback()
    if error.field is None:
        raise error
    apply_to_form(form, error)
