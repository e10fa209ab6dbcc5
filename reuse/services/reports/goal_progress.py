"""How far a period has come toward the year's goals (the goals themselves: services.goals)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from reuse.models import Goal, GoalMetric
from reuse.services import goals as goal_service
from reuse.services.reports.checks import check_counts
from reuse.services.reports.purchases import summary as purchase_summary
from reuse.services.reports.scope import Scope
from reuse.services.reports.sums import totals
from reuse.services.units import subtree_id_list_at


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    achieved: Decimal
    scope: Scope  # what `achieved` covers: the report's period, the goal's unit

    @property
    def share(self) -> Decimal:
        """achieved / target: 1 means the goal is reached."""
        return (self.achieved / self.goal.target).quantize(Decimal("0.0001"))

    @property
    def bar_percent(self) -> int:
        """Width of a progress bar, 0–100."""
        return int(min(max(self.share * 100, Decimal(0)), Decimal(100)))


def achieved(metric: str, scope: Scope) -> Decimal:
    if metric == GoalMetric.REUSE_CHECK_SHARE:
        return check_counts(scope).reuse_share_percent
    if metric == GoalMetric.PURCHASE_COVERAGE:
        # Lines in reusable categories with a check ÷ all of them (0 when there are none).
        return purchase_summary(scope).coverage_percent
    return totals(scope).metric(metric)


def _progress(goal: Goal, scope: Scope) -> GoalProgress:
    goal_scope = Scope(scope.period, unit_id=goal.unit_id, tree=scope.tree)
    return GoalProgress(goal, achieved(goal.metric, goal_scope), goal_scope)


def goals_in_scope(scope: Scope) -> list[GoalProgress]:
    """The goals of the period's year for the scope's unit and the units under it (all goals
    for the whole municipality), achieved within the period. None if the period spans years."""
    year = scope.period.year
    if year is None:
        return []
    found = goal_service.goals_for_year(year)
    if scope.unit_id is not None:
        visible = set(subtree_id_list_at(scope.unit_id, scope.tree_moment))
        found = [goal for goal in found if goal.unit_id in visible]
    return [_progress(goal, scope) for goal in found]


def goals_for_unit(scope: Scope) -> list[GoalProgress]:
    """The goals set for exactly the scope's unit (or the municipality), in METRIC_ORDER."""
    year = scope.period.year
    if year is None:
        return []
    return [_progress(goal, scope) for goal in goal_service.goals_for_year(year)
            if goal.unit_id == scope.unit_id]
