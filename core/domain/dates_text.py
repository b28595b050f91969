"""Dates inside sentences, written as the current language writes them.

English keeps Docket's own short forms ("14 Jan", "14 Jan 2027", "15 November 2026"), so
English output does not move. French, German and Spanish come from Babel's CLDR data
("14 janv.", "14. Jan. 2027", "15 de noviembre de 2026"): month names and the order of day,
month and year are the language's, not ours to guess. The pseudo-locale keeps English dates
(it tests the catalog, not the calendar).
"""

from __future__ import annotations

from datetime import date

from core.i18n import PSEUDO, SOURCE_LANGUAGE, current_language

_SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LONG_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


def _babel_language() -> str | None:
    """The language Babel should write dates in, or None for Docket's English forms."""
    language = current_language()
    if language in (SOURCE_LANGUAGE, PSEUDO):
        return None
    return language


def short_date(day: date, today: date | None = None) -> str:
    """``14 Jan`` (with the year when it is not ``today``'s year, or always when ``today`` is
    None): the compact date of the due list and the next-step sentences."""
    with_year = today is None or day.year != today.year
    language = _babel_language()
    if language is None:
        text = f"{day.day} {_SHORT_MONTHS[day.month - 1]}"
        return f"{text} {day.year}" if with_year else text
    from babel.dates import format_skeleton

    return format_skeleton("yMMMd" if with_year else "MMMd", day, locale=language)


def long_date(day: date) -> str:
    """``15 November 2026`` / ``15 novembre 2026`` / ``15. November 2026`` /
    ``15 de noviembre de 2026``: a date written out in full in a sentence."""
    language = _babel_language()
    if language is None:
        return f"{day.day} {_LONG_MONTHS[day.month - 1]} {day.year}"
    from babel.dates import format_date

    return format_date(day, "long", locale=language)


def month_year(day: date) -> str:
    """``November 2026`` / ``novembre 2026``: a heading for a month."""
    language = _babel_language()
    if language is None:
        return f"{_LONG_MONTHS[day.month - 1]} {day.year}"
    from babel.dates import format_skeleton

    return format_skeleton("yMMMM", day, locale=language)


__all__ = ["long_date", "month_year", "short_date"]
