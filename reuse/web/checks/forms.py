from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from reuse.i18n import category_name
from reuse.i18n import lazy_gettext as _l
from reuse.models.catalog import MAX_ITEM_QUANTITY, Category
from reuse.models.checks import MAX_PURCHASE_REFERENCE, MAX_SUBMISSION_KEY
from reuse.services import categories, checks, quantities
from reuse.services.checks import MAX_NEED, MAX_REASON_TEXT, REASON_LABELS
from reuse.web.fields import LongSelect, MultiLine, SingleLine, WholeNumberField

# A submission key leaves room for the item's id the service puts before it.
SUBMISSION_LENGTH = MAX_SUBMISSION_KEY - 21


def category_choices(empty_label: str, keep: str | None = None) -> list[SelectChoice]:
    """The categories in use, by slug, named in the reader's language; `keep` (the slug
    chosen already) is offered even if retired, and the service then says why it is refused."""
    indent = "\u00a0\u00a0"
    return [SelectChoice("", empty_label)] + [
        SelectChoice(c.slug, indent * depth + category_name(c))
        for c, depth in categories.offered_tree(keep=keep or None)]


def chosen_category(field: SelectField) -> Category | None:
    """The category picked in a select of category_choices; None for the empty choice."""
    return categories.get_by_slug(field.data) if field.data else None


class CheckForm(FlaskForm):
    need = StringField(checks.NEED_LABEL, validators=[
        DataRequired(checks.NO_NEED), SingleLine(), Length(max=MAX_NEED)],
        description=_l("Med vanlige ord, for eksempel «8 kontorstoler» eller "
                       "«hev-senk-skrivebord»."))
    category = SelectField(categories.LABEL, validators=[Optional()], widget=LongSelect())
    quantity = WholeNumberField(quantities.LABEL, validators=[
        Optional(), NumberRange(1, MAX_ITEM_QUANTITY, quantities.TOO_FEW)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = category_choices(str(categories.ALL), self.category.data)

    def details(self) -> dict:
        """The need as the check services take it (checks.search, create_check, refine)."""
        return {"need": self.need.data, "category": chosen_category(self.category),
                "quantity": self.quantity.data}

    def query_args(self) -> dict:
        """The need as /checks/new's query string: searching again shows the same matches."""
        return {name: value for name, value in (
            ("need", self.need.data), ("category", self.category.data),
            ("quantity", self.quantity.data)) if value}


class DropForm(FlaskForm):
    reason = TextAreaField(checks.DROP_REASON_LABEL,
                           validators=[Optional(), MultiLine(), Length(max=MAX_REASON_TEXT)],
                           description=_l("For eksempel at innkjøpet ble avlyst."),
                           id="drop-reason")  # the receipt's bought-new form has a "reason"


class ClaimMatchForm(FlaskForm):
    quantity = WholeNumberField(quantities.LABEL, default=1, validators=[
        InputRequired(quantities.MISSING),
        NumberRange(1, MAX_ITEM_QUANTITY, quantities.TOO_FEW)])
    # The search page's key for this page: the same form sent twice claims once.
    submission = HiddenField(validators=[Optional(), Length(max=SUBMISSION_LENGTH)])


class BoughtNewForm(FlaskForm):
    reason = RadioField(_l("Hvorfor kjøper dere nytt?"), validators=[
        InputRequired(checks.NO_REASON)],
        choices=[SelectChoice(code.value, label) for code, label in REASON_LABELS.items()])
    reason_text = TextAreaField(checks.REASON_TEXT_LABEL,
                                validators=[Optional(), MultiLine(),
                                            Length(max=MAX_REASON_TEXT)],
                                description=_l("Må fylles ut ved «Annen grunn»."))
    purchase_reference = StringField(checks.PURCHASE_REFERENCE_LABEL,
                                     validators=[Optional(), SingleLine(),
                                                 Length(max=MAX_PURCHASE_REFERENCE)],
                                     description=_l("Fra innkjøpssystemet, hvis dere har det."))
