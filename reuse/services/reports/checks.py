"""The reuse checks a report covers: how they ended (services.checks.CheckCounts, the one
definition of the reuse share) and the list behind those counts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from reuse.i18n import gettext as _
from reuse.models import ReuseCheck, User
from reuse.services.checks import CheckCounts, count_outcomes, undecided
from reuse.services.errors import InvalidInput
from reuse.services.paging import ListPage, paginate
from reuse.services.permissions import checks_visible_to
from reuse.services.reports.records import PER_PAGE
from reuse.services.reports.scope import Scope, check_filters

# The groups CheckCounts counts; "open" is every check not yet decided (claimed included).
CHECK_OUTCOMES = ("reused", "bought_new", "open", "dropped")


def check_counts(scope: Scope) -> CheckCounts:
    """How the scope's checks ended: every check of the unit, whoever may open it."""
    return count_outcomes(*check_filters(scope))


def _outcome_filter(outcome: str) -> list:
    if outcome == "open":
        return [undecided()]
    return [ReuseCheck.outcome == outcome]


def checks(scope: Scope, outcome: str | None = None, *, viewer: User, page: int = 1,
           per_page: int = PER_PAGE) -> ListPage[ReuseCheck]:
    """One page of the reuse checks behind a count that the viewer may open, oldest first.

    The counts are the unit's figures and count every check; the rows are people's needs
    and purchases, shown only as permissions.can_see_check allows."""
    if outcome is not None and outcome not in CHECK_OUTCOMES:
        raise InvalidInput(_("Ukjent utfall."), field="outcome")
    conditions = check_filters(scope) + (_outcome_filter(outcome) if outcome else [])
    return paginate(
        select(ReuseCheck).where(*conditions, checks_visible_to(viewer))
        .order_by(ReuseCheck.created_at, ReuseCheck.id)
        .options(selectinload(ReuseCheck.unit), selectinload(ReuseCheck.user),
                 selectinload(ReuseCheck.category), selectinload(ReuseCheck.claim)),
        page=page, per_page=per_page)
