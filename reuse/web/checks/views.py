from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from reuse.extensions import db
from reuse.i18n import format_day, format_number
from reuse.models import Claim
from reuse.services import categories, checks, permissions, wanted
from reuse.services.errors import Conflict, DomainError, PermissionDenied
from reuse.web import apply_to_form, show_on_form
from reuse.web.checks import bp
from reuse.web.checks.forms import BoughtNewForm, CheckForm, ClaimMatchForm, WantedForm


def _category(slug: str | None):
    return categories.get_by_slug(slug) if slug else None


def _visible_check(check_id: int):
    return permissions.visible_check(current_user, check_id)


@bp.route("/checks/new", methods=["GET", "POST"])
@login_required
def new_check():
    form = CheckForm()
    if not form.is_submitted():  # a link may start a check: /checks/new?need=...
        form.need.data = request.args.get("need", "")[:500]
    if form.validate_on_submit():
        try:
            check = checks.create_check(current_user, form.need.data,
                                        category=_category(form.category.data),
                                        quantity=form.quantity.data)
        except DomainError as error:
            db.session.rollback()
            apply_to_form(form, error)
        else:
            db.session.commit()
            return redirect(url_for("checks.check_detail", check_id=check.id))
    return render_template("checks/new.html", form=form)


@bp.get("/checks/<int:check_id>")
@login_required
def check_detail(check_id: int):
    return _render_check(_visible_check(check_id))


def _render_check(check, *, bought_new_form=None, status=200):
    return render_template(
        "checks/detail.html", check=check,
        can_close=permissions.can_close_check(current_user, check) and check.outcome is None,
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
        flash(" ".join(map(str, form.quantity.errors)) or _("Oppgi antall."), "danger")
        return redirect(url_for("checks.check_detail", check_id=check.id))
    try:
        item = permissions.visible_item(current_user, item_id)
        claim = checks.claim_match(current_user, check, item, form.quantity.data)
    except PermissionDenied:
        raise
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
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
        try:
            checks.record_bought_new(current_user, check, form.reason.data,
                                     form.reason_text.data or "",
                                     form.purchase_reference.data or "")
        except PermissionDenied:
            raise
        except DomainError as error:
            show_on_form(form, error)
        else:
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


@bp.route("/wanted", methods=["GET", "POST"])
@login_required
def wanted_list():
    form = WantedForm()
    if not form.is_submitted():  # from a check that found nothing: /wanted?words=...
        form.words.data = request.args.get("words", "")[:200]
    if form.validate_on_submit():
        try:
            wanted.create_request(current_user, words=form.words.data or "",
                                  category=_category(form.category.data),
                                  quantity=form.quantity.data, until=form.until.data)
        except DomainError as error:
            db.session.rollback()
            apply_to_form(form, error)
        else:
            db.session.commit()
            flash(_("Ønsket er lagret. Du får e-post når noe som passer blir lagt ut."), "success")
            return redirect(url_for("checks.wanted_list"))
    return render_template("checks/wanted.html", form=form,
                           requests=wanted.requests_of(current_user), is_open=wanted.is_open,
                           allowance=wanted.allowance(current_user))


@bp.post("/wanted/<int:request_id>/close")
@login_required
def close_wanted(request_id: int):
    wanted.close_request(current_user, permissions.own_wanted_request(current_user, request_id))
    db.session.commit()
    flash(_("Ønsket er avsluttet."), "success")
    return redirect(url_for("checks.wanted_list"))


@bp.post("/wanted/<int:request_id>/renew")
@login_required
def renew_wanted(request_id: int):
    request_ = permissions.own_wanted_request(current_user, request_id)
    try:
        wanted.renew_request(current_user, request_)
    except Conflict as error:  # no room to reopen it: say so on the list, not an error page
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("Ønsket gjelder nå til %(date)s.", date=format_day(request_.until)), "success")
    return redirect(url_for("checks.wanted_list"))
