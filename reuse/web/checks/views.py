from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from reuse.extensions import db
from reuse.i18n import format_number
from reuse.models import Claim
from reuse.services import checks, permissions, quantities
from reuse.web import Refusal
from reuse.web.checks import bp
from reuse.web.checks.forms import BoughtNewForm, CheckForm, ClaimMatchForm, chosen_category


def _visible_check(check_id: int):
    return permissions.visible_check(current_user, check_id)


@bp.route("/checks/new", methods=["GET", "POST"])
@login_required
def new_check():
    form = CheckForm()
    if not form.is_submitted():  # a link may start a check: /checks/new?need=...
        form.need.data = request.args.get("need", "")[:checks.MAX_NEED]
    if form.validate_on_submit():
        with Refusal(form) as refused:
            check = checks.create_check(current_user, form.need.data,
                                        category=chosen_category(form.category),
                                        quantity=form.quantity.data)
        if not refused:
            db.session.commit()
            return redirect(url_for("checks.check_detail", check_id=check.id))
    return render_template("checks/new.html", form=form)


@bp.get("/checks/<int:check_id>")
@login_required
def check_detail(check_id: int):
    return _render_check(_visible_check(check_id))


def _render_check(check, *, bought_new_form=None, status=200):
    can_close = permissions.can_close_check(current_user, check) and check.outcome is None
    # "Mente du …?" while the buyer can still act on it: a new check with the better words.
    suggestion = checks.suggested_need(current_user, check) if can_close else None
    return render_template(
        "checks/detail.html", check=check, can_close=can_close, suggestion=suggestion,
        claim_form=ClaimMatchForm(formdata=None),
        bought_new_form=bought_new_form or BoughtNewForm(formdata=None),
        reason_labels=checks.REASON_LABELS,
        shown_items={match.item_id for match in check.matches
                     if permissions.can_see_item(current_user, match.item)},
        claim=db.session.get(Claim, check.claim_id) if check.claim_id else None), status


@bp.post("/checks/<int:check_id>/claim/<int:item_id>")
@login_required
def claim_match(check_id: int, item_id: int):
    check = _visible_check(check_id)
    form = ClaimMatchForm()
    if not form.validate_on_submit():
        flash(" ".join(map(str, form.quantity.errors)) or str(quantities.MISSING), "danger")
        return redirect(url_for("checks.check_detail", check_id=check.id))
    with Refusal() as refused:
        item = permissions.visible_item(current_user, item_id)
        claim = checks.claim_match(current_user, check, item, form.quantity.data)
    if refused:
        flash(str(refused.error.message), "danger")
        return redirect(url_for("checks.check_detail", check_id=check_id))
    db.session.commit()
    flash(ngettext("Forespørselen er sendt og knyttet til gjenbrukssjekk %(reference)s. "
                   "%(count)s stk. er reservert.",
                   "Forespørselen er sendt og knyttet til gjenbrukssjekk %(reference)s. "
                   "%(count)s stk. er reservert.",
                   claim.quantity, reference=check.reference,
                   count=format_number(claim.quantity)), "success")
    return redirect(url_for("claims.claim_detail", claim_id=claim.id))


@bp.post("/checks/<int:check_id>/bought-new")
@login_required
def bought_new(check_id: int):
    check = _visible_check(check_id)
    form = BoughtNewForm()
    if form.validate_on_submit():
        with Refusal(form, only_fields=True) as refused:
            checks.record_bought_new(current_user, check, form.reason.data,
                                     form.reason_text.data or "",
                                     form.purchase_reference.data or "")
        if not refused:
            db.session.commit()
            flash(_("Registrert: dere kjøper nytt. Kvitteringen under kan legges ved "
                    "innkjøpet."), "success")
            return redirect(url_for("checks.check_detail", check_id=check.id))
    return _render_check(_visible_check(check_id), bought_new_form=form, status=422)


@bp.get("/checks")
@login_required
def check_list():
    return render_template("checks/list.html", checks=checks.visible_checks(current_user),
                           counts=checks.visible_outcome_counts(current_user))
