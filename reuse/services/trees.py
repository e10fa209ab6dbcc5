"""Helpers for the two trees in the domain: units and categories (both have parent_id)."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable
from functools import lru_cache
from typing import TypeVar

from sqlalchemy import select

from reuse.extensions import db

Node = TypeVar("Node")


def depth_first(nodes: Iterable[Node]) -> list[tuple[Node, int]]:
    """(node, depth) pairs in tree order, siblings in the order given."""
    children: dict[int | None, list[Node]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    ordered: list[tuple[Node, int]] = []

    def visit(parent_id: int | None, depth: int) -> None:
        for node in children.get(parent_id, []):
            ordered.append((node, depth))
            visit(node.id, depth + 1)

    visit(None, 0)
    return ordered


def subtree_order(nodes: Iterable[Node], root_id: int | None) -> list[tuple[Node, int]]:
    """(node, depth below the root) in tree order, for the root's subtree (or the forest)."""
    if root_id is None:
        return depth_first(nodes)
    children: dict[int | None, list[Node]] = {}
    by_id = {}
    for node in nodes:
        by_id[node.id] = node
        children.setdefault(node.parent_id, []).append(node)
    ordered: list[tuple[Node, int]] = []

    def visit(node: Node, depth: int) -> None:
        ordered.append((node, depth))
        for child in children.get(node.id, []):
            visit(child, depth + 1)

    if root_id in by_id:
        visit(by_id[root_id], 0)
    return ordered


def nodes(model, name: str, also: tuple[str, ...] = ()) -> list:
    """(id, parent_id, name, *also) of every unit or category, by name: plain rows, not ORM
    objects, for the pages that list all of them (a thousand units or more)."""
    return plain_rows(db.session.execute(
        select(model.id, model.parent_id, getattr(model, name).label("name"),
               *(getattr(model, column) for column in also))
        .order_by(getattr(model, name))))


def plain_rows(result) -> list:
    """A result's rows as named tuples. SQLAlchemy's Row finds a column by name in ~0.5 µs,
    a named tuple in a tenth of that; a report's roll-ups read a thousand units' columns
    several times each (10 → 3 ms a tree)."""
    make = _row_type(tuple(result.keys()))._make
    return [make(row) for row in result]


@lru_cache(maxsize=16)
def _row_type(fields: tuple[str, ...]):
    return namedtuple("PlainRow", fields)


def subtree_ids(model, root_id: int, name: str | None = None):
    """A selectable of root_id and every descendant's id (a recursive CTE; one query)."""
    # Named per table: a query may filter by a unit subtree and a category subtree at once.
    # Two subtrees of the same table in one query (receiving and giving unit) need a name.
    tree = select(model.id).where(model.id == root_id).cte(
        name=name or f"subtree_{model.__tablename__}", recursive=True)
    tree = tree.union_all(select(model.id).where(model.parent_id == tree.c.id))
    return select(tree.c.id)


def subtree_id_list(model, root_id: int) -> list[int]:
    return list(db.session.scalars(subtree_ids(model, root_id)))
