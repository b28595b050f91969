"""Every language Docket speaks says everything the code says, with the same placeholders.

The template is made from the code and the rule packs as ``packaging/catalogs.py`` makes it;
each ``resources/locale/<lang>/LC_MESSAGES/docket.po`` must translate every string of it,
keep no string the code no longer has, keep each source's placeholders (``{name}``, ``%1``,
``%n``) and fill every plural form its language has.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from core import i18n

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?(?:[!:][^{}]*)?\}|%\d+|%n")


def _catalogs_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docket_catalogs", ROOT / "packaging" / "catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


catalogs = _catalogs_module()


@pytest.fixture(scope="module")
def template() -> Any:
    return catalogs.build_template()


def _read(language: str) -> Any:
    from babel.messages.pofile import read_po

    with (ROOT / "resources" / "locale" / language / "LC_MESSAGES" / "docket.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _key(message: Any) -> tuple[str, str | None]:
    return (message.id if isinstance(message.id, str) else message.id[0], message.context)


def _entries(catalog: Any) -> Iterator[Any]:
    return (message for message in catalog if message.id)


def placeholders(text: str) -> list[str]:
    """``{name}``, ``{amount:.2f}`` (as ``{amount}``), ``%1`` and ``%n`` in ``text``, sorted."""
    return sorted(re.sub(r"[\[!:].*\}$", "}", found) for found in PLACEHOLDER.findall(text))


def _translated(message: Any) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return not message.fuzzy and all(strings)


def test_placeholders_are_read_the_way_the_code_writes_them() -> None:
    assert placeholders("{n} events since {when:%d %B}, %1 of %2 (%n)") == [
        "%1", "%2", "%n", "{n}", "{when}"]
    assert placeholders("100 % sure, {{not one}}") == []


@pytest.mark.parametrize("language", catalogs.LANGUAGES)
def test_every_string_of_docket_is_translated(template: Any, language: str) -> None:
    """Complete: every string of the window, the command line, the advice and the reports
    (a fuzzy translation is not shown, so it counts as missing)."""
    have = {_key(m): m for m in _entries(_read(language))}
    missing = [key[0] for key in (_key(m) for m in _entries(template))
               if key not in have or not _translated(have[key])]
    assert not missing, (f"{language}: {len(missing)} strings not translated (run "
                         f"`python packaging/catalogs.py update --language {language}`, then "
                         f"translate), e.g. {missing[:5]}")


@pytest.mark.parametrize("language", catalogs.LANGUAGES)
def test_no_catalog_keeps_a_string_the_code_no_longer_has(template: Any, language: str) -> None:
    wanted = {_key(m) for m in _entries(template)}
    stale = [key[0] for key in (_key(m) for m in _entries(_read(language))) if key not in wanted]
    assert not stale, f"{language}: {len(stale)} stale strings, e.g. {stale[:5]}"


@pytest.mark.parametrize("language", catalogs.LANGUAGES)
def test_each_translation_keeps_its_sources_placeholders(language: str) -> None:
    wrong = []
    for message in _entries(_read(language)):
        if not _translated(message):
            continue
        if isinstance(message.id, str):
            if placeholders(message.string) != placeholders(message.id):
                wrong.append((message.id, message.string))
            continue
        singular, plural = message.id[0], message.id[1]
        either = set(placeholders(singular)) | set(placeholders(plural))
        for form in message.string:
            # A form for exactly one thing may say "one" instead of {n}; none may invent one.
            if not set(placeholders(form)) <= either:
                wrong.append((plural, form))
        if placeholders(message.string[-1]) != placeholders(plural):
            wrong.append((plural, message.string[-1]))
    assert not wrong, f"{language}: placeholders differ from the source: {wrong[:5]}"


@pytest.mark.parametrize("language", catalogs.LANGUAGES)
def test_plural_entries_fill_every_form_of_their_language(language: str) -> None:
    catalog = _read(language)
    assert catalog.num_plurals >= 2
    short = [message.id[1] for message in _entries(catalog)
             if isinstance(message.id, tuple) and any(message.string)
             and (len(message.string) != catalog.num_plurals or not all(message.string))]
    assert not short, f"{language}: plural entries with an empty form ({catalog.num_plurals} forms): {short[:5]}"


def test_the_template_has_the_windows_and_the_rule_packs_strings(template: Any) -> None:
    ids = {_key(m)[0] for m in _entries(template)}
    assert "Settings" in ids and "Restart now" in ids
    assert any(location[0].startswith("resources/rules/") for m in template for location in m.locations)
    counts = [m for m in _entries(template) if isinstance(m.id, tuple)]
    assert counts, "plural entries are extracted with both forms"


def test_the_pseudo_locale_translates_every_string_and_keeps_its_placeholders(template: Any) -> None:
    pseudo = i18n.translator_for(i18n.PSEUDO)
    for message in _entries(template):
        if isinstance(message.id, tuple):
            shown = pseudo.ngettext(message.id[0], message.id[1], 5)
            source = message.id[1]
        else:
            shown = pseudo.gettext(message.id)
            source = message.id
        if not source.strip():
            continue
        assert shown.startswith("[!!") and shown.endswith("!!]"), shown
        assert len(shown) >= len(source) * 1.4, (source, shown)
        assert placeholders(shown) == placeholders(source), (source, shown)


def test_a_window_built_under_the_pseudo_locale_shows_its_strings_translated(qtbot, store) -> None:
    from gui.dialogs.settings import SettingsDialog

    before = i18n.current_language()
    i18n.set_language(i18n.PSEUDO)
    try:
        dialog = SettingsDialog(store)
        qtbot.addWidget(dialog)
    finally:
        i18n.set_language(before)
    assert dialog.windowTitle().startswith("[!!Šéttîñgš")
    system = dialog.language.itemText(0)
    assert system.startswith("[!!Šýštém déƒàûlt") or system.startswith("[!!Šýštém")
    assert "%1" not in system  # the placeholder was kept, then filled with the language's name


@pytest.mark.parametrize(("language", "cancel"), [("fr", "Annuler"), ("de", "Abbrechen"), ("es", "Cancelar")])
def test_qts_own_buttons_have_a_catalog_for_each_language(qapp, language: str, cancel: str) -> None:
    from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

    qt = QTranslator()
    assert qt.load(QLocale(language), "qtbase", "_",
                   QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)), language
    QCoreApplication.installTranslator(qt)
    try:
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == cancel
    finally:
        QCoreApplication.removeTranslator(qt)
