"""Checking before buying: searching writes nothing; a check is recorded when the buyer acts
(claims a match, buys new with a reason, or saves the receipt), and an open check can be
refined or dropped."""

import secrets

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from reuse.extensions import db
from reuse.i18n import format_number, ngettext
from reuse.i18n import gettext as _
from reuse.services import checks, permissions, quantities
from reuse.web import Refusal
from reuse.web.checks import bp
from reuse.web.checks.forms import BoughtNewForm, CheckForm, ClaimMatchForm, DropForm

# On the search page every action sends the need along: its own fields get a prefix.
CLAIM_PREFIX = "claim"


def _visible_check(check_id: int):
    return permissions.visible_check(current_user, check_id)


def _search_form() -> CheckForm:
    """The need from the query string: a search is a GET, so refining is editing the address
    or the form and searching again."""
    return CheckForm(request.args, meta={"csrf": False})


def _render_search(form: CheckForm, *, bought_new_form=None, status=200):
    """The search page: the form, and what matches the need now, with the actions that
    record a check. Nothing is written here."""
    matches = suggestion = None
    if form.need.raw_data and form.validate():
        with Refusal(form) as refused:
            details = form.details()
            ranked = checks.search(current_user, **details)
        if not refused:
            matches = ranked
            suggestion = checks.suggested_need(current_user, found=len(ranked), **details)
    return render_template(
        "checks/new.html", form=form, matches=matches, max_matches=checks.MAX_MATCHES,
        suggestion=suggestion,
        claim_form=ClaimMatchForm(formdata=None, prefix=CLAIM_PREFIX,
                                  submission=secrets.token_urlsafe(16)),
        remind_after_days=checks.REMIND_AFTER_DAYS,
        bought_new_form=bought_new_form or BoughtNewForm(formdata=None)), status


@bp.get("/checks/new")
@login_required
def new_check():
    form = _search_form()
    if "need" not in request.args:  # nothing asked yet: no errors either
        form = CheckForm(formdata=None)
    return _render_search(form)


@bp.post("/checks/new")
@login_required
def save_check():
    """Save the receipt of an open check, to decide later."""
    form = CheckForm()
    if form.validate_on_submit():
        with Refusal(form) as refused:
            check = checks.create_check(current_user, **form.details())
        if not refused:
            db.session.commit()
            flash(_("Kvitteringen er lagret. Sjekken er åpen til dere registrerer hvordan "
                    "det gikk."), "success")
            return redirect(url_for("checks.check_detail", check_id=check.id))
    return render_template("checks/new.html", form=form, matches=None), 422


@bp.post("/checks/new/claim/<int:item_id>")
@login_required
def claim_new(item_id: int):
    """Claim a match: the check is recorded and linked to the claim in one transaction."""
    form = CheckForm()
    # CheckForm checks the CSRF token; the claim's fields come with it.
    claim_form = ClaimMatchForm(prefix=CLAIM_PREFIX, meta={"csrf": False})
    if not (form.validate_on_submit() and claim_form.validate()):
        flash(" ".join(map(str, [*claim_form.quantity.errors, *form.need.errors]))
              or str(quantities.MISSING), "danger")
        return redirect(url_for("checks.new_check", **form.query_args()))
    with Refusal() as refused:
        item = permissions.visible_item(current_user, item_id)
        details = form.details()
        check, claim = checks.claim_from_search(
            current_user, item, claim_form.quantity.data, details["need"],
            category=details["category"], need_quantity=details["quantity"],
            submission=claim_form.submission.data or None)
    if isinstance(refused.error, checks.AlreadySubmitted):  # a double click: show the first
        earlier = checks.submitted(current_user, item_id, claim_form.submission.data)
        if earlier is not None:
            return _claimed(*earlier)
    if refused:
        flash(str(refused.error.message), "danger")
        return redirect(url_for("checks.new_check", **form.query_args()))
    return _claimed(check, claim)


@bp.post("/checks/new/bought-new")
@login_required
def bought_new_new():
    """Buy new with a reason: the check is recorded and closed in one transaction."""
    form = CheckForm()
    bought_new_form = BoughtNewForm(meta={"csrf": False})  # CheckForm checks the token
    if form.validate_on_submit() and bought_new_form.validate():
        with Refusal(bought_new_form, only_fields=True) as refused:
            check = checks.create_check(current_user, **form.details())
            _record_bought_new(check, bought_new_form)
        if not refused:
            return _bought(check)
    return _render_search(CheckForm(request.form, meta={"csrf": False}),
                          bought_new_form=bought_new_form, status=422)


def _record_bought_new(check, form: BoughtNewForm) -> None:
    checks.record_bought_new(current_user, check, form.reason.data,
                             form.reason_text.data or "", form.purchase_reference.data or "")


def _bought(check):
    db.session.commit()
    flash(_("Registrert: dere kjøper nytt. Kvitteringen under kan legges ved innkjøpet."),
          "success")
    return redirect(url_for("checks.check_detail", check_id=check.id))


def _claimed(check, claim):
    db.session.commit()
    flash(ngettext("Forespørselen er sendt og knyttet til gjenbrukssjekk %(reference)s. "
                   "%(count)s stk. er reservert.",
                   "Forespørselen er sendt og knyttet til gjenbrukssjekk %(reference)s. "
                   "%(count)s stk. er reservert.",
                   claim.quantity, reference=check.reference,
                   count=format_number(claim.quantity)), "success")
    # Back to the receipt the buyer came for: it shows the claim's state as it changes.
    return redirect(url_for("checks.check_detail", check_id=check.id))


@bp.get("/checks/<int:check_id>")
@login_required
def check_detail(check_id: int):
    return _render_check(_visible_check(check_id))


def _render_check(check, *, bought_new_form=None, refine_form=None, drop_form=None,
                  status=200):
    may_act = permissions.can_close_check(current_user, check) and check.outcome is None
    if refine_form is None:
        refine_form = CheckForm(formdata=None, need=check.need, quantity=check.quantity,
                                category=check.category.slug if check.category else "")
    # "Mente du …?" while the buyer can still act on it: a search with the better words.
    suggestion = (checks.suggested_need(current_user, check.need, check.category,
                                        check.quantity, check.match_count)
                  if may_act else None)
    return render_template(
        "checks/detail.html", check=check, can_close=may_act, suggestion=suggestion,
        claim_form=ClaimMatchForm(formdata=None),
        bought_new_form=bought_new_form or BoughtNewForm(formdata=None),
        refine_form=refine_form, drop_form=drop_form or DropForm(formdata=None),
        reason_labels=checks.REASON_LABELS,
        shown_items={match.item_id for match in check.matches
                     if permissions.can_see_item(current_user, match.item)},
        claim=check.claim, ended_claims=checks.ended_claims(check)), status


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
    return _claimed(check, claim)


@bp.post("/checks/<int:check_id>/bought-new")
@login_required
def bought_new(check_id: int):
    check = _visible_check(check_id)
    form = BoughtNewForm()
    if form.validate_on_submit():
        with Refusal(form, only_fields=True) as refused:
            _record_bought_new(check, form)
        if not refused:
            return _bought(check)
    return _render_check(_visible_check(check_id), bought_new_form=form, status=422)


@bp.post("/checks/<int:check_id>/refine")
@login_required
def refine(check_id: int):
    """Edit an open check's need: the matches are found again, the earlier ones kept."""
    check = _visible_check(check_id)
    form = CheckForm()
    if form.validate_on_submit():
        with Refusal(form, only_fields=True) as refused:
            checks.refine_check(current_user, check, **form.details())
        if not refused:
            db.session.commit()
            flash(_("Søket er endret. Treffene under er funnet på nytt."), "success")
            return redirect(url_for("checks.check_detail", check_id=check_id))
    return _render_check(_visible_check(check_id), refine_form=form, status=422)


@bp.post("/checks/<int:check_id>/drop")
@login_required
def drop(check_id: int):
    """The need disappeared: the check ends, neither reuse nor a purchase."""
    check = _visible_check(check_id)
    form = DropForm()
    if form.validate_on_submit():
        with Refusal(form, only_fields=True) as refused:
            checks.drop_check(current_user, check, form.reason.data or "")
        if not refused:
            db.session.commit()
            flash(_("Registrert: behovet falt bort."), "success")
            return redirect(url_for("checks.check_detail", check_id=check_id))
    return _render_check(_visible_check(check_id), drop_form=form, status=422)


@bp.get("/checks")
@login_required
def check_list():
    return render_template("checks/list.html", checks=checks.visible_checks(current_user),
                           counts=checks.visible_outcome_counts(current_user))
