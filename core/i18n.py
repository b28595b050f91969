"""Docket in the user's language: one gettext catalog for the window, the command line, the
advice, the reports and the letters (docs/translating.md says why gettext).

Mark a user-visible string where it is written::

    from core.i18n import _, ngettext, pgettext, N_

    _("Case closed")                                   # translated now
    ngettext("{n} event", "{n} events", n).format(n=n)  # plural forms from the catalog
    pgettext("letter", "Dear Sir or Madam,")           # the same English, another meaning
    STATUS = {"open": N_("Open")}                      # marked here, translated where shown

Placeholders are ``str.format`` names (``{name}``) in core, and may be Qt's ``%1`` in the
window; a translation keeps exactly the placeholders of its source (a test checks).

The catalogs are ``resources/locale/<lang>/LC_MESSAGES/docket.po``; the install and the
bundle compile them to ``.mo`` (build output, never committed). A source checkout without
compiled catalogs compiles them in memory when Babel is installed, else shows English.

The language is, in order: :func:`set_language`'s argument, ``DOCKET_LANGUAGE``, the saved
choice (``language`` in Docket's config folder), the system's locale, English. ``pseudo`` is
a pseudo-locale for finding unmarked and clipped strings: every translation is accented,
bracketed and 40 % longer.
"""

from __future__ import annotations

import gettext as _gettext
import locale as _locale
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Protocol

DOMAIN = "docket"
SOURCE_LANGUAGE = "en"
PSEUDO = "pseudo"

# Languages Docket speaks, by code, in their own words (the Settings list shows these).
LANGUAGES: Mapping[str, str] = {
    "en": "English",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
}

LOCALE_DIR = Path(__file__).resolve().parent.parent / "resources" / "locale"


class Translator(Protocol):
    """What a catalog answers: the subset of :class:`gettext.NullTranslations` Docket uses."""

    def gettext(self, message: str, /) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...
    def pgettext(self, context: str, message: str, /) -> str: ...
    def npgettext(self, context: str, singular: str, plural: str, n: int, /) -> str: ...


def _normalise(code: str | None) -> str | None:
    """``fr_FR.UTF-8`` -> ``fr``; ``pseudo`` stays; unknown or empty -> None."""
    if not code:
        return None
    code = code.strip()
    if code == PSEUDO:
        return PSEUDO
    short = code.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    if short in ("c", "posix"):
        return SOURCE_LANGUAGE
    return short if short in LANGUAGES else None


def language_file() -> Path:
    """The file that keeps the user's language choice (read before any store opens)."""
    import platformdirs

    return Path(platformdirs.user_config_dir("Docket", appauthor=False, roaming=True)) / "language"


def saved_language() -> str | None:
    """The language chosen in Settings (``None``: the system's)."""
    try:
        return _normalise(language_file().read_text(encoding="utf-8"))
    except OSError:
        return None


def save_language(code: str | None) -> None:
    """Keep the user's language choice for the next start; ``None`` follows the system."""
    path = language_file()
    if code is None:
        path.unlink(missing_ok=True)
        return
    if _normalise(code) != code:
        from core.domain.errors import ValidationError

        raise ValidationError("settings.language", f"{code!r} is not a language Docket speaks")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(code, encoding="utf-8")


def system_language() -> str:
    """The system's language, if Docket speaks it, else English."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            # LANGUAGE may list several, in order of preference.
            for part in value.split(":"):
                found = _normalise(part)
                if found:
                    return found
            if variable != "LANGUAGE":
                break
    try:
        code = _locale.getlocale()[0]
    except ValueError:
        code = None
    return _normalise(code) or SOURCE_LANGUAGE


def wanted_language() -> str:
    """The language Docket starts in (see the module's docstring for the order)."""
    return (_normalise(os.environ.get("DOCKET_LANGUAGE")) or saved_language()
            or system_language())


class _Pseudo(_gettext.NullTranslations):
    """Accented, bracketed and 40 % longer; placeholders are kept as they are."""

    _MAP = str.maketrans("aceinorsuyACEINORSUY", "àçéîñöŕšûýÀÇÉÎÑÖŔŠÛÝ")

    def _pseudo(self, message: str) -> str:
        out: list[str] = []
        i = 0
        while i < len(message):
            ch = message[i]
            if ch == "{":
                end = message.find("}", i)
                if end != -1:
                    out.append(message[i:end + 1])
                    i = end + 1
                    continue
            if ch == "%" and i + 1 < len(message) and message[i + 1] in "0123456789n":
                out.append(message[i:i + 2])
                i += 2
                continue
            if ch == "&" and i + 1 < len(message):  # keep a mnemonic working
                out.append(message[i:i + 2].translate(self._MAP))
                i += 2
                continue
            out.append(ch.translate(self._MAP))
            i += 1
        text = "".join(out)
        padding = "~" * max(1, round(len(message) * 0.4))
        return f"[!!{text}{padding}!!]" if message.strip() else message

    def gettext(self, message: str) -> str:
        return self._pseudo(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self._pseudo(msgid1 if n == 1 else msgid2)

    def pgettext(self, context: str, message: str) -> str:
        return self._pseudo(message)

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return self._pseudo(msgid1 if n == 1 else msgid2)


def _compile_in_memory(po: Path) -> _gettext.GNUTranslations | None:
    """A source checkout's catalog, compiled now (the install compiles them to .mo)."""
    try:
        from io import BytesIO

        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po
    except ImportError:
        return None
    with po.open("rb") as handle:
        catalog = read_po(handle)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


@cache
def translator_for(language: str, domain: str = DOMAIN) -> Translator:
    """The catalog ``domain`` of ``language`` (a code from :data:`LANGUAGES`, or ``pseudo``);
    English and a language without a catalog translate nothing. Used directly for a letter
    written in another language than the window's."""
    code = _normalise(language) or SOURCE_LANGUAGE
    if code == PSEUDO:
        return _Pseudo()
    if code == SOURCE_LANGUAGE:
        return _gettext.NullTranslations()
    folder = LOCALE_DIR / code / "LC_MESSAGES"
    mo = folder / f"{domain}.mo"
    po = folder / f"{domain}.po"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return _gettext.GNUTranslations(handle)
    if po.is_file():
        compiled = _compile_in_memory(po)
        if compiled is not None:
            return compiled
    if mo.is_file():
        with mo.open("rb") as handle:
            return _gettext.GNUTranslations(handle)
    return _gettext.NullTranslations()


_current: list[str] = []


def set_language(code: str | None = None) -> str:
    """Translate from now on into ``code`` (``None``: :func:`wanted_language`); returns the
    language chosen. Strings already shown stay as they are: the window asks for a restart."""
    chosen = _normalise(code) if code else wanted_language()
    _current[:] = [chosen or SOURCE_LANGUAGE]
    return _current[0]


def current_language() -> str:
    """The language strings are translated into now."""
    if not _current:
        set_language()
    return _current[0]


def _translator() -> Translator:
    return translator_for(current_language())


def _(message: str) -> str:
    """``message`` in the current language."""
    return _translator().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` that suits ``n`` in the current language."""
    return _translator().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, where ``context`` tells translators its meaning."""
    return _translator().pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """:func:`ngettext` with a context for translators."""
    return _translator().npgettext(context, singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it (translate it where shown)."""
    return message
