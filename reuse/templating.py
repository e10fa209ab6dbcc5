"""Labels and number formats the templates share (Norwegian bokmål)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask import Flask
from flask_login import current_user

from reuse.clock import OSLO
from reuse.models import Condition, Role
from reuse.services.claims import STATUS_LABELS as CLAIM_STATUS_LABELS
from reuse.services.notifications import unread_count

CONDITION_LABELS = {
    Condition.AS_NEW: "Som ny",
    Condition.GOOD: "God",
    Condition.USED: "Brukt",
    Condition.NEEDS_REPAIR: "Trenger reparasjon",
}

ROLE_LABELS = {
    Role.MEMBER: "Medarbeider",
    Role.UNIT_ADMIN: "Enhetsadministrator",
    Role.SUSTAINABILITY: "Bærekraftsansvarlig",
    Role.ADMIN: "Systemadministrator",
}

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"


def group_thousands(integer_part: str) -> str:
    groups = []
    while len(integer_part) > 3:
        groups.insert(0, integer_part[-3:])
        integer_part = integer_part[:-3]
    groups.insert(0, integer_part)
    return NBSP.join(groups)


def format_number(value: Decimal | int | None, decimals: int = 0) -> str:
    """1234.5 → '1 234,50' with a no-break space between groups, as in Norwegian."""
    if value is None:
        return "–"
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "−" if rounded < 0 else ""
    integer_part, _, fraction = f"{abs(rounded):f}".partition(".")
    result = sign + group_thousands(integer_part)
    return f"{result},{fraction}" if fraction else result


def format_nok(value: Decimal | None) -> str:
    if value is None:
        return "–"
    decimals = 0 if Decimal(value) == Decimal(value).to_integral_value() else 2
    return f"{format_number(value, decimals)}{NBSP}kr"


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(OSLO).date()
    return value.strftime("%d.%m.%Y")


def format_time(value: datetime | None) -> str:
    return value.astimezone(OSLO).strftime("%H.%M") if value else ""


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        nok=format_nok, number=format_number, date=format_date, time=format_time,
        condition=lambda value: CONDITION_LABELS.get(value, value),
        role=lambda value: ROLE_LABELS.get(value, value),
        claim_status=lambda value: CLAIM_STATUS_LABELS.get(value, value),
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def labels() -> dict:
        unread = unread_count(current_user) if current_user.is_authenticated else 0
        return {"CONDITION_LABELS": CONDITION_LABELS, "unread_notifications": unread}
