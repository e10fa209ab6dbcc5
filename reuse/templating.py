"""Every template filter and global, and the formats they use: labels, numbers, kroner,
kilograms, dates and times, in the active language (reuse.i18n)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as babel_dates_format_date
from babel.dates import match_skeleton
from flask import Flask
from flask_babel import format_date as babel_format_date
from flask_login import current_user

from reuse.clock import OSLO, oslo_today
from reuse.i18n import (
    DEFAULT_LANGUAGE,
    category_name,
    format_day,
    format_nok,
    format_number,
    format_percent,
    get_locale,
    language,
    locale_named,
    ngettext,
)
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import Condition, GoalMetric, Role
from reuse.services import checks, permissions
from reuse.services.claims import STATUS_LABELS as CLAIM_STATUS_LABELS
from reuse.services.items import STATUS_LABELS as ITEM_STATUS_LABELS
from reuse.services.notifications import unread_count
from reuse.services.reports.breakdowns import fold_tree
from reuse.services.tokens import STATUS_LABELS as TOKEN_STATUS_LABELS

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
    Role.PARTNER: _l("Samarbeidspartner"),
}

# Numbers, kroner and dates follow the active language (reuse.i18n).
format_date = format_day

# Clock times per language: Norwegian writes a full stop ("kl. 14.30", as Språkrådet
# recommends), English a colon ("at 14:30"). Every time a page shows is formatted here.
TIME_FORMATS = {"nb": "%H.%M", "en": "%H:%M"}


def format_time(value: datetime | None) -> str:
    """The clock time in Oslo: '14.30' in bokmål, '14:30' in English."""
    if value is None:
        return ""
    pattern = TIME_FORMATS.get(language(), TIME_FORMATS[DEFAULT_LANGUAGE])
    return value.astimezone(OSLO).strftime(pattern)


def format_date_time(value: datetime | None) -> str:
    """A moment as day and clock time in Oslo: '3.2.2026 kl. 14.30', '3 Feb 2026 at 14:30'."""
    if value is None:
        return ""
    return _("%(date)s kl. %(time)s", date=format_day(value), time=format_time(value))


def format_day_month(value: date | datetime | None) -> str:
    """A day in this year without the year, as cards show it: '2. des.', 'Dec 2'; an earlier
    year's day with its year: '2. des. 2025'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(OSLO).date()
    skeleton = "MMMd" if value.year == oslo_today().year else "yMMMd"
    locale, pattern = _skeleton_pattern(skeleton, str(get_locale()))
    return babel_dates_format_date(value, pattern, locale=locale)


# babel.dates.format_skeleton, with the locale parsed and the skeleton matched once rather
# than for every card on a page.
@lru_cache(maxsize=16)
def _skeleton_pattern(skeleton: str, locale_name: str) -> tuple[Locale, str]:
    locale = locale_named(locale_name)
    skeletons = locale.datetime_skeletons
    return locale, skeletons[skeleton if skeleton in skeletons
                             else match_skeleton(skeleton, skeletons)]


def format_month(day: date) -> str:
    """'januar 2026', 'January 2026': the month's name in the active language."""
    return babel_format_date(day, "LLLL y")


def format_kg(value: Decimal | None) -> str:
    """Kilograms with as many decimals as they have (at most three): '1 234,5'."""
    if value is None:
        return "–"
    exponent = Decimal(value).normalize().as_tuple().exponent
    return format_number(value, min(max(-exponent, 0), 3) if isinstance(exponent, int) else 0)


# Emissions from this many kilograms up are shown in tonnes: "12,3 tonn" reads better than
# "12 345,678 kg". Exports and the API keep kilograms, the unit their columns are named in.
CO2E_TONNES_FROM_KG = Decimal(10_000)


def format_co2e(value: Decimal | None, decimals: int | None = None) -> str:
    """An amount of CO2e with its unit, for people: '12,3 tonn' from 10 000 kg, else '360 kg'
    (kilograms with `decimals` decimals, or as many as they have)."""
    if value is None:
        return "–"
    if abs(value) >= CO2E_TONNES_FROM_KG:
        return _("%(tonnes)s\u00a0tonn", tonnes=format_number(Decimal(value) / 1000, 1))
    kilograms = format_kg(value) if decimals is None else format_number(value, decimals)
    return f"{kilograms}\u00a0kg"


def format_goal_value(metric: str, value: Decimal) -> str:
    """A goal's target or achievement in its metric's unit."""
    if metric == GoalMetric.AVOIDED_COST_NOK:
        return format_nok(value)
    if metric == GoalMetric.AVOIDED_CO2E_KG:
        return f"{format_co2e(value)}\u00a0CO2e"
    if metric == GoalMetric.ITEMS_REUSED:
        return ngettext("%(count)s\u00a0stk.", "%(count)s\u00a0stk.", int(value),
                        count=format_number(value))
    return format_percent(value)


def format_pieces(quantity: int) -> str:
    """How many pieces a need or a wanted request asks for: '8 stk.'."""
    return _("%(quantity)s stk.", quantity=quantity)


def format_availability(item) -> str:
    """How many of an item's pieces are free: '2 ledige av 3', or '3 ledige' when all are."""
    available = item.quantity_available
    if available != item.quantity:
        return ngettext("%(num)s ledig av %(total)s", "%(num)s ledige av %(total)s", available,
                        total=item.quantity)
    return ngettext("%(num)s ledig", "%(num)s ledige", available)


def label(labels: dict, value):
    """The label of a value in the active language (a plain str), or the value itself."""
    found = labels.get(value)
    return str(found) if found is not None else value


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        nok=format_nok, number=format_number, percent=format_percent, kg=format_kg,
        co2e=format_co2e,
        date=format_date, day_month=format_day_month, time=format_time,
        date_time=format_date_time,
        month_name=format_month, pieces=format_pieces, availability=format_availability,
        condition=lambda value: label(CONDITION_LABELS, value),
        role=lambda value: label(ROLE_LABELS, value),
        claim_status=lambda value: label(CLAIM_STATUS_LABELS, value),
        item_status=lambda value: label(ITEM_STATUS_LABELS, value),
        token_status=lambda value: label(TOKEN_STATUS_LABELS, value),
        check_status=lambda check: label(checks.STATUS_LABELS, checks.status(check)),
        folded=fold_tree,
        category_name=category_name,
    )
    app.jinja_env.globals.update(goal_value=format_goal_value)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def labels() -> dict:
        unread = unread_count(current_user) if current_user.is_authenticated else 0
        administers = current_user.is_authenticated and permissions.can_administer(current_user)
        return {"CONDITION_LABELS": CONDITION_LABELS, "unread_notifications": unread,
                "current_language": language(), "administers": administers}
