"""Start the Docket window: ``docket`` with no subcommand calls :func:`run`."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import (
    QLibraryInfo,
    QLocale,
    Qt,
    QThreadPool,
    QTimer,
    QTranslator,
)
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from core import __version__
from core.domain.errors import DocketError, StoreLockedError
from core.i18n import LANGUAGES, PSEUDO, SOURCE_LANGUAGE, _
from gui.kit.icons import app_icon

START_CHECK_DELAY_MS = 1000  # after the window is up; a reminder a second later costs nothing


def forget_module_sources() -> None:
    """Let go of the source lines of the modules imported so far.

    PySide6's import hook reads the source of every module imported after PySide6 (it looks
    for ``__feature__``) through :mod:`linecache`, which keeps every line for the rest of the
    run: about 20 MB of Docket's and its libraries' source in a window that only needs them
    for a traceback, which reads them again then."""
    import linecache

    linecache.clearcache()


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
    """Docket's strings (core/i18n.py) in the chosen language, with Qt's own buttons and dialogs
    (its ``qtbase`` catalog), dates and numbers in the same language, and the window mirrored
    for a right-to-left reader."""
    from core.i18n import set_language

    language = set_language()
    # Kept on the application: a translator must live as long as it is installed.
    for old in app.findChildren(QTranslator, "docket-qtbase"):
        app.removeTranslator(old)
        old.deleteLater()
    if language in LANGUAGES and language != SOURCE_LANGUAGE:
        qt = QTranslator(app)
        qt.setObjectName("docket-qtbase")
        if qt.load(QLocale(language), "qtbase", "_",
                   QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(qt)
    from core.i18n import saved_language

    # English shown only because Docket does not speak the system's language: the system's
    # dates and numbers stay.
    if language != SOURCE_LANGUAGE or os.environ.get("DOCKET_LANGUAGE") or saved_language():
        QLocale.setDefault(locale_for(language, QLocale.system()))
    app.setLayoutDirection(layout_direction(language, os.environ))


def locale_for(language: str, system: QLocale) -> QLocale:
    """How dates and numbers are written in ``language``: the system's own way when it speaks
    that language (a Canadian keeps Canadian French dates), else the language as written in the
    system's country when there is such a locale (English in Germany), else its main country's."""
    if language not in LANGUAGES:  # the pseudo-locale: the system's formats
        return system
    if system.name().split("_")[0] == language:
        return system
    wanted = QLocale(language)
    in_country = QLocale(wanted.language(), system.territory())
    if in_country.language() == wanted.language() and in_country.territory() == system.territory():
        return in_country
    return wanted


def _system_locale_names(env: Mapping[str, str]) -> list[str]:
    """The system's languages, most wanted first (``LANGUAGE`` may list several)."""
    names: list[str] = []
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(variable, "")
        names += [part for part in value.split(":") if part] if variable == "LANGUAGE" else [value]
        if value and variable != "LANGUAGE":
            break
    return [name for name in names if name]


def layout_direction(language: str, env: Mapping[str, str]) -> Qt.LayoutDirection:
    """Right to left for a reader of Arabic, Hebrew, Persian or Urdu.

    ``QT_LAYOUT_DIRECTION=rtl`` (or ``ltr``) decides when set. Otherwise a language chosen in
    Docket (Settings or ``DOCKET_LANGUAGE``) decides: all of Docket's are written left to
    right. Otherwise the system's first language does, even though Docket does not speak it
    yet: the reader still reads from the right. (Qt itself only mirrors when its ``qtbase``
    catalog for the language is loaded, which would put Arabic buttons beside English labels.)
    """
    forced = env.get("QT_LAYOUT_DIRECTION", "").strip().lower()
    if forced in ("rtl", "ltr"):
        return Qt.LayoutDirection.RightToLeft if forced == "rtl" else Qt.LayoutDirection.LeftToRight
    from core.i18n import saved_language

    chosen = env.get("DOCKET_LANGUAGE") or saved_language()
    names = [language] if chosen else _system_locale_names(env)
    for name in names:
        code = name.split(".")[0].split("@")[0]
        if code in ("C", "POSIX", PSEUDO):
            break
        locale = QLocale(code)
        if locale.language() != QLocale.Language.C:
            return locale.textDirection()
    return Qt.LayoutDirection.LeftToRight


def _catch_unexpected(data_dir: Path) -> None:
    """An error nobody expected is kept for a problem report and explained in a dialog; the
    window goes on (Qt would otherwise abort, or print a traceback nobody reads)."""
    from gui.kit.diagnostics import record_error

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        record_error(data_dir, kind, tb)
        print(f"docket: unexpected error ({kind.__name__}); kept for Help > Report a problem", file=sys.stderr)
        QMessageBox.warning(
            None, _("Something went wrong"),
            _("Docket met an error it did not expect. Your data is safe: every change is saved "
                "whole or not at all.\n\nHelp > Report a problem writes a report you can send."))

    sys.excepthook = hook


def first_painted(window: QWidget) -> None:
    """Called once the first paint is on screen, before the store opens (a place to observe it)."""


def _close(first: QWidget | None) -> None:
    if first is not None:
        first.close()


def run(data_dir: str | Path | None = None) -> int:
    """Open the store and show the window; returns the exit code when the window closes.

    A store that cannot be opened (already open elsewhere, damaged, not writable) is explained
    in a dialog and Docket exits with code 2.
    """
    app = application()
    from PySide6.QtCore import QSettings

    from gui.kit import appearance
    from gui.shell.first_paint import first_paint

    appearance.apply(app, str(QSettings("Docket", "Docket").value("window/appearance", "system")))

    # The first paint comes before SQLAlchemy is even imported: counts and the first page,
    # read with sqlite3 (see gui.shell.first_paint); the store opens once it is on screen.
    first = first_paint(data_dir)
    if first is not None:
        first.show()
        app.processEvents()  # painted: what follows is the store and the real window
        first_painted(first)
    try:
        from core.journal.opening import open_store
        from core.store.store import StoreLocked

        try:
            store = open_store(data_dir)
        except StoreLocked as locked:
            # A protected store: nothing was read; the passphrase opens its key first.
            from gui.dialogs.unlock import ask_to_unlock

            _close(first)
            key = ask_to_unlock(locked.data_dir)
            if key is None:
                return 0
            store = open_store(locked.data_dir, key=key)
    except StoreLockedError as exc:
        _close(first)
        QMessageBox.information(None, _("Docket is already open"), str(exc))
        return 2
    except DocketError as exc:
        _close(first)
        QMessageBox.critical(None, _("Docket cannot open your data"), str(exc))
        return 2
    from gui.shell.evidence_indexing import index_evidence_in_background
    from gui.shell.main_window import MainWindow
    from gui.shell.tray import DueNotifier

    _catch_unexpected(store.data_dir)
    try:
        window = MainWindow(store)
        notifier = DueNotifier(store, window, window)
        notifier.attention_requested.connect(window.show_attention)
        notifier.checked.connect(window.check_due)
        window.show()
        if first is not None:
            app.processEvents()  # a click on the first page made while the store opened lands now
            if first.queued_case_id is not None:
                window.case_list.select_case(first.queued_case_id)
                window.open_case(first.queued_case_id)
            first.close()
        # The start-up check waits for the first paint and then runs off the window's thread.
        QTimer.singleShot(START_CHECK_DELAY_MS, notifier.check_in_background)
        QTimer.singleShot(START_CHECK_DELAY_MS, lambda: index_evidence_in_background(store, window))
        forget_module_sources()
        # Again once the start-up checks have imported what they use.
        QTimer.singleShot(2 * START_CHECK_DELAY_MS, forget_module_sources)
        code = app.exec()
    finally:
        # Background work (the due check, a companies query) reads the store and reports to
        # the window: let it finish before either goes away.
        QThreadPool.globalInstance().waitForDone()
        store.close()
    # The store is closed (its lock released), so the new Docket can open it.
    from gui.shell import restart

    if restart.wanted() and not restart.start_again():
        print(_("docket: could not start again; start Docket yourself"), file=sys.stderr)
    return code
