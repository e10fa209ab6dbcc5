"""Forms of the administration's pages for people, API and SCIM tokens and the audit log.

(Kept apart from forms.py, which holds the other administration pages' forms.)
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Form, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from reuse.i18n import lazy_gettext as _l
from reuse.models.claims import MAX_TOKEN_LABEL
from reuse.services import tokens, units, users
from reuse.services.reports import scope
from reuse.web.fields import LongSelect, SingleLine, WholeNumberField, whole_number
from reuse.web.reports.forms import IsoDateField

UNIT_LABEL = units.LABEL
NO_UNIT = _l("Velg en enhet.")
ROLE_LABEL = _l("Rolle")
TOKEN_LABEL = _l("Navn på nøkkelen")


class PeopleFilterForm(Form):
    """The people list's search, read from the query string (a GET form, no CSRF)."""

    q = StringField(_l("Navn eller e-post"), validators=[Optional(), Length(max=users.MAX_QUERY)])
    # The choices are the units the user administers; a unit id outside them finds nobody.
    unit = SelectField(UNIT_LABEL, coerce=whole_number, validate_choice=False,
                       widget=LongSelect(), description=_l("Med enhetene under."))
    status = SelectField(_l("Status"), choices=[
        SelectChoice("", _l("Aktive og deaktiverte")), SelectChoice(users.ACTIVE, _l("Aktive")),
        SelectChoice(users.DEACTIVATED, _l("Deaktiverte"))], validate_choice=False)


class RoleForm(FlaskForm):
    # Any role is read; whether this administrator may give it is the service's call (403).
    role = SelectField(ROLE_LABEL, validators=[InputRequired()], validate_choice=False)


class MoveForm(FlaskForm):
    unit = SelectField(UNIT_LABEL, coerce=whole_number, widget=LongSelect(),
                       validators=[InputRequired(NO_UNIT)])


class ConfirmForm(FlaskForm):
    """A step that happens only once the administrator has read what it leads to: a post
    without confirm=yes shows the confirmation page instead."""

    # No default: a post without the field must not read as confirmed.
    confirm = HiddenField()

    @property
    def confirmed(self) -> bool:
        return self.is_submitted() and self.confirm.data == "yes"


class ActionForm(FlaskForm):
    """Only the CSRF token: for buttons that do one thing (reactivate, revoke)."""


class ApiTokenForm(FlaskForm):
    label = StringField(TOKEN_LABEL, validators=[
        Optional(), SingleLine(), Length(max=MAX_TOKEN_LABEL)],
        description=_l("Hva nøkkelen brukes til, for eksempel «Innkjøpssystemet»."))
    expires_in_days = WholeNumberField(
        _l("Gyldig i antall dager"), validators=[
            Optional(), NumberRange(1, tokens.MAX_EXPIRY_DAYS,
                                    _l("Skriv et antall dager fra %(min)s til %(max)s."))],
        description=_l("Tomt: gyldig til den trekkes tilbake."))


class ScimTokenForm(FlaskForm):
    label = StringField(TOKEN_LABEL, validators=[
        Optional(), SingleLine(), Length(max=MAX_TOKEN_LABEL)],
        description=_l("For eksempel «Entra ID»."))


class AuditFilterForm(Form):
    """The audit log's filters, read from the query string (a GET form, no CSRF)."""

    who = StringField(_l("Hvem"), validators=[Optional(), Length(max=users.MAX_QUERY)],
                      description=_l("Navn eller e-post, eller «system» for det ingen person "
                                     "gjorde."))
    action = SelectField(_l("Hva"), validate_choice=False)
    object_type = SelectField(_l("Type"), validate_choice=False)
    start = IsoDateField(scope.FROM, name="from", validators=[Optional()],
                         render_kw={"type": "date"})
    end = IsoDateField(scope.TO, name="to", validators=[Optional()],
                       render_kw={"type": "date"})
