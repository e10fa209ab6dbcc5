from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField, SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from reuse.i18n import category_name
from reuse.i18n import lazy_gettext as _l
from reuse.services import categories
from reuse.services.items import MAX_QUERY
from reuse.web.fields import PAGE_LABEL, SEARCH_LABEL, LongSelect, WholeNumberField


class PartnerBrowseForm(FlaskForm):
    """Search and category filter over what is offered; read from the query string."""

    class Meta:
        csrf = False

    q = SearchField(SEARCH_LABEL, validators=[Optional(), Length(max=MAX_QUERY)])
    category = SelectField(categories.LABEL, validators=[Optional()], widget=LongSelect())
    page = WholeNumberField(PAGE_LABEL, default=1, validators=[Optional(), NumberRange(min=1)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        indent = "\u00a0\u00a0"
        self.category.choices = [SelectChoice("", str(categories.ALL))] + [
            SelectChoice(c.slug, indent * depth + category_name(c))
            for c, depth in categories.offered_tree(keep=self.category.data or None)
        ]


class SubscriptionForm(FlaskForm):
    categories = SelectMultipleField(
        _l("Kategorier"), coerce=int,
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput())

    def __init__(self, *args, chosen: set[int] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        # Retired categories only while chosen, so they can be let go.
        self.tree = [(c, depth) for c, depth in categories.tree()
                     if c.retired_at is None or c.id in chosen]
        self.categories.choices = [(c.id, category_name(c)) for c, _ in self.tree]


class CollectForm(FlaskForm):
    """Confirming collection: nothing to answer (a partner's hand-over avoids no purchase of
    the municipality)."""


class CancelForm(FlaskForm):
    """Withdrawing the organisation's request."""
