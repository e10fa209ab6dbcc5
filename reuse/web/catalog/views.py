from flask import abort, current_app, render_template, request, url_for
from flask_login import current_user, login_required

from reuse import storage
from reuse.api.auth import bearer_user
from reuse.models.catalog import ItemStatus
from reuse.services import claims, factors, items, permissions, stages
from reuse.web.catalog import bp, endings
from reuse.web.catalog.forms import BrowseForm
from reuse.web.claims.forms import ClaimForm

# "More than 1 000" is as useful to a reader as the exact figure, and far cheaper to find.
BROWSE_COUNT_LIMIT = 1000


@bp.get("/")
@login_required
def browse():
    form = BrowseForm(request.args)
    page = suggestion = None
    if form.validate():
        filters = items.ItemFilter(
            q=form.q.data or "",
            category=form.category.data or "",
            condition=form.condition.data or "",
            unit_id=int(form.unit.data) if form.unit.data else None,
            location=form.location.data or "",
            sort=form.sort.data or items.NEWEST,
            page=form.page.data or 1,
            per_page=current_app.config["ITEMS_PER_PAGE"], viewer=current_user,
            count_limit=BROWSE_COUNT_LIMIT,
        )
        page = items.search_items(filters)
        suggestion = items.suggestion(filters, page)
    filtering = any(request.args.get(k) for k in ("q", "category", "condition", "unit", "location"))
    suggestion_url = None
    if suggestion:
        arguments = {k: v for k, v in request.args.items() if k != "page"}
        suggestion_url = url_for("catalog.browse", **{**arguments, "q": suggestion})
    return render_template("catalog/browse.html", form=form, page=page, filtering=filtering,
                           suggestion=suggestion, suggestion_url=suggestion_url,
                           sort_links=_sort_links(form.sort.data or items.NEWEST))


def _sort_links(current: str) -> list[tuple[str, str, bool]]:
    """(label, address, whether it is the order shown) for each order, on the same search from
    its first page."""
    arguments = {k: v for k, v in request.args.items() if k not in ("page", "sort")}
    return [(str(label), url_for("catalog.browse", **arguments,
                                 **({} if sort == items.NEWEST else {"sort": sort})),
             sort == current) for sort, label in items.SORT_LABELS.items()]


@bp.get("/items/<int:item_id>")
@login_required
def item_detail(item_id: int):
    return render_item_page(permissions.visible_item(current_user, item_id))


def render_item_page(item, claim_form=None, stage_form=None, ending_form=None):
    """The item page, with the claim form or the open claims, as this user may see them,
    the cascade panel ("Videre bruk") for those who manage it, and at the final stage the
    ends of what is left."""
    from reuse.web.listings.forms import StageForm

    can_manage = permissions.can_manage_item(current_user, item)
    can_move = (permissions.can_move_stage(current_user, item) and not item.is_withdrawn
                and item.status != ItemStatus.HANDED_OVER)
    own_unit = item.unit_id == current_user.unit_id
    open_claims = claims.open_claims_for_item(item)
    mine = [c for c in open_claims if c.claimant_id == current_user.id]
    can_claim = (permissions.can_claim(current_user, item) and item.quantity_available > 0
                 and not item.is_withdrawn)
    may_relist = item.is_withdrawn and permissions.can_relist_item(current_user, item)
    return render_template(
        "catalog/item.html", item=item, figures=factors.piece_figures(item),
        can_manage=can_manage,
        can_relist=may_relist,
        # Listed again already: those who may relist it are shown where, not the button.
        relisted_as=items.relisted_as(item) if may_relist else None,
        own_unit=own_unit,
        can_claim=can_claim, claim_form=claim_form or ClaimForm(formdata=None), my_claims=mine,
        unit_claims=open_claims if own_unit else [],
        allowance=claims.open_claims_of(current_user) if can_claim else None,
        can_move=can_move,
        stage_form=(stage_form or StageForm(formdata=None).offer(item)) if can_move else None,
        stage_label=stages.label(item.stage),
        electrical=stages.is_electrical(item.category),
        can_mark_checked=can_move and permissions.can_mark_safety_checked(current_user, item),
        cascade_days=stages.stage_days,
        **endings.ending_context(item, ending_form))


@bp.get("/photos/<filename>")
def photo_file(filename: str):
    """Photos go to logged-in browsers and to API clients with a valid bearer token, and
    only to those who may see the photo's item."""
    user = current_user
    if not user.is_authenticated:
        if "Authorization" not in request.headers:
            return current_app.login_manager.unauthorized()
        user = bearer_user()
        if user is None:
            abort(401)
    permissions.visible_photo(user, filename)
    response = storage.store().response(filename, "image/jpeg")
    # Photos are private to logged-in staff: no shared caches, but the browser may keep them.
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
