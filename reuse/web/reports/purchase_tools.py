"""The sustainability lead's purchase tools: bring purchase lines in from a file (with a
preview of what will happen before anything is written), keep the rules that give lines a
category, and map the lines no rule reaches yet. The lead and admins only
(permissions.can_manage_purchases); the import and the rules are the command line's and the
API's services."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from reuse.extensions import db
from reuse.i18n import category_name, format_day, format_nok, format_number, ngettext
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import Category, Unit
from reuse.services import categories, pending_uploads, permissions, purchase_rules, purchases
from reuse.services.errors import DomainError, InvalidInput
from reuse.web import Refusal
from reuse.web.reports import bp
from reuse.web.reports.forms import (
    NOT_REUSABLE_CHOICE,
    DeleteForm,
    PurchaseImportForm,
    PurchaseRuleCategoryForm,
    PurchaseRuleForm,
)

IMPORT_SESSION_KEY = "purchase_import"
MAX_IMPORT_BYTES = 50 * 1024 * 1024  # a large municipality's year of lines as CSV
# Lines of each kind the preview and the result list; the counts cover every line.
SHOWN = 100


def _require_manager() -> None:
    if not permissions.can_manage_purchases(current_user):
        abort(403)


# -- the import -----------------------------------------------------------------------------

# What the preview calls the facts of a line that an import changes.
FACT_LABELS = {
    "order_number": _l("ordrenummer"), "ordered_on": _l("bestilt"), "unit_id": _l("enhet"),
    "supplier": _l("leverandør"), "description": _l("beskrivelse"), "unspsc": _l("UNSPSC"),
    "file_category_id": _l("kategori i filen"), "quantity": _l("antall"),
    "amount_nok": _l("beløp")}
MAX_FILENAME = 200  # characters of the uploaded file's name kept for the preview


def _pending() -> dict | None:
    """The upload waiting for confirmation in this session, if its file is still there."""
    pending = session.get(IMPORT_SESSION_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("token"), str) \
            or not pending_uploads.exists(pending_uploads.PURCHASES, pending["token"]):
        return None
    if pending.get("user_id") != current_user.id:  # another person signed in since
        _forget()
        return None
    return pending


def _forget() -> None:
    pending = session.pop(IMPORT_SESSION_KEY, None)
    if isinstance(pending, dict) and isinstance(pending.get("token"), str):
        pending_uploads.forget(pending_uploads.PURCHASES, pending["token"])


def _is_the_upload_shown(pending: dict) -> bool:
    """A confirmation or cancellation is for the file its page showed."""
    return pending_uploads.is_the_one(pending["token"], request.form.get("upload", ""))


@bp.route("/reports/purchases/import", methods=["GET", "POST"])
@login_required
def purchase_import():
    _require_manager()
    form = PurchaseImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(MAX_IMPORT_BYTES + 1) if upload else b""
        source = form.source.data.strip()
        if not data:
            form.file.errors = [*form.file.errors, _("Velg en CSV- eller XLSX-fil.")]
        elif len(data) > MAX_IMPORT_BYTES:
            form.file.errors = [*form.file.errors, _("Filen er større enn %(mb)s MB. Del den, "
                                                     "eller bruk import-purchases.",
                                                     mb=MAX_IMPORT_BYTES // (1024 * 1024))]
        else:
            try:
                purchases.checked_source(source)
            except InvalidInput as refused:
                form.source.errors = [*form.source.errors, refused.message]
            else:
                _forget()
                session[IMPORT_SESSION_KEY] = {
                    "token": pending_uploads.keep(pending_uploads.PURCHASES, data),
                    "user_id": current_user.id, "source": source,
                    "filename": (upload.filename or "")[:MAX_FILENAME],
                    "all_or_nothing": bool(form.all_or_nothing.data)}
                return redirect(url_for("reports.purchase_import_preview"))
    return render_template("reports/purchase_import.html", form=form)


@bp.route("/reports/purchases/import/preview", methods=["GET", "POST"])
@login_required
def purchase_import_preview():
    _require_manager()
    pending = _pending()
    if pending is None:
        flash(_("Det er ingen opplastet fil som venter. Last opp filen på nytt."), "info")
        return redirect(url_for("reports.purchase_import"))
    form = DeleteForm()
    if request.method == "POST" and form.validate() and not _is_the_upload_shown(pending):
        flash(str(pending_uploads.REPLACED), "warning")
        return redirect(url_for("reports.purchase_import_preview"))
    data = pending_uploads.read(pending_uploads.PURCHASES, pending["token"]) or b""
    plan, error = None, None
    try:
        # Planned afresh from the kept file, never from anything the browser sends back.
        plan = purchases.plan(pending["source"], purchases.read(data, pending["filename"]))
    except InvalidInput as refused:
        error = refused.message
    blocked = plan is not None and pending["all_or_nothing"] and bool(plan.refused)
    if request.method == "POST" and plan is not None and not blocked and form.validate():
        with Refusal() as refused:
            purchases.apply(current_user, plan, via="web")
        if not refused:
            db.session.commit()
            _forget()
            return render_template("reports/purchase_import_done.html", plan=plan,
                                   source=pending["source"], shown=SHOWN)
        error = refused.error.message
    return render_template("reports/purchase_import_preview.html", plan=plan, error=error,
                           form=form, pending=pending, blocked=blocked, shown=SHOWN,
                           updates=_updates_shown(plan) if plan else [])


def _updates_shown(plan: purchases.Plan) -> list[tuple[object, list[tuple]]]:
    """The first changed lines as the lead reads them: (line, [(label, old, new)]), with
    units by code and categories by name rather than their ids."""
    shown = plan.updated[:SHOWN]
    def mentioned(name: str) -> set[int]:
        return {value for _id, _line, changes in shown
                for value in changes.get(name, ()) if value is not None}

    unit_ids, category_ids = mentioned("unit_id"), mentioned("file_category_id")
    codes = dict(db.session.execute(select(Unit.id, Unit.code).where(
        Unit.id.in_(unit_ids))).all()) if unit_ids else {}
    named = {category.id: category for category in db.session.scalars(
        select(Category).where(Category.id.in_(category_ids)))} if category_ids else {}

    def text(name: str, value) -> str:
        if value is None or value == "":
            return "–"
        if name == "unit_id":
            return codes.get(value) or str(value)
        if name == "file_category_id":
            return category_name(named[value]) if value in named else str(value)
        if name == "ordered_on":
            return format_day(value)
        if name == "amount_nok":
            return format_nok(value)
        if name == "quantity":
            return format_number(value)
        return str(value)

    return [(line, [(FACT_LABELS.get(name, name), text(name, old), text(name, new))
                    for name, (old, new) in changes.items()])
            for _id, line, changes in shown]


@bp.post("/reports/purchases/import/cancel")
@login_required
def purchase_import_cancel():
    _require_manager()
    pending = _pending()
    if DeleteForm().validate() and pending is not None and _is_the_upload_shown(pending):
        _forget()
    return redirect(url_for("reports.purchase_import"))


# -- the rules ------------------------------------------------------------------------------

def _category_choices(empty_label: str) -> list[SelectChoice]:
    indent = "\u00a0\u00a0"
    return [SelectChoice("", empty_label),
            SelectChoice(NOT_REUSABLE_CHOICE, str(purchase_rules.CLASSIFICATION_LABELS[
                "not_reusable"]))] + [
        SelectChoice(category.slug, indent * depth + category_name(category))
        for category, depth in categories.tree()]


def _chosen(form, field) -> tuple[bool, Category | None]:
    """(chosen at all, the category or None for "not reusable"); a form error if unknown."""
    value = field.data or ""
    if value == NOT_REUSABLE_CHOICE:
        return True, None
    if not value:
        field.errors = [*field.errors, _("Velg en kategori, eller «Ikke gjenbrukbart».")]
        return False, None
    try:
        return True, categories.get_by_slug(value)
    except DomainError as refused:
        field.errors = [*field.errors, refused.message]
        return False, None


def _rules_page(form: PurchaseRuleForm, status: int = 200):
    rules = purchase_rules.all_rules()
    change_forms = {}
    for rule in rules:
        change = PurchaseRuleCategoryForm(formdata=None, prefix=f"rule-{rule.id}")
        change.category.choices = _category_choices(str(categories.CHOOSE))[1:]
        change.category.data = rule.category.slug if rule.category else NOT_REUSABLE_CHOICE
        change_forms[rule.id] = change
    return render_template(
        "reports/purchase_rules.html", form=form, rules=rules, change_forms=change_forms,
        counts=purchase_rules.lines_per_rule(), kinds=purchase_rules.KIND_LABELS), status


def _reclassified(changed: int) -> None:
    flash(ngettext("%(num)s innkjøpslinje fikk ny kategori.",
                   "%(num)s innkjøpslinjer fikk ny kategori.", changed), "success")


@bp.route("/reports/purchases/rules", methods=["GET", "POST"])
@login_required
def purchase_rules_list():
    _require_manager()
    if request.method == "GET":
        form = PurchaseRuleForm(formdata=None, data={
            "kind": request.args.get("kind", "keyword"),
            "pattern": request.args.get("pattern", "")[:purchase_rules.MAX_KEYWORD]})
        form.category.choices = _category_choices(str(categories.CHOOSE))
        return _rules_page(form)
    form = PurchaseRuleForm()
    form.category.choices = _category_choices(str(categories.CHOOSE))
    if form.validate():
        chosen, category = _chosen(form, form.category)
        if chosen:
            with Refusal(form) as refused:
                rule, changed = purchase_rules.add(current_user, form.kind.data,
                                                   form.pattern.data, category)
            if not refused:
                db.session.commit()
                flash(_("Regelen for «%(pattern)s» er lagt til.", pattern=rule.pattern),
                      "success")
                _reclassified(changed)
                return redirect(url_for("reports.purchase_rules_list"))
    return _rules_page(form, 400)


@bp.post("/reports/purchases/rules/<int:rule_id>")
@login_required
def purchase_rule_change(rule_id: int):
    _require_manager()
    rule = purchase_rules.get(rule_id)
    form = PurchaseRuleCategoryForm(prefix=f"rule-{rule.id}")
    form.category.choices = _category_choices("")[1:]
    if form.validate():
        chosen, category = _chosen(form, form.category)
        if chosen:
            changed = purchase_rules.change(current_user, rule, category)
            db.session.commit()
            _reclassified(changed)
            return redirect(url_for("reports.purchase_rules_list"))
    flash(" ".join(form.category.errors) or str(categories.CHOOSE), "error")
    return redirect(url_for("reports.purchase_rules_list"))


@bp.route("/reports/purchases/rules/<int:rule_id>/remove", methods=["GET", "POST"])
@login_required
def purchase_rule_remove(rule_id: int):
    _require_manager()
    rule = purchase_rules.get(rule_id)
    form = DeleteForm()
    if request.method == "POST" and form.validate():
        pattern = rule.pattern
        changed = purchase_rules.remove(current_user, rule)
        db.session.commit()
        flash(_("Regelen for «%(pattern)s» er fjernet.", pattern=pattern), "success")
        _reclassified(changed)
        return redirect(url_for("reports.purchase_rules_list"))
    return render_template("reports/purchase_rule_remove.html", rule=rule, form=form,
                           lines=purchase_rules.lines_per_rule().get(rule.id, 0),
                           kinds=purchase_rules.KIND_LABELS)


@bp.get("/reports/purchases/unmapped")
@login_required
def purchase_unmapped():
    _require_manager()
    found = purchase_rules.unmapped_groups(page=request.args.get("page", 1, type=int))
    return render_template("reports/purchase_unmapped.html", page=found,
                           kinds=purchase_rules.KIND_LABELS)
