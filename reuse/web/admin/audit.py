"""The audit log: who did what to which object, when and from where, newest first."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.services import audit as audit_log
from reuse.services import categories, claims, permissions, units
from reuse.templating import label
from reuse.web.admin import bp
from reuse.web.admin.people_forms import AuditFilterForm

# What each kind of object is called in the log.
OBJECT_TYPE_LABELS = {
    "api_token": _l("API-nøkkel"),
    "category": categories.LABEL,
    "claim": claims.LABEL,
    "goal": _l("Mål"),
    "item": _l("Annonse"),
    "reuse_check": _l("Gjenbrukssjekk"),
    "reuse_record": _l("Gjenbruksføring"),
    "scim_token": _l("SCIM-nøkkel"),
    "unit": units.LABEL,
    "user_account": _l("Bruker"),
    "wanted_request": _l("Ønske"),
}

# The page of each kind of object a row may link to (audit_log.LINKED_KINDS).
OBJECT_ENDPOINTS = {
    "item": ("catalog.item_detail", "item_id"),
    "claim": ("claims.claim_detail", "claim_id"),
    "reuse_check": ("checks.check_detail", "check_id"),
    "user_account": ("admin.person", "person_id"),
}


@bp.get("/audit")
@login_required
def audit():
    if not permissions.can_see_audit_log(current_user):
        abort(403)
    form = AuditFilterForm(MultiDict(request.args))
    form.action.choices = [SelectChoice("", _("Alle handlinger"))] + sorted(
        (SelectChoice(action, label(audit_log.ACTION_LABELS, action))
         for action in audit_log.actions_in_log(current_user)), key=lambda choice: choice.label)
    form.object_type.choices = [SelectChoice("", _("Alle typer"))] + [
        SelectChoice(kind, label(OBJECT_TYPE_LABELS, kind))
        for kind in audit_log.object_types_in_log(current_user)]
    found = audit_log.EventFilter()
    if form.validate():
        found = audit_log.EventFilter(
            who=form.who.data or "", action=form.action.data or "",
            object_type=form.object_type.data or "", start=form.start.data, end=form.end.data)
    events = audit_log.events(current_user, found, page=request.args.get("page", 1, type=int))
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "admin/audit.html", form=form, page=events, args=args,
        linked=audit_log.linked_objects(current_user, events.rows),
        details={event.id: audit_log.details_of(event) for event in events.rows},
        endpoints=OBJECT_ENDPOINTS, action_labels=audit_log.ACTION_LABELS,
        type_labels=OBJECT_TYPE_LABELS, system=audit_log.SYSTEM), (
            200 if not form.errors else 422)
