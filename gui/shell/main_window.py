"""Docket's main window: sidebar, case list (or companies) and the case workspace side by side.

This module only composes: menus, toolbar, shortcuts and splitters. Each panel is its own
class; the file operations (import, export, backup, restore, check) are in
:class:`DataActions`. The modules behind those operations and the export dialog are imported
when first used, so they do not slow down start-up.
"""

from __future__ import annotations

import contextlib
import re
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, QObject, QSettings, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from core.domain.errors import DocketError, NotFoundError
from core.i18n import _
from core.journal import cases, evidence_text, queries
from core.store import paths
from core.store.store import Store
from gui.case.workspace import CaseWorkspace
from gui.dialogs.about import AboutDialog
from gui.dialogs.new_case import NewCaseDialog
from gui.dialogs.settings import SettingsDialog
from gui.kit.formatting import count_text
from gui.kit.icons import app_icon, icon
from gui.kit.workers import Task, run_in_background
from gui.shell.case_list_view import CaseListView
from gui.shell.companies_view import CompaniesView
from gui.shell.sidebar import Sidebar
from gui.shell.window_state import WindowState

AUTO_BACKUP_MS = 30 * 60 * 1000


def locale_defaults(locale: QLocale) -> dict[str, str]:
    """The default currency and jurisdiction a locale suggests (fr_FR: EUR and FR)."""
    values: dict[str, str] = {}
    currency = locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencyIsoCode)
    if len(currency) == 3 and currency.isalpha():
        values["default_currency"] = currency.upper()
    country = QLocale.territoryToCode(locale.territory())
    if len(country) == 2 and country.isalpha():
        values["default_jurisdiction"] = country.upper()
    return values


class Banner(QFrame):
    """A non-blocking message across the top of the window, with an optional action."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.action_button = QPushButton()
        close = QPushButton(_("Dismiss"))
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(close)
        self._slot: Any = None
        self.hide()

    def show_message(self, text: str, action: str | None = None, slot: Any = None) -> None:
        self.text.setText(text)
        if self._slot is not None:
            self.action_button.clicked.disconnect(self._slot)
        self._slot = slot
        self.action_button.setVisible(bool(action))
        if action and slot is not None:
            self.action_button.setText(action)
            self.action_button.clicked.connect(slot)
        self.show()


class DataActions(QObject):
    """File menu work on the whole store, run in a worker with progress where it can be slow."""

    changed = Signal()  # the store's cases changed (an import or examples)
    restored = Signal()  # everything was replaced from a backup
    case_imported = Signal(int)

    def __init__(self, store: Store, window: QMainWindow) -> None:
        super().__init__(window)
        self.store = store
        self.window = window
        self._tasks: list[Task] = []

    def _run(self, title: str, work: Any, done: Any) -> Task:
        progress = QProgressDialog(title, _("Cancel"), 0, 0, self.window)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(400)  # quick work finishes before a dialog flashes up

        def connect(task: Task) -> None:
            self._tasks.append(task)
            task.progressed.connect(lambda d, t: (progress.setMaximum(t), progress.setValue(d)) if t else None)
            progress.canceled.connect(task.cancel)
            task.finished.connect(progress.reset)
            task.finished.connect(lambda: self._tasks.remove(task))

        task = run_in_background(work, self, succeeded=done, setup=connect,
                                 failed=lambda message: QMessageBox.warning(self.window, title, message))
        return task

    def load_examples(self) -> Task:
        from core.exchange import demo  # imported here: keeps start-up quick

        return self._run(_("Loading example cases…"),
                         lambda progress: demo.load_examples(self.store, progress=progress),
                         lambda _ids: self.changed.emit())

    def import_case(self) -> None:
        from core.exchange import casefile  # imported here: keeps start-up quick

        path, _ignored = QFileDialog.getOpenFileName(self.window, _("Import a case file"), "",
                                              _("Docket case files (*.json *.zip)"))
        if path:
            self._run(_("Importing %1…").replace("%1", Path(path).name),
                      lambda progress: casefile.import_case(self.store, path=path, progress=progress),
                      lambda case_id: (self.changed.emit(), self.case_imported.emit(case_id)))

    def back_up(self) -> None:
        from core.store import backup  # imported here: keeps start-up quick

        path, _ignored = QFileDialog.getSaveFileName(self.window, _("Back up all your data"),
                                              "docket-backup.zip", _("Zip archives (*.zip)"))
        if path:
            self._run(_("Backing up…"),
                      lambda progress: backup.backup_archive(self.store, Path(path), progress=progress),
                      lambda _r: QMessageBox.information(self.window, _("Back up"),
                                                         _("Everything was saved to %1.").replace("%1", path)))

    def restore(self) -> None:
        from core.store import backup  # imported here: keeps start-up quick

        path, _ignored = QFileDialog.getOpenFileName(self.window, _("Restore from a backup"), "",
                                              _("Zip archives (*.zip)"))
        if not path:
            return
        answer = QMessageBox.question(
            self.window, _("Restore from a backup"),
            _("Replace all your cases with those in %1? Your current data is kept as a backup first.")
            .replace("%1", path))
        if answer == QMessageBox.StandardButton.Yes:
            self._run(_("Restoring…"),
                      lambda progress: backup.restore_archive(self.store, Path(path), progress=progress),
                      self._restored)

    def _restored(self, _result: Any) -> None:
        self.restored.emit()
        QMessageBox.information(self.window, _("Restore from a backup"),
                                _("Your cases were restored. The data you had before is kept in %1.")
                                .replace("%1", str(self.store.backups_dir)))

    def check_data(self) -> None:
        from core.store import verify  # imported here: keeps start-up quick

        self._run(_("Checking your data…"),
                  lambda progress: verify.verify(self.store, progress=lambda _a, d, t: progress(d, t)),
                  lambda report: QMessageBox.information(self.window, _("Check data"), report.text())
                  if report.ok else QMessageBox.warning(self.window, _("Check data"), report.text()))

    def auto_backup(self, reason: str) -> None:
        """A backup copy if anything changed since the last one; at exit, before closing."""
        from core.store import backup  # imported here: keeps start-up quick

        try:
            backup.auto_backup(self.store, reason=reason)
        except DocketError as exc:  # a full disk must not stop Docket from closing
            print(f"docket: automatic backup failed: {exc}", file=sys.stderr)

    def auto_backup_in_background(self, reason: str) -> None:
        """The 30-minute backup, off the window's thread so a large store never freezes it."""
        from core.store import backup  # imported here: keeps start-up quick

        status = self.window.statusBar()
        run_in_background(
            lambda _progress: backup.auto_backup(self.store, reason=reason), self,
            succeeded=lambda path: status.showMessage(_("Backed up automatically."), 5000) if path else None,
            failed=lambda message: status.showMessage(_("Automatic backup failed: %1").replace("%1", message)))


class MainWindow(QMainWindow):
    """The window: composition of the panels, menus, toolbar and shortcuts."""

    def __init__(self, store: Store, settings: QSettings | None = None) -> None:
        super().__init__()
        self.store = store
        self._case_id: int | None = None
        self.setWindowTitle(_("Docket"))
        self.setWindowIcon(app_icon())
        self.state = WindowState(store.data_dir, settings)
        self.data = DataActions(store, self)

        self.sidebar = Sidebar()
        self.case_list = CaseListView(store)
        self.companies: CompaniesView | None = None  # built when first shown
        self.overview: Any = None  # the OverviewView, built when first shown
        self.lists = QStackedWidget()
        # Never so narrow that titles and dates cannot be read; the workspace gives way first.
        self.lists.setMinimumWidth(self.fontMetrics().averageCharWidth() * 36)
        self.lists.addWidget(self.case_list)
        self.workspace = CaseWorkspace(store, self)
        self.banner = Banner()  # reminders due
        self.location_banner = Banner()  # the data folder is somewhere risky

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        for widget, stretch in ((self.sidebar, 0), (self.lists, 1), (self.workspace, 2)):
            self.splitter.addWidget(widget)
            self.splitter.setStretchFactor(self.splitter.count() - 1, stretch)
        self.splitter.setSizes([170, 400, 710])  # the case gets the most room
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.location_banner)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.sidebar.view_chosen.connect(self.show_view)
        self.case_list.case_selected.connect(self.open_case)
        self.case_list.new_case_requested.connect(self.new_case)
        self.case_list.load_examples_requested.connect(self.data.load_examples)
        self.data.changed.connect(self.refresh)
        self.data.restored.connect(lambda: (self.open_case(None), self.refresh()))
        self.data.case_imported.connect(self.reveal_case)
        self.workspace.case_changed.connect(lambda _case_id: self.refresh())

        self._make_actions()
        self.statusBar()
        self.sidebar.select_view("all")  # loads the list's first page
        self.refresh_counts()
        self.backup_timer = QTimer(self, interval=AUTO_BACKUP_MS)
        self.backup_timer.timeout.connect(lambda: self.data.auto_backup_in_background("timer"))
        self.backup_timer.start()

        if not self.state.restore(self, {"main": self.splitter}):
            self.resize(1280, 800)
            screen = self.screen()
            if screen is not None and screen.availableGeometry().width() <= 1440:
                # A laptop screen: use all of it from the first start.
                self.resize(screen.availableGeometry().size())
        self._fit_screen()
        self.reveal_case(self.state.last_case())
        self._warn_about_location()
        self._first_run_defaults()

    def _fit_screen(self) -> None:
        """Never open larger than the screen (a laptop, or a window last used on a bigger one)."""
        screen = self.screen()
        if screen is None:
            return
        room = screen.availableGeometry()
        if self.width() > room.width() or self.height() > room.height():
            self.resize(min(self.width(), room.width()), min(self.height(), room.height()))
            self.move(room.topLeft())

    # -- composition ---------------------------------------------------------------------------
    def _action(self, text: str, slot: Any, shortcut: str | QKeySequence.StandardKey | None = None,
                icon_name: str | None = None) -> QAction:
        action = QAction(text, self)
        if icon_name:
            action.setIcon(icon(icon_name))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even while the menu bar is hidden
        return action

    def _make_actions(self) -> None:
        a = self._action
        self.new_case_action = a(_("&New case…"), self.new_case, "Ctrl+N", "new-case")
        self.new_case_form_action = a(_("New case (&form)…"), self.new_case_form, "Ctrl+Shift+N", "new-case")
        import_action = a(_("&Import case file…"), self.data.import_case, None, "import")
        self.export_action = a(_("&Export…"), self.export_case, "Ctrl+E", "export")
        self.print_action = a(_("&Print…"), self.print_case, "Ctrl+P", "print")
        backup = a(_("&Back up…"), self.data.back_up, None, "backup")
        restore = a(_("&Restore…"), self.data.restore, None, "restore")
        check = a(_("&Check data"), self.data.check_data, None, "check")
        settings = a(_("&Settings…"), self.open_settings, QKeySequence.StandardKey.Preferences, "settings")
        quit_action = a(_("&Quit"), self.close, "Ctrl+Q")
        self.log_action = a(_("&Log event…"), lambda: self._workspace_call("log_event"), "Ctrl+L", "log-event")
        self.edit_action = a(_("&Edit selected"), lambda: self._workspace_call("edit_selected"), "F2", "edit")
        self.delete_action = a(_("&Delete selected"), self.delete_selected, "Del", "delete")
        self.delete_case_action = a(_("Delete &case…"), self.delete_case, None, "delete")
        self.edit_case_action = a(_("&Edit case…"), lambda: self._workspace_call("edit_case"),
                                  "Ctrl+Shift+E", "edit")
        self.edit_company_action = a(_("Company &details…"), lambda: self._workspace_call("edit_company"),
                                     None, None)
        self.find_action = a(_("&Find"), self.case_list.focus_search, "Ctrl+F", "search")
        about = a(_("&About Docket"), self.about, None, "about")
        self.guide_action = a(_("Docket &guide"), self.show_guide, QKeySequence.StandardKey.HelpContents, None)
        self.shortcuts_action = a(_("&Keyboard shortcuts"), self.show_shortcuts, "Ctrl+/", None)
        self.data_folder_action = a(_("Open the &data folder"), self.open_data_folder, None, None)
        self.report_action = a(_("&Report a problem…"), self.report_problem, None, None)

        undo = self.workspace.undo_stack.createUndoAction(self, _("&Undo"))
        undo.setShortcut(QKeySequence("Ctrl+Z"))
        undo.setIcon(icon("undo"))
        redo = self.workspace.undo_stack.createRedoAction(self, _("&Redo"))
        redo.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        redo.setIcon(icon("redo"))

        bar = self.menuBar()
        file_menu = bar.addMenu(_("&File"))
        for item in (self.new_case_action, self.new_case_form_action, import_action, self.export_action, self.print_action, None,
                     backup, restore, check, None, settings, None, quit_action):
            file_menu.addSeparator() if item is None else file_menu.addAction(item)
        edit_menu = bar.addMenu(_("&Edit"))
        for item in (undo, redo, None, self.edit_action, self.delete_action, None, self.find_action):
            edit_menu.addSeparator() if item is None else edit_menu.addAction(item)
        case_menu = bar.addMenu(_("&Case"))
        for item in (self.edit_case_action, self.edit_company_action, self.log_action, None,
                     self.delete_case_action):
            case_menu.addSeparator() if item is None else case_menu.addAction(item)
        view_menu = bar.addMenu(_("&View"))
        looks = view_menu.addMenu(_("&Appearance"))
        names = {"system": _("As the &system"), "light": _("&Light"), "dark": _("&Dark")}
        current = self.state.appearance()
        for scheme, label in names.items():
            choice = looks.addAction(label)
            choice.setCheckable(True)
            choice.setChecked(scheme == current)
            choice.triggered.connect(lambda _ignored=False, s=scheme: self.set_appearance(s))
        help_menu = bar.addMenu(_("&Help"))
        for item in (self.guide_action, self.shortcuts_action, None, self.data_folder_action,
                     self.report_action, None, about):
            help_menu.addSeparator() if item is None else help_menu.addAction(item)

        toolbar = QToolBar(_("Main toolbar"))
        toolbar.setObjectName("main-toolbar")
        toolbar.setIconSize(QSize(20, 20))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setMovable(False)
        for item in (self.new_case_action, self.log_action, None, self.export_action, self.print_action):
            toolbar.addSeparator() if item is None else toolbar.addAction(item)
        self.addToolBar(toolbar)
        self._update_case_actions()

    # -- behaviour -----------------------------------------------------------------------------
    def current_case_id(self) -> int | None:
        return self._case_id

    def show_view(self, view: str) -> None:
        self.workspace.setVisible(view != "overview")  # the charts take the room
        if view == "overview":
            if self.overview is None:
                from gui.shell.overview_view import OverviewView  # QtCharts loads only when asked

                self.overview = OverviewView(self.store)
                self.overview.case_selected.connect(lambda case_id: (self.sidebar.select_view("all"), self.reveal_case(case_id)))
                self.lists.addWidget(self.overview)
            self.overview.refresh()
            self.lists.setCurrentWidget(self.overview)
        elif view == "companies":
            if self.companies is None:
                self.companies = CompaniesView(self.store, self.workspace.undo_stack)
                self.companies.case_selected.connect(self.open_case)
                self.companies.company_changed.connect(lambda: self.workspace.show_case(self._case_id))
                self.lists.addWidget(self.companies)
                self.state.restore_splitters({"companies": self.companies.splitter})
            self.companies.refresh()
            self.lists.setCurrentWidget(self.companies)
        else:
            self.case_list.set_view(view)
            self.lists.setCurrentWidget(self.case_list)
            self.refresh_counts()

    def open_case(self, case_id: int | None) -> None:
        """Show ``case_id`` in the workspace (None: no case)."""
        self._case_id = case_id
        self.workspace.show_case(case_id)
        self._update_case_actions()
        if case_id is not None and self.case_list.model.search:  # words found inside a file: show it
            found = evidence_text.evidence_found_in(self.store, self.case_list.model.search, case_id)
            if found is not None:
                self.workspace.show_evidence(found.evidence_id)
                self.workspace.evidence.preview.highlight(re.findall(r"\w+", self.case_list.model.search))

    def reveal_case(self, case_id: int | None) -> None:
        """Select and open a case (after an import, or the one open when Docket last closed)."""
        if case_id is None:
            return
        try:
            # Only whether it still exists: the workspace reads the rest as it shows it.
            queries.case_with_company(self.store, case_id)
        except NotFoundError:  # the remembered case may have been deleted since
            return
        self.case_list.select_case(case_id)
        self.open_case(case_id)

    def _update_case_actions(self) -> None:
        has_case = self.current_case_id() is not None
        for action in (self.log_action, self.edit_action, self.delete_action, self.delete_case_action,
                       self.export_action, self.print_action, self.edit_case_action, self.edit_company_action):
            action.setEnabled(has_case)

    def refresh(self) -> None:
        """Bring the counts and lists up to date after a change."""
        self.refresh_counts()
        self.case_list.refresh()
        if self.companies is not None and self.lists.currentWidget() is self.companies:
            self.companies.refresh()

    def refresh_counts(self) -> None:
        counts = queries.view_counts(self.store)
        self.sidebar.set_counts(counts)
        total = counts["all"]
        shown = counts.get(self.case_list.model.view, total)
        text = count_text("%n case", "%n cases", shown)
        if shown != total:
            text = _("%1 in this view, %2 in all").replace("%1", text).replace("%2", QLocale().toString(total))
        self.statusBar().showMessage(text)

    def _workspace_call(self, name: str) -> None:
        if self.current_case_id() is not None:
            getattr(self.workspace, name)()

    def new_case(self) -> None:
        """The guided start: a few plain questions, then the case as Docket understands it."""
        from gui.dialogs.guided_start import GuidedStart  # imported here: keeps start-up quick

        dialog = GuidedStart(self.store, self)
        if dialog.exec() and dialog.case_id is not None:
            self.refresh()
            self.reveal_case(dialog.case_id)

    def new_case_form(self) -> None:
        dialog = NewCaseDialog(self.store, self)
        if dialog.exec() and dialog.case_id is not None:
            self.refresh()
            self.reveal_case(dialog.case_id)

    def delete_selected(self) -> None:
        """Del: in the case list it deletes the case (after asking); elsewhere the workspace's
        selected event, contact or evidence link (which Undo brings back)."""
        if self.case_list.table.hasFocus():
            self.delete_case()
        else:
            self._workspace_call("delete_selected")

    def delete_case(self) -> None:
        case_id = self.current_case_id()
        if case_id is None:
            return
        title = queries.case_with_company(self.store, case_id).title
        answer = QMessageBox.question(
            self, _("Delete case"),
            _("Delete “%1” with its timeline, contacts and evidence records? This cannot be undone.")
            .replace("%1", title),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            cases.delete_case(self.store, case_id=case_id)
            self.open_case(None)
            self.refresh()

    def export_case(self) -> None:
        from gui.dialogs.export import ExportDialog  # imported here: keeps start-up quick

        if self.current_case_id() is not None:
            ExportDialog(self.store, self.current_case_id(), self).exec()

    def print_case(self) -> None:
        """Print preview of the case history, laid out as the export dialog would."""
        from gui.dialogs.export import ExportDialog  # imported here: keeps start-up quick

        if self.current_case_id() is None:
            return
        # Kept on the window: the preview draws through this dialog for as long as it is open.
        self._print_source = ExportDialog(self.store, self.current_case_id(), self)
        self._print_source.preview()

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.store, self)
        if dialog.exec() and dialog.restart_wanted:
            self.restart()

    def restart(self) -> None:
        """Close the window as Quit does, then start Docket again the same way (a new language
        applies from the start)."""
        from gui.shell.restart import restart_after_exit

        if self.close():
            restart_after_exit()

    def about(self) -> None:
        AboutDialog(self.store.data_dir, self).exec()

    def set_appearance(self, scheme: str) -> None:
        """Light, dark or as the system; kept for next time (dark and light apply at once)."""
        from gui.kit import appearance  # imported here: keeps start-up quick

        self.state.set_appearance(scheme)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            appearance.apply(app, scheme)
        if scheme == "system":
            self.statusBar().showMessage(_("The system's look returns when Docket next starts."), 8000)

    def show_guide(self) -> None:
        from gui.dialogs.help import GuideDialog  # imported here: keeps start-up quick

        GuideDialog(self).exec()

    def show_shortcuts(self) -> None:
        from gui.dialogs.help import ShortcutsDialog  # imported here: keeps start-up quick

        actions = [*self.actions(), *self.menuBar().actions()]
        for menu in self.menuBar().findChildren(QMenu):
            actions.extend(menu.actions())
        unique = list({id(a): a for a in actions}.values())
        ShortcutsDialog(unique, self).exec()

    def open_data_folder(self) -> None:
        """Show the folder where Docket keeps its data in the system's file manager."""
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.store.data_dir)))

    def report_problem(self) -> Path:
        """Write a problem report (versions, the last error; nothing personal) into the data
        folder and say where it is."""
        from gui.kit.diagnostics import write_diagnostics  # imported here: keeps start-up quick

        path = write_diagnostics(self.store.data_dir, self.store.data_dir, self.store.revision())
        self.banner.show_message(
            _("A problem report was written to %1. It holds versions and the last error only: "
                    "attach it to your report.").replace("%1", str(path)),
            _("Show the folder"), self.open_data_folder)
        return path

    def check_due(self, items: list[Any]) -> None:
        """Say at start-up (and when the tray finds more) what needs attention, without blocking."""
        if not items:
            return
        first = f"{items[0].case_title}: {items[0].reason}"
        if len(items) == 1:
            text = _("A reminder is due. %1").replace("%1", first)
        else:
            text = _("%1 reminders are due. The most urgent: %2").replace("%1", str(len(items))).replace("%2", first)
        self.banner.show_message(text, _("Show them"), self.show_attention)

    def show_attention(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()
        self.sidebar.select_view("attention")

    def _first_run_defaults(self) -> None:
        """On a new, empty store: the currency and the country of the system's locale become the
        defaults for new cases (not GBP and GB for everybody)."""
        if self.state.first_run_done() or queries.count_cases(self.store):
            self.state.mark_first_run_done()
            return
        from core.journal import settings  # imported here: keeps start-up quick

        values = locale_defaults(QLocale.system())
        if values:
            with contextlib.suppress(DocketError):  # a refused value leaves the built-in defaults
                settings.update(self.store, **values)
        self.state.mark_first_run_done()

    def _warn_about_location(self) -> None:
        warning = paths.risky_location(self.store.data_dir)
        if warning:
            self.location_banner.show_message(warning)
        # The store's own check at start (damage, tampering, a replaced database), off the
        # window's thread; what it finds is said in the same banner.
        from core.store.verify import start_check

        def found(problems: list[str]) -> None:
            notes = [n for n in self.store.notices if n not in problems]
            if problems or notes:
                self.location_banner.show_message("\n".join([*notes, *problems, *([warning] if warning else [])]))

        run_in_background(lambda _progress: start_check(self.store), self, succeeded=found)

    def closeEvent(self, event: QCloseEvent) -> None:
        splitters = {"main": self.splitter}
        if self.companies is not None:
            splitters["companies"] = self.companies.splitter
        self.state.save(self, splitters, self.current_case_id())
        self.data.auto_backup("exit")
        super().closeEvent(event)
