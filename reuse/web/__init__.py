"""Blueprints for people, one per area; each has its forms beside its views."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from wtforms import FieldList

from reuse.extensions import db
from reuse.services.errors import DomainError, PermissionDenied

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


class Refusal:
    """Runs a view's service calls and keeps what a service refused, if anything.

        with Refusal(form) as refused:
            item = items.create_item(current_user, form.details())
        if not refused:
            db.session.commit()
            return redirect(...)
        return render_template(..., form=form)

    A DomainError raised in the block rolls the half-done transaction back and is kept in
    `error`; given a form, it is shown there, beside the field it concerns or at the top.
    PermissionDenied is never kept: like everywhere else it is the app's 403 page
    (reuse.errors), however the view shows its other refusals.
    """

    def __init__(self, form=None, *, only_fields: bool = False,
                 fields: Mapping[str, str] | None = None):
        """`only_fields`: a refusal about no field is the app's error page (a conflict 409, …),
        not a note on the form. `fields`: the form's names for fields the services name
        otherwise."""
        self.form = form
        self.only_fields = only_fields
        self.fields = fields or {}
        self.error: DomainError | None = None

    def __enter__(self) -> Refusal:
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        if not isinstance(error, DomainError) or isinstance(error, PermissionDenied):
            return False
        db.session.rollback()
        error.field = self.fields.get(error.field, error.field)
        if self.only_fields and error.field is None:
            return False
        self.error = error
        if self.form is not None:
            _show_on_form(self.form, error)
        return True

    def __bool__(self) -> bool:
        return self.error is not None


def _show_on_form(form, error: DomainError) -> None:
    """Beside the field the refusal concerns; at the top if the form has no such single field
    (a list of fields, such as the photos, has no one place for it)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and not isinstance(field, FieldList):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
