"""What a report covers: a period of whole days in Oslo time, optionally narrowed to a
receiving unit, a giving unit and a category; who may see which scope; and the SQL conditions
for the records and checks a scope covers, which every figure and drill-down shares.

- A period is [from 00:00, the day after `to` 00:00) in Oslo time, compared in UTC (a
  hand-over at 23:30 on 31 December in Bergen belongs to that year).
- A unit (or a category) means it and everything under it: under it in today's tree
  (tree "now", the default), or in the tree as it stood at the end of the period's last day,
  Oslo time (tree "then"; reuse.services.units.subtree_ids_at, from the placement history).
  Records keep their units' ids, so either way every record counts once, and the whole
  municipality's figures are the same.
- Reuse checks count by the day they were made, for the unit that made them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from reuse.clock import OSLO, oslo_today
from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import Category, ReuseCheck, ReuseRecord, Unit, User
from reuse.services import numbers
from reuse.services import units as unit_service
from reuse.services.errors import InvalidInput, PermissionDenied
from reuse.services.permissions import (
    UNIT_NOT_FOUND,
    can_see_all_reports,
    can_see_unit_report,
)
from reuse.services.trees import subtree_ids, subtree_order

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
MAX_YEARS = 10
MAX_DAYS = 365 * MAX_YEARS + 3  # ten years, leap days included

# A scope's parts as the filter form, the pages and the spreadsheets name them.
FROM = _l("Fra og med")
TO = _l("Til og med")
RECEIVING_UNIT = _l("Mottakende enhet")
GIVING_UNIT = _l("Givende enhet")
WHOLE_MUNICIPALITY = _l("Hele kommunen")  # no unit chosen
# Which tree a unit's "everything under it" is read from.
TREE_NOW, TREE_THEN = "now", "then"
TREES = (TREE_NOW, TREE_THEN)
TREE = _l("Enhetstreet")
TREE_LABELS = {TREE_NOW: _l("slik det er nå"), TREE_THEN: _l("slik det var ved periodens slutt")}
TREE_HELP = _l("Etter en omorganisering: tell en enhets føringer under enheten den hører til nå, "
               "eller under den den hørte til da perioden sluttet.")
NO_SUCH_UNIT = UNIT_NOT_FOUND


def _oslo_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(), OSLO).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """Whole days, both ends included, in Oslo time."""

    start: date
    end: date

    @property
    def start_utc(self) -> datetime:
        return _oslo_midnight_utc(self.start)

    @property
    def end_utc(self) -> datetime:
        """The first moment after the period (midnight after `end`, Oslo time), in UTC."""
        return _oslo_midnight_utc(self.end + timedelta(days=1))

    @property
    def last_moment(self) -> datetime:
        """The end of the last day (Oslo time), in UTC: the moment of the tree "as it was"."""
        return self.end_utc - timedelta(microseconds=1)

    @property
    def year(self) -> int | None:
        """The calendar year the period lies in; None if it spans more than one."""
        return self.start.year if self.start.year == self.end.year else None

    @property
    def is_whole_year(self) -> bool:
        return (self.start.month, self.start.day, self.end.month, self.end.day) == \
            (1, 1, 12, 31) and self.year is not None

    @property
    def is_whole_month(self) -> bool:
        return self.start.day == 1 and (self.end + timedelta(days=1)).day == 1

    def months(self) -> list[Period]:
        """The calendar months the period touches, each cut to the period."""
        months = []
        first = self.start.replace(day=1)
        while first <= self.end:
            following = (first + timedelta(days=32)).replace(day=1)
            months.append(Period(max(first, self.start),
                                 min(following - timedelta(days=1), self.end)))
            first = following
        return months


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31))


def make_period(start: date | None, end: date | None, *, today: date | None = None) -> Period:
    """The period asked for; without dates, this year (Oslo time)."""
    if start is None and end is None:
        return year_period((today or oslo_today()).year)
    if start is None:
        start = date(end.year, 1, 1)
    if end is None:
        end = date(start.year, 12, 31)
    if end < start:
        raise InvalidInput(_("Til-datoen kan ikke være før fra-datoen."), field="to")
    if start < EARLIEST or end > LATEST:
        raise InvalidInput(_("Velg datoer mellom %(first)s og %(last)s.", first=EARLIEST.year,
                             last=LATEST.year), field="from")
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(_("En rapport kan gjelde høyst %(years)s år om gangen.",
                             years=MAX_YEARS), field="to")
    return Period(start, end)


@dataclass(frozen=True)
class Scope:
    """What a figure covers: a period, and optionally a receiving unit, a giving unit and a
    category, each with everything under it."""

    period: Period
    unit_id: int | None = None  # receiving unit
    giver_id: int | None = None  # giving unit
    category_id: int | None = None
    tree: str = TREE_NOW  # TREE_NOW or TREE_THEN: which tree "everything under it" reads

    def __post_init__(self) -> None:
        if self.tree not in TREES:
            raise InvalidInput(_("Velg enhetstreet slik det er nå eller slik det var."),
                               field="tree")

    @property
    def tree_moment(self) -> datetime | None:
        """When the unit tree is read: None for today's tree, else the period's last moment."""
        return self.period.last_moment if self.tree == TREE_THEN else None

    def narrowed(self, **changes) -> Scope:
        return replace(self, **changes)

    def query_args(self) -> dict[str, str]:
        """The scope as the query string of the report pages and the API."""
        args = self.unit_query_args()
        for key, value in (("giver", self.giver_id), ("category", self.category_id)):
            if value is not None:
                args[key] = str(value)
        return args

    def unit_query_args(self) -> dict[str, str]:
        """The period, the receiving unit and the tree: what the check lists and the way back
        to the report keep (they have no giving unit or category)."""
        args = {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()}
        if self.unit_id is not None:
            args["unit"] = str(self.unit_id)
        if self.tree != TREE_NOW:
            args["tree"] = self.tree
        return args


# -- who sees which scope ------------------------------------------------------------------

def _require_exists(model, ident: int | None, name: str, message: str) -> None:
    # An id no column can hold names nothing; it never goes to SQL (SQLite cannot bind it).
    if ident is not None and (not numbers.fits_int(ident) or db.session.get(model, ident) is None):
        raise InvalidInput(message, field=name)


def authorize(user: User, scope: Scope) -> Scope:
    """The scope this user may see: the lead and admins everything, others their own unit
    (and its sub-units), which is also what they get when they ask for no unit."""
    _require_exists(Unit, scope.unit_id, "unit", str(NO_SUCH_UNIT))
    _require_exists(Unit, scope.giver_id, "giver", str(NO_SUCH_UNIT))
    _require_exists(Category, scope.category_id, "category", _("Fant ingen slik kategori."))
    if can_see_all_reports(user):
        return scope
    if scope.unit_id is None:
        return scope.narrowed(unit_id=user.unit_id)
    if not can_see_unit_report(user, scope.unit_id):
        raise PermissionDenied(_("Du kan se rapporten for din egen enhet, ikke for andre "
                                 "enheter."))
    return scope


def selectable_units(user: User, *, around: int | None = None,
                     whole_tree: bool = True) -> list[tuple[int, str, int]]:
    """(id, name, depth) of the units whose report the user may choose, in tree order.

    Those who may see every report get the whole tree, or (whole_tree=False, a report's
    filter) the part around the chosen unit and their own (units.filter_options): a
    thousand units would be most of the page."""
    # Closed units stay choosable, marked so: their records stay in the periods they happened.
    if can_see_all_reports(user):
        if not whole_tree:
            return unit_service.filter_options(around, user.unit_id, include_closed=True)
        return unit_service.tree_options(include_closed=True)
    own = subtree_ids(Unit, user.unit_id)
    units = db.session.execute(select(Unit.id, Unit.parent_id, Unit.name, Unit.closed_at)
                               .where(Unit.id.in_(own)).order_by(Unit.name)).all()
    return [(unit.id, unit_service.label(unit.name, unit.closed_at is not None), depth)
            for unit, depth in subtree_order(units, user.unit_id)]


# -- what a scope covers, in SQL -----------------------------------------------------------

def record_filters(scope: Scope) -> list:
    """The conditions for the records a scope covers; figures and drill-downs share them."""
    return _in_period_and_subtrees(scope, ReuseRecord.recorded_at, [
        (ReuseRecord.to_unit_id, Unit, scope.unit_id, "report_receiving_units"),
        (ReuseRecord.from_unit_id, Unit, scope.giver_id, "report_giving_units"),
        (ReuseRecord.category_id, Category, scope.category_id, "report_categories")])


def check_filters(scope: Scope) -> list:
    """The conditions for the reuse checks a scope covers: made in the period, by the unit
    (and its sub-units), for the category (and its sub-categories). A giving unit does not
    narrow checks: a check has none."""
    return _in_period_and_subtrees(scope, ReuseCheck.created_at, [
        (ReuseCheck.unit_id, Unit, scope.unit_id, "report_checking_units"),
        (ReuseCheck.category_id, Category, scope.category_id, "report_categories")])


def _in_period_and_subtrees(scope: Scope, moment, subtrees) -> list:
    """`moment` in the scope's period, and each (column, tree model, chosen root or None,
    CTE name) within the root's subtree when a root was chosen."""
    conditions = [moment >= scope.period.start_utc, moment < scope.period.end_utc]
    conditions += [column.in_(subtree_of(scope, model, root_id, name))
                   for column, model, root_id, name in subtrees if root_id is not None]
    return conditions


def subtree_of(scope: Scope, model, root_id: int, name: str | None = None):
    """The ids of root_id and everything under it, as the scope reads the trees: units in the
    chosen tree (now or at the period's end), categories as they are."""
    if model is Unit:
        return unit_service.subtree_ids_at(root_id, scope.tree_moment, name)
    return subtree_ids(model, root_id, name)
