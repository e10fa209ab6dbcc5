from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from reuse.extensions import db
from reuse.i18n import format_day
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import Claim, Item, Stage
from reuse.services import claims, items, partner_subscriptions, permissions
from reuse.services.paging import paginate
from reuse.web import Refusal
from reuse.web.claims.forms import ClaimForm
from reuse.web.partner import bp
from reuse.web.partner.forms import (
    CancelForm,
    CollectForm,
    PartnerBrowseForm,
    SubscriptionForm,
)

# How many matches are counted on the home page (as the catalogue).
BROWSE_COUNT_LIMIT = 1000
CLAIMS_PER_PAGE = 50

# Who an item is offered to at its stage, as a partner reads it.
STAGE_UNTIL = {
    Stage.PUBLIC_BODIES.value: _l("Tilbys offentlige virksomheter til %(date)s"),
    Stage.NONPROFITS.value: _l("Tilbys offentlige virksomheter og frivillige organisasjoner "
                               "til %(date)s"),
}
STAGE_OPEN = {
    Stage.PUBLIC_BODIES.value: _l("Tilbys offentlige virksomheter"),
    Stage.NONPROFITS.value: _l("Tilbys offentlige virksomheter og frivillige organisasjoner"),
}


def stage_note(item: Item) -> str:
    """'Tilbys offentlige virksomheter til 12.03.2027': the stage an item is at, and until
    when; empty at a stage that is not offered outside (a claimed item seen later)."""
    if item.stage not in STAGE_OPEN:
        return ""
    if item.stage_ends_on is None:
        return str(STAGE_OPEN[item.stage])
    return str(STAGE_UNTIL[item.stage]) % {"date": format_day(item.stage_ends_on)}


@bp.context_processor
def partner_helpers():
    return {"stage_note": stage_note}


@bp.get("/")
@login_required
def home():
    form = PartnerBrowseForm(request.args)
    page = None
    if form.validate():
        page = items.search_items(items.ItemFilter(
            q=form.q.data or "", category=form.category.data or "",
            page=form.page.data or 1, per_page=current_app.config["ITEMS_PER_PAGE"],
            viewer=current_user, count_limit=BROWSE_COUNT_LIMIT))
    filtering = any(request.args.get(k) for k in ("q", "category"))
    return render_template("partner/home.html", form=form, page=page, filtering=filtering,
                           stages=permissions.stages_offered_to(current_user))


@bp.get("/items/<int:item_id>")
@login_required
def item(item_id: int):
    return _render_item(permissions.visible_item(current_user, item_id))


def _render_item(found: Item, claim_form=None, status=200):
    offered = permissions.is_offered_to_partner(current_user, found)
    mine = [c for c in claims.open_claims_for_item(found) if permissions.can_see_claim(
        current_user, c)]
    return render_template(
        "partner/item.html", item=found, offered=offered, claims_here=mine,
        claim_form=claim_form or ClaimForm(formdata=None),
        allowance=claims.open_claims_of(current_user) if offered else None), status


@bp.post("/items/<int:item_id>/claim")
@login_required
def claim_item(item_id: int):
    found = permissions.visible_item(current_user, item_id)
    form = ClaimForm()
    if form.validate_on_submit():
        with Refusal(form) as refused:
            claim = claims.claim_item(current_user, found, form.quantity.data,
                                      form.message.data or "")
        if not refused:
            db.session.commit()
            flash(claims.claimed_message(claim), "success")
            return redirect(url_for("partner.claim", claim_id=claim.id))
    return _render_item(permissions.visible_item(current_user, item_id), claim_form=form,
                        status=422)


@bp.get("/claims")
@login_required
def claim_list():
    found = paginate(
        claims.organisation_claims(current_user),
        page=request.args.get("page", 1, type=int), per_page=CLAIMS_PER_PAGE)
    return render_template("partner/claims.html", page=found,
                           allowance=claims.open_claims_of(current_user))


@bp.get("/claims/<int:claim_id>")
@login_required
def claim(claim_id: int):
    return _render_claim(permissions.visible_claim(current_user, claim_id))


def _render_claim(found: Claim, status=200):
    return render_template(
        "partner/claim.html", claim=found,
        # Once a claim is closed its item may be out of their sight: then no link to it.
        item_visible=permissions.can_see_item(current_user, found.item),
        actions=claims.available_actions(current_user, found),
        decline_reason=claims.decline_reason_label(found),
        collect_form=CollectForm(formdata=None), cancel_form=CancelForm(formdata=None)), status


@bp.post("/claims/<int:claim_id>/cancel")
@login_required
def cancel_claim(claim_id: int):
    found = permissions.visible_claim(current_user, claim_id)
    if CancelForm().validate_on_submit():
        claims.cancel(current_user, found)
        db.session.commit()
        flash(str(claims.CANCELLED), "success")
    return redirect(url_for("partner.claim", claim_id=found.id))


@bp.post("/claims/<int:claim_id>/collect")
@login_required
def collect_claim(claim_id: int):
    found = permissions.visible_claim(current_user, claim_id)
    if CollectForm().validate_on_submit():
        claims.collect(current_user, found, replaces_purchase=None)
        db.session.commit()
        flash(_("Hentingen er bekreftet. Takk for at dere gir tingene nytt liv!"), "success")
    return redirect(url_for("partner.claim", claim_id=found.id))


@bp.route("/varsler", methods=["GET", "POST"])
@login_required
def subscriptions():
    chosen = partner_subscriptions.subscribed_category_ids(current_user)
    form = SubscriptionForm(chosen=chosen)
    if request.method == "GET":
        form.categories.data = sorted(chosen)
    elif form.validate_on_submit():
        with Refusal(form) as refused:
            partner_subscriptions.set_subscriptions(current_user, form.categories.data or [])
        if not refused:
            db.session.commit()
            flash(_("Valget er lagret. Du får beskjed når noe i kategoriene blir tilbudt "
                    "organisasjonen din."), "success")
            return redirect(url_for("partner.subscriptions"))
    return (render_template("partner/subscriptions.html", form=form),
            422 if form.errors else 200)
