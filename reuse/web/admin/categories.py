"""The category tree in the browser: create, rename, move, retire and restore.

For the people who keep the factors (permissions.can_manage_categories): the sustainability
lead and admins. The rules are reuse.services.categories'; every change is audited there.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from reuse.extensions import db
from reuse.i18n import category_name, ngettext
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import Category
from reuse.services import categories, permissions
from reuse.services.errors import InvalidInput
from reuse.web import Refusal
from reuse.web.admin import bp
from reuse.web.admin.category_forms import ConfirmForm, MoveForm, NewCategoryForm, RenameForm

NO_SUCH_PARENT = _l("Fant ikke kategorien den skal ligge under.")


def _require() -> None:
    if not permissions.can_manage_categories(current_user):
        abort(403)


@bp.context_processor
def _category_link() -> dict:
    """The administration start page lists categories only for those who may keep them."""
    allowed = current_user.is_authenticated and permissions.can_manage_categories(current_user)
    return {"manages_categories": allowed}


def _parent(parent_id: int | None) -> Category | None:
    if parent_id is None:
        return None
    parent = db.session.get(Category, parent_id)
    if parent is None:
        raise InvalidInput(str(NO_SUCH_PARENT), field="parent")
    return parent


def _list_page(form: NewCategoryForm, status: int = 200):
    return render_template("admin/categories/list.html", rows=categories.tree(), form=form,
                           administers=permissions.can_administer(current_user)), status


@bp.route("/categories", methods=["GET", "POST"])
@login_required
def category_list():
    _require()
    form = NewCategoryForm()
    if request.method == "GET":
        return _list_page(form)
    if form.validate_on_submit():
        with Refusal(form, only_fields=True) as refused:
            category = categories.create_category(
                current_user, name_nb=form.name_nb.data, name_en=form.name_en.data,
                parent=_parent(form.parent.data))
        if not refused:
            db.session.commit()
            flash(_("Kategorien «%(category)s» er opprettet. Sett gjerne faktorene for den.",
                    category=category_name(category)), "success")
            return redirect(url_for("admin.category_edit", slug=category.slug))
    return _list_page(form, 422)


def _edit_page(category: Category, *, rename: RenameForm | None = None,
               move: MoveForm | None = None, status: int = 200):
    rename = rename or RenameForm(data={"name_nb": category.name_nb,
                                        "name_en": category.name_en})
    move = move or MoveForm(category, data={"parent": category.parent_id})
    return render_template(
        "admin/categories/edit.html", category=category, rename=rename, move=move,
        subcategories=[c for c, _depth in categories.tree()
                                              if c.parent_id == category.id],
        parent_retired=category.parent is not None and category.parent.retired_at is not None,
        administers=permissions.can_administer(current_user)), status


@bp.get("/categories/<slug>")
@login_required
def category_edit(slug: str):
    _require()
    return _edit_page(categories.get_by_slug(slug))


@bp.post("/categories/<slug>/rename")
@login_required
def category_rename(slug: str):
    _require()
    category = categories.get_by_slug(slug)
    form = RenameForm()
    if form.validate_on_submit():
        with Refusal(form, only_fields=True) as refused:
            categories.rename_category(current_user, category, name_nb=form.name_nb.data,
                                       name_en=form.name_en.data)
        if not refused:
            db.session.commit()
            flash(_("Navnene er lagret."), "success")
            return redirect(url_for("admin.category_edit", slug=slug))
    return _edit_page(category, rename=form, status=422)


@bp.post("/categories/<slug>/electrical")
@login_required
def category_electrical(slug: str):
    """Electrical equipment or not: its items need a safety check before they leave."""
    _require()
    category = categories.get_by_slug(slug)
    electrical = request.form.get("electrical") == "yes"
    categories.set_electrical(current_user, category, electrical)
    db.session.commit()
    flash(_("«%(category)s» er merket som elektrisk utstyr.", category=category_name(category))
          if electrical else
          _("«%(category)s» er ikke lenger merket som elektrisk utstyr.",
            category=category_name(category)), "success")
    return redirect(url_for("admin.category_edit", slug=slug))


@bp.post("/categories/<slug>/move")
@login_required
def category_move(slug: str):
    _require()
    category = categories.get_by_slug(slug)
    form = MoveForm(category)
    if form.validate_on_submit():
        with Refusal(form) as refused:
            categories.move_category(current_user, category, _parent(form.parent.data))
        if not refused:
            db.session.commit()
            flash(_("Kategorien er flyttet."), "success")
            return redirect(url_for("admin.category_edit", slug=slug))
    return _edit_page(category, move=form, status=422)


@bp.post("/categories/<slug>/retire")
@login_required
def category_retire(slug: str):
    _require()
    category = categories.get_by_slug(slug)
    if ConfirmForm().validate_on_submit():
        with Refusal() as refused:
            retired = categories.retire_category(current_user, category)
        if refused:
            flash(refused.error.message, "danger")
        else:
            db.session.commit()
            flash(_("«%(category)s» er tatt ut av bruk. Det som alt bruker den, beholder "
                    "den.", category=category_name(category)) + (" " + ngettext(
                        "%(num)s underkategori ble tatt ut av bruk sammen med den.",
                        "%(num)s underkategorier ble tatt ut av bruk sammen med den.",
                        len(retired) - 1) if len(retired) > 1 else ""), "success")
    return redirect(url_for("admin.category_edit", slug=slug))


@bp.post("/categories/<slug>/restore")
@login_required
def category_restore(slug: str):
    _require()
    category = categories.get_by_slug(slug)
    if ConfirmForm().validate_on_submit():
        with Refusal() as refused:
            categories.restore_category(current_user, category)
        if refused:
            flash(refused.error.message, "danger")
        else:
            db.session.commit()
            flash(_("«%(category)s» er i bruk igjen.", category=category_name(category)),
                  "success")
    return redirect(url_for("admin.category_edit", slug=slug))
