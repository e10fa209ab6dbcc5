from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-post"), validators=[
        DataRequired(_l("Skriv inn e-postadressen din.")), Length(max=254)])
    password = PasswordField(_l("Passord"), validators=[
        DataRequired(_l("Skriv inn passordet ditt.")), Length(max=1024)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-post"), validators=[
        DataRequired(_l("Skriv inn e-postadressen din.")), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("Nytt passord"), validators=[
        DataRequired(_l("Skriv inn et nytt passord.")), Length(max=1024)],
        description=_l("Minst 10 tegn. En setning av flere ord er lett å huske og vanskelig å "
                       "gjette."))
    confirm = PasswordField(_l("Gjenta passordet"), validators=[
        DataRequired(_l("Skriv passordet en gang til.")),
        EqualTo("password", _l("Passordene er ikke like."))])
    revoke_everywhere = BooleanField(
        _l("Logg ut overalt og trekk tilbake API-nøkler"),
        description=_l("Du blir logget ut på alle enheter uansett. Kryss av hvis noen andre kan "
                       "ha brukt kontoen din: da slutter også API-nøklene dine å virke."))
