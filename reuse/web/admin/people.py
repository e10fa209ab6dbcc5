"""The people an administrator administers: find them, change their role or unit, close,
reopen or anonymise their account, and see their API tokens."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.models import Role, Unit, User
from reuse.services import permissions, tokens, users
from reuse.services.errors import InvalidInput
from reuse.templating import ROLE_LABELS
from reuse.web import Refusal
from reuse.web.admin import bp
from reuse.web.admin.people_forms import (
    NO_UNIT,
    ActionForm,
    ConfirmForm,
    MoveForm,
    PeopleFilterForm,
    RoleForm,
)

INDENT = "\u00a0\u00a0"


def _unit_choices(*, for_moving: bool) -> list[tuple[str, str]]:
    return [SelectChoice(str(unit_id), INDENT * depth + name)
            for unit_id, name, depth in users.unit_options(current_user, for_moving=for_moving)]


@bp.get("/people")
@login_required
def people():
    if not permissions.can_administer(current_user):
        abort(403)
    form = PeopleFilterForm(MultiDict(request.args))
    form.unit.choices = [SelectChoice("", _("Alle enhetene dine")),
                         *_unit_choices(for_moving=False)]
    valid = form.validate()
    found = users.people(
        current_user, words=(form.q.data or "") if valid else "",
        unit_id=form.unit.data if valid else None,
        status=form.status.data or "" if valid else "",
        page=request.args.get("page", 1, type=int))
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("admin/people.html", form=form, page=found, args=args)


def _person_page(person: User, *, role_form: RoleForm | None = None,
                 move_form: MoveForm | None = None, status: int = 200):
    role_form = role_form or RoleForm(formdata=None, role=person.role)
    role_form.role.choices = [SelectChoice(role.value, ROLE_LABELS[role])
                              for role in permissions.roles_assignable_by(current_user)]
    move_form = move_form or MoveForm(formdata=None, unit=person.unit_id)
    move_form.unit.choices = _unit_choices(for_moving=True)
    return render_template(
        "admin/person.html", person=person, role_form=role_form, move_form=move_form,
        action_form=ActionForm(), tokens=tokens.tokens_of(person), token_status=tokens.status,
        anonymised=users.is_anonymised(person),
        may_change_role=permissions.can_change_role(current_user, person),
        may_manage=permissions.can_manage_person(current_user, person),
        may_close=permissions.can_close_account(current_user, person)), status


@bp.get("/people/<int:person_id>")
@login_required
def person(person_id: int):
    return _person_page(permissions.administered_person(current_user, person_id))


@bp.post("/people/<int:person_id>/role")
@login_required
def change_role(person_id: int):
    person = permissions.administered_person(current_user, person_id)
    form = RoleForm()
    if form.validate():
        with Refusal(form) as refused:
            changed = users.change_role(person, form.role.data, by=current_user)
        if not refused:
            db.session.commit()
            if changed:
                flash(_("%(name)s er nå %(role)s. Personen må logge inn på nytt.",
                        name=person.name, role=str(ROLE_LABELS[Role(person.role)]).lower()),
                      "success")
            return redirect(url_for("admin.person", person_id=person.id))
    return _person_page(person, role_form=form, status=422)


@bp.post("/people/<int:person_id>/unit")
@login_required
def move(person_id: int):
    person = permissions.administered_person(current_user, person_id)
    form = MoveForm()
    form.unit.choices = _unit_choices(for_moving=True)
    # An id outside the choices is the service's call (a 403), not "not a valid choice".
    form.unit.validate_choice = False
    if form.validate():
        with Refusal(form) as refused:
            unit = db.session.get(Unit, form.unit.data)
            if unit is None:
                raise InvalidInput(str(NO_UNIT), field="unit")
            changed = users.move_to_unit(person, unit, by=current_user)
        if not refused:
            db.session.commit()
            if changed:
                flash(_("%(name)s hører nå til %(unit)s. Personen må logge inn på nytt.",
                        name=person.name, unit=person.unit.name), "success")
            return redirect(url_for("admin.person", person_id=person.id))
    return _person_page(person, move_form=form, status=422)


@bp.route("/people/<int:person_id>/deactivate", methods=["GET", "POST"])
@login_required
def deactivate(person_id: int):
    """Deactivating ends every session and revokes every API token, so it asks first."""
    person = permissions.administered_person(current_user, person_id)
    if not permissions.can_close_account(current_user, person):
        abort(403)
    if not person.active:
        return redirect(url_for("admin.person", person_id=person.id))
    form = ConfirmForm()
    if form.confirmed and form.validate():
        users.deactivate(person, by=current_user)
        db.session.commit()
        flash(users.DEACTIVATED_NAMED % {"name": person.name}, "success")
        return redirect(url_for("admin.person", person_id=person.id))
    return render_template("admin/person_deactivate.html", person=person, form=form,
                           live_tokens=sum(tokens.status(token) == "active"
                                           for token in tokens.tokens_of(person)))


@bp.post("/people/<int:person_id>/reactivate")
@login_required
def reactivate(person_id: int):
    person = permissions.administered_person(current_user, person_id)
    form = ActionForm()
    if not form.validate():
        abort(400)
    with Refusal(only_fields=True):
        users.reactivate(person, by=current_user)
    db.session.commit()
    flash(_("%(name)s er aktivert igjen. API-nøklene er fortsatt trukket tilbake.",
            name=person.name), "success")
    return redirect(url_for("admin.person", person_id=person.id))


@bp.route("/people/<int:person_id>/anonymise", methods=["GET", "POST"])
@login_required
def anonymise(person_id: int):
    """Anonymising cannot be undone, so it asks first and says what stays."""
    person = permissions.administered_person(current_user, person_id)
    if not permissions.can_close_account(current_user, person):
        abort(403)
    if users.is_anonymised(person):
        return redirect(url_for("admin.person", person_id=person.id))
    form = ConfirmForm()
    if form.confirmed and form.validate():
        users.anonymise(person, by=current_user)
        db.session.commit()
        flash(_("Personen er anonymisert."), "success")
        return redirect(url_for("admin.person", person_id=person.id))
    return render_template("admin/person_anonymise.html", person=person, form=form)
