from flask import abort, current_app, render_template, request, send_from_directory
from flask_login import current_user, login_required

from reuse.services import items, permissions, photos
from reuse.web.catalog import bp
from reuse.web.catalog.forms import BrowseForm


@bp.get("/")
@login_required
def browse():
    form = BrowseForm(request.args)
    page = None
    if form.validate():
        filters = items.ItemFilter(
            q=form.q.data or "",
            category=form.category.data or "",
            condition=form.condition.data or "",
            unit_id=int(form.unit.data) if form.unit.data else None,
            location=form.location.data or "",
            page=form.page.data or 1,
            per_page=current_app.config["ITEMS_PER_PAGE"],
        )
        page = items.search_items(filters)
    filtering = any(request.args.get(k) for k in ("q", "category", "condition", "unit", "location"))
    return render_template("catalog/browse.html", form=form, page=page, filtering=filtering)


@bp.get("/items/<int:item_id>")
@login_required
def item_detail(item_id: int):
    item = items.get_item(item_id)
    can_manage = permissions.can_manage_item(current_user, item)
    if item.is_withdrawn and not can_manage:
        abort(404)
    return render_template("catalog/item.html", item=item, can_manage=can_manage)


@bp.get("/photos/<filename>")
@login_required
def photo_file(filename: str):
    if photos.stored_file(filename) is None:
        abort(404)
    response = send_from_directory(photos.upload_dir(), filename, mimetype="image/jpeg")
    # Photos are private to logged-in staff: no shared caches, but the browser may keep them.
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
