"""Partner organisations outside the municipality: register them, suspend and resume them,
and invite their people (who sign in with e-mailed one-time links). Admins only."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.services import partners, permissions, users
from reuse.web import Refusal
from reuse.web.admin import bp
from reuse.web.admin.partner_forms import InviteForm, PartnerForm
from reuse.web.admin.people_forms import ActionForm, ConfirmForm


def _require_manager() -> None:
    if not permissions.can_manage_partners(current_user):
        abort(403)


def _list_page(form: PartnerForm, status: int = 200):
    return render_template("admin/partners.html", rows=partners.all_partners(), form=form,
                           kinds=partners.KIND_LABELS), status


@bp.get("/partners")
@login_required
def partner_list():
    _require_manager()
    return _list_page(PartnerForm(formdata=None))


@bp.post("/partners")
@login_required
def partner_new():
    _require_manager()
    form = PartnerForm()
    if form.validate():
        with Refusal(form) as refused:
            partner = partners.create_partner(current_user, form.name.data,
                                              form.org_number.data, form.kind.data)
        if not refused:
            db.session.commit()
            flash(_("%(name)s er registrert som samarbeidspartner.", name=partner.name),
                  "success")
            return redirect(url_for("admin.partner_detail", partner_id=partner.id))
    return _list_page(form, 422)


def _detail_page(partner, invite_form: InviteForm | None = None, status: int = 200):
    return render_template(
        "admin/partner.html", partner=partner, people=partners.people_of(partner),
        kinds=partners.KIND_LABELS, invite_form=invite_form or InviteForm(formdata=None),
        action_form=ActionForm()), status


@bp.get("/partners/<int:partner_id>")
@login_required
def partner_detail(partner_id: int):
    return _detail_page(partners.managed_partner(current_user, partner_id))


@bp.route("/partners/<int:partner_id>/suspend", methods=["GET", "POST"])
@login_required
def partner_suspend(partner_id: int):
    """Suspending signs every one of its people out at once, so it asks first."""
    partner = partners.managed_partner(current_user, partner_id)
    if partner.is_suspended:
        return redirect(url_for("admin.partner_detail", partner_id=partner.id))
    form = ConfirmForm()
    if form.confirmed and form.validate():
        partners.suspend_partner(current_user, partner)
        db.session.commit()
        flash(_("%(name)s er suspendert. Personene er logget ut.", name=partner.name),
              "success")
        return redirect(url_for("admin.partner_detail", partner_id=partner.id))
    return render_template("admin/partner_suspend.html", partner=partner, form=form,
                           people=len(partners.people_of(partner)))


@bp.post("/partners/<int:partner_id>/resume")
@login_required
def partner_resume(partner_id: int):
    partner = partners.managed_partner(current_user, partner_id)
    form = ActionForm()
    if not form.validate():
        abort(400)
    if partners.resume_partner(current_user, partner):
        db.session.commit()
        flash(_("%(name)s er gjenopprettet. Personene kan logge inn igjen.",
                name=partner.name), "success")
    return redirect(url_for("admin.partner_detail", partner_id=partner.id))


@bp.post("/partners/<int:partner_id>/people/<int:person_id>/deactivate")
@login_required
def partner_person_deactivate(partner_id: int, person_id: int):
    """Close one person's account (they left the organisation) without suspending the rest:
    their sessions end and their API tokens are revoked, as for the municipality's people."""
    person = permissions.partner_person(current_user, partner_id, person_id)
    if not ActionForm().validate():
        abort(400)
    if person.active:
        users.deactivate(person, current_user._get_current_object())
        db.session.commit()
        flash(users.DEACTIVATED_NAMED % {"name": person.name}, "success")
    return redirect(url_for("admin.partner_detail", partner_id=partner_id))


@bp.post("/partners/<int:partner_id>/people/<int:person_id>/reactivate")
@login_required
def partner_person_reactivate(partner_id: int, person_id: int):
    person = permissions.partner_person(current_user, partner_id, person_id)
    if not ActionForm().validate():
        abort(400)
    if not person.active:  # an anonymised account is a conflict (the app's 409 page)
        users.reactivate(person, current_user._get_current_object())
        db.session.commit()
        flash(_("%(name)s er aktivert igjen.", name=person.name), "success")
    return redirect(url_for("admin.partner_detail", partner_id=partner_id))


@bp.post("/partners/<int:partner_id>/invite")
@login_required
def partner_invite(partner_id: int):
    partner = partners.managed_partner(current_user, partner_id)
    form = InviteForm()
    if form.validate():
        with Refusal(form) as refused:
            partners.invite_partner_person(current_user, partner, form.email.data,
                                           form.name.data or "")
        if not refused:
            db.session.commit()
            flash(_("Invitasjonen er sendt til %(email)s.", email=form.email.data.strip()),
                  "success")
            return redirect(url_for("admin.partner_detail", partner_id=partner.id))
    return _detail_page(partner, form, 422)
