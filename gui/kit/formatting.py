"""Dates, times and money as the user's locale writes them: one place for every panel.

Qt's C locale (a system with no locale set) writes short dates as "20 11 2026", which reads
like a sum; there the month is spelled instead.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QLocale

from core.domain.money import Money


def _c_locale(locale: QLocale) -> bool:
    return locale.language() == QLocale.Language.C


def format_date(value: date | None) -> str:
    """A date in the user's locale, short form; empty for no date."""
    if value is None:
        return ""
    locale = QLocale()
    day = QDate(value.year, value.month, value.day)
    if _c_locale(locale):
        return locale.toString(day, "d MMM yyyy")
    return locale.toString(day, QLocale.FormatType.ShortFormat)


def format_datetime(moment: QDateTime) -> str:
    """A date and time in the user's locale, short form."""
    locale = QLocale()
    if _c_locale(locale):
        return locale.toString(moment, "d MMM yyyy HH:mm")
    return locale.toString(moment, QLocale.FormatType.ShortFormat)


def format_money(amount: Decimal | Any | None, currency: str, *, empty: str = "") -> str:
    """An amount with its currency in the user's locale (display only: the store keeps Decimal).

    The locale's own symbol is used for its own currency (£ in the UK); any other currency is
    shown by its code, so EUR and USD are never mistaken for one another. Decimals follow the
    currency (none for JPY, three for KWD).
    """
    if amount is None:
        return empty
    locale = QLocale()
    exact = Money(Decimal(amount), currency).quantized()
    places = max(0, -int(exact.as_tuple().exponent))
    if not _c_locale(locale) and locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencyIsoCode) == currency:
        return locale.toCurrencyString(float(exact), locale.currencySymbol(), places)
    number = locale.toString(float(exact), "f", places)
    # The code goes where this locale puts its own symbol ("EUR 129.00", "129,00 GBP"), so one
    # column never mixes both orders.
    if not _c_locale(locale) and not locale.toCurrencyString(1.0, "XXX").lstrip("-").startswith("XXX"):
        return f"{number}\u00a0{currency}"
    return f"{currency}\u00a0{number}"


def date_display_format() -> str:
    """The display format for date fields in forms, matching :func:`format_date`."""
    locale = QLocale()
    return "d MMM yyyy" if _c_locale(locale) else locale.dateFormat(QLocale.FormatType.ShortFormat)


def datetime_display_format() -> str:
    """The display format for date-and-time fields in forms, matching :func:`format_datetime`."""
    locale = QLocale()
    if _c_locale(locale):
        return "d MMM yyyy HH:mm"
    return locale.dateTimeFormat(QLocale.FormatType.ShortFormat)


def count_text(singular: str, plural: str, n: int) -> str:
    """A count with its noun in the catalog's plural form for ``n``, the number written the
    locale's way: ``count_text("%n event", "%n events", n)`` (mark both with ``N_`` nowhere:
    the catalog extracts this call's first two arguments)."""
    from core.i18n import ngettext

    return ngettext(singular, plural, n).replace("%n", QLocale().toString(n))
