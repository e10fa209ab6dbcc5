from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.models import Claim
from reuse.services import claims, ledger, permissions
from reuse.web import Refusal, safe_next
from reuse.web.catalog import views as catalog_views
from reuse.web.claims import bp
from reuse.web.claims.forms import (
    CancelForm,
    ClaimForm,
    CollectForm,
    DecisionForm,
    DeclineForm,
    ReverseRecordForm,
)


def _visible_claim(claim_id: int) -> Claim:
    return permissions.visible_claim(current_user, claim_id)


def _back(claim: Claim):
    return redirect(_next(claim))


def _next(claim: Claim) -> str:
    """Where to go when done: the page the person came from (a list), else the claim."""
    return safe_next(request.values.get("next"),
                     url_for("claims.claim_detail", claim_id=claim.id))


@bp.post("/items/<int:item_id>/claim")
@login_required
def claim_item(item_id: int):
    item = permissions.visible_item(current_user, item_id)
    form = ClaimForm()
    if form.validate_on_submit():
        with Refusal(form) as refused:
            claim = claims.claim_item(current_user, item, form.quantity.data,
                                      form.message.data or "")
        if not refused:
            db.session.commit()
            flash(claims.claimed_message(claim), "success")
            return redirect(url_for("claims.claim_detail", claim_id=claim.id))
    return catalog_views.render_item_page(permissions.visible_item(current_user, item_id),
                                          claim_form=form), 422


ANSWERED_TAB = "answered"


def _claim_list(*, incoming: bool):
    # The unit's incoming requests in two tabs: waiting for its answer (the default), and
    # answered.
    answered = request.args.get("tab") == ANSWERED_TAB if incoming else None
    found = claims.claim_page(current_user, incoming=incoming, answered=answered,
                              page=request.args.get("page", 1, type=int))
    return render_template("claims/list.html", page=found, incoming=incoming,
                           answered=answered,
                           awaiting=claims.awaiting_answer_count(current_user) if incoming
                           else None,
                           actions={c.id: claims.available_actions(current_user, c)
                                    for c in found.rows},
                           allowance=None if incoming else claims.open_claims_of(current_user))


@bp.get("/claims")
@login_required
def my_claims():
    return _claim_list(incoming=False)


@bp.get("/claims/incoming")
@login_required
def incoming_claims():
    return _claim_list(incoming=True)


@bp.get("/claims/<int:claim_id>")
@login_required
def claim_detail(claim_id: int):
    claim = _visible_claim(claim_id)
    return _render_claim(claim)


def _render_claim(claim: Claim, *, collect_form=None, reverse_form=None, status=200):
    record = claim.reuse_record
    reversal = None
    if record is not None:
        reversal = ledger.reversal_of(record)
    return render_template(
        "claims/detail.html", claim=claim, record=record, reversal=reversal,
        outside=claim.partner_id is not None, outside_record=claim.outside_record,
        actions=claims.available_actions(current_user, claim),
        decline_reason=claims.decline_reason_label(claim),
        collect_form=collect_form or CollectForm(formdata=None),
        decision_form=DecisionForm(formdata=None),
        reverse_form=reverse_form or ReverseRecordForm(formdata=None),
        can_correct=permissions.can_correct_records(current_user) and record is not None and
        reversal is None), status


def _decide(claim_id: int, action, done: str):
    claim = _visible_claim(claim_id)
    form = DecisionForm()
    if form.validate_on_submit():
        action(current_user, claim, form.message.data or "")
        db.session.commit()
        flash(done, "success")
    return _back(claim)


@bp.post("/claims/<int:claim_id>/approve")
@login_required
def approve(claim_id: int):
    return _decide(claim_id, claims.approve,
                   _("Forespørselen er godkjent. Mottakeren har fått beskjed om å hente."))


def _asks_first(claim: Claim, action: str):
    """A page that asks before `action`: only while the action is open to this user. A GET
    otherwise goes back to the claim (it shows what can be done); a POST is refused as the
    action would be (403 or 409)."""
    if action in claims.available_actions(current_user, claim):
        return None
    if request.method == "GET":
        return _back(claim)
    raise claims.refusal(current_user, claim, action)


@bp.route("/claims/<int:claim_id>/decline", methods=["GET", "POST"])
@login_required
def decline(claim_id: int):
    """Declining asks why: the claimant is told the reason, not only that it was declined."""
    claim = _visible_claim(claim_id)
    if (elsewhere := _asks_first(claim, "decline")) is not None:
        return elsewhere
    form = DeclineForm()
    if form.validate_on_submit():
        with Refusal(form, only_fields=True) as refused:
            claims.decline(current_user, claim, form.message.data or "", form.reason.data)
        if not refused:
            db.session.commit()
            flash(_("Forespørselen er avslått, og tingene er ledige igjen. Mottakeren har "
                    "fått beskjed om hvorfor."), "success")
            return _back(claim)
    form.next.data = _next(claim)
    return (render_template("claims/decline.html", claim=claim, form=form),
            422 if form.is_submitted() else 200)


@bp.route("/claims/<int:claim_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(claim_id: int):
    """Withdrawing one's own claim takes a confirmation: a post without it changes nothing
    and shows what would happen."""
    claim = _visible_claim(claim_id)
    if (elsewhere := _asks_first(claim, "cancel")) is not None:
        return elsewhere
    form = CancelForm()
    if form.confirmed and form.validate_on_submit():
        claims.cancel(current_user, claim, form.message.data or "")
        db.session.commit()
        flash(str(claims.CANCELLED), "success")
        return _back(claim)
    form.next.data = _next(claim)
    return (render_template("claims/cancel.html", claim=claim, form=form),
            422 if form.confirmed else 200)


@bp.post("/claims/<int:claim_id>/collect")
@login_required
def collect(claim_id: int):
    claim = _visible_claim(claim_id)
    form = CollectForm()
    outside = claim.partner_id is not None
    if outside:
        # A partner's hand-over avoids no purchase of the municipality, and its costs are not
        # the municipality's reuse: nothing to ask (claims.collect ignores both).
        del form.replaces_purchase
        del form.costs_nok
    if form.validate_on_submit():
        with Refusal(form, only_fields=True) as refused:
            claims.collect(current_user, claim,
                           replaces_purchase=None if outside
                           else form.replaces_purchase.data == "yes",
                           costs_nok=Decimal("0") if outside
                           else form.costs_nok.data or Decimal("0"))
        if not refused:
            db.session.commit()
            flash(_("Hentingen er bekreftet og ført som gjenbrukt utenfor kommunen. Takk!")
                  if outside else
                  _("Hentingen er bekreftet og ført i kommunens gjenbruksregnskap. Takk!"),
                  "success")
            return redirect(url_for("claims.claim_detail", claim_id=claim.id))
    return _render_claim(_visible_claim(claim_id), collect_form=form, status=422)


@bp.post("/records/<int:record_id>/reverse")
@login_required
def reverse_record(record_id: int):
    record = permissions.record_to_correct(current_user, record_id)
    form = ReverseRecordForm()
    if form.validate_on_submit():
        with Refusal(form, only_fields=True) as refused:
            ledger.reverse(current_user, record, form.reason.data)
        if not refused:
            db.session.commit()
            flash(str(ledger.CORRECTED), "success")
            return redirect(url_for("claims.claim_detail", claim_id=record.claim_id))
    return _render_claim(_visible_claim(record.claim_id), reverse_form=form, status=422)
