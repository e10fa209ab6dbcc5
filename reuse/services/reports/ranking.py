"""The receiving units that avoided the most, for the report's top list."""

from __future__ import annotations

from dataclasses import dataclass

from reuse.services.reports.figures import Figures
from reuse.services.reports.scope import Scope
from reuse.services.reports.sums import grouped
from reuse.services.units import nodes_at

RANKING_SIZE = 10


@dataclass(frozen=True)
class RankRow:
    rank: int
    unit_id: int
    name: str
    figures: Figures


def ranking(scope: Scope, limit: int = RANKING_SIZE, *,
            received: dict[int, Figures] | None = None, units: list | None = None
            ) -> list[RankRow]:
    """Receiving units without sub-units (schools, kindergartens, offices), by avoided cost.

    Only units without sub-units (in the scope's tree) are ranked, so every figure is the
    unit's own and its drill-down (which always includes sub-units) lists exactly those
    records. `received` and `units`: the scope's figures per receiving unit and the units,
    when already at hand.
    """
    if received is None:
        received = grouped(scope, "receiver")
    if units is None:
        units = nodes_at(scope.tree_moment)
    parents = {unit.parent_id for unit in units}
    leaves = {unit.id: unit.name for unit in units if unit.id not in parents}
    ranked = sorted(((unit_id, leaves[unit_id], found) for unit_id, found in received.items()
                     if unit_id in leaves),
                    key=lambda r: (-r[2].avoided_cost_nok, -r[2].items_reused, r[1]))
    return [RankRow(index + 1, unit_id, name, found)
            for index, (unit_id, name, found) in enumerate(ranked[:limit])]
