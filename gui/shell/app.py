"""Start the Docket window: ``docket`` with no subcommand calls :func:`run`."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QThreadPool,
    QTimer,
    QTranslator,
)
from PySide6.QtWidgets import QApplication, QMessageBox

from core import __version__
from core.domain.errors import DocketError, StoreLockedError
from core.journal.opening import open_store
from gui.kit.icons import app_icon

START_CHECK_DELAY_MS = 1000  # after the window is up; a reminder a second later costs nothing


def application() -> QApplication:
    """The QApplication, created once with Docket's names, icon and translations."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("Docket")
    app.setOrganizationName("Docket")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("io.github.docket.Docket")  # packaging/linux: the .desktop file's id
    app.setWindowIcon(app_icon())
    _install_translations(app)
    return app


def _install_translations(app: QApplication) -> None:
    """Qt's own strings and Docket's, in the user's language when a translation exists."""
    from importlib.resources import as_file, files

    locale = QLocale()
    qt = QTranslator(app)
    if qt.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
    own = QTranslator(app)
    with as_file(files("resources").joinpath("translations")) as folder:
        if Path(folder).is_dir() and own.load(locale, "docket", "_", str(folder)):
            app.installTranslator(own)


def run(data_dir: str | Path | None = None) -> int:
    """Open the store and show the window; returns the exit code when the window closes.

    A store that cannot be opened (already open elsewhere, damaged, not writable) is explained
    in a dialog and Docket exits with code 2.
    """
    app = application()
    try:
        store = open_store(data_dir)
    except StoreLockedError as exc:
        QMessageBox.information(None, QCoreApplication.translate("App", "Docket is already open"), str(exc))
        return 2
    except DocketError as exc:
        QMessageBox.critical(None, QCoreApplication.translate("App", "Docket cannot open your data"), str(exc))
        return 2
    from gui.shell.evidence_indexing import index_evidence_in_background
    from gui.shell.main_window import MainWindow
    from gui.shell.tray import DueNotifier

    try:
        window = MainWindow(store)
        notifier = DueNotifier(store, window, window)
        notifier.attention_requested.connect(window.show_attention)
        notifier.checked.connect(window.check_due)
        window.show()
        # The start-up check waits for the first paint and then runs off the window's thread.
        QTimer.singleShot(START_CHECK_DELAY_MS, notifier.check_in_background)
        QTimer.singleShot(START_CHECK_DELAY_MS, lambda: index_evidence_in_background(store, window))
        return app.exec()
    finally:
        # Background work (the due check, a companies query) reads the store and reports to
        # the window: let it finish before either goes away.
        QThreadPool.globalInstance().waitForDone()
        store.close()
