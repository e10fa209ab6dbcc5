"""API tokens of the people an administrator administers, and the provisioning (SCIM) tokens
that only admins hold. A new token is shown once, on the answer to the form that made it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.services import permissions, scim_tokens
from reuse.services import tokens as api_tokens
from reuse.services.errors import PermissionDenied
from reuse.web import Refusal
from reuse.web.admin import bp
from reuse.web.admin.people_forms import ApiTokenForm, ConfirmForm, ScimTokenForm


def _shown_once(template: str, **context):
    """The page with a token's plain text: never cached, never stored anywhere."""
    response = render_template(template, **context)
    return response, 201, {"Cache-Control": "no-store"}


@bp.get("/tokens")
@login_required
def tokens():
    if not permissions.can_administer(current_user):
        abort(403)
    scim = permissions.can_manage_scim_tokens(current_user)
    return render_template(
        "admin/tokens.html", page=api_tokens.administered_tokens(
            current_user, page=request.args.get("page", 1, type=int)),
        status=api_tokens.status, scim_status=scim_tokens.status,
        scim_tokens=scim_tokens.all_tokens() if scim else None)


@bp.route("/people/<int:person_id>/tokens/new", methods=["GET", "POST"])
@login_required
def new_token(person_id: int):
    person = permissions.administered_person(current_user, person_id)
    if not permissions.can_manage_api_tokens_of(current_user, person):
        abort(403)
    form = ApiTokenForm()
    if form.validate_on_submit():
        with Refusal(form) as refused:
            token, plain = api_tokens.create_token(
                person, form.label.data or "", form.expires_in_days.data,
                created_by=current_user)
        if not refused:
            db.session.commit()
            return _shown_once("admin/tokens_created.html", token=token, plain=plain,
                               person=person)
    return render_template("admin/tokens_new.html", form=form, person=person), (
        422 if form.is_submitted() else 200)


def _api_token(token_id: int):
    token = permissions.visible_api_token(current_user, token_id)
    if not permissions.can_manage_api_tokens_of(current_user, token.user):
        raise PermissionDenied(str(permissions.ONLY_OWN_PEOPLE))
    return token


def _owner_page(token) -> str:
    """The page of the token's owner: their person page, or their partner organisation's."""
    if token.user.is_partner:
        return url_for("admin.partner_detail", partner_id=token.user.partner_id)
    return url_for("admin.person", person_id=token.user_id)


@bp.route("/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke_token(token_id: int):
    token = _api_token(token_id)
    if token.revoked_at is not None:
        return redirect(_owner_page(token))
    form = ConfirmForm()
    if form.confirmed and form.validate():
        with Refusal(only_fields=True):
            api_tokens.revoke_token(token.id, revoked_by=current_user)
        db.session.commit()
        flash(_("API-nøkkelen er trukket tilbake. Den virker ikke lenger."), "success")
        return redirect(_owner_page(token))
    return render_template("admin/tokens_revoke.html", token=token, form=form, scim=False)


# -- provisioning tokens: admins only ---------------------------------------------------------

def _scim_gate() -> None:
    if not permissions.can_manage_scim_tokens(current_user):
        raise PermissionDenied(str(permissions.ONLY_ADMINS_SCIM))


@bp.route("/scim-tokens/new", methods=["GET", "POST"])
@login_required
def new_scim_token():
    _scim_gate()
    form = ScimTokenForm()
    if form.validate_on_submit():
        with Refusal(form) as refused:
            token, plain = scim_tokens.create_token(current_user, form.label.data or "")
        if not refused:
            db.session.commit()
            return _shown_once("admin/tokens_created.html", token=token, plain=plain,
                               person=None)
    return render_template("admin/tokens_new.html", form=form, person=None), (
        422 if form.is_submitted() else 200)


@bp.route("/scim-tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke_scim_token(token_id: int):
    _scim_gate()
    token = scim_tokens.get_token(token_id)
    if scim_tokens.status(token) == "revoked":
        return redirect(url_for("admin.tokens"))
    form = ConfirmForm()
    if form.confirmed and form.validate():
        with Refusal(only_fields=True):
            scim_tokens.revoke_token(token.id, revoked_by=current_user)
        db.session.commit()
        flash(_("SCIM-nøkkelen er trukket tilbake. Den virker ikke lenger."), "success")
        return redirect(url_for("admin.tokens"))
    return render_template("admin/tokens_revoke.html", token=token, form=form, scim=True)
