"""Forms of the administration's pages for partner organisations."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from reuse.i18n import lazy_gettext as _l
from reuse.models.organisation import MAX_EMAIL
from reuse.models.partners import MAX_PARTNER_NAME
from reuse.services import users
from reuse.services.partners import KIND_LABELS, MAX_ORG_NUMBER_INPUT, NO_NAME, NO_ORG_NUMBER
from reuse.web.fields import EMAIL_LABEL, SingleLine


class PartnerForm(FlaskForm):
    name = StringField(_l("Navn på organisasjonen"), validators=[
        DataRequired(NO_NAME), SingleLine(),
        Length(max=MAX_PARTNER_NAME)])
    # The check digit is the service's to check (a clear message, the same for the CLI).
    org_number = StringField(_l("Organisasjonsnummer"), validators=[
        DataRequired(NO_ORG_NUMBER), Length(max=MAX_ORG_NUMBER_INPUT)],
        description=_l("Ni siffer, fra Enhetsregisteret."))
    kind = RadioField(_l("Type organisasjon"), validators=[
        DataRequired(_l("Velg hva slags organisasjon det er."))],
        choices=[SelectChoice(value, label) for value, label in KIND_LABELS.items()],
        description=_l("Offentlige virksomheter får tilbud før ideelle organisasjoner."))


class InviteForm(FlaskForm):
    name = StringField(_l("Navn"), validators=[Optional(), SingleLine(),
                                              Length(max=users.MAX_NAME)])
    email = EmailField(EMAIL_LABEL, validators=[
        DataRequired(_l("Skriv e-postadressen til personen.")), Length(max=MAX_EMAIL)])
