"""Every user setting, declared once with its type and default.

Settings live in the store (table ``settings``) so that backups carry them. The window's
own geometry (sizes, splitters) is not a setting here; it lives in Qt's QSettings.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from core.domain.errors import ValidationError
from core.domain.models import Setting
from core.i18n import N_, _


class Readable(Protocol):
    """An open :class:`core.store.store.Store`, as reading settings uses it (a protocol:
    backups, which the store imports, read the settings, so this module does not import the
    store)."""

    def read(self) -> AbstractContextManager[Session]: ...


class Store(Readable, Protocol):
    """An open :class:`core.store.store.Store`, as changing settings uses it."""

    def write(self) -> AbstractContextManager[Session]: ...


@dataclass(frozen=True, slots=True)
class Key:
    name: str
    type: type
    default: Any
    label: str  # English, marked for the catalog: show it as _(key.label)


KEYS: dict[str, Key] = {
    k.name: k
    for k in (
        Key("your_name", str, "", N_("Your name")),
        Key("your_address", str, "", N_("Your postal address")),
        Key("your_email", str, "", N_("Your email")),
        Key("your_phone", str, "", N_("Your phone")),
        # Other addresses you write from, one per line: an email from any of them is "to the company".
        Key("your_other_emails", str, "", N_("Other email addresses of yours")),
        Key("default_jurisdiction", str, "GB", N_("Default jurisdiction")),
        Key("default_currency", str, "GBP", N_("Default currency")),
        Key("paper_size", str, "A4", N_("Paper size")),  # "A4" or "Letter"
        Key("silence_days", int, 14, N_("Days of silence before a reminder")),
        Key("letter_language", str, "en", N_("Default letter language")),
    )
}


def _check(key: str, value: Any) -> Any:
    if key not in KEYS:
        raise ValidationError(f"settings.{key}", _("is not a Docket setting"))
    spec = KEYS[key]
    if spec.type is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(f"settings.{key}", _("expected a whole number, got {value!r}").format(value=value))
    elif not isinstance(value, spec.type):
        raise ValidationError(f"settings.{key}", _("expected {name}, got {name2}").format(name=spec.type.__name__, name2=type(value).__name__))
    if key == "paper_size" and value not in ("A4", "Letter"):
        raise ValidationError("settings.paper_size", _("expected A4 or Letter"))
    if key == "default_jurisdiction":
        # A country, or a region the rules know (GB-SCT, not GB-SC), as a case's is checked.
        from core.escalation.rules import check_jurisdiction

        return check_jurisdiction(value, "settings.default_jurisdiction")
    return value


def get_all(target: Readable | Session) -> dict[str, Any]:
    """Every setting, with defaults for those never set."""
    values = {k: spec.default for k, spec in KEYS.items()}
    if isinstance(target, Session):
        rows = target.query(Setting).all()
        values.update({r.key: r.value for r in rows if r.key in KEYS})
        return values
    with target.read() as session:
        values.update({r.key: r.value for r in session.query(Setting).all() if r.key in KEYS})
    return values


def get(target: Readable | Session, key: str) -> Any:
    if key not in KEYS:
        raise ValidationError(f"settings.{key}", _("is not a Docket setting"))
    return get_all(target)[key]


def update(target: Store, **values: Any) -> None:
    """Change settings; every value is checked before any is written."""
    checked = {k: _check(k, v) for k, v in values.items()}
    with target.write() as session:
        for key, value in checked.items():
            session.merge(Setting(key=key, value=value))


def own_email_addresses(target: Readable | Session) -> set[str]:
    """The user's own addresses, lower-cased: the main one and any others."""
    values = get_all(target)
    found = {values["your_email"].strip().lower()} | {
        line.strip().lower() for line in values["your_other_emails"].splitlines()
    }
    return {a for a in found if a}
