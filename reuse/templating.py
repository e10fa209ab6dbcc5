"""Labels and number formats the templates share, in the active language (reuse.i18n)."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from reuse.clock import OSLO
from reuse.i18n import format_day, format_nok, format_number, language
from reuse.models import Condition, Role
from reuse.services.claims import STATUS_LABELS as CLAIM_STATUS_LABELS
from reuse.services.items import STATUS_LABELS as ITEM_STATUS_LABELS
from reuse.services.notifications import unread_count

CONDITION_LABELS = {
    Condition.AS_NEW: _l("Som ny"),
    Condition.GOOD: _l("God"),
    Condition.USED: _l("Brukt"),
    Condition.NEEDS_REPAIR: _l("Trenger reparasjon"),
}

ROLE_LABELS = {
    Role.MEMBER: _l("Medarbeider"),
    Role.UNIT_ADMIN: _l("Enhetsadministrator"),
    Role.SUSTAINABILITY: _l("Bærekraftsansvarlig"),
    Role.ADMIN: _l("Systemadministrator"),
}

# Numbers, kroner and dates follow the active language (reuse.i18n).
format_date = format_day


def format_time(value: datetime | None) -> str:
    return value.astimezone(OSLO).strftime("%H.%M") if value else ""


def label(labels: dict, value):
    """The label of a value in the active language (a plain str), or the value itself."""
    found = labels.get(value)
    return str(found) if found is not None else value


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        nok=format_nok, number=format_number, date=format_date, time=format_time,
        condition=lambda value: label(CONDITION_LABELS, value),
        role=lambda value: label(ROLE_LABELS, value),
        claim_status=lambda value: label(CLAIM_STATUS_LABELS, value),
        item_status=lambda value: label(ITEM_STATUS_LABELS, value),
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def labels() -> dict:
        unread = unread_count(current_user) if current_user.is_authenticated else 0
        return {"CONDITION_LABELS": CONDITION_LABELS, "unread_notifications": unread,
                "current_language": language()}
