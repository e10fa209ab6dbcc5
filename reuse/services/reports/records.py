"""The reuse records behind a figure: the drill-down list and the records export."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from reuse.extensions import db
from reuse.models import Claim, ReuseRecord, User
from reuse.services import permissions
from reuse.services.paging import PageLinks
from reuse.services.reports.figures import Figures
from reuse.services.reports.scope import Scope, record_filters
from reuse.services.reports.sums import totals

PER_PAGE = 100  # rows on a drill-down page, of records or of checks


@dataclass(frozen=True)
class RecordPage(PageLinks):
    records: list[ReuseRecord]
    totals: Figures  # of every record in the scope, not only this page's
    page: int
    pages: int
    per_page: int
    # Reversals of the page's records, wherever they fall: a reversal counts in its own
    # period, so a record reversed later still counts in the period it was written in.
    reversed_by: dict[int, ReuseRecord] = field(default_factory=dict)


def records(scope: Scope, *, page: int = 1, per_page: int | None = PER_PAGE) -> RecordPage:
    """The records a scope covers, oldest first, with the factor values each one used.

    per_page=None gives every record (for exports)."""
    found = totals(scope)
    query = (select(ReuseRecord).where(*record_filters(scope))
             .order_by(ReuseRecord.recorded_at, ReuseRecord.id)
             .options(selectinload(ReuseRecord.from_unit), selectinload(ReuseRecord.to_unit),
                      selectinload(ReuseRecord.category),
                      selectinload(ReuseRecord.claim).selectinload(Claim.item)))
    if per_page is None:
        rows = list(db.session.scalars(query))
        return RecordPage(rows, found, 1, 1, found.records, _reversals(rows))
    pages = max(1, -(-found.records // per_page))
    page = min(max(page, 1), pages)
    rows = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return RecordPage(rows, found, page, pages, per_page, _reversals(rows))


@dataclass(frozen=True)
class RecordLinks:
    """What a record row may link to for one viewer: None where the viewer may not open it."""
    item_id: int | None
    claim_id: int | None


def links_for(viewer: User, rows: list[ReuseRecord]) -> dict[int, RecordLinks]:
    """Per record, the item and claim pages this viewer may open.

    The sustainability lead sees the figures but not the claims (they carry people's names
    and messages), and nobody but its managers sees a withdrawn item."""
    return {record.id: RecordLinks(
        item_id=record.claim.item_id if permissions.can_see_item(viewer, record.claim.item)
        else None,
        claim_id=record.claim_id if permissions.can_see_claim(viewer, record.claim) else None)
        for record in rows}


def _reversals(rows: list[ReuseRecord]) -> dict[int, ReuseRecord]:
    ids = [record.id for record in rows if record.reverses_id is None]
    if not ids:
        return {}
    return {reversal.reverses_id: reversal for reversal in db.session.scalars(
        select(ReuseRecord).where(ReuseRecord.reverses_id.in_(ids)))}
