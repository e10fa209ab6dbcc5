"""Form fields that read numbers the way Norwegians write them, and a select for long lists.

Every number a form reads goes through reuse.services.numbers: judged by its length or
exponent before it is converted, so a number no column can hold is a form error, never an
overflow in SQL or a 500 (sNaN, NaN and infinities cannot even be compared).
"""

from __future__ import annotations

from decimal import Decimal

from markupsafe import Markup, escape
from wtforms import DecimalField, IntegerField, ValidationError
from wtforms.widgets import Select, TextInput

from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.services import characters, numbers

# Labels that several forms share: one word, one translation.
EMAIL_LABEL = _l("E-post")
SEARCH_LABEL = _l("Søk")
PAGE_LABEL = _l("Side")


class SingleLine:
    """A validator: the field holds none of the characters reuse.services.characters
    refuses in one-line text; the same rule the API and the services apply."""

    multiline = False

    def __call__(self, form, field):
        found = characters.first_refused(field.data or "", multiline=self.multiline)
        if found is not None:
            raise ValidationError(characters.message(str(field.label.text), *found))


class MultiLine(SingleLine):
    """As SingleLine, but line breaks are welcome (descriptions, notes, messages)."""

    multiline = True


def out_of_range_message() -> str:
    return _("Tallet er utenfor det som kan lagres. Sjekk tallet.")


def whole_number(value) -> int | None:
    """A select's coerce for ids: None for the empty choice, else digits that fit a column.

    ValueError (a form error) for anything else, OutOfRange before int() reads 10^20.
    """
    if value in (None, ""):
        return None
    if isinstance(value, int):
        return value
    return numbers.parse_int(value)


class WholeNumberField(IntegerField):
    """WTForms' IntegerField, refusing numbers beyond the database's integers as a form
    error (int() would read them, and SQL would overflow on them)."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = numbers.parse_int(str(valuelist[0]))
        except numbers.OutOfRange:
            self.data = None
            raise ValueError(out_of_range_message()) from None
        except ValueError:
            self.data = None
            raise ValueError(self.invalid_value_message or _("Skriv et helt tall.")) from None


class LongSelect(Select):
    """WTForms' select, with each plain option written in one step.

    The unit lists have a thousand options or more; WTForms' general option rendering was
    most of the time a search page took to render. The HTML is the same as WTForms writes.
    """

    @classmethod
    def render_option(cls, choice, **kwargs):
        if choice.render_kw or kwargs or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        # Value and label go through escape() (markupsafe's C routine) before the f-string, so
        # it is safe; Markup.format goes through string.Formatter, three times slower.
        selected = " selected" if choice.selected else ""
        value, label = escape(choice.value), escape(choice.label or choice.value)
        return Markup(f'<option{selected} value="{value}">{label}</option>')  # nosec B704


class NorwegianDecimalField(DecimalField):
    """Accepts "1 234,50" as well as "1234.50", and shows "1234,5" back.

    A text input with a decimal keyboard rather than type=number, which refuses the comma
    in browsers set to English.
    """

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "decimal")
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [value.replace("\u00a0", "").replace(" ", "").replace(",", ".")
                         for value in valuelist]
        super().process_formdata(valuelist)
        if not valuelist or not isinstance(self.data, Decimal):
            return
        try:
            numbers.figure(self.data)
        except numbers.OutOfRange:
            self.data = None
            raise ValueError(out_of_range_message()) from None
        except ValueError:  # NaN, sNaN, Infinity: Decimal reads them, no validator can
            self.data = None
            raise ValueError(_("Skriv et tall, for eksempel 1234,50.")) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, Decimal):
            text = format(self.data.normalize(), "f") if self.data else "0"
            return text.replace(".", ",")
        return "" if self.data is None else str(self.data)
