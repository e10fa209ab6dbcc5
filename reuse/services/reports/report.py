"""A whole report: everything the report page, the summary exports and the API's summary
show, each figure from the module that computes it."""

from __future__ import annotations

from dataclasses import dataclass

from reuse.extensions import db
from reuse.models import Unit
from reuse.services.checks import CheckCounts
from reuse.services.reports.breakdowns import TreeRow, category_nodes, tree, unit_nodes
from reuse.services.reports.checks import check_counts
from reuse.services.reports.figures import Figures
from reuse.services.reports.goal_progress import GoalProgress, goals_for_unit, goals_in_scope
from reuse.services.reports.ranking import RankRow, ranking
from reuse.services.reports.scope import Scope
from reuse.services.reports.sums import MonthRow, grouped_each, monthly, totals
from reuse.services.reports.waste_hierarchy import WasteHierarchy, waste_hierarchy


@dataclass(frozen=True)
class Summary:
    scope: Scope
    unit: Unit | None
    totals: Figures
    checks: CheckCounts
    goals: list[GoalProgress]
    waste: WasteHierarchy


def summary(scope: Scope) -> Summary:
    """The headline figures of the scope and the goals for its unit (API and exports)."""
    unit = db.session.get(Unit, scope.unit_id) if scope.unit_id is not None else None
    return Summary(scope, unit, totals(scope), check_counts(scope), goals_for_unit(scope),
                   waste_hierarchy(scope))


@dataclass(frozen=True)
class Report:
    """Everything the report page and the summary exports show."""

    scope: Scope
    unit: Unit | None
    totals: Figures
    checks: CheckCounts
    goals: list[GoalProgress]
    months: list[MonthRow]
    receiving: list[TreeRow]
    giving: list[TreeRow]
    categories: list[TreeRow]
    ranking: list[RankRow]
    waste: WasteHierarchy  # what the unit's surplus became, by the giving unit


def report(scope: Scope) -> Report:
    unit = db.session.get(Unit, scope.unit_id) if scope.unit_id is not None else None
    grouped = grouped_each(scope)
    # The sums per receiving unit serve the total, the tree and the ranking.
    received = grouped["receiver"]
    scope_totals = sum(received.values(), Figures.zero())
    units = unit_nodes(scope)
    return Report(scope, unit, scope_totals, check_counts(scope), goals_in_scope(scope),
                  monthly(scope), tree(received, units, scope.unit_id),
                  tree(grouped["giver"], units, scope.giver_id),
                  tree(grouped["category"], category_nodes(), scope.category_id),
                  ranking(scope, received=received, units=units), waste_hierarchy(scope))
