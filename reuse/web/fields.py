"""Form fields that read numbers the way Norwegians write them."""

from __future__ import annotations

from decimal import Decimal

from wtforms import DecimalField
from wtforms.widgets import TextInput


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
