"""Show one screen of Docket, filled with the example cases, for a screenshot in a language.

    DOCKET_LANGUAGE=fr python packaging/i18n_screens.py main|case|guided|letter DATA_DIR

docs/translating.md takes the screenshots of docs/screenshots/i18n-*.png with it, in a real
window on a virtual screen (Xvfb). The screen fills the
virtual screen; a dialog opens over the window, as a user would see it.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCREENS = ("main", "case", "guided", "letter")


def main(argv: list[str]) -> int:
    screen, data_dir = argv[0], Path(argv[1])
    if screen not in SCREENS:
        raise SystemExit(f"screen must be one of {', '.join(SCREENS)}")
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtGui import QGuiApplication

    from core.exchange.demo import load_examples
    from core.journal import queries
    from core.journal.opening import open_store
    from gui.shell.app import application
    from gui.shell.main_window import MainWindow

    app = application()
    store = open_store(data_dir)
    if not queries.list_cases(store):
        load_examples(store)
    settings = QSettings(str(data_dir / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(store, settings)
    window.setGeometry(QGuiApplication.primaryScreen().availableGeometry())
    window.show()
    rows = queries.list_cases(store)
    first = rows[0].id
    if screen == "letter":
        # A letter to a company of the language's country when an example has one (the letter
        # is then written in it), else the first case's.
        from core.i18n import current_language
        from core.journal.queries import load_case

        country = {"fr": "FR", "de": "DE", "es": "ES"}.get(current_language())
        first = next((r.id for r in rows if (load_case(store, r.id).jurisdiction or "").split("-")[0]
                      == country), first)
    if screen in ("case", "letter"):
        window.case_list.select_case(first)
        window.open_case(first)
    keep = []
    if screen == "guided":
        from gui.dialogs.guided_start import GuidedStart

        keep.append(GuidedStart(store, window))
    elif screen == "letter":
        from gui.dialogs.letter_editor import LetterEditor

        editor = LetterEditor(store, first, window)
        # The letter in the window's language when the template has it (a user picks it so).
        from core.i18n import current_language

        found = editor.language_box.findData(current_language())
        if found >= 0:
            editor.language_box.setCurrentIndex(found)
        keep.append(editor)
    for dialog in keep:
        QTimer.singleShot(300, dialog.show)
    code = app.exec()
    store.close()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
