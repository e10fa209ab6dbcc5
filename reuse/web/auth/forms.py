from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from reuse.i18n import lazy_gettext as _l
from reuse.models.organisation import MAX_EMAIL
from reuse.services.sso import CHOOSE_UNIT
from reuse.services.users import MAX_PASSWORD_LENGTH, PASSWORD_LABEL
from reuse.web.fields import EMAIL_LABEL

NO_EMAIL = _l("Skriv inn e-postadressen din.")


class LoginForm(FlaskForm):
    email = EmailField(EMAIL_LABEL, validators=[DataRequired(NO_EMAIL), Length(max=MAX_EMAIL)])
    password = PasswordField(PASSWORD_LABEL, validators=[
        DataRequired(_l("Skriv inn passordet ditt.")), Length(max=MAX_PASSWORD_LENGTH)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(EMAIL_LABEL, validators=[DataRequired(NO_EMAIL), Length(max=MAX_EMAIL)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("Nytt passord"), validators=[
        DataRequired(_l("Skriv inn et nytt passord.")), Length(max=MAX_PASSWORD_LENGTH)],
        description=_l("Minst 10 tegn. En setning av flere ord er lett å huske og vanskelig å "
                       "gjette."))
    confirm = PasswordField(_l("Gjenta passordet"), validators=[
        DataRequired(_l("Skriv passordet en gang til.")),
        EqualTo("password", _l("Passordene er ikke like."))])
    revoke_everywhere = BooleanField(
        _l("Logg ut overalt og trekk tilbake API-nøkler"),
        description=_l("Du blir logget ut på alle enheter uansett. Kryss av hvis noen andre kan "
                       "ha brukt kontoen din: da slutter også API-nøklene dine å virke."))


class ChooseUnitForm(FlaskForm):
    # Any open unit may be chosen, not only those the current search shows: the service
    # checks the choice (sso.open_unit), the list is only what the page offers.
    unit = RadioField(_l("Enheten din"), coerce=int, validate_choice=False,
                      validators=[DataRequired(CHOOSE_UNIT)])


class LoginLinkRequestForm(FlaskForm):
    email = EmailField(EMAIL_LABEL, validators=[DataRequired(NO_EMAIL), Length(max=MAX_EMAIL)])


class LoginLinkForm(FlaskForm):
    """Only the CSRF token: the button that uses a sign-in link up."""


class PartnerPasswordForm(FlaskForm):
    # Asked only when the account already has a password (partners.set_own_password).
    current_password = PasswordField(_l("Nåværende passord"), validators=[
        Optional(), Length(max=MAX_PASSWORD_LENGTH)])
    password = ResetPasswordForm.password
    confirm = ResetPasswordForm.confirm
