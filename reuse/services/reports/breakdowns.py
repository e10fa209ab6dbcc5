"""A report's figures broken down along the unit tree (receiving or giving) and the category
tree: one row per node with records, each with its own figures and those under it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from reuse.models import Category
from reuse.services.reports.figures import Figures
from reuse.services.reports.scope import Scope
from reuse.services.reports.sums import grouped
from reuse.services.trees import nodes, subtree_order
from reuse.services.units import nodes_at

# A report of a whole municipality has a row for each of a thousand units; a table that long
# is read by nobody and costs most of the page's time. The export has every row.
TREE_ROWS_SHOWN = 60


@dataclass(frozen=True)
class TreeRow:
    id: int
    name: str
    depth: int
    figures: Figures
    has_children: bool = False
    name_en: str = ""  # categories only: pages name them with i18n.category_name; exports by `name`
    closed: bool = False  # units only: closed (by the moment of the report's tree)


def tree(own: dict[int, Figures], tree_nodes: list, root_id: int | None) -> list[TreeRow]:
    """Nodes with records in tree order, each with its own figures and its descendants'.

    The database sums per node (one row per unit or category, however many records); the
    roll-up to ancestors is done here, in exact decimals.
    """
    parent_of = {node.id: node.parent_id for node in tree_nodes}
    # Added up in plain lists, one Figures per node at the end: adding Figures made a new
    # frozen object at every step up the tree (5 000 for a year of a thousand units).
    sums: dict[int, list] = {}
    for node_id, found in own.items():
        items, cost, co2e, waste, records = (found.items_reused, found.avoided_cost_nok,
                                             found.avoided_co2e_kg, found.avoided_waste_kg,
                                             found.records)
        ancestor = node_id
        while ancestor is not None:
            kept = sums.get(ancestor)
            if kept is None:
                sums[ancestor] = [items, cost, co2e, waste, records]
            else:
                kept[0] += items
                kept[1] += cost
                kept[2] += co2e
                kept[3] += waste
                kept[4] += records
            ancestor = parent_of.get(ancestor)
    figures = {node_id: Figures(*kept) for node_id, kept in sums.items()}
    with_records = {node_id for node_id, found in figures.items() if found.records}
    parents = {node.parent_id for node in tree_nodes if node.id in with_records}
    english, closed = _optional_columns(tree_nodes)
    return [TreeRow(node.id, node.name, depth, figures[node.id],
                    has_children=node.id in parents, name_en=english(node),
                    closed=closed(node))
            for node, depth in subtree_order(tree_nodes, root_id) if node.id in with_records]


def _optional_columns(tree_nodes: list) -> tuple:
    """How to read a node's English name and closed flag, which only some trees have.

    Asked once for result rows, not per node: a row without the column raises inside
    getattr, and a thousand of those cost more than the rest of the roll-up."""
    if tree_nodes and hasattr(tree_nodes[0], "_fields"):
        columns = set(tree_nodes[0]._fields)
        return ((lambda node: node.name_en) if "name_en" in columns else (lambda node: ""),
                (lambda node: bool(node.closed)) if "closed" in columns
                else (lambda node: False))
    return (lambda node: getattr(node, "name_en", ""),
            lambda node: bool(getattr(node, "closed", False)))


def by_receiving_unit(scope: Scope) -> list[TreeRow]:
    """Per receiving unit, in the scope's unit tree; a unit's figures include its
    sub-units'."""
    return tree(grouped(scope, "receiver"), unit_nodes(scope), scope.unit_id)


def by_giving_unit(scope: Scope) -> list[TreeRow]:
    """Per giving unit, in the scope's unit tree; a unit's figures include its sub-units'."""
    return tree(grouped(scope, "giver"), unit_nodes(scope), scope.giver_id)


def unit_nodes(scope: Scope) -> list:
    """(id, parent_id, name, closed) of every unit, in the tree the scope reads: today's, or
    the one at the end of its period."""
    return nodes_at(scope.tree_moment)


def by_category(scope: Scope) -> list[TreeRow]:
    """Per category, in the category tree; a category's figures include its sub-categories'."""
    return tree(grouped(scope, "category"), category_nodes(), scope.category_id)


def category_nodes() -> list:
    """(id, parent_id, name, name_en) of every category: the Norwegian name, as recorded, and
    the English one for English readers of the page."""
    return nodes(Category, "name_nb", also=("name_en",))


@dataclass(frozen=True)
class FoldedTree:
    rows: list[TreeRow]
    folded: set[int]  # rows whose sub-rows are not shown; their names open their own report


def fold_tree(rows: list[TreeRow], limit: int = TREE_ROWS_SHOWN) -> FoldedTree:
    """As many whole levels of the tree as fit in `limit` rows (the top level always), for a
    page; exports have every row."""
    per_depth = Counter(row.depth for row in rows)
    shown_depth, count = 0, 0
    for depth in sorted(per_depth):
        count += per_depth[depth]
        if count > limit and depth > 0:
            break
        shown_depth = depth
    shown = [row for row in rows if row.depth <= shown_depth]
    deepest_shown = max(row.depth for row in rows) <= shown_depth if rows else True
    folded = set() if deepest_shown else {row.id for row in shown
                                          if row.depth == shown_depth and row.has_children}
    return FoldedTree(shown, folded)
