"""Bokmål by default, English on request, remembered per user; numbers follow the language."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask_babel import force_locale
from hypothesis import given, settings
from hypothesis import strategies as st

from reuse.i18n import format_nok, format_number, format_percent
from reuse.models import GoalMetric
from reuse.templating import format_co2e, format_goal_value


def test_bokmaal_is_the_default_and_html_lang_says_so(client, people, log_in):
    log_in(people.member)
    assert '<html lang="nb"' in client.get("/").get_data(as_text=True)


def test_browser_language_is_followed_before_login(client, db):
    html = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(
        as_text=True)
    assert '<html lang="en"' in html


def test_the_choice_is_remembered_on_the_account(client, app, people, log_in, db):
    log_in(people.member)
    response = client.submit("/language", {"locale": "en", "next": "/claims"})
    assert response.headers["Location"] == "/claims"
    db.session.refresh(people.member)
    assert people.member.locale == "en"
    other_browser = app.test_client()
    other_browser.submit("/login", {"email": people.member.email,
                                    "password": "riktig-hest-batteri-stift"})
    assert '<html lang="en"' in other_browser.get("/").get_data(as_text=True)


def test_unknown_language_changes_nothing(client, people, log_in, db):
    log_in(people.member)
    client.submit("/language", {"locale": "xx"})
    db.session.refresh(people.member)
    assert people.member.locale is None


def test_kroner_and_numbers_are_written_the_local_way(app):
    with app.test_request_context():
        with force_locale("nb"):
            assert format_nok(Decimal("1234.5")) == "1\u00a0234,50\u00a0kr"
            assert format_nok(Decimal("4500.00")) == "4\u00a0500\u00a0kr"
            assert format_number(Decimal("52.5")) == "53"
        with force_locale("en"):
            assert format_nok(Decimal("1234.5")) == "NOK\u00a01,234.50"
            assert format_number(Decimal("1234.25"), 1) == "1,234.3"


def test_a_number_that_is_not_one_is_shown_as_missing_not_an_error(app):
    with app.test_request_context():
        for value in (Decimal("NaN"), float("nan"), Decimal("Infinity"), float("-inf")):
            assert format_number(value, 1) == "–"
            assert format_nok(value) == "–"


def test_large_emissions_are_written_in_tonnes(app):
    with app.test_request_context():
        with force_locale("nb"):
            assert format_co2e(Decimal("360.000")) == "360\u00a0kg"
            assert format_co2e(Decimal("144"), 1) == "144,0\u00a0kg"
            assert format_co2e(Decimal("9999.5")) == "9\u00a0999,5\u00a0kg"
            assert format_co2e(Decimal("12345.678")) == "12,3\u00a0tonn"
            assert format_co2e(Decimal("-12345.678")) == "-12,3\u00a0tonn"
        with force_locale("en"):
            assert format_co2e(Decimal("12345.678")) == "12.3\u00a0tonnes"


def test_percentages_are_written_one_way_in_each_language(app):
    """Babel's percent format for the language; a decimal only where it says something."""
    with app.test_request_context():
        with force_locale("nb"):
            assert format_percent(Decimal("40.00")) == "40\u00a0%"
            assert format_percent(Decimal("66.6667")) == "66,7\u00a0%"
            assert format_percent(Decimal("52.5"), 0) == "53\u00a0%"
            assert format_percent(Decimal("1234.5")) == "1\u00a0234,5\u00a0%"
            assert format_goal_value(GoalMetric.REUSE_CHECK_SHARE, Decimal("42")) == "42\u00a0%"
        with force_locale("en"):
            assert format_percent(Decimal("40.00")) == "40%"
            assert format_percent(Decimal("66.6667")) == "66.7%"
            assert format_percent(Decimal("99.96")) == "100%"
            assert format_goal_value(GoalMetric.REUSE_CHECK_SHARE, Decimal("42")) == "42%"


def test_a_message_in_another_language_inside_a_request_is_written_in_that_language(app):
    """The catalogue is kept for the request's language; an e-mail written inside the request
    in its recipient's language (force_locale) must not get the request's catalogue, nor the
    page after it the e-mail's."""
    from flask import render_template_string

    from reuse.i18n import gettext, ngettext

    page = "{{ _('Logg ut') }} · {{ ngettext('%(num)s ulest', '%(num)s uleste', 2) }}"
    with app.test_request_context("/", headers={"Accept-Language": "nb"}):
        assert gettext("Logg ut") == "Logg ut"
        assert render_template_string(page) == "Logg ut · 2 uleste"
        with force_locale("en_GB"):
            assert gettext("Logg ut") == "Sign out"
            assert ngettext("%(num)s ulest", "%(num)s uleste", 1) == "1 unread"
            assert render_template_string(page) == "Sign out · 2 unread"
        assert gettext("Logg ut") == "Logg ut"
        assert render_template_string(page) == "Logg ut · 2 uleste"


@given(value=st.decimals(min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=4,
                         allow_nan=False, allow_infinity=False),
       decimals=st.integers(min_value=0, max_value=3))
@settings(max_examples=400, deadline=None)
def test_numbers_are_written_as_babel_writes_them_in_both_languages(app, value, decimals):
    """format_number groups and signs numbers itself (Babel's own formatting was most of a
    year report's time); Babel, given the same rounded number, is the reference."""
    from babel.numbers import format_decimal

    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    with app.test_request_context():
        for locale in ("nb_NO", "en_GB"):
            with force_locale(locale):
                expected = format_decimal(rounded, format=pattern, locale=locale)
                if rounded == 0:  # Babel keeps the sign of a negative zero ("-0"); we do not
                    expected = expected.lstrip("-")
                assert format_number(value, decimals) == expected


@given(value=st.decimals(min_value=Decimal("-1e13"), max_value=Decimal("1e13"), places=3,
                         allow_nan=False, allow_infinity=False))
@settings(max_examples=400, deadline=None)
def test_kroner_are_written_as_babel_writes_them_in_both_languages(app, value):
    """format_nok places the kroner sign itself; Babel's format_currency with the locale's
    pattern (no øre for whole kroner) is the reference."""
    from babel import Locale
    from babel.numbers import format_currency

    with app.test_request_context():
        for name in ("nb_NO", "en_GB"):
            locale = Locale.parse(name)
            pattern = locale.currency_formats["standard"].pattern
            if value == value.to_integral_value():
                pattern = pattern.replace(".00", "")
            expected = format_currency(value, "NOK", format=pattern, locale=locale,
                                       currency_digits=False)
            expected = (expected.replace("NOK", "NOK\u00a0")
                        if expected.startswith(("NOK", "-NOK")) else expected)
            if expected.startswith("-") and not value.quantize(Decimal("0.01")):
                expected = expected[1:]  # Babel signs an amount that rounds to zero; we do not
            with force_locale(name):
                assert format_nok(value) == expected
