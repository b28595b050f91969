"""What "today" is.

Every date rule asks :func:`today` instead of ``date.today()`` so that ``--today`` (or the
``DOCKET_TODAY`` environment variable) can fix the date, letting tests and users ask "what if".
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from core.domain.errors import ValidationError
from core.i18n import _

_fixed: date | None = None


def set_today(value: date | str | None) -> None:
    """Fix today's date for this process (``None`` returns to the real calendar)."""
    global _fixed
    _fixed = parse_date(value, "--today") if isinstance(value, str) else value


def parse_date(text: str, where: str = "date") -> date:
    """Parse ``YYYY-MM-DD`` or raise a :class:`ValidationError` naming ``where``."""
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise ValidationError(where, _("expected a date as YYYY-MM-DD, got {text!r}").format(text=text)) from None


def today() -> date:
    """Today's date, honouring ``--today`` and ``DOCKET_TODAY``."""
    if _fixed is not None:
        return _fixed
    env = os.environ.get("DOCKET_TODAY")
    if env:
        return parse_date(env, "DOCKET_TODAY")
    return date.today()


def now() -> datetime:
    """The current moment, timezone-aware (UTC). With a fixed today, noon UTC of that day."""
    real = datetime.now(UTC)
    fixed = today()
    if fixed != real.date() and (_fixed is not None or os.environ.get("DOCKET_TODAY")):
        return datetime(fixed.year, fixed.month, fixed.day, 12, 0, tzinfo=UTC)
    return real
