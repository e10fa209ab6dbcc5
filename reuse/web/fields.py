"""Form fields that read numbers the way Norwegians write them."""

from __future__ import annotations

from wtforms import DecimalField


class NorwegianDecimalField(DecimalField):
    """Accepts "1 234,50" as well as "1234.50": comma decimals and spaces between groups."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [value.replace("\u00a0", "").replace(" ", "").replace(",", ".")
                         for value in valuelist]
        super().process_formdata(valuelist)
