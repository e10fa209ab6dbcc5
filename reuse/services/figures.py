"""The figures that value a piece: its new price, its weight and the emissions of making it.

A lister's own figures for an item and the sustainability lead's factors for a category follow
the same rule, checked here once: not negative, not unreasonably high, and no more decimals
than the column keeps. Forms and the OpenAPI document read the same limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import LazyString

from reuse.i18n import lazy_gettext as _l
from reuse.services.errors import InvalidInput


@dataclass(frozen=True)
class Figure:
    """One kind of figure, its limits, and what is said when a value breaks them."""

    name: str
    maximum: Decimal
    places: int
    negative: LazyString
    too_high: LazyString
    too_precise: LazyString
    label: LazyString  # per piece, as the listing and factor forms name it

    def check(self, value: Decimal | None, *, field: str | None = None) -> Decimal | None:
        """The value if it is acceptable (None: not given); InvalidInput on `field` if not."""
        if value is None:
            return None
        field = field or self.name
        if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
            raise InvalidInput(str(self.negative), field=field)
        if value > self.maximum:
            raise InvalidInput(str(self.too_high), field=field)
        if value != value.quantize(Decimal(1).scaleb(-self.places)):
            raise InvalidInput(str(self.too_precise), field=field)
        return value


PRICE = Figure(
    "new_price_nok", Decimal("100000000"), 2,
    negative=_l("Nypris kan ikke være negativ."),
    too_high=_l("Nypris er urimelig høy. Sjekk tallet."),
    too_precise=_l("Nypris kan ha høyst %(places)s desimaler.", places=2),
    label=_l("Nypris per stykk (kr)"))
WEIGHT = Figure(
    "weight_kg", Decimal("100000"), 3,
    negative=_l("Vekt kan ikke være negativ."),
    too_high=_l("Vekt er urimelig høy. Sjekk tallet."),
    too_precise=_l("Vekt kan ha høyst %(places)s desimaler.", places=3),
    label=_l("Vekt per stykk (kg)"))
CO2E = Figure(
    "co2e_kg", Decimal("100000"), 3,
    negative=_l("Utslipp kan ikke være negativt."),
    too_high=_l("Utslipp ved ny produksjon er urimelig høyt. Sjekk tallet."),
    too_precise=_l("Utslipp ved ny produksjon kan ha høyst %(places)s desimaler.", places=3),
    label=_l("Utslipp ved produksjon av en ny (kg CO2e per stykk)"))

