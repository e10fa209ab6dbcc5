from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from reuse.i18n import lazy_gettext as _l
from reuse.models.catalog import MAX_ITEM_QUANTITY
from reuse.services import categories, quantities, wanted
from reuse.web.checks.forms import category_choices
from reuse.web.fields import LongSelect, SingleLine, WholeNumberField


class WantedForm(FlaskForm):
    words = StringField(wanted.WORDS_LABEL,
                        validators=[Optional(), SingleLine(),
                                    Length(max=wanted.MAX_WORDS_LENGTH)],
                        description=_l("Alle ordene må passe, for eksempel "
                                       "«hev-senk skrivebord»."))
    category = SelectField(categories.LABEL, validators=[Optional()], widget=LongSelect(),
                           description=_l("Uten søkeord må det være en underkategori, for "
                                          "eksempel «Kjøleskap», ikke hele «Kjøkkenutstyr»."))
    quantity = WholeNumberField(quantities.LABEL, validators=[
        Optional(), NumberRange(1, MAX_ITEM_QUANTITY, quantities.TOO_FEW)])
    until = DateField(_l("Gjelder til"), validators=[Optional()],
                      description=_l("Standard er %(days)s dager fra i dag.",
                                     days=wanted.DEFAULT_DAYS))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = category_choices(str(categories.ALL), self.category.data)
