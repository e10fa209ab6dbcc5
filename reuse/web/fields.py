"""Form fields that read numbers the way Norwegians write them, and a select for long lists."""

from __future__ import annotations

from decimal import Decimal

from markupsafe import Markup, escape
from wtforms import DecimalField
from wtforms.widgets import Select, TextInput


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

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if isinstance(self.data, Decimal):
            text = format(self.data.normalize(), "f") if self.data else "0"
            return text.replace(".", ",")
        return "" if self.data is None else str(self.data)
