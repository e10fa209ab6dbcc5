"""Geometry for the monthly bar chart, drawn as inline SVG by the template (no JavaScript).

The chart is a picture of the table beside it; every number in it is in that table too.
Month names and amounts follow the active language ('mar 2025', 'Mar 2025').

The SVG has no viewBox: heights are in CSS pixels and horizontal positions in percent of
its width, so it stretches to any screen while its text keeps the size the stylesheet gives
it (a 720-wide viewBox shrunk onto a phone made 12 px labels about 5 px). The amounts on the
axis sit left of the SVG box, in a margin the stylesheet reserves for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import format_date

from reuse.i18n import format_percent
from reuse.i18n import gettext as _
from reuse.services.reports.sums import MonthRow
from reuse.templating import format_nok

HEIGHT = 260  # CSS pixels
TOP, BOTTOM = 12, 36  # room above the highest bar and, below the bars, for the month names
MONTH_LABEL_Y = HEIGHT - 14
LABELS_WIDE = 12  # at most this many month names under the bars on a wide screen


@dataclass(frozen=True)
class Bar:
    x: float  # percent of the chart's width
    y: float  # CSS pixels from the top
    width: float  # percent
    height: float  # CSS pixels
    label: str  # shown under the bar ('' when there is no room)
    title: str  # the bar's month and value, for a tooltip
    negative: bool
    wide_only: bool  # a label left out on narrow screens, where every second one fits

    @property
    def middle(self) -> float:
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class MonthChart:
    height: int
    label_y: int
    baseline: float
    bars: list[Bar]
    ticks: list[Tick]
    description: str


def _nice_ceiling(value: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 × 10^k at or above value."""
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _month(day, *, year: str = " y") -> str:
    """The month's short stand-alone name, with the year: 'mar 2025' in bokmål."""
    return format_date(day, "LLL" + year)


def month_chart(months: list[MonthRow]) -> MonthChart:
    values = [row.figures.avoided_cost_nok for row in months]
    return _chart([row.period.start for row in months], values, format_nok,
                  _describe(months, values))


def share_chart(days: list, shares: list[Decimal | None], description: str) -> MonthChart:
    """Percentages (0–100) per month, on a scale to 100 %; a month without any share (None)
    gets no bar."""
    return _chart(days, [share or Decimal(0) for share in shares], format_percent,
                  description, top=Decimal(100))


def _chart(days: list, values: list[Decimal], fmt, description: str, *,
           top: Decimal | None = None) -> MonthChart:
    top_value = top if top is not None else _nice_ceiling(max([*values, Decimal(0)]))
    bottom_value = -_nice_ceiling(-min(values)) if min(values, default=0) < 0 else Decimal(0)
    span = top_value - bottom_value
    plot_height = HEIGHT - TOP - BOTTOM

    def y_of(value: Decimal) -> float:
        return round(TOP + float((top_value - value) / span) * plot_height, 2)

    baseline = y_of(Decimal(0))
    slot = 100 / max(len(days), 1)
    label_every = max(1, round(len(days) / LABELS_WIDE + 0.49))
    multi_year = bool(days) and days[0].year != days[-1].year
    bars = []
    for index, (day, value) in enumerate(zip(days, values)):
        y = y_of(value)
        short = _month(day, year=" yy" if multi_year else "")
        bars.append(Bar(
            x=round(index * slot + slot * 0.15, 2), y=min(y, baseline),
            width=round(slot * 0.7, 2), height=round(abs(baseline - y), 2),
            label=short if index % label_every == 0 else "",
            title=f"{_month(day)}: {fmt(value)}",
            negative=value < 0, wide_only=index % (2 * label_every) != 0))
    ticks = [Tick(y_of(top_value * part / 4), fmt(top_value * part / 4))
             for part in range(1, 5)]
    ticks.insert(0, Tick(baseline, fmt(Decimal(0))))
    if bottom_value < 0:
        ticks.append(Tick(y_of(bottom_value), fmt(bottom_value)))
    return MonthChart(HEIGHT, MONTH_LABEL_Y, baseline, bars, ticks, description)


def _describe(months: list[MonthRow], values: list[Decimal]) -> str:
    if not any(values):
        return _("Ingen unngått kostnad i perioden. Tallene per måned står i tabellen.")
    best = max(range(len(values)), key=lambda i: values[i])
    day = months[best].period.start
    return _("Stolpediagram over unngått kostnad per måned. Høyest i %(month)s med "
             "%(amount)s. Alle tallene står i tabellen.",
             month=_month(day), amount=format_nok(values[best]))
