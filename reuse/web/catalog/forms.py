from flask_wtf import FlaskForm
from wtforms import IntegerField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from reuse.templating import CONDITION_LABELS
from reuse.services import categories, units


class BrowseForm(FlaskForm):
    """The search and filter form; read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField("Søk", validators=[Optional(), Length(max=200)])
    category = SelectField("Kategori", validators=[Optional()])
    condition = SelectField("Tilstand", validators=[Optional()])
    unit = SelectField("Enhet", validators=[Optional()])
    location = SearchField("Sted", validators=[Optional(), Length(max=200)])
    page = IntegerField("Side", default=1, validators=[Optional(), NumberRange(min=1)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        indent = "\u00a0\u00a0"
        self.category.choices = [SelectChoice("", "Alle kategorier")] + [
            SelectChoice(c.slug, indent * depth + c.name_nb) for c, depth in categories.tree()
        ]
        self.condition.choices = [SelectChoice("", "Alle")] + [
            SelectChoice(value.value, label) for value, label in CONDITION_LABELS.items()
        ]
        self.unit.choices = [SelectChoice("", "Alle enheter")] + [
            SelectChoice(str(unit_id), indent * depth + name)
            for unit_id, name, depth in units.tree_options()
        ]
