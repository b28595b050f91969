"""Dates and money read the way the user's locale writes them, everywhere in the window."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import QLocale

from gui.kit.formatting import format_date, format_money


@pytest.fixture
def locale_of():
    previous = QLocale()

    def use(locale: QLocale) -> None:
        QLocale.setDefault(locale)

    yield use
    QLocale.setDefault(previous)


def test_without_a_system_locale_the_month_is_spelled_not_a_row_of_numbers(locale_of) -> None:
    locale_of(QLocale.c())
    assert format_date(date(2026, 11, 20)) == "20 Nov 2026"


def test_a_british_user_sees_day_month_year_and_pounds_with_the_symbol(locale_of) -> None:
    locale_of(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    assert format_date(date(2026, 11, 20)) == "20/11/2026"
    assert format_money(Decimal("245.00"), "GBP") == "£245.00"
    # Another currency keeps its code, so euros are never mistaken for pounds.
    assert format_money(Decimal("129"), "EUR") == "EUR\u00a0129.00"


def test_each_currency_keeps_its_own_decimals_and_unknown_amounts_show_a_dash(locale_of) -> None:
    locale_of(QLocale.c())
    assert format_money(Decimal("1500"), "JPY") == "JPY\u00a01500"
    assert format_money(Decimal("1.5"), "KWD") == "KWD\u00a01.500"
    assert format_money(None, "GBP", empty="—") == "—"


def test_a_french_user_sees_every_amount_in_the_same_order(locale_of) -> None:
    locale_of(QLocale(QLocale.Language.French, QLocale.Country.France))
    euros, pounds = format_money(Decimal("289"), "EUR"), format_money(Decimal("245"), "GBP")
    assert euros.startswith("289,00") and euros.endswith("€")
    assert pounds == "245,00\u00a0GBP"  # not "GBP 245,00" beside "289,00 €"


def test_form_fields_show_dates_as_the_lists_do(locale_of) -> None:
    from gui.kit.formatting import date_display_format, datetime_display_format

    locale_of(QLocale.c())
    assert date_display_format() == "d MMM yyyy"
    assert datetime_display_format() == "d MMM yyyy HH:mm"  # never "1 12 2026 17:10"
