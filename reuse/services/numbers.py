"""Numbers from outside, judged by their size before they are converted, computed or stored.

Every id and count column is a 32-bit integer (PostgreSQL `integer`), and no figure column
holds more than 14 digits (`Numeric(14, 3)` at most). A number outside those can never name a
row or fit a column, and converting one can cost more than the whole request should:
`int(Decimal("1e999999999"))` builds a billion-digit number (31 s of a worker), and
`Decimal.quantize` of 1e30 raises. So a number's exponent and length decide first, and only a
number that fits is converted.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

MAX_INT = 2**31 - 1
MIN_INT = -(2**31)
# 10: a whole number written with more digits than this is beyond MAX_INT.
_INT_DIGITS = len(str(MAX_INT))
# 10^15: above every figure column (Numeric(14, 2) holds less than 10^12).
MAX_FIGURE_DIGITS = 15


class OutOfRange(ValueError):
    """The number is too large (or too small) for any column, whatever its field."""


def fits_int(value: int) -> bool:
    return MIN_INT <= value <= MAX_INT


def whole_number(value: Decimal) -> int | None:
    """The int a Decimal stands for, or None if it has a fraction or is not finite.

    Raises OutOfRange, from the exponent alone, for numbers beyond the database's integers.
    """
    if not value.is_finite():
        return None
    if value.is_zero():
        return 0
    if value.adjusted() >= _INT_DIGITS:  # the power of ten of its first digit
        raise OutOfRange(value)
    if value != value.to_integral_value():
        return None
    number = int(value)
    if not fits_int(number):
        raise OutOfRange(value)
    return number


def parse_int(text: str) -> int:
    """A whole number written in decimal digits, as in a query string or a form.

    Raises ValueError for anything else, OutOfRange (a ValueError) beyond the database's
    integers, judged from the number of digits before int() reads them.
    """
    text = text.strip()
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError(text)
    if len(digits.lstrip("0")) > _INT_DIGITS:
        raise OutOfRange(text)
    number = int(text)
    if not fits_int(number):
        raise OutOfRange(text)
    return number


def id_or_none(text: str | None) -> int | None:
    """The record id a query string names, or None when it could name none (empty, not a
    whole number, or beyond the database's integers): such a choice is then refused as an
    unknown one, never read as a number."""
    try:
        number = parse_int(text or "")
    except ValueError:
        return None
    return number if number > 0 else None


def figure(value: Decimal) -> Decimal:
    """A finite decimal small enough for the figure columns, for validators to compare.

    Raises ValueError for NaN, sNaN and infinities (which cannot be compared or stored), and
    OutOfRange, from the exponent alone, for numbers of 10^15 and more.
    """
    if not value.is_finite():
        raise ValueError(value)
    if not value.is_zero() and value.adjusted() >= MAX_FIGURE_DIGITS:
        raise OutOfRange(value)
    return value


def json_decimal(text: str) -> Decimal:
    """A JSON number with a fraction or exponent, read exactly (never through a float).

    An exponent beyond what Decimal can represent is a ValueError, not an arithmetic error.
    """
    try:
        return Decimal(text)
    except InvalidOperation:
        raise OutOfRange(f"the number {text[:40]} is out of range") from None
