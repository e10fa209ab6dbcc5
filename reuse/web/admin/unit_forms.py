"""Forms of the unit administration pages."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from reuse.i18n import lazy_gettext as _l
from reuse.services.units import CODE, MAX_CODE, MAX_NAME, NAME_MISSING
from reuse.web.fields import SingleLine

NAME = _l("Navn")
PARENT = _l("Overordnet enhet")
TOP = _l("— Øverst i treet —")


class UnitForm(FlaskForm):
    name = StringField(NAME, validators=[DataRequired(NAME_MISSING), SingleLine(),
                                         Length(max=MAX_NAME)])
    code = StringField(CODE, validators=[Optional(), SingleLine(), Length(max=MAX_CODE)])
    parent = SelectField(PARENT, choices=[], validate_choice=True)


class RenameForm(FlaskForm):
    name = StringField(NAME, validators=[DataRequired(NAME_MISSING), SingleLine(),
                                         Length(max=MAX_NAME)])


class MoveForm(FlaskForm):
    parent = SelectField(_l("Ny overordnet enhet"), choices=[], validate_choice=True)


class MoveItemsForm(FlaskForm):
    target = SelectField(_l("Flytt åpne annonser til"), choices=[], validate_choice=True)


class ConfirmForm(FlaskForm):
    confirm = HiddenField()

    @property
    def confirmed(self) -> bool:
        return self.is_submitted() and self.confirm.data == "yes"


class ImportForm(FlaskForm):
    file = FileField(_l("CSV-fil fra enhetsregisteret"))
    close_missing = BooleanField(_l("Legg ned enheter med kode som ikke står i filen"))
