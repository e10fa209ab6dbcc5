"""Languages: bokmål by default, English on request, remembered per user.

Source strings are written in bokmål (the product's language), so bokmål needs no
catalogue; reuse/translations/en holds the English one. Numbers, kroner and dates are
formatted by Babel for the active locale: "1 234,50 kr" in bokmål, "NOK 1,234.50" in English.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.numbers import format_percent as babel_format_percent
from babel.numbers import get_currency_symbol, get_decimal_symbol, get_group_symbol
from babel.support import NullTranslations
from flask import Flask, g, has_app_context, has_request_context, request, session
from flask_babel import Babel, LazyString, get_translations
from flask_babel import format_date as babel_format_date
from flask_babel import get_locale as babel_get_locale
from flask_login import current_user

from reuse.clock import OSLO

LANGUAGES = {"nb": "Norsk (bokmål)", "en": "English"}
DEFAULT_LANGUAGE = "nb"
# The regional forms Babel formats with: Norwegian dates, and British rather than US English.
REGIONAL = {"nb": "nb_NO", "en": "en_GB"}

babel = Babel()


def select_locale() -> str:
    """The user's saved choice, else this browser session's, else Accept-Language, else nb.

    Outside a request (commands, jobs) the default language is used; messages to a
    particular person are written inside force_locale(locale_of(person)).
    """
    return REGIONAL[_chosen_language()]


def _chosen_language() -> str:
    if not has_request_context():
        return DEFAULT_LANGUAGE
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES), DEFAULT_LANGUAGE)


def _babel_state():
    """Flask-Babel's per-request state (on `g`): its chosen locale, which force_locale (an
    e-mail in its recipient's language) and refresh() (a language switch) replace."""
    return g.get("_flask_babel") if has_app_context() else None


def get_locale() -> Locale | None:
    """flask_babel.get_locale(), without its three trips through `g` once it is chosen."""
    locale = getattr(_babel_state(), "babel_locale", None)
    return locale if locale is not None else babel_get_locale()


def translations() -> NullTranslations:
    """The active locale's catalogue: flask_babel.get_translations(), found once per locale.

    Flask-Babel looks the catalogue up anew for every string, through `g` four times and the
    locale's name built each time (~25 µs); a page asks for a hundred strings. It is kept
    beside Flask-Babel's locale and used only while that locale object is the active one.
    """
    state = _babel_state()
    kept = getattr(state, "reuse_translations", None)
    if kept is not None and kept[0] is getattr(state, "babel_locale", None):
        return kept[1]
    catalogue = get_translations()
    state = _babel_state()  # Flask-Babel makes its state on first use: read it again
    locale = getattr(state, "babel_locale", None)
    if locale is not None:
        state.reuse_translations = (locale, catalogue)
    return catalogue


def gettext(string: str, **variables) -> str:
    """flask_babel.gettext, with the catalogue found once per request."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """flask_babel.ngettext, with the catalogue found once per request."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """flask_babel.lazy_gettext: translated when used (form labels, module-level texts)."""
    return LazyString(gettext, string, **variables)


def language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE).split("_")[0]


def category_name(category, locale: str | None = None) -> str:
    """A category's name for the reader: English (name_en) in English when it has one, else
    the Norwegian name. `locale` is the recipient's (e-mails), else the active language.

    Every page, message and form that names a category asks this; exports and the API keep
    the Norwegian name in their `category`/`name` fields (a data format, not a page). Report
    rows (reports.breakdowns.TreeRow) carry `name` and `name_en` and are read the same way.
    """
    reader = (locale or language()).split("_")[0]
    english = getattr(category, "name_en", "")
    if reader == "en" and english:
        return english
    return category.name_nb if hasattr(category, "name_nb") else category.name


def format_nok(value: Decimal | int | None) -> str:
    """Kroner as the locale writes them; whole amounts without øre ("4 500 kr", "NOK 4,500").

    As Babel's format_currency writes them with the locale's currency pattern (a test holds
    the two to the same output), at a tenth of its time: a report writes a few hundred."""
    if value is None:
        return "–"
    value = Decimal(value)
    if not value.is_finite():
        return "–"
    places = 0 if value == value.to_integral_value() else 2
    # Half to even, as Babel rounds a currency: 0,005 kr is 0,00 kr.
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    name = str(get_locale())
    prefixes, suffixes = _currency_affixes(name)
    negative = rounded < 0
    text = (prefixes[negative] + f"{abs(rounded):,.{places}f}".translate(_separators(name))
            + suffixes[negative])
    # CLDR puts an ISO code right against the digits in English ("NOK4,500").
    return text.replace("NOK", "NOK\u00a0") if text.startswith(("NOK", "-NOK")) else text


@lru_cache(maxsize=8)
def _currency_affixes(name: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """(positive, negative) prefixes and suffixes of the locale's currency pattern, with the
    locale's sign for kroner in place of ¤."""
    locale = locale_named(name)
    pattern = locale.currency_formats["standard"]
    symbol = get_currency_symbol("NOK", locale)
    return (tuple(part.replace("¤", symbol) for part in pattern.prefix),
            tuple(part.replace("¤", symbol) for part in pattern.suffix))


def format_number(value: Decimal | int | None, decimals: int = 0) -> str:
    """A number grouped by thousands with `decimals` places, in the locale's separators:
    "1 234,5" in bokmål, "1,234.5" in English, as Babel writes them with the pattern
    #,##0.0… (a test holds the two to the same output)."""
    if value is None:
        return "–"
    value = Decimal(value)
    if not value.is_finite():
        return "–"
    # Half up, as people round by hand (Babel would round half to even: 52,5 % → 52 %).
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    # A report writes hundreds of numbers: Python's own grouping of the exact decimal, with
    # the separators swapped for the locale's, is a tenth of Babel's time for each.
    text = f"{abs(rounded):,.{decimals}f}".translate(_separators(str(get_locale())))
    # Babel's patterns write a hyphen-minus in both languages; so does this.
    return "-" + text if rounded < 0 else text


@lru_cache(maxsize=8)
def _separators(name: str) -> dict[int, str]:
    locale = locale_named(name)
    return {ord(","): get_group_symbol(locale), ord("."): get_decimal_symbol(locale)}


@lru_cache(maxsize=8)
def locale_named(name: str) -> Locale:
    """Babel's Locale for a name such as 'nb_NO', parsed once per process."""
    return Locale.parse(name)


def format_percent(value: Decimal | int | float | None, decimals: int = 1) -> str:
    """A share given in percent (0–100), as the locale writes percentages: "42 %" in bokmål,
    "42%" in English. Whole percent unless the decimals say something: "42,5 %", never
    "40,0 %". Every percentage people read goes through here."""
    if value is None:
        return "–"
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    locale = locale_named(str(get_locale()))
    pattern = locale.percent_formats[None].pattern
    if rounded != rounded.to_integral_value():
        places = -rounded.normalize().as_tuple().exponent  # 42.50 → 42.5: one place
        pattern = pattern.replace("0", "0." + "0" * places, 1)
    return babel_format_percent(rounded / 100, format=pattern, locale=locale)


def format_day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(OSLO).date()
    return babel_format_date(value, format="short" if language() == "nb" else "medium")


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Oslo")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES",
                          str(Path(__file__).parent / "translations"))
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel's own callables find the catalogue anew for each string.
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, num: translations().ungettext(singular, plural, num),
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, num: translations().unpgettext(
            context, singular, plural, num),
        newstyle=True)


def locale_of(user) -> str:
    """The locale to write to this person in (e-mails, notifications)."""
    return REGIONAL[user.locale if user.locale in LANGUAGES else DEFAULT_LANGUAGE]
