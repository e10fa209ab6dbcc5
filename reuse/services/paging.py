"""Long lists in pages: which page to read and which page links to offer."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select

from reuse.extensions import db

Row = TypeVar("Row")


class PageLinks:
    """For a page of results with `page` and `pages`: the links a page navigation shows."""

    page: int
    pages: int

    def page_numbers(self, around: int = 2) -> list[int | None]:
        """First, last and a few around this page; None marks a gap. Never every page: a
        ledger of a million records has ten thousand of them."""
        shown = sorted({1, self.pages} | set(range(max(1, self.page - around),
                                                   min(self.pages, self.page + around) + 1)))
        numbers: list[int | None] = []
        for number in shown:
            if numbers and number - numbers[-1] > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers


@dataclass(frozen=True)
class ListPage(PageLinks, Generic[Row]):
    rows: list[Row]
    total: int  # rows over all the pages
    page: int
    pages: int
    per_page: int


def page_count(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page))


def paginate(query: Select, *, page: int, per_page: int) -> ListPage:
    """One page of an ordered query's rows (a page past the end shows the last one)."""
    total = db.session.scalar(select(func.count()).select_from(
        query.order_by(None).subquery())) or 0
    pages = page_count(total, per_page)
    page = min(max(page, 1), pages)
    rows = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return ListPage(rows, total, page, pages, per_page)
