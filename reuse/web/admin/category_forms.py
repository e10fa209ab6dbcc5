"""Forms of the category administration (reuse.web.admin.categories)."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from reuse.i18n import category_name
from reuse.i18n import lazy_gettext as _l
from reuse.models import Category
from reuse.services import categories
from reuse.services.trees import subtree_id_list
from reuse.web.fields import SingleLine, whole_number


def parent_choices(moving: Category | None = None) -> list[SelectChoice]:
    """The categories in use that may hold a category: for a move, not the category itself
    nor anything under it (the service refuses those too)."""
    excluded = set(subtree_id_list(Category, moving.id)) if moving is not None else set()
    indent = "\u00a0\u00a0"
    return [SelectChoice("", str(categories.TOP_LEVEL))] + [
        SelectChoice(c.id, indent * depth + category_name(c))
        for c, depth in categories.offered_tree() if c.id not in excluded]


class NamesForm(FlaskForm):
    """The names in both languages: the rename form, and the start of a new category."""

    name_nb = StringField(categories.NAME_NB_LABEL, validators=[
        DataRequired(categories.NO_NAME_NB), SingleLine(), Length(max=categories.MAX_NAME)],
        description=_l("Adressen (for eksempel «kontorstol») lages av dette navnet og "
                       "endres ikke senere."))
    name_en = StringField(categories.NAME_EN_LABEL, validators=[
        DataRequired(categories.NO_NAME_EN), SingleLine(), Length(max=categories.MAX_NAME)],
        render_kw={"lang": "en"})


class NewCategoryForm(NamesForm):
    # Every id is accepted here; whether it may hold a category is the service's call.
    parent = SelectField(categories.PARENT_LABEL, coerce=whole_number, validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent.choices = parent_choices()


class RenameForm(NamesForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The slug exists already: the new-category note about it does not apply.
        self.name_nb.description = ""


class MoveForm(FlaskForm):
    parent = SelectField(categories.PARENT_LABEL, coerce=whole_number, validate_choice=False)

    def __init__(self, category: Category, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent.choices = parent_choices(category)


class ConfirmForm(FlaskForm):
    """Only the CSRF token: retiring and restoring."""
