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
