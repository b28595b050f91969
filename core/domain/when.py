"""When an event happened: a timezone-aware moment, or a date alone.

People often remember only the day of a phone call, so an event's time may be a bare date.
It is kept as the user gave it (ISO 8601 text with its UTC offset) plus a sort key so that
SQL can order a timeline without parsing.

The order is the one a reader of the story expects: by the calendar day where the event
happened (its own offset), then by the time of day there. Sorting by UTC instead would put a
call made at 19:00 in California after a charge dated the next day, reversing the facts. A
date alone sorts as that local day, before the timed events of the same day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from core.domain.errors import ValidationError
from core.i18n import _

# Years a record of a dispute can fall in: wide enough for any real one, narrow enough that a
# UTC offset can never push a moment outside what Python's dates hold.
MIN_YEAR, MAX_YEAR = 1900, 2200


def check_day(day: date, where: str = "at") -> date:
    """Return ``day`` if its year is within 1900-2200, else raise :class:`ValidationError`."""
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValidationError(where, _("expected a date between {min_year} and {max_year}, got {day}").format(min_year=MIN_YEAR, max_year=MAX_YEAR, day=day.isoformat()))
    return day


@dataclass(frozen=True, slots=True)
class When:
    """A point on a timeline: ``moment`` is set unless only ``day`` is known."""

    day: date
    moment: datetime | None = None

    @classmethod
    def parse(cls, text: str, where: str = "at") -> When:
        """Parse ``YYYY-MM-DD`` or an ISO 8601 date-time with a UTC offset."""
        if not isinstance(text, str) or not text.strip():
            raise ValidationError(where, _("expected a date or date-time, got nothing"))
        raw = text.strip()
        if len(raw) == 10:
            try:
                return cls(check_day(date.fromisoformat(raw), where))
            except ValueError:
                raise ValidationError(where, _("expected a date as YYYY-MM-DD, got {raw!r}").format(raw=raw)) from None
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(
                where, _("expected an ISO 8601 date-time such as 2024-03-01T14:30:00+01:00, got {raw!r}").format(raw=raw)
            ) from None
        if moment.tzinfo is None:
            raise ValidationError(where, _("date-time {raw!r} has no UTC offset (add e.g. +01:00 or Z)").format(raw=raw))
        return cls(check_day(moment.date(), where), moment)

    @classmethod
    def of(cls, value: When | datetime | date | str, where: str = "at") -> When:
        """Accept any of the forms callers naturally have."""
        if isinstance(value, When):
            return value
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValidationError(where, _("a date-time needs a time zone"))
            return cls(check_day(value.date(), where), value)
        if isinstance(value, date):
            return cls(check_day(value, where))
        return cls.parse(value, where)

    def iso(self) -> str:
        """The text kept in the store, exactly as it round-trips through case files."""
        return self.moment.isoformat() if self.moment else self.day.isoformat()

    def sort_key(self) -> str:
        """19 characters that order events by local day, then local time.

        A timed event gives its wall-clock time where it happened (``2026-10-17T19:00:00``);
        a bare date gives ``2026-10-17 00:00:00``: the space sorts before ``T``, so the date
        comes before every timed event of that day and after every event of the day before,
        and SQLite's date functions still read it.
        """
        if self.moment is None:
            return f"{self.day.isoformat()} 00:00:00"
        return self.moment.strftime("%Y-%m-%dT%H:%M:%S")

    @property
    def has_time(self) -> bool:
        return self.moment is not None
