"""How many pieces: the one rule for the quantity of an item, a reuse check and a wanted
request, and what a person is told when a number breaks it (forms say the same)."""

from __future__ import annotations

from reuse.i18n import lazy_gettext as _l
from reuse.models.catalog import MAX_ITEM_QUANTITY
from reuse.services.errors import InvalidInput

LABEL = _l("Antall")
MISSING = _l("Oppgi antall.")
TOO_FEW = _l("Antall må være minst 1.")
# Forms' NumberRange fills in %(max)s (and an unused %(min)s) itself.
OUT_OF_RANGE = _l("Antall må være mellom 1 og %(max)s.")


def check(quantity: int, *, field: str = "quantity") -> int:
    """The quantity if it is a whole number from 1 to MAX_ITEM_QUANTITY; InvalidInput if not."""
    if (isinstance(quantity, bool) or not isinstance(quantity, int)
            or not 1 <= quantity <= MAX_ITEM_QUANTITY):
        raise InvalidInput(str(OUT_OF_RANGE % {"max": MAX_ITEM_QUANTITY}), field=field)
    return quantity
