"""The language Docket speaks: chosen in Settings, announced in the new language, applied at
the next start with Qt's own buttons, dates and numbers, and mirrored for right-to-left readers."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QMessageBox

from core import i18n
from core.store.store import Store
from gui.dialogs.settings import SettingsDialog
from gui.shell.app import layout_direction, locale_for
from gui.shell.restart import restart_command
from tests.gui.driving import answer_dialog

ROOT = Path(__file__).resolve().parents[3]
RTL, LTR = Qt.LayoutDirection.RightToLeft, Qt.LayoutDirection.LeftToRight


def test_settings_offer_each_language_in_its_own_words(qtbot, store: Store) -> None:
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    names = [dialog.language.itemText(i) for i in range(dialog.language.count())]
    assert names[0].startswith("System default")
    assert names[1:] == ["English", "Français", "Deutsch", "Español"]
    assert dialog.language.currentData() is None  # nothing chosen yet: the system's


def _choose(qtbot, store: Store, code: str, answer: str) -> tuple[SettingsDialog, list[str]]:
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    if dialog.language.findData(code) < 0:
        dialog.language.addItem(code, code)
    dialog.language.setCurrentIndex(dialog.language.findData(code))
    seen: list[str] = []

    def reply(box: QMessageBox) -> None:
        seen.extend([box.text(), *(b.text() for b in box.buttons())])
        next(b for b in box.buttons() if b.text() == answer).click()

    keep = answer_dialog(QMessageBox, reply)
    dialog.accept()
    del keep
    return dialog, seen


def test_a_new_language_is_kept_and_announced_in_that_language(qtbot, store: Store) -> None:
    # The pseudo-locale stands for a language whose catalog is complete: every word shows.
    later = i18n.translator_for("pseudo").gettext("Later")
    dialog, seen = _choose(qtbot, store, "pseudo", later)
    assert i18n.saved_language() == "pseudo"
    text, *buttons = seen
    assert text.startswith("[!!") and "ñéxt tîmé" in text  # not the window's English
    assert sorted(buttons) == sorted([later, i18n.translator_for("pseudo").gettext("Restart now")])
    assert dialog.restart_wanted is False


def test_restart_now_is_asked_for_and_the_same_command_is_used(qtbot, store: Store) -> None:
    dialog, _seen = _choose(qtbot, store, "pseudo", i18n.translator_for("pseudo").gettext("Restart now"))
    assert dialog.restart_wanted is True
    program, arguments = restart_command()
    assert program == sys.executable and arguments == sys.orig_argv[1:]


def test_the_system_default_forgets_the_choice(qtbot, store: Store) -> None:
    i18n.save_language("de")
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    assert dialog.language.currentText() == "Deutsch"
    dialog.language.setCurrentIndex(0)
    dialog.accept()  # the system's language is the one showing: nothing to announce
    assert i18n.saved_language() is None


def test_dates_and_numbers_follow_the_language_in_the_users_country() -> None:
    assert locale_for("fr", QLocale("fr_CA")).name() == "fr_CA"  # a Canadian keeps Canadian dates
    assert locale_for("en", QLocale("de_DE")).name() == "en_DE"
    assert locale_for("fr", QLocale("en_GB")).name() == "fr_FR"
    assert locale_for("de", QLocale.c()).name() == "de_DE"
    assert locale_for("pseudo", QLocale("en_GB")).name() == "en_GB"


@pytest.mark.parametrize(("env", "direction"), [
    ({"LANG": "ar_EG.UTF-8"}, RTL),
    ({"LANGUAGE": "he", "LANG": "C.UTF-8"}, RTL),
    ({"LANG": "fa_IR.UTF-8"}, RTL),
    ({"LANG": "fr_FR.UTF-8"}, LTR),
    ({"LANG": "C"}, LTR),
    ({}, LTR),
    ({"LANG": "fr_FR.UTF-8", "QT_LAYOUT_DIRECTION": "RTL"}, RTL),
    ({"LANG": "ar_EG.UTF-8", "QT_LAYOUT_DIRECTION": "ltr"}, LTR),
    # A language chosen in Docket is written left to right, whatever the system's.
    ({"LANG": "ar_EG.UTF-8", "DOCKET_LANGUAGE": "fr"}, LTR),
])
def test_right_to_left_readers_get_a_mirrored_window(env: dict[str, str], direction) -> None:
    language = i18n._normalise(env.get("DOCKET_LANGUAGE")) or "en"
    assert layout_direction(language, env) == direction


def _start(env: dict[str, str], code: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    environ.update(PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen", **env)
    done = subprocess.run([sys.executable, "-c", "from gui.shell.app import application\n"
                           "app = application()\n" + code],
                          env=environ, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_window_starts_in_french_with_qts_own_buttons_dates_and_direction(tmp_path: Path) -> None:
    shown = _start({"DOCKET_LANGUAGE": "fr", "XDG_CONFIG_HOME": str(tmp_path), "LANG": "en_GB.UTF-8"},
                   "from PySide6.QtWidgets import QDialogButtonBox as B\n"
                   "from gui.kit.formatting import format_date\n"
                   "from datetime import date\n"
                   "b = B(B.StandardButton.Cancel | B.StandardButton.Yes)\n"
                   "print(sorted(x.text() for x in b.buttons()), format_date(date(2026, 11, 20)),"
                   " app.layoutDirection().name)")
    assert shown == "['&Oui', 'Annuler'] 20/11/2026 LeftToRight"


def test_an_arabic_system_mirrors_the_window_though_docket_speaks_english(tmp_path: Path) -> None:
    shown = _start({"LANG": "ar_EG.UTF-8", "XDG_CONFIG_HOME": str(tmp_path)},
                   "from PySide6.QtWidgets import QDialogButtonBox as B\n"
                   "from core.i18n import current_language\n"
                   "b = B(B.StandardButton.Cancel)\n"
                   "print(current_language(), b.buttons()[0].text(), app.layoutDirection().name)")
    assert shown == "en Cancel RightToLeft"


def test_french_dates_in_the_window(qtbot) -> None:
    from gui.kit.formatting import format_date

    previous = QLocale()
    QLocale.setDefault(locale_for("fr", QLocale("en_GB")))
    try:
        assert format_date(date(2026, 3, 5)) == "05/03/2026"
    finally:
        QLocale.setDefault(previous)
