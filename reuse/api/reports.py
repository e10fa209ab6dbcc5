"""GET /api/v1/reports/summary (API.md): a report's headline figures and its goal."""

from __future__ import annotations

import re
from datetime import date

from flask import jsonify, request

from reuse.api import bp
from reuse.api import parsing as p
from reuse.api.auth import require_user
from reuse.api.openapi import MAX_ID
from reuse.services.reports.goal_progress import GoalProgress
from reuse.services.reports.report import Summary, summary
from reuse.services.reports.scope import TREE_NOW, TREES, Scope, authorize, make_period
from reuse.services.reports.waste_hierarchy import DISPOSED, RECYCLED, REUSED_INTERNAL, SOLD

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _query_date(name: str) -> date | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        if not ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise p.BadRequest(f"Query parameter '{name}' must be a date as YYYY-MM-DD.",
                           "invalid_query") from None


def _goal_json(progress: GoalProgress) -> dict:
    return {"metric": progress.goal.metric, "year": progress.goal.year,
            "target": progress.goal.target, "achieved": progress.achieved,
            "share": progress.share}


def summary_json(found: Summary) -> dict:
    period, totals, checks = found.scope.period, found.totals, found.checks
    goals = [_goal_json(progress) for progress in found.goals]
    waste = found.waste
    return {
        "from": period.start,
        "to": period.end,
        "unit": {"id": found.unit.id, "name": found.unit.name} if found.unit else None,
        "items_reused": totals.items_reused,
        "avoided_cost_nok": totals.avoided_cost_nok,
        "avoided_co2e_kg": totals.avoided_co2e_kg,
        "avoided_waste_kg": totals.avoided_waste_kg,
        "records": totals.records,
        # open counts every undecided check, claimed ones included (CheckCounts).
        "reuse_checks": {"total": checks.total, "reused": checks.reused,
                         "bought_new": checks.bought_new, "open": checks.open,
                         "claimed": checks.claimed, "dropped": checks.dropped},
        "goal": goals[0] if goals else None,
        "goals": goals,
        "outside_municipality": {"items": waste.outside.pieces,
                                 "waste_kg": waste.outside.waste_kg},
        "waste_hierarchy": {
            "reused_internal_kg": waste.levels[REUSED_INTERNAL].waste_kg,
            "reused_external_kg": waste.reused_external.waste_kg,
            "sold_kg": waste.levels[SOLD].waste_kg,
            "recycled_kg": waste.levels[RECYCLED].waste_kg,
            "disposed_kg": waste.levels[DISPOSED].waste_kg,
        },
    }


@bp.get("/reports/summary")
def report_summary():
    user = require_user()
    start, end = _query_date("from"), _query_date("to")
    unit_id = p.query_int("unit", 0, minimum=1, maximum=MAX_ID) \
        if request.args.get("unit") else None
    tree = p.query_choice("tree", TREES, TREE_NOW)
    scope = authorize(user, Scope(make_period(start, end), unit_id=unit_id, tree=tree))
    return jsonify(summary_json(summary(scope)))
