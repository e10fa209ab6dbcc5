from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length, NumberRange, Optional

from reuse.i18n import category_name
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.services import categories, items, numbers, units
from reuse.services.items import MAX_QUERY
from reuse.templating import CONDITION_LABELS
from reuse.web.fields import PAGE_LABEL, SEARCH_LABEL, LongSelect, WholeNumberField


class BrowseForm(FlaskForm):
    """The search and filter form; read from the query string, so no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField(SEARCH_LABEL, validators=[Optional(), Length(max=MAX_QUERY)])
    category = SelectField(categories.LABEL, validators=[Optional()], widget=LongSelect())
    condition = SelectField(items.CONDITION_LABEL, validators=[Optional()], widget=LongSelect())
    unit = SelectField(units.LABEL, validators=[Optional()], widget=LongSelect())
    location = SearchField(_l("Sted"), validators=[Optional(), Length(max=MAX_QUERY)])
    # Chosen with the links above the results; a new search keeps it.
    sort = HiddenField(validators=[Optional(), AnyOf(items.SORTS)])
    page = WholeNumberField(PAGE_LABEL, default=1, validators=[Optional(), NumberRange(min=1)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        indent = "\u00a0\u00a0"
        # Retired categories are not offered; one asked for by a link still filters.
        self.category.choices = [SelectChoice("", str(categories.ALL))] + [
            SelectChoice(c.slug, indent * depth + category_name(c))
            for c, depth in categories.offered_tree(keep=self.category.data or None)
        ]
        self.condition.choices = [SelectChoice("", _("Alle"))] + [
            SelectChoice(value.value, label) for value, label in CONDITION_LABELS.items()
        ]
        self.unit.choices = [SelectChoice("", _("Alle enheter"))] + [
            SelectChoice(str(unit_id), indent * depth + name)
            for unit_id, name, depth in units.filter_options(
                numbers.id_or_none(self.unit.data), getattr(current_user, "unit_id", None))
        ]
