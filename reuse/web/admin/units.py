"""Unit administration: the tree, create, rename, move, close, reopen, and the register import.

Admins administer every unit; unit admins the units under their own. Which parents a form
offers comes from the permission gate; the services decide, audit and refuse.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import ngettext
from reuse.models import Unit
from reuse.services import pending_uploads, permissions, unit_import, units
from reuse.services.errors import DomainError, InvalidInput
from reuse.services.trees import subtree_id_list
from reuse.web import Refusal
from reuse.web.admin import bp
from reuse.web.admin.unit_forms import (
    TOP,
    ConfirmForm,
    ImportForm,
    MoveForm,
    MoveItemsForm,
    RenameForm,
    UnitForm,
)

INDENT = "\u00a0\u00a0"
IMPORT_SESSION_KEY = "unit_import"
MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _require_administrator() -> None:
    if not permissions.can_administer(current_user):
        abort(403)


def _unit(unit_id: int):
    return permissions.administered_unit(current_user, unit_id)


def _require_change(unit) -> None:
    if not permissions.can_change_unit(current_user, unit):
        abort(403)


def _parent_choices(*, moving=None) -> list[SelectChoice]:
    """Open units the user may place a unit under, in tree order (not the moving unit's own
    subtree: that would put it under itself); the top for those who may."""
    administered = permissions.administered_unit_ids(current_user)
    below = set()
    if moving is not None:
        below = set(subtree_id_list(Unit, moving.id))
    choices = []
    if permissions.can_create_top_units(current_user):
        choices.append(SelectChoice("", str(TOP)))
    for unit_id, name, depth in units.tree_options():
        if (administered is None or unit_id in administered) and unit_id not in below:
            choices.append(SelectChoice(str(unit_id), INDENT * depth + name))
    return choices


def _chosen_parent(value: str):
    parent_id = int(value) if value else None
    if not permissions.can_place_unit_under(current_user, parent_id):
        abort(403)
    return db.session.get(Unit, parent_id) if parent_id is not None else None


@bp.get("/units")
@login_required
def units_tree():
    _require_administrator()
    query = request.args.get("q", "").strip()[:200]
    administered = permissions.administered_unit_ids(current_user)
    rows = [(row, depth) for row, depth in units.tree_rows(include_closed=True)
            if administered is None or row.id in administered]
    if administered is not None and rows:
        top = rows[0][1]
        rows = [(row, depth - top) for row, depth in rows]
    if query:
        needle = query.casefold()
        rows = [(row, depth) for row, depth in rows
                if needle in row.name.casefold() or needle in (row.code or "").casefold()]
    return render_template(
        "admin/units.html", rows=rows, query=query,
        may_create=bool(_parent_choices()),
        may_import=permissions.can_import_units(current_user))


@bp.route("/units/new", methods=["GET", "POST"])
@login_required
def unit_new():
    _require_administrator()
    form = UnitForm()
    form.parent.choices = _parent_choices()
    if not form.parent.choices:
        abort(403)
    if form.validate_on_submit():
        parent = _chosen_parent(form.parent.data)
        with Refusal(form) as refused:
            unit = units.create_unit(name=form.name.data, code=form.code.data, parent=parent,
                                     actor=current_user)
        if not refused:
            db.session.commit()
            flash(_("Enheten «%(name)s» er opprettet.", name=unit.name), "success")
            return redirect(url_for("admin.unit_detail", unit_id=unit.id))
    return render_template("admin/units_new.html", form=form)


@bp.get("/units/<int:unit_id>")
@login_required
def unit_detail(unit_id: int):
    unit = _unit(unit_id)
    return _detail_page(unit)


def _detail_page(unit, *, rename_form=None, move_form=None, items_form=None, status=200):
    may_change = permissions.can_change_unit(current_user, unit)
    rename_form = rename_form or RenameForm(formdata=None, name=unit.name)
    move_form = move_form or MoveForm(formdata=None)
    move_form.parent.choices = _parent_choices(moving=unit) if may_change else []
    move_form.parent.data = move_form.parent.data or (str(unit.parent_id)
                                                      if unit.parent_id else "")
    items_form = items_form or MoveItemsForm(formdata=None)
    items_form.target.choices = [choice for choice in _parent_choices()
                                 if choice.value and choice.value != str(unit.id)]
    return render_template(
        "admin/units_detail.html", unit=unit, may_change=may_change,
        people=units.people_in(unit), open_items=units.open_items(unit),
        open_claims=units.open_claims(unit), rename_form=rename_form, move_form=move_form,
        items_form=items_form), status


@bp.post("/units/<int:unit_id>/rename")
@login_required
def unit_rename(unit_id: int):
    unit = _unit(unit_id)
    _require_change(unit)
    form = RenameForm()
    if form.validate_on_submit():
        with Refusal(form) as refused:
            units.rename_unit(current_user, unit, form.name.data)
        if not refused:
            db.session.commit()
            flash(_("Enheten heter nå «%(name)s».", name=unit.name), "success")
            return redirect(url_for("admin.unit_detail", unit_id=unit.id))
        unit = _unit(unit_id)
    return _detail_page(unit, rename_form=form, status=400)


@bp.post("/units/<int:unit_id>/move")
@login_required
def unit_move(unit_id: int):
    unit = _unit(unit_id)
    _require_change(unit)
    form = MoveForm()
    # Every open unit is a choice the service judges (a cycle is a form error, not a 404);
    # the gate decides which parents this user may use.
    form.parent.choices = [SelectChoice("", str(TOP))] + [
        SelectChoice(str(unit_id_), name) for unit_id_, name, _depth in units.tree_options()]
    if form.validate_on_submit():
        parent = _chosen_parent(form.parent.data)
        with Refusal(form) as refused:
            units.move_unit(current_user, unit, parent)
        if not refused:
            db.session.commit()
            flash(_("Enheten «%(name)s» er flyttet.", name=unit.name), "success")
            return redirect(url_for("admin.unit_detail", unit_id=unit.id))
        unit = _unit(unit_id)
    return _detail_page(unit, move_form=form, status=400)


@bp.post("/units/<int:unit_id>/move-items")
@login_required
def unit_move_items(unit_id: int):
    unit = _unit(unit_id)
    form = MoveItemsForm()
    form.target.choices = [SelectChoice(str(unit_id_), name)
                           for unit_id_, name, _depth in units.tree_options()]
    if form.validate_on_submit():
        target = permissions.administered_unit(current_user, int(form.target.data))
        with Refusal(form) as refused:
            moved = units.move_open_items(current_user, unit, target)
        if not refused:
            db.session.commit()
            flash(ngettext("%(num)s annonse er flyttet til %(name)s.",
                           "%(num)s annonser er flyttet til %(name)s.", moved,
                           name=target.name), "success")
            return redirect(url_for("admin.unit_detail", unit_id=unit.id))
        unit = _unit(unit_id)
    return _detail_page(unit, items_form=form, status=400)


@bp.route("/units/<int:unit_id>/close", methods=["GET", "POST"])
@login_required
def unit_close(unit_id: int):
    unit = _unit(unit_id)
    _require_change(unit)
    form = ConfirmForm()
    error = None
    if form.confirmed and form.validate():
        try:
            units.close_unit(current_user, unit)
            db.session.commit()
            flash(_("Enheten «%(name)s» er lagt ned.", name=unit.name), "success")
            return redirect(url_for("admin.unit_detail", unit_id=unit.id))
        except DomainError as refused:
            db.session.rollback()
            error = refused.message
            unit = _unit(unit_id)
    return render_template("admin/units_close.html", unit=unit, form=form, error=error,
                           people=units.people_in(unit), open_items=units.open_items(unit),
                           open_claims=units.open_claims(unit)), 409 if error else 200


@bp.post("/units/<int:unit_id>/reopen")
@login_required
def unit_reopen(unit_id: int):
    unit = _unit(unit_id)
    _require_change(unit)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        units.reopen_unit(current_user, unit)
        db.session.commit()
        flash(_("Enheten «%(name)s» er åpnet igjen.", name=unit.name), "success")
    except DomainError as refused:
        db.session.rollback()
        flash(refused.message, "error")
    return redirect(url_for("admin.unit_detail", unit_id=unit_id))


# -- the register import -------------------------------------------------------------------

@bp.route("/units/import", methods=["GET", "POST"])
@login_required
def units_import():
    if not permissions.can_import_units(current_user):
        abort(403)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(MAX_IMPORT_BYTES + 1) if upload else b""
        if not data:
            form.file.errors = [*form.file.errors, _("Velg en CSV-fil.")]
        elif len(data) > MAX_IMPORT_BYTES:
            form.file.errors = [*form.file.errors, _("Filen er for stor.")]
        else:
            _forget_import()
            token = pending_uploads.keep(pending_uploads.UNITS, data)
            session[IMPORT_SESSION_KEY] = {"token": token,
                                           "close_missing": bool(form.close_missing.data)}
            return redirect(url_for("admin.units_import_preview"))
    return render_template("admin/units_import.html", form=form)


def _pending_import() -> tuple[str, bytes, bool] | None:
    """(token, file, close_missing) of the upload waiting in this session, if still kept."""
    pending = session.get(IMPORT_SESSION_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("token"), str):
        return None
    data = pending_uploads.read(pending_uploads.UNITS, pending["token"])
    if data is None:
        return None
    return pending["token"], data, bool(pending.get("close_missing"))


def _forget_import() -> None:
    pending = session.pop(IMPORT_SESSION_KEY, None)
    if isinstance(pending, dict) and isinstance(pending.get("token"), str):
        pending_uploads.forget(pending_uploads.UNITS, pending["token"])


def summary_text(plan) -> str:
    return _("Opprettet %(created)s, nytt navn %(renamed)s, flyttet %(moved)s, nedlagt "
             "%(closed)s, uendret %(unchanged)s.", **plan.counts())


@bp.route("/units/import/preview", methods=["GET", "POST"])
@login_required
def units_import_preview():
    if not permissions.can_import_units(current_user):
        abort(403)
    pending = _pending_import()
    if pending is None:
        return redirect(url_for("admin.units_import"))
    token, data, close_missing = pending
    form = ConfirmForm()
    if form.confirmed and form.validate() and not pending_uploads.is_the_one(
            token, request.form.get("upload", "")):
        flash(str(pending_uploads.REPLACED), "warning")
        return redirect(url_for("admin.units_import_preview"))
    plan, error = None, None
    try:
        # Planned afresh from the kept file, never from anything the browser sends back.
        plan = unit_import.prepare(data, close_missing=close_missing)
    except InvalidInput as refused:
        error = refused.message
    if plan is not None and form.confirmed and form.validate():
        try:
            unit_import.apply(current_user, plan)
            db.session.commit()
        except DomainError as refused:
            db.session.rollback()
            error = refused.message
        else:
            _forget_import()
            flash(summary_text(plan), "success")
            return redirect(url_for("admin.units_tree"))
    return render_template("admin/units_import_preview.html", plan=plan, error=error,
                           form=form, close_missing=close_missing, upload=token)
