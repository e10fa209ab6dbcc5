"""The real application plus bench-only pages that render the same templates from memory.

`bench.baseline_app:app` is `reuse.create_app()` with these routes added here, never in the
product:

    /_baseline/browse           catalog/browse.html, the first page of 24 cards
    /_baseline/item/<id>        catalog/item.html for one of the benchmark's sample items
    /_baseline/check            checks/detail.html, the receipt of a check with its matches
    /_baseline/report           reports/overview.html for the benchmark's year
    /_bare/cards                bench.bare_app: Flask + Jinja alone, 24 cards, no product

Each worker loads what these pages show once, while it boots, through the same services the
real pages use (so the data is the same size: the same cards, form choices, matches and
figures), and keeps it as detached objects. A baseline request then runs the framework's
whole path (routing, session, CSRF, forms, Jinja, the product's before/after hooks) with no
database work at all, which the `X-Bench-Queries` header shows: page / baseline is what the
database work adds.

Fairness: the baseline's signed-in user is an in-memory copy too. The real pages load their
user (one query) and the header's unread-notification badge (one query) on every request;
both are database work the ratio should show, so the baselines do neither: the badge's
count comes from memory on baseline requests only (`_unread_count` below).

Every response (real pages too) carries headers for the benchmark: `X-Bench-Queries` and
`X-Bench-Query-Ms` (SQL statements run, and the time spent in them), `X-Bench-Server-Ms`
(from the first before-request hook to the last after-request hook: the app's own time,
without gunicorn and the network) and `X-Bench-Worker` (which gunicorn worker answered, so
the warm-up can reach them all).

Settings come from the environment (`settings_from_fixture` builds them):
BENCH_MEMBER_EMAIL, BENCH_LEAD_EMAIL, BENCH_ITEM_IDS, BENCH_CHECK_NEED, BENCH_REPORT_YEAR.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, abort, g, has_request_context, render_template, request
from flask_login import current_user
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from bench import bare_app
from reuse import create_app, templating
from reuse.clock import oslo_today
from reuse.extensions import db
from reuse.models import Claim, Item, ReuseCheck, ReuseCheckMatch, User, utcnow
from reuse.models.catalog import ItemStatus
from reuse.services import checks, claims, factors, goals, items, permissions, stages
from reuse.services.reports import waste_hierarchy as waste
from reuse.services.reports.report import Report, report
from reuse.services.reports.scope import Scope, year_period
from reuse.serving import settle
from reuse.web.catalog import endings
from reuse.web.catalog import views as catalog_views
from reuse.web.catalog.forms import BrowseForm
from reuse.web.checks.forms import BoughtNewForm, CheckForm, ClaimMatchForm, DropForm
from reuse.web.claims.forms import ClaimForm
from reuse.web.listings.forms import StageForm
from reuse.web.reports import chart
from reuse.web.reports import views as report_views
from reuse.web.reports.forms import ReportFilterForm

ENV_MEMBER = "BENCH_MEMBER_EMAIL"
ENV_LEAD = "BENCH_LEAD_EMAIL"
ENV_ITEM_IDS = "BENCH_ITEM_IDS"
ENV_CHECK_NEED = "BENCH_CHECK_NEED"
ENV_REPORT_YEAR = "BENCH_REPORT_YEAR"

PREFIX = "/_baseline/"
BARE_PREFIX = "/_bare"  # bench.bare_app: the bare Flask + Jinja page, /_bare/cards
BASELINE_FLAG = "bench_baseline"
FAKE_CHECK_ID = 123456  # the receipt shows a reference; any id of the real width does
MAX_ITEM_IDS = 200


def settings_from_fixture(fixture: dict[str, Any]) -> dict[str, str]:
    """The environment the baseline app needs, from the generator's fixture."""
    return {
        ENV_MEMBER: fixture["member_email"],
        ENV_LEAD: fixture["lead_email"],
        ENV_ITEM_IDS: ",".join(str(i) for i in fixture["sample_item_ids"][:MAX_ITEM_IDS]),
        ENV_CHECK_NEED: fixture["common_word"],
        ENV_REPORT_YEAR: str(fixture["report_year"]),
    }


# -- what the baseline pages show, loaded once per worker ------------------------------------

@dataclass
class Snapshot:
    """Everything the baseline pages render, as objects detached from any session."""

    member: User
    lead: User
    browse_page: items.Page
    browse_choices: tuple[list, list, list]
    items: dict[int, Item]
    open_claims: dict[int, list[Claim]]
    check: ReuseCheck
    report: Report
    report_names: dict
    report_unit_choices: list
    unread: dict[int, int] = field(default_factory=dict)
    # The item page's other parts (figures, the cascade panel, ends), as the member sees them.
    item_parts: dict[int, dict[str, Any]] = field(default_factory=dict)
    check_suggestion: str | None = None  # the receipt's "Mente du …?", read at load
    # The receipt's refine form, its category choices read at load (its token is not used).
    check_refine_form: Any = None


def _load_user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email)
                             .options(joinedload(User.unit)))
    if user is None:
        raise RuntimeError(f"baseline: no user {email!r} in the database")
    return user


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(f"baseline: {name} is not set (see bench.baseline_app)")
    return value


def load_snapshot(app: Flask) -> Snapshot:
    """Read the baseline pages' data through the product's own services, then detach it.

    Each page is rendered once here, while the session is open, so that anything a
    template reaches lazily is loaded now rather than missing later.
    """
    item_ids = [int(i) for i in _required(ENV_ITEM_IDS).split(",")]
    year = int(_required(ENV_REPORT_YEAR))
    # At the site's own address: a production app answers no other host (TRUSTED_HOSTS).
    with app.test_request_context("/", base_url=app.config["BASE_URL"]):
        member = _load_user(_required(ENV_MEMBER))
        lead = _load_user(_required(ENV_LEAD))
        g._login_user = member
        form = BrowseForm(MultiDict())
        browse_choices = (form.category.choices, form.condition.choices, form.unit.choices)
        # The first page of the catalogue, as reuse.web.catalog.views.browse asks for it.
        browse_page = items.search_items(items.ItemFilter(
            per_page=app.config["ITEMS_PER_PAGE"],
            count_limit=catalog_views.BROWSE_COUNT_LIMIT))
        loaded = {item_id: items.get_item(item_id) for item_id in item_ids}
        open_claims = {item_id: claims.open_claims_for_item(item)
                       for item_id, item in loaded.items()}
        item_parts = {item_id: _item_parts(item) for item_id, item in loaded.items()}
        ranked = checks.rank(member, _required(ENV_CHECK_NEED), None, None)
        unread = {user.id: templating.unread_count(user) for user in (member, lead)}

        g._login_user = lead
        scope = Scope(year_period(year))
        figures = report(scope)
        report_names = report_views._names(scope)
        report_unit_choices = report_views._filter_form().unit.choices

        snapshot = Snapshot(member, lead, browse_page, browse_choices, loaded, open_claims,
                            _in_memory_check(member, ranked), figures, report_names,
                            report_unit_choices, unread, item_parts)
        g._login_user = member
        check = snapshot.check
        snapshot.check_suggestion = checks.suggested_need(member, check.need, check.category,
                                                          check.quantity, check.match_count)
        snapshot.check_refine_form = CheckForm(
            formdata=None, need=check.need, quantity=check.quantity,
            category=check.category.slug if check.category else "")
        _render_all(snapshot)
        db.session.expunge_all()
    return snapshot


def _item_parts(item: Item) -> dict[str, Any]:
    """What reuse.web.catalog.views.render_item_page passes besides the claims, read now
    through the same services for the signed-in member."""
    can_move = (permissions.can_move_stage(current_user, item) and not item.is_withdrawn
                and item.status != ItemStatus.HANDED_OVER)
    can_claim = (permissions.can_claim(current_user, item) and item.quantity_available > 0
                 and not item.is_withdrawn)
    return {
        "figures": factors.piece_figures(item), "can_relist": False, "relisted_as": None,
        "allowance": claims.open_claims_of(current_user) if can_claim else None,
        "can_move": can_move,
        "stage_form": StageForm(formdata=None).offer(item) if can_move else None,
        "stage_label": stages.label(item.stage), "electrical": stages.is_electrical(item.category),
        "can_mark_checked": can_move and permissions.can_mark_safety_checked(current_user, item),
        "cascade_days": stages.stage_days, **endings.ending_context(item)}


def _in_memory_check(member: User, ranked: list[checks.Ranked]) -> ReuseCheck:
    """The receipt of a check the member made for the benchmark's need: never stored."""
    check = ReuseCheck(id=FAKE_CHECK_ID, user_id=member.id, unit_id=member.unit_id,
                       need=_required(ENV_CHECK_NEED), category_id=None, quantity=None,
                       match_count=len(ranked), created_at=utcnow(), outcome=None,
                       claim_id=None, reason_code=None, reason_text="", purchase_reference="")
    check.user, check.unit, check.category = member, member.unit, None
    check.matches = [
        ReuseCheckMatch(id=position, check_id=FAKE_CHECK_ID, item_id=entry.item.id,
                        rank=position, title=entry.item.title,
                        quantity_available=entry.item.quantity_available, item=entry.item)
        for position, entry in enumerate(ranked[:checks.MAX_MATCHES], start=1)]
    return check


def _render_all(snapshot: Snapshot) -> None:
    """Each baseline page once, to load what the templates reach and compile them."""
    _as_user(snapshot, snapshot.member)
    render_browse(snapshot)
    for item_id in snapshot.items:
        render_item(snapshot, item_id)
    render_check(snapshot)
    _as_user(snapshot, snapshot.lead)
    render_report(snapshot)


# -- rendering: the same templates with the same arguments as the real views -----------------

class _MemoryBrowseForm(BrowseForm):
    """The browse form with its choices from the snapshot instead of two queries."""

    def __init__(self, formdata, choices: tuple[list, list, list]):
        # Skips BrowseForm.__init__, whose only work is loading the choices.
        super(BrowseForm, self).__init__(formdata)
        self.category.choices, self.condition.choices, self.unit.choices = choices


def render_browse(snapshot: Snapshot) -> str:
    """As reuse.web.catalog.views.browse."""
    form = _MemoryBrowseForm(request.args, snapshot.browse_choices)
    page = snapshot.browse_page if form.validate() else None
    filtering = any(request.args.get(k) for k in ("q", "category", "condition", "unit",
                                                  "location"))
    return render_template("catalog/browse.html", form=form, page=page, filtering=filtering)


def render_item(snapshot: Snapshot, item_id: int) -> str:
    """As reuse.web.catalog.views.render_item_page, with the open claims from memory."""
    item = snapshot.items.get(item_id)
    if item is None:
        abort(404)
    can_manage = permissions.can_manage_item(current_user, item)
    if item.is_withdrawn and not can_manage:
        abort(404)
    own_unit = item.unit_id == current_user.unit_id
    open_claims = snapshot.open_claims[item_id]
    mine = [c for c in open_claims if c.claimant_id == current_user.id]
    return render_template(
        "catalog/item.html", item=item, can_manage=can_manage, own_unit=own_unit,
        can_claim=permissions.can_claim(current_user, item) and item.quantity_available > 0
        and not item.is_withdrawn,
        claim_form=ClaimForm(formdata=None), my_claims=mine,
        unit_claims=open_claims if own_unit else [], **snapshot.item_parts[item_id])


def render_check(snapshot: Snapshot):
    """As reuse.web.checks.views._render_check, with its "Mente du" suggestion and ended
    claims (none: the check is never stored) from memory."""
    check = snapshot.check
    return render_template(
        "checks/detail.html", check=check,
        can_close=permissions.can_close_check(current_user, check) and check.outcome is None,
        suggestion=snapshot.check_suggestion, claim_form=ClaimMatchForm(formdata=None),
        bought_new_form=BoughtNewForm(formdata=None),
        refine_form=snapshot.check_refine_form, drop_form=DropForm(formdata=None),
        reason_labels=checks.REASON_LABELS,
        shown_items={match.item_id for match in check.matches
                     if permissions.can_see_item(current_user, match.item)},
        claim=None, ended_claims=[])


def render_report(snapshot: Snapshot) -> str:
    """As reuse.web.reports.views.overview, with the figures and unit choices from memory."""
    form = ReportFilterForm(MultiDict(request.args))
    form.unit.choices = snapshot.report_unit_choices
    form.validate()
    report = snapshot.report
    form.start.data, form.end.data = report.scope.period.start, report.scope.period.end
    form.unit.data = report.scope.unit_id
    scope = report.scope
    return render_template(
        "reports/overview.html", form=form, report=report, names=snapshot.report_names,
        filter_open=False,
        headline_goals=[progress for progress in report.goals
                        if progress.goal.unit_id == scope.unit_id],
        chart=chart.month_chart(report.months), year=scope.period.year,
        quick_links=report_views._quick_links(scope.unit_id, scope.tree), today=oslo_today(),
        goal_labels=goals.METRIC_LABELS,
        can_manage_goals=permissions.can_manage_goals(current_user),
        level_labels=waste.LEVEL_LABELS, fraction_labels=waste.FRACTION_LABELS,
        partner_levels=waste.PARTNER_LEVELS,
        can_manage_factors=permissions.can_manage_factors(current_user))


def _as_user(snapshot: Snapshot, user: User) -> None:
    """Sign the request in as an in-memory user: Flask-Login looks in g first."""
    g._login_user = user
    g.setdefault(BASELINE_FLAG, True)


# -- counting queries, for every request ------------------------------------------------------

@event.listens_for(Engine, "before_cursor_execute")
def _query_started(conn, cursor, statement, parameters, context, executemany) -> None:
    conn.info["bench_started"] = time.perf_counter()


@event.listens_for(Engine, "after_cursor_execute")
def _query_done(conn, cursor, statement, parameters, context, executemany) -> None:
    started = conn.info.pop("bench_started", None)
    if started is not None and has_request_context():
        g.bench_queries = g.get("bench_queries", 0) + 1
        g.bench_query_s = g.get("bench_query_s", 0.0) + time.perf_counter() - started


def _install(app: Flask, snapshot: Snapshot) -> None:
    @app.get(PREFIX + "browse")
    def baseline_browse():
        return render_browse(snapshot)

    @app.get(PREFIX + "item/<int:item_id>")
    def baseline_item(item_id: int):
        return render_item(snapshot, item_id)

    @app.get(PREFIX + "check")
    def baseline_check():
        return render_check(snapshot)

    @app.get(PREFIX + "report")
    def baseline_report():
        return render_report(snapshot)

    def sign_in_from_memory():
        g.bench_started = time.perf_counter()
        if request.path.startswith(PREFIX):
            _as_user(snapshot, snapshot.lead if request.path == PREFIX + "report"
                     else snapshot.member)

    def bench_headers(response):
        response.headers["X-Bench-Queries"] = str(g.get("bench_queries", 0))
        response.headers["X-Bench-Query-Ms"] = f"{g.get('bench_query_s', 0.0) * 1000:.3f}"
        response.headers["X-Bench-Worker"] = str(os.getpid())
        started = g.get("bench_started")
        if started is not None:
            elapsed_ms = (time.perf_counter() - started) * 1000
            response.headers["X-Bench-Server-Ms"] = f"{elapsed_ms:.3f}"
        return response

    # First of the before-request hooks, so nothing looks the user up in the database
    # before the in-memory one is in place; last of the after-request hooks (they run in
    # reverse), so the query count includes theirs.
    app.before_request_funcs.setdefault(None, []).insert(0, sign_in_from_memory)
    app.after_request_funcs.setdefault(None, []).insert(0, bench_headers)

    # The header's unread badge: one query on every real page, from memory on baselines.
    product_unread_count = templating.unread_count

    def _unread_count(user: User) -> int:
        if g.get(BASELINE_FLAG):
            return snapshot.unread.get(user.id, 0)
        return product_unread_count(user)

    templating.unread_count = _unread_count


def create_baseline_app() -> Flask:
    """The product's app, configured from the environment, with the baseline routes."""
    # As wsgi.py: one log line per record on stderr, LOG_LEVEL=WARNING for the benchmark.
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app()
    _install(app, load_snapshot(app))
    # The bare Flask + Jinja page, in the same workers but outside the product's app.
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {BARE_PREFIX: bare_app.app})
    return settle(app)  # as wsgi.py


_app: Flask | None = None


def __getattr__(name: str) -> Flask:
    """`app` is built on first use (gunicorn's `bench.baseline_app:app`), not on import,
    so the benchmark can import `settings_from_fixture` without starting an application."""
    global _app
    if name != "app":
        raise AttributeError(name)
    if _app is None:
        _app = create_baseline_app()
    return _app

