"""What the municipality had listed and free in a category at a past moment, from the listing
and claim history — so an item listed after a purchase never counts as "available then".

An item's free pieces over time start at its quantity when it was listed; a claim takes its
pieces when it is made and gives them back when it is declined, cancelled or expires (a
collected claim keeps them); an end recorded at the final stage (sold, donated, recycled,
disposed) takes its pieces, and its reversal gives them back; a withdrawal takes whatever is
left, for good. A purchase line's moment is the start of its order day (Oslo time): what was
free when the buyer's day began, so an item listed later that day does not count.

A category means it and every category under it: a purchase of chairs could have been met
by the office chairs listed. The history is loaded once per import or re-classification and
answers every line from sorted step functions (one binary search per category).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import accumulate

from sqlalchemy import select

from reuse.extensions import db
from reuse.models import Category, Claim, ClaimStatus, Disposition, DispositionKind, Item
from reuse.services.reports.scope import Period

RELEASED = (ClaimStatus.DECLINED.value, ClaimStatus.CANCELLED.value, ClaimStatus.EXPIRED.value)


def moment_of(ordered_on: date) -> datetime:
    """The start of the order day in Oslo, in UTC."""
    return Period(ordered_on, ordered_on).start_utc


@dataclass
class _Series:
    times: list[datetime]
    totals: list[int]

    def at(self, moment: datetime) -> int:
        """The value of the step function just before `moment`."""
        index = bisect_left(self.times, moment)  # the steps strictly before the moment
        return self.totals[index - 1] if index else 0


def _item_steps(item, events: list[tuple[datetime, int]]) -> list[tuple[datetime, int]]:
    """(time, change of free pieces) of one item, withdrawal included, never below zero."""
    steps: list[tuple[datetime, int]] = [(item.created_at, item.quantity)]
    running, shown = item.quantity, item.quantity
    for moment, delta in sorted(events):
        if item.withdrawn_at is not None and moment >= item.withdrawn_at:
            break
        running += delta
        now_shown = max(0, min(running, item.quantity))
        if now_shown != shown:
            steps.append((max(moment, item.created_at), now_shown - shown))
            shown = now_shown
    if item.withdrawn_at is not None and shown:
        steps.append((item.withdrawn_at, -shown))
    return steps


class History:
    """Free pieces per category over time, for the given categories' subtrees."""

    def __init__(self, subtrees: dict[int, frozenset[int]],
                 item_steps: dict[int, tuple[int, list[tuple[datetime, int]]]]):
        self.subtrees = subtrees
        self.item_steps = item_steps  # item id → (category id, steps)
        per_category: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
        for category_id, steps in item_steps.values():
            per_category[category_id].extend(steps)
        self.series: dict[int, _Series] = {}
        for category_id, steps in per_category.items():
            steps.sort(key=lambda step: step[0])
            self.series[category_id] = _Series([moment for moment, _ in steps],
                                               list(accumulate(delta for _, delta in steps)))

    @classmethod
    def load(cls, category_ids: Iterable[int]) -> History:
        wanted = set(category_ids)
        parents = dict(db.session.execute(select(Category.id, Category.parent_id)).all())
        children: dict[int | None, list[int]] = defaultdict(list)
        for child, parent in parents.items():
            children[parent].append(child)

        def below(root: int) -> frozenset[int]:
            found, stack = set(), [root]
            while stack:
                node = stack.pop()
                if node not in found:
                    found.add(node)
                    stack.extend(children.get(node, ()))
            return frozenset(found)

        subtrees = {category_id: below(category_id) for category_id in wanted}
        every = set().union(*subtrees.values()) if subtrees else set()
        if not every:
            return cls(subtrees, {})
        items = db.session.execute(
            select(Item.id, Item.category_id, Item.quantity, Item.created_at, Item.withdrawn_at)
            .where(Item.category_id.in_(every))).all()
        events: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
        for claim in db.session.execute(
                select(Claim.item_id, Claim.quantity, Claim.status, Claim.created_at,
                       Claim.closed_at)
                .join(Item, Item.id == Claim.item_id).where(Item.category_id.in_(every))):
            events[claim.item_id].append((claim.created_at, -claim.quantity))
            if claim.status in RELEASED and claim.closed_at is not None:
                events[claim.item_id].append((claim.closed_at, claim.quantity))
        for end in db.session.execute(
                select(Disposition.item_id, Disposition.quantity, Disposition.recorded_at)
                .join(Item, Item.id == Disposition.item_id)
                .where(Item.category_id.in_(every),
                       Disposition.kind != DispositionKind.REUSED_BY_PARTNER.value)):
            events[end.item_id].append((end.recorded_at, -end.quantity))
        return cls(subtrees, {item.id: (item.category_id, _item_steps(item, events[item.id]))
                              for item in items})

    def available(self, category_id: int, ordered_on: date) -> int:
        """Free pieces in the category and those under it when the order day began."""
        moment = moment_of(ordered_on)
        return sum(self.series[member].at(moment)
                   for member in self.subtrees.get(category_id, ())
                   if member in self.series)

    def items_available(self, category_id: int, ordered_on: date) -> list[tuple[int, int]]:
        """(item id, free pieces) of each item that had some when the order day began."""
        moment = moment_of(ordered_on)
        members = self.subtrees.get(category_id, frozenset())
        found = []
        for item_id, (item_category, steps) in self.item_steps.items():
            if item_category in members:
                free = sum(delta for when, delta in steps if when < moment)
                if free > 0:
                    found.append((item_id, free))
        return sorted(found)
