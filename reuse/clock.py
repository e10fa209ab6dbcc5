"""The municipality's clock: timestamps are stored in UTC, days are counted in Oslo."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from reuse.models.base import utcnow

OSLO = ZoneInfo("Europe/Oslo")


def oslo_today() -> date:
    return utcnow().astimezone(OSLO).date()
