"""Yearly goals set by the sustainability lead: a target for one metric, municipality-wide
or for one unit (a unit's goal counts its sub-units too, like its report)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import Goal, GoalMetric, Unit, User
from reuse.services import audit
from reuse.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from reuse.services.permissions import can_manage_goals
from reuse.services.reports.figures import AVOIDED_COST

METRIC_LABELS = {
    GoalMetric.AVOIDED_COST_NOK: AVOIDED_COST,
    GoalMetric.AVOIDED_CO2E_KG: _l("Unngått utslipp (kg CO2e)"),
    GoalMetric.ITEMS_REUSED: _l("Ting gjenbrukt (stk.)"),
    GoalMetric.REUSE_CHECK_SHARE: _l("Andel gjenbrukssjekker som endte i gjenbruk (%)"),
    GoalMetric.PURCHASE_COVERAGE: _l("Andel innkjøp med gjenbrukssjekk (%)"),
}
# Metrics that are a share in per cent: at most 100.
PERCENT_METRICS = (GoalMetric.REUSE_CHECK_SHARE, GoalMetric.PURCHASE_COVERAGE)
# The order goals are shown in; the API's single `goal` is the first that exists.
METRIC_ORDER = list(METRIC_LABELS)
DECIMALS = {GoalMetric.AVOIDED_COST_NOK: 2, GoalMetric.AVOIDED_CO2E_KG: 3,
            GoalMetric.ITEMS_REUSED: 0, GoalMetric.REUSE_CHECK_SHARE: 2,
            GoalMetric.PURCHASE_COVERAGE: 2}
MAX_TARGET = {GoalMetric.AVOIDED_COST_NOK: Decimal("100000000000"),
              GoalMetric.AVOIDED_CO2E_KG: Decimal("100000000000"),
              GoalMetric.ITEMS_REUSED: Decimal("100000000"),
              GoalMetric.REUSE_CHECK_SHARE: Decimal("100"),
              GoalMetric.PURCHASE_COVERAGE: Decimal("100")}
FIRST_YEAR, LAST_YEAR = 2000, 2100
NO_METRIC = _l("Velg hva målet gjelder.")
APPLIES_TO = _l("Gjelder")  # the municipality or the unit a goal is for
TARGET_LABEL = _l("Mål")


def _require(user: User) -> None:
    if not can_manage_goals(user):
        raise PermissionDenied(_("Bare bærekraftsansvarlig og administratorer kan sette mål."))


def _validated(year, metric, target) -> tuple[int, GoalMetric, Decimal]:
    if isinstance(year, bool) or not isinstance(year, int) or not (
            FIRST_YEAR <= year <= LAST_YEAR):
        raise InvalidInput(_("Året må være mellom %(first)s og %(last)s.", first=FIRST_YEAR,
                             last=LAST_YEAR), field="year")
    try:
        metric = GoalMetric(metric)
    except ValueError:
        raise InvalidInput(str(NO_METRIC), field="metric") from None
    if not isinstance(target, Decimal) or not target.is_finite() or target <= 0:
        raise InvalidInput(_("Målet må være et tall større enn 0."), field="target")
    if target > MAX_TARGET[metric]:
        raise InvalidInput(_("Målet er urimelig høyt. Sjekk tallet.") if metric not in
                           PERCENT_METRICS else _("En andel kan være høyst 100 %."),
                           field="target")
    places = DECIMALS[metric]
    if target != target.quantize(Decimal(1).scaleb(-places)):
        raise InvalidInput(_("Antall ting må være et helt tall.") if places == 0 else
                           _("Målet kan ha høyst %(places)s desimaler.", places=places),
                           field="target")
    return year, metric, target


def find(year: int, metric: str, unit_id: int | None) -> Goal | None:
    return db.session.scalar(select(Goal).where(
        Goal.year == year, Goal.metric == str(metric),
        Goal.unit_id.is_(None) if unit_id is None else Goal.unit_id == unit_id))


def set_goal(user: User, *, year: int, metric: str, target: Decimal,
             unit: Unit | None = None) -> Goal:
    """Set the target for a year and metric, for the municipality or a unit (replacing any)."""
    _require(user)
    year, metric, target = _validated(year, metric, target)
    unit_id = unit.id if unit is not None else None
    goal = find(year, metric, unit_id)
    if goal is not None:
        previous = goal.target
        goal.target = target
        db.session.flush()
        audit.record(user, "goal.changed", goal, year=year, metric=str(metric),
                     unit_id=unit_id, target=target, previous=previous)
        return goal
    goal = Goal(year=year, metric=metric.value, target=target, unit_id=unit_id,
                created_by_id=user.id)
    try:
        with db.session.begin_nested():  # two leads saving the same goal at once
            db.session.add(goal)
    except IntegrityError:
        raise Conflict(_("Målet ble nettopp satt av noen andre. Last siden på nytt.")) from None
    audit.record(user, "goal.set", goal, year=year, metric=str(metric), unit_id=unit_id,
                 target=target)
    return goal


def delete_goal(user: User, goal: Goal) -> None:
    _require(user)
    audit.record(user, "goal.deleted", goal, year=goal.year, metric=goal.metric,
                 unit_id=goal.unit_id, target=goal.target)
    db.session.delete(goal)
    db.session.flush()


def get_goal(goal_id: int) -> Goal:
    goal = db.session.get(Goal, goal_id)
    if goal is None:
        raise NotFound(_("Fant ikke målet. Det kan være slettet."))
    return goal


def goals_for_year(year: int) -> list[Goal]:
    """The year's goals: municipality-wide first, then by unit name, each in METRIC_ORDER."""
    found = db.session.scalars(select(Goal).where(Goal.year == year)
                               .options(selectinload(Goal.unit)))
    order = {str(metric): index for index, metric in enumerate(METRIC_ORDER)}
    return sorted(found, key=lambda g: (g.unit_id is not None,
                                        g.unit.name if g.unit else "", order[g.metric]))


def all_goals() -> list[Goal]:
    years = db.session.scalars(select(Goal.year).distinct().order_by(Goal.year.desc()))
    return [goal for year in years for goal in goals_for_year(year)]
