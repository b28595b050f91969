"""The Help menu: a guide, the shortcuts, the data folder, and a problem report with nothing
personal in it."""

from __future__ import annotations

import sys
from pathlib import Path

from core.journal import cases
from core.store.store import Store
from gui.dialogs.help import GuideDialog, ShortcutsDialog
from gui.kit.diagnostics import record_error
from gui.shell.main_window import MainWindow
from tests.gui.driving import answer_dialog


def _window(qtbot, store: Store, window_settings) -> MainWindow:
    window = MainWindow(store, window_settings)
    qtbot.addWidget(window)
    return window


def test_the_help_menu_has_the_guide_shortcuts_data_folder_and_report(qtbot, store: Store, window_settings) -> None:
    window = _window(qtbot, store, window_settings)
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    names = [a.text().replace("&", "") for a in help_menu.actions() if not a.isSeparator()]
    assert names == ["Docket guide", "Keyboard shortcuts", "Open the data folder", "Report a problem…",
                     "About Docket"]


def test_the_guide_explains_a_case_the_ladder_and_escalating(qtbot, store: Store, window_settings) -> None:
    window = _window(qtbot, store, window_settings)
    read: list[str] = []
    answer_dialog(GuideDialog, lambda d: (read.append(d.text.toPlainText()), d.reject()))
    window.guide_action.trigger()
    text = read[0]
    assert "A case is one dispute with one company" in text
    assert "The ladder" in text and "final notice" in text and "Escalating" in text
    assert "not legal advice" in text


def test_the_shortcuts_list_the_windows_own_keys(qtbot, store: Store, window_settings) -> None:
    window = _window(qtbot, store, window_settings)
    rows: list[tuple[str, str]] = []

    def read(dialog: ShortcutsDialog) -> None:
        table = dialog.table
        rows.extend((table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount()))
        dialog.reject()

    answer_dialog(ShortcutsDialog, read)
    window.shortcuts_action.trigger()
    assert ("New case", "Ctrl+N") in rows
    assert ("Edit case", "Ctrl+Shift+E") in rows
    assert ("Log event", "Ctrl+L") in rows


def test_a_problem_report_has_versions_and_the_last_error_but_nothing_personal(
        qtbot, store: Store, window_settings) -> None:
    secret = "Jane Doe, 4 Privet Drive"
    cases.open_case(store, title=f"Refund for {secret}", company="Parfums de Paris")
    try:
        raise ValueError(f"could not read {secret}")
    except ValueError:
        kind, _error, tb = sys.exc_info()
        assert kind is not None
        record_error(store.data_dir, kind, tb)
    window = _window(qtbot, store, window_settings)
    path: Path = window.report_problem()
    text = path.read_text(encoding="utf-8")
    assert path.parent == store.data_dir
    assert "Docket:" in text and "Qt:" in text and f"Schema revision: {store.revision()}" in text
    assert "builtins.ValueError" in text and "test_help_menu.py" in text
    assert secret not in text and "Refund for" not in text and str(Path.home()) not in text
    assert str(path) in window.banner.text.text()
