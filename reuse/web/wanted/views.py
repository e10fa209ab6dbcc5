from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from reuse.extensions import db
from reuse.i18n import format_day
from reuse.i18n import gettext as _
from reuse.services import permissions, wanted
from reuse.web import Refusal
from reuse.web.checks.forms import chosen_category
from reuse.web.wanted import bp
from reuse.web.wanted.forms import WantedForm


@bp.route("/wanted", methods=["GET", "POST"])
@login_required
def wanted_list():
    form = WantedForm()
    if not form.is_submitted():  # from a check that found nothing: /wanted?words=...
        form.words.data = request.args.get("words", "")[:wanted.MAX_WORDS_LENGTH]
    if form.validate_on_submit():
        with Refusal(form) as refused:
            wanted.create_request(current_user, words=form.words.data or "",
                                  category=chosen_category(form.category),
                                  quantity=form.quantity.data, until=form.until.data)
        if not refused:
            db.session.commit()
            flash(_("Ønsket er lagret. Du får e-post når noe som passer blir lagt ut."), "success")
            return redirect(url_for("wanted.wanted_list"))
    return render_template("wanted/list.html", form=form,
                           requests=wanted.requests_of(current_user), is_open=wanted.is_open,
                           allowance=wanted.allowance(current_user),
                           renew_days=wanted.DEFAULT_DAYS)


@bp.post("/wanted/<int:request_id>/close")
@login_required
def close_wanted(request_id: int):
    wanted.close_request(current_user, permissions.own_wanted_request(current_user, request_id))
    db.session.commit()
    flash(_("Ønsket er avsluttet."), "success")
    return redirect(url_for("wanted.wanted_list"))


@bp.post("/wanted/<int:request_id>/renew")
@login_required
def renew_wanted(request_id: int):
    request_ = permissions.own_wanted_request(current_user, request_id)
    with Refusal() as refused:
        wanted.renew_request(current_user, request_)
    if refused:  # no room to reopen it: say so on the list, not an error page
        flash(refused.error.message, "danger")
    else:
        db.session.commit()
        flash(_("Ønsket gjelder nå til %(date)s.", date=format_day(request_.until)), "success")
    return redirect(url_for("wanted.wanted_list"))
