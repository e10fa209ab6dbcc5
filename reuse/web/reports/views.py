from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from reuse.clock import oslo_today
from reuse.extensions import db
from reuse.i18n import category_name, format_day, format_percent
from reuse.i18n import gettext as _
from reuse.models import Category, Partner, Unit
from reuse.services import categories, factors, goals, numbers, permissions
from reuse.services.errors import InvalidInput
from reuse.services.permissions import can_manage_factors, can_manage_goals, can_see_all_reports
from reuse.services.purchase_rules import CLASSIFICATION_LABELS
from reuse.services.reports import purchase_report
from reuse.services.reports import purchases as purchase_groups
from reuse.services.reports import waste_hierarchy as waste
from reuse.services.reports.checks import CHECK_OUTCOMES, check_counts, checks
from reuse.services.reports.records import links_for, records
from reuse.services.reports.report import report
from reuse.services.reports.scope import (
    NO_SUCH_UNIT,
    TREE_NOW,
    WHOLE_MUNICIPALITY,
    Scope,
    authorize,
    make_period,
    selectable_units,
)
from reuse.templating import format_month
from reuse.web import Refusal
from reuse.web.reports import bp, chart, exports
from reuse.web.reports.forms import (
    DeleteForm,
    FactorForm,
    GoalForm,
    PurchaseFilterForm,
    ReportFilterForm,
)

FILTER_PARAMETERS = ("from", "to", "unit", "giver", "category", "tree")


def _filter_form() -> ReportFilterForm:
    form = ReportFilterForm(MultiDict(request.args))
    form.unit.choices = _unit_filter_choices()
    return form


def _unit_filter_choices() -> list[tuple[str, str]]:
    """A report filter's units: the whole municipality (for those who may see it), then the
    units around the chosen one and one's own."""
    around = numbers.id_or_none(request.args.get("unit"))
    choices = [("", str(WHOLE_MUNICIPALITY))] if can_see_all_reports(current_user) else []
    return choices + [(str(unit_id), "\u00a0\u00a0" * depth + name)
                      for unit_id, name, depth in selectable_units(
                          current_user, around=around, whole_tree=False)]


def _scope(form: ReportFilterForm) -> Scope | None:
    """The scope asked for and allowed, or None with the problems on the form.

    Asking for another unit's report than one may see is a 403, not a form error."""
    if not form.validate():
        return None
    # The service names query parameters; the form's Python names differ for the dates.
    with Refusal(form, fields={"from": "start", "to": "end"}):
        period = make_period(form.start.data, form.end.data)
        return authorize(current_user, Scope(
            period, unit_id=form.unit.data, giver_id=form.giver.data,
            category_id=form.category.data, tree=form.tree.data or TREE_NOW))
    return None


def _scope_or_400() -> tuple[ReportFilterForm, Scope]:
    form = _filter_form()
    scope = _scope(form)
    if scope is None:
        abort(400, _problems(form))
    return form, scope


def _problems(form) -> str:
    return " ".join(str(message) for messages in form.errors.values() for message in messages)


def _names(scope: Scope) -> dict:
    """Names of the units and category a scope is narrowed to, for headings."""
    return {
        "unit": db.session.get(Unit, scope.unit_id) if scope.unit_id else None,
        "giver": db.session.get(Unit, scope.giver_id) if scope.giver_id else None,
        "category": db.session.get(Category, scope.category_id) if scope.category_id else None,
    }


@bp.get("/reports")
@login_required
def overview():
    form = _filter_form()
    scope = _scope(form)
    if scope is None:
        return render_template("reports/overview.html", form=form, report=None,
                               quick_links=_quick_links(None, TREE_NOW), filter_open=True), 400
    # The form folds away on a phone unless someone chose something in it.
    chosen = any(request.args.get(name) for name in FILTER_PARAMETERS)
    # Show what the defaults chose: this year, and one's own unit for members.
    form.start.data, form.end.data = scope.period.start, scope.period.end
    form.unit.data = scope.unit_id
    shown = report(scope)
    return render_template(
        "reports/overview.html", form=form, report=shown, names=_names(scope),
        filter_open=chosen,
        headline_goals=[progress for progress in shown.goals
                        if progress.goal.unit_id == scope.unit_id],
        chart=chart.month_chart(shown.months), year=scope.period.year,
        quick_links=_quick_links(scope.unit_id, scope.tree), today=oslo_today(),
        goal_labels=goals.METRIC_LABELS, can_manage_goals=can_manage_goals(current_user),
        level_labels=waste.LEVEL_LABELS, fraction_labels=waste.FRACTION_LABELS,
        partner_levels=waste.PARTNER_LEVELS,
        can_manage_factors=can_manage_factors(current_user))


def _quick_links(unit_id: int | None, tree: str) -> list[tuple[str, str]]:
    this_year = oslo_today().year
    unit = {"unit": unit_id} if unit_id else {}
    if tree != TREE_NOW:
        unit["tree"] = tree
    return [(label, url_for("reports.overview", **{"from": f"{year}-01-01",
                                                   "to": f"{year}-12-31"}, **unit))
            for label, year in ((_("I år"), this_year), (_("I fjor"), this_year - 1))]


@bp.get("/reports/records")
@login_required
def record_list():
    _form, scope = _scope_or_400()
    found = records(scope, page=request.args.get("page", 1, type=int))
    return render_template("reports/records.html", scope=scope, page=found,
                           names=_names(scope), links=links_for(current_user, found.records))


@bp.get("/reports/waste")
@login_required
def waste_list():
    """The rows behind one level of the waste hierarchy (one partner's, or one fraction's)."""
    _form, scope = _scope_or_400()
    level = request.args.get("level") or None
    fraction = request.args.get("fraction") or None
    partner_id = request.args.get("partner", type=int) if request.args.get("partner") else None
    if request.args.get("partner") and (partner_id is None or not numbers.fits_int(partner_id)):
        abort(400)
    partner = db.session.get(Partner, partner_id) if partner_id is not None else None
    if partner_id is not None and partner is None:
        abort(400)
    try:
        found = waste.level_rows(scope, level, partner_id=partner_id, fraction=fraction,
                                 page=request.args.get("page", 1, type=int))
    except InvalidInput:
        abort(400)
    args = {**scope.query_args(), "level": level}
    if fraction:
        args["fraction"] = fraction
    if partner_id is not None:
        args["partner"] = str(partner_id)
    items = [row.claim.item if level == waste.REUSED_INTERNAL else row.item
             for row in found.rows]
    return render_template("reports/waste.html", scope=scope, page=found, names=_names(scope),
                           args=args, fraction=fraction, partner=partner,
                           visible={item.id: permissions.can_see_item(current_user, item)
                                    for item in items},
                           level_labels=waste.LEVEL_LABELS,
                           fraction_labels=waste.FRACTION_LABELS)


@bp.get("/reports/checks")
@login_required
def check_list():
    _form, scope = _scope_or_400()
    outcome = request.args.get("outcome") or None
    if outcome is not None and outcome not in CHECK_OUTCOMES:
        abort(400)
    found = checks(scope, outcome, viewer=current_user,
                   page=request.args.get("page", 1, type=int))
    return render_template("reports/checks.html", scope=scope, outcome=outcome, page=found,
                           counts=check_counts(scope), names=_names(scope),
                           only_visible=not permissions.sees_every_check(current_user))


# -- exports ---------------------------------------------------------------------------------

def _download(content: bytes, content_type: str, filename: str) -> Response:
    # The full Content-Type as given: as a mimetype, Flask would add a second charset.
    return Response(content, content_type=content_type, headers={
        "Content-Disposition": exports.content_disposition(filename),
        "Cache-Control": "no-store"})


def _unit_name(scope: Scope) -> str | None:
    unit = db.session.get(Unit, scope.unit_id) if scope.unit_id else None
    return unit.name if unit else None


@bp.get("/reports/records.<any(csv, xlsx):kind>")
@login_required
def export_records(kind: str):
    _form, scope = _scope_or_400()
    found = records(scope, per_page=None)
    name = exports.filename("gjenbruksføringer", scope, kind, _unit_name(scope))
    if kind == "csv":
        return _download(exports.records_csv(found), exports.CSV, name)
    return _download(exports.records_xlsx(found), exports.XLSX, name)


@bp.get("/reports/summary.<any(csv, xlsx):kind>")
@login_required
def export_summary(kind: str):
    _form, scope = _scope_or_400()
    shown = report(scope)
    name = exports.filename("gjenbruksrapport", scope, kind, _unit_name(scope))
    if kind == "csv":
        return _download(exports.summary_csv(shown), exports.CSV, name)
    return _download(exports.summary_xlsx(shown), exports.XLSX, name)


# -- method and factors ----------------------------------------------------------------------

@bp.get("/reports/method")
@login_required
def method():
    today = oslo_today()
    rows = [(category, depth, factors.in_effect(category, today))
            for category, depth in categories.tree()]
    return render_template("reports/method.html", rows=rows, upcoming=factors.upcoming(today),
                           can_manage_factors=can_manage_factors(current_user))


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


@bp.get("/reports/factors")
@login_required
def factor_list():
    _require(can_manage_factors(current_user))
    today = oslo_today()
    rows = [(category, depth, factors.in_effect(category, today))
            for category, depth in categories.tree()]
    return render_template("reports/factors.html", rows=rows, upcoming=factors.upcoming(today),
                           can_manage_categories=permissions.can_manage_categories(current_user))


@bp.route("/reports/factors/<slug>", methods=["GET", "POST"])
@login_required
def factor_edit(slug: str):
    _require(can_manage_factors(current_user))
    category = categories.get_by_slug(slug)
    today = oslo_today()
    current = factors.in_effect(category, today)
    form = FactorForm(data=None if request.method == "POST" else {
        "valid_from": today,
        **{name: getattr(current, name) for name in (
            "new_price_nok", "new_price_source", "new_price_estimate", "weight_kg",
            "weight_source", "weight_estimate", "co2e_kg", "co2e_source", "co2e_estimate")}})
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            with Refusal(form, only_fields=True) as refused:
                version = factors.change_factors(current_user, category, form.change(),
                                                 today=today)
            if not refused:
                db.session.commit()
                if version.valid_from == today:
                    done = _("Nye faktorer for %(category)s gjelder fra i dag. Føringer som "
                             "alt er skrevet, er uendret.", category=category_name(category))
                else:
                    done = _("Nye faktorer for %(category)s gjelder fra %(date)s. Føringer som "
                             "alt er skrevet, er uendret.", category=category_name(category),
                             date=format_day(version.valid_from))
                flash(done, "success")
                return redirect(url_for("reports.factor_edit", slug=category.slug))
        status = 422
    return render_template("reports/factor_edit.html", category=category, form=form,
                           current=current, history=factors.history(category),
                           today=today), status


# -- goals -----------------------------------------------------------------------------------

def _goal_form() -> GoalForm:
    form = GoalForm()
    form.unit.choices = [("", str(WHOLE_MUNICIPALITY))] + [
        (str(unit_id), "\u00a0\u00a0" * depth + name)
        for unit_id, name, depth in selectable_units(current_user)]
    return form


@bp.route("/reports/goals", methods=["GET", "POST"])
@login_required
def goal_list():
    _require(can_manage_goals(current_user))
    form = _goal_form()
    status = 200
    if request.method == "GET":
        form.year.data = form.year.data or oslo_today().year
    elif form.validate_on_submit():
        unit = db.session.get(Unit, form.unit.data) if form.unit.data else None
        with Refusal(form, only_fields=True) as refused:
            if form.unit.data and unit is None:
                raise InvalidInput(str(NO_SUCH_UNIT), field="unit")
            goal = goals.set_goal(current_user, year=form.year.data, metric=form.metric.data,
                                  target=form.target.data, unit=unit)
        if not refused:
            db.session.commit()
            flash(_("Målet for %(year)s er lagret.", year=goal.year), "success")
            return redirect(url_for("reports.goal_list"))
        status = 422
    else:
        status = 422
    return render_template("reports/goals.html", form=form, goals=goals.all_goals(),
                           labels=goals.METRIC_LABELS), status


@bp.post("/reports/goals/<int:goal_id>/delete")
@login_required
def goal_delete(goal_id: int):
    _require(can_manage_goals(current_user))
    goal = goals.get_goal(goal_id)
    if DeleteForm().validate_on_submit():
        goals.delete_goal(current_user, goal)
        db.session.commit()
        flash(_("Målet er slettet."), "success")
    return redirect(url_for("reports.goal_list"))


# -- purchases without a reuse check ---------------------------------------------------------

def _purchase_form() -> PurchaseFilterForm:
    form = PurchaseFilterForm(MultiDict(request.args))
    form.unit.choices = _unit_filter_choices()
    form.category.choices = [("", str(categories.ALL))] + [
        (str(category.id), "\u00a0\u00a0" * depth + category_name(category))
        for category, depth in categories.tree()]
    return form


def _purchase_scope(form: PurchaseFilterForm) -> Scope | None:
    if not form.validate():
        return None
    with Refusal(form, fields={"from": "start", "to": "end"}):
        period = make_period(form.start.data, form.end.data)
        return authorize(current_user, Scope(
            period, unit_id=form.unit.data, category_id=form.category.data,
            tree=form.tree.data or TREE_NOW))
    return None


def _purchase_scope_or_400() -> Scope:
    form = _purchase_form()
    scope = _purchase_scope(form)
    if scope is None:
        abort(400, _problems(form))
    return scope


def _drill_down_args() -> dict:
    """The drill-down's own choices from the query string: group, month, own unit/category."""
    group = request.args.get("group") or None
    if group is not None and group not in purchase_report.DRILL_GROUPS:
        abort(400)
    try:
        month = purchase_report.parse_month(request.args.get("month"))
    except InvalidInput:
        abort(400)
    return {"group": group, "month": month,
            "own_unit": request.args.get("own_unit") == "1",
            "own_category": request.args.get("own_category") == "1"}


@bp.get("/reports/purchases")
@login_required
def purchase_overview():
    form = _purchase_form()
    scope = _purchase_scope(form)
    if scope is None:
        return render_template("reports/purchases.html", form=form, report=None,
                               filter_open=True), 400
    chosen = any(request.args.get(name) for name in FILTER_PARAMETERS)
    form.start.data, form.end.data = scope.period.start, scope.period.end
    form.unit.data = scope.unit_id
    shown = purchase_report.purchase_report(scope)
    return render_template(
        "reports/purchases.html", form=form, report=shown, names=_names(scope),
        filter_open=chosen, today=oslo_today(),
        may_manage_purchases=permissions.can_manage_purchases(current_user),
        chart=chart.share_chart(
            [month for month, _totals in shown.months],
            [totals.coverage_percent if totals.reusable_lines else None
             for month, totals in shown.months],
            _purchase_chart_description(shown)))


def _purchase_chart_description(shown) -> str:
    measured = [(month, totals) for month, totals in shown.months if totals.reusable_lines]
    if not measured:
        return _("Ingen innkjøp i gjenbrukbare kategorier i perioden. Tallene per måned står "
                 "i tabellen.")
    month, best = max(measured, key=lambda pair: pair[1].coverage_percent)
    return _("Stolpediagram over andelen innkjøp med gjenbrukssjekk per måned. Høyest i "
             "%(month)s med %(percent)s. Alle tallene står i tabellen.",
             month=format_month(month), percent=format_percent(best.coverage_percent))


@bp.get("/reports/purchases/lines")
@login_required
def purchase_lines():
    scope = _purchase_scope_or_400()
    choice = _drill_down_args()
    found = purchase_report.line_page(current_user, scope, **choice,
                                      page=request.args.get("page", 1, type=int))
    args = {**scope.query_args(), **_drill_down_query(choice)}
    group = choice["group"]
    heading = (purchase_groups.GROUP_LABELS[group] if group in purchase_groups.GROUP_LABELS
               else _("Innkjøp i kategorier som finnes brukt") if group else _("Alle innkjøp"))
    return render_template("reports/purchase_lines.html", scope=scope, page=found,
                           names=_names(scope), args=args, choice=choice, heading=heading,
                           coverage_labels=purchase_groups.COVERAGE_LABELS,
                           classification_labels=CLASSIFICATION_LABELS)


def _drill_down_query(choice: dict) -> dict[str, str]:
    args = {}
    if choice["group"]:
        args["group"] = choice["group"]
    if choice["month"]:
        args["month"] = f"{choice['month']:%Y-%m}"
    for name in ("own_unit", "own_category"):
        if choice[name]:
            args[name] = "1"
    return args


@bp.get("/reports/purchases.<any(csv, xlsx):kind>")
@login_required
def export_purchases(kind: str):
    scope = _purchase_scope_or_400()
    shown = purchase_report.purchase_report(scope)
    name = exports.filename("innkjøpsrapport", scope, kind, _unit_name(scope))
    if kind == "csv":
        return _download(exports.purchases_csv(shown, _unit_name(scope)), exports.CSV, name)
    lines = purchase_report.select_lines(scope)
    return _download(exports.purchases_xlsx(shown, _unit_name(scope), lines,
                                            purchase_report.details_for(None, lines,
                                                                        max_alternatives=0)),
                     exports.XLSX, name)


@bp.get("/reports/purchases/lines.<any(csv, xlsx):kind>")
@login_required
def export_purchase_lines(kind: str):
    scope = _purchase_scope_or_400()
    lines = purchase_report.select_lines(scope, **_drill_down_args())
    details = purchase_report.details_for(None, lines, max_alternatives=0)
    name = exports.filename("innkjøpslinjer", scope, kind, _unit_name(scope))
    if kind == "csv":
        return _download(exports.purchase_lines_csv(lines, details), exports.CSV, name)
    return _download(exports.purchase_lines_xlsx(lines, details), exports.XLSX, name)
