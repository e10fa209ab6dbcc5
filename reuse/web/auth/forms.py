from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("E-post", validators=[DataRequired("Skriv inn e-postadressen din."),
                                             Length(max=254)])
    password = PasswordField("Passord", validators=[DataRequired("Skriv inn passordet ditt."),
                                                    Length(max=1024)])
