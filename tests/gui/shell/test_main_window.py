"""The Docket window as a user meets it: first run, new case, search, views, companies, state."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from core import __version__
from core.journal import cases, queries, settings
from core.store.store import Store
from gui.dialogs.about import AboutDialog
from gui.dialogs.new_case import NewCaseDialog, parse_money
from gui.dialogs.settings import SettingsDialog
from gui.shell.case_list_model import CASE_ROLE, TITLE
from gui.shell.companies_view import CompanyModel
from gui.shell.main_window import MainWindow


@pytest.fixture
def window(qtbot, store: Store, window_settings: QSettings) -> MainWindow:
    win = MainWindow(store, window_settings)
    qtbot.addWidget(win)
    win.show()
    return win


def listed_titles(win: MainWindow) -> list[str]:
    model = win.case_list.model
    return [model.index(r, TITLE).data() for r in range(model.rowCount())]


def test_first_run_explains_the_next_step_and_loads_examples(qtbot, window: MainWindow) -> None:
    empty = window.case_list.empty
    assert window.case_list.stack.currentWidget() is empty
    assert "No cases yet" in empty.heading.text()
    assert empty.examples_button.isVisible()

    qtbot.mouseClick(empty.examples_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.case_list.model.rowCount() == 7, timeout=10_000)
    assert window.case_list.stack.currentWidget() is window.case_list.table
    assert window.sidebar.count_of("all") == 7
    assert window.sidebar.count_of("companies") == 7


def test_new_case_form_says_what_is_missing_then_opens_the_case(qtbot, store: Store, window: MainWindow) -> None:
    dialog = NewCaseDialog(store, window)
    qtbot.addWidget(dialog)
    dialog.show()

    dialog.accept()
    assert dialog.isVisible()
    assert "title" in dialog.errors["title"].text()
    assert "company" in dialog.errors["company"].text()

    dialog.title.setText("Laptop repair never done")
    dialog.company.setCurrentText("FixIt Ltd")
    dialog.amount.setText("12x.5")
    dialog.accept()
    assert dialog.isVisible()
    assert "not an amount" in dialog.errors["amount"].text()
    assert dialog.errors["title"].isHidden()
    assert queries.count_cases(store) == 0

    dialog.amount.setText("1,299.50")
    dialog.currency.setCurrentText("EUR")
    dialog.accept()
    assert not dialog.isVisible()
    case = queries.load_case(store, dialog.case_id)
    assert (case.title, case.company.name, str(case.amount), case.currency) == (
        "Laptop repair never done", "FixIt Ltd", "1299.50", "EUR")


def test_new_case_defaults_come_from_settings(qtbot, store: Store) -> None:
    settings.update(store, default_currency="CAD", default_jurisdiction="CA")
    dialog = NewCaseDialog(store)
    qtbot.addWidget(dialog)
    assert dialog.currency.currentText() == "CAD"
    assert dialog.jurisdiction.code() == "CA"  # picked from the rule packs' regions, not typed


def test_amounts_are_read_as_money_in_the_chosen_currency() -> None:
    assert str(parse_money("£1,234.56", "GBP").value) == "1234.56"
    assert str(parse_money("1.234,56", "EUR").value) == "1234.56"
    assert parse_money("", "EUR") is None
    with pytest.raises(Exception, match="decimal places"):
        parse_money("100.5", "JPY")
    with pytest.raises(Exception, match="not an amount"):
        parse_money("1.2.3", "EUR")


def test_new_case_form_opens_the_form_and_the_new_case_is_selected(qtbot, store: Store, window: MainWindow,
                                                                   monkeypatch) -> None:
    def fill_and_accept(dialog: NewCaseDialog) -> int:
        dialog.title.setText("Boiler service skipped")
        dialog.company.setCurrentText("Warm Homes")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(NewCaseDialog, "exec", fill_and_accept)
    window.new_case_form_action.trigger()
    assert listed_titles(window) == ["Boiler service skipped"]
    assert window.current_case_id() == window.case_list.model.index(0, TITLE).data(CASE_ROLE).id
    assert window.sidebar.count_of("open") == 1


def test_ctrl_n_opens_the_guided_start_and_the_new_case_is_selected(qtbot, store: Store, window: MainWindow,
                                                                     monkeypatch) -> None:
    from gui.dialogs.guided_start import GuidedStart

    def answer_and_finish(dialog: GuidedStart) -> int:
        dialog.situation_buttons["wrong_bill"].click()
        dialog.next()
        dialog.company.setText("Warm Homes")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(GuidedStart, "exec", answer_and_finish)
    assert window.new_case_action.shortcut().toString() == "Ctrl+N"
    window.new_case_action.trigger()
    assert listed_titles(window) == ["Wrong bill or charge from Warm Homes"]
    assert window.current_case_id() == window.case_list.model.index(0, TITLE).data(CASE_ROLE).id


def test_search_finds_a_word_in_an_events_details_and_narrows_the_list(qtbot, store: Store, window: MainWindow,
                                                                       make_cases) -> None:
    ids = make_cases(4)
    cases.log_event(store, case_id=ids[2], at="2026-03-02T10:00:00+00:00", kind="call", summary="Called them",
                    details="Agent Morrison said the parcel was in the depot")
    window.refresh()
    assert len(listed_titles(window)) == 4

    window.find_action.trigger()
    assert window.case_list.search_field.hasFocus()
    qtbot.keyClicks(window.case_list.search_field, "morris")
    qtbot.waitUntil(lambda: listed_titles(window) == ["Case 2"])

    window.case_list.search_field.clear()
    qtbot.waitUntil(lambda: len(listed_titles(window)) == 4)

    qtbot.keyClicks(window.case_list.search_field, "depot")
    qtbot.keyClick(window.case_list.search_field, Qt.Key.Key_Return)  # Enter opens the first case found
    assert window.current_case_id() == ids[2]
    assert window.case_list.table.hasFocus()

    window.case_list.search_field.clear()
    qtbot.keyClicks(window.case_list.search_field, "zebra")
    qtbot.waitUntil(lambda: window.case_list.stack.currentWidget() is window.case_list.empty)
    assert "zebra" in window.case_list.empty.heading.text()


def test_sidebar_counts_and_views(qtbot, store: Store, window: MainWindow, make_cases) -> None:
    ids = make_cases(5)
    cases.change_status(store, case_id=ids[0], status="awaiting_reply")
    cases.change_status(store, case_id=ids[1], status="escalated")
    cases.change_status(store, case_id=ids[2], status="resolved", outcome="won")
    window.refresh()
    counts = {key: window.sidebar.count_of(key) for key in ("all", "open", "awaiting_reply", "escalated", "closed")}
    assert counts == {"all": 5, "open": 2, "awaiting_reply": 1, "escalated": 1, "closed": 1}

    window.sidebar.select_view("escalated")
    assert listed_titles(window) == ["Case 1"]
    window.sidebar.select_view("closed")
    assert listed_titles(window) == ["Case 2"]


def test_companies_view_shows_each_company_with_its_cases(qtbot, qtmodeltester, store: Store,
                                                           window: MainWindow, make_cases) -> None:
    make_cases(3, company="Acme Ltd")
    make_cases(2, company="Globex", title="Globex case {i}")
    window.refresh()
    window.sidebar.select_view("companies")
    view = window.companies
    assert window.lists.currentWidget() is view
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)  # the track record is computed in a worker
    qtmodeltester.check(view.model)
    names = [view.model.index(r, 0).data() for r in range(view.model.rowCount())]
    assert names == ["Acme Ltd", "Globex"]
    assert view.model.index(1, 1).data() == "2"

    view.companies.selectRow(1)
    assert view.cases_model.rowCount() == 2
    view.cases.selectRow(0)
    assert window.current_case_id() is not None


def test_company_model_on_an_empty_store(qtmodeltester, store: Store) -> None:
    model = CompanyModel(store)
    model.refresh()
    qtmodeltester.check(model)


def test_deleting_a_case_asks_first(qtbot, store: Store, window: MainWindow, make_cases, monkeypatch) -> None:
    make_cases(1)
    window.refresh()
    window.case_list.table.selectRow(0)
    assert window.delete_case_action.isEnabled()

    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    asked: list[str] = []

    def answer(_parent, _title, text, *_args):
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", answer)
    window.case_list.table.setFocus()
    qtbot.keyClick(window.case_list.table, Qt.Key.Key_Delete)  # Del in the list means the case
    assert "Case 0" in asked[0]
    assert queries.count_cases(store) == 1
    window.delete_case_action.trigger()
    assert queries.count_cases(store) == 0
    assert window.current_case_id() is None
    assert window.sidebar.count_of("all") == 0


def test_window_size_splitters_and_last_case_are_restored(qtbot, store: Store, window_settings: QSettings,
                                                           make_cases) -> None:
    ids = make_cases(3)
    first = MainWindow(store, window_settings)
    qtbot.addWidget(first)
    first.show()
    first.resize(760, 560)  # inside the offscreen screen, which restoreGeometry keeps to
    first.splitter.setSizes([150, 300, 300])
    size, sizes = first.size(), first.splitter.sizes()
    row = first.case_list.model.row_of(ids[1])
    first.case_list.table.selectRow(row)
    assert first.current_case_id() == ids[1]
    first.close()

    second = MainWindow(store, window_settings)
    qtbot.addWidget(second)
    second.show()
    assert second.size() == size
    assert second.splitter.sizes() == sizes
    assert second.current_case_id() == ids[1]
    assert second.case_list.current_case_id() == ids[1]


def test_a_remembered_case_deleted_since_opens_nothing(qtbot, store: Store, window_settings: QSettings,
                                                       make_cases) -> None:
    ids = make_cases(2)
    first = MainWindow(store, window_settings)
    qtbot.addWidget(first)
    first.case_list.table.selectRow(first.case_list.model.row_of(ids[0]))
    assert first.current_case_id() == ids[0]
    first.close()
    cases.delete_case(store, case_id=ids[0])

    second = MainWindow(store, window_settings)
    qtbot.addWidget(second)
    second.show()
    assert second.current_case_id() is None
    assert second.workspace.pages.currentWidget() is second.workspace.empty
    assert listed_titles(second) == ["Case 1"]


def test_about_shows_version_licence_and_data_folder(qtbot, store: Store) -> None:
    dialog = AboutDialog(store.data_dir)
    qtbot.addWidget(dialog)
    assert __version__ in dialog.version_label.text()
    assert "GPL-3.0-or-later" in dialog.licence_label.text()
    assert str(store.data_dir) in dialog.data_label.text()


def test_settings_are_saved_to_the_store(qtbot, store: Store) -> None:
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    dialog.your_name.setText("Ana Costa")
    dialog.your_address.setPlainText("3 Mill Lane\nYork YO1 7HH")
    dialog.paper_size.setCurrentIndex(dialog.paper_size.findData("Letter"))
    dialog.silence_days.setValue(10)
    dialog.accept()
    saved = settings.get_all(store)
    assert (saved["your_name"], saved["your_address"], saved["paper_size"], saved["silence_days"]) == (
        "Ana Costa", "3 Mill Lane\nYork YO1 7HH", "Letter", 10)


def test_a_bad_default_currency_is_refused_and_nothing_saved(qtbot, store: Store) -> None:
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.your_name.setText("Ana Costa")
    dialog.default_currency.setCurrentText("EURO")
    dialog.accept()
    assert dialog.isVisible()
    assert "three-letter" in dialog.error.text()
    assert settings.get(store, "your_name") == ""


def test_accessible_names_on_the_main_controls(window: MainWindow) -> None:
    for widget in (window.sidebar, window.case_list.search_field, window.case_list.table):
        assert widget.accessibleName()


def test_data_dir_is_shown_in_settings(qtbot, store: Store) -> None:
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    from PySide6.QtWidgets import QLineEdit

    shown = [w.text() for w in dialog.findChildren(QLineEdit) if w.isReadOnly()]
    assert str(store.data_dir) in shown
    assert str(Path(store.templates_dir)) in shown


def test_a_broken_promise_is_announced_once_and_leads_to_needs_attention(qtbot, store: Store, window: MainWindow,
                                                                       make_cases) -> None:
    from datetime import timedelta

    from core.domain import clock
    from gui.shell.tray import DueNotifier

    ids = make_cases(2)
    today = clock.today()
    cases.log_event(store, case_id=ids[1], at=today - timedelta(days=20), kind="promise", direction="from_company",
                    summary="They promised a refund", promised_by=today - timedelta(days=6))
    window.refresh()
    assert window.sidebar.count_of("attention") == 1

    notifier = DueNotifier(store, window, window)
    with qtbot.waitSignal(notifier.checked) as signal:
        notifier.check_in_background()  # as at start-up: computed off the window's thread
    first = signal.args[0]
    assert [item.case_id for item in first] == [ids[1]]
    assert notifier.check() == []  # announced once per run

    window.check_due(first)
    assert window.banner.isVisible()
    assert "Case 1" in window.banner.text.text()
    qtbot.mouseClick(window.banner.action_button, Qt.MouseButton.LeftButton)
    assert window.sidebar.current_view() == "attention"
    assert listed_titles(window) == ["Case 1"]


def test_every_event_kind_has_its_own_icon_drawn_sharp_at_2x(qtbot) -> None:
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QColor

    from core.domain.models import EventKind
    from gui.kit.icons import icon_for_kind

    drawings = set()
    for kind in EventKind:
        pixmap = icon_for_kind(kind.value).pixmap(QSize(24, 24), 2.0)
        image = pixmap.toImage()
        assert (image.width(), image.height()) == (48, 48), kind  # drawn at device pixels, not scaled up
        inked = sum(1 for y in range(48) for x in range(48) if QColor(image.pixel(x, y)).alpha() > 0)
        assert inked > 40, kind
        drawings.add(bytes(image.constBits()))
    assert len(drawings) == len(EventKind)


def test_back_up_then_restore_from_the_file_menu_brings_a_deleted_case_back(
        qtbot, store: Store, window: MainWindow, make_cases, tmp_path, monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    ids = make_cases(2)
    window.refresh()
    archive = tmp_path / "all-my-cases.zip"
    told: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(archive), ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(archive), ""))
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a: told.append(text))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)

    window.data.back_up()
    qtbot.waitUntil(lambda: archive.exists() and bool(told), timeout=10_000)
    assert str(archive) in told[-1]

    cases.delete_case(store, case_id=ids[0])
    window.refresh()
    assert listed_titles(window) == ["Case 1"]

    with qtbot.waitSignal(window.data.restored, timeout=10_000):
        window.data.restore()
    assert sorted(listed_titles(window)) == ["Case 0", "Case 1"]
    assert window.sidebar.count_of("all") == 2
    assert "restored" in told[-1]


def test_check_data_reports_that_all_is_in_order(qtbot, store: Store, window: MainWindow, make_cases,
                                                 monkeypatch) -> None:
    make_cases(2)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a: told.append(text))
    window.data.check_data()
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)
    assert "in order" in told[0]


def test_importing_a_case_file_lists_and_opens_the_case(qtbot, store: Store, window: MainWindow, make_cases,
                                                        tmp_path, monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    from core.exchange import casefile

    ids = make_cases(1, title="Washing machine {i}")
    case_file = casefile.write_json(store, case_id=ids[0], out=tmp_path / "washing-machine.json")
    cases.delete_case(store, case_id=ids[0])
    window.refresh()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(case_file), ""))

    with qtbot.waitSignal(window.data.case_imported, timeout=10_000) as imported:
        window.data.import_case()
    assert listed_titles(window) == ["Washing machine 0"]
    assert window.current_case_id() == imported.args[0]


def test_export_and_print_open_the_case_history_for_the_open_case(qtbot, window: MainWindow, make_cases) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from gui.dialogs.export import ExportDialog

    assert not window.export_action.isEnabled() and not window.print_action.isEnabled()
    ids = make_cases(2, title="Boiler {i}")
    window.refresh()
    window.case_list.table.selectRow(window.case_list.model.row_of(ids[1]))
    assert window.export_action.isEnabled() and window.print_action.isEnabled()

    titles: list[str] = []

    def close_export() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, ExportDialog) and not titles:
            titles.append(dialog.windowTitle())
            dialog.reject()

    poll = QTimer(interval=10)
    poll.timeout.connect(close_export)
    poll.start()
    window.export_action.trigger()  # returns when the dialog is closed
    poll.stop()
    assert titles == ["Export case history: Boiler 1"]

    window.print_action.trigger()
    qtbot.waitUntil(lambda: window._print_source.preview_dialog is not None, timeout=10_000)
    preview = window._print_source.preview_dialog
    assert preview.isVisible() and "Boiler 1" in preview.windowTitle()
    preview.close()


def test_a_data_folder_already_open_elsewhere_is_explained_not_crashed(qtbot, store: Store, monkeypatch) -> None:
    from gui.shell import app

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, title, text, *a: shown.append(f"{title}: {text}"))
    assert app.run(data_dir=store.data_dir) == 2  # the fixture's store holds the lock
    assert "already open" in shown[0]
    assert str(store.data_dir) in shown[0]


def test_a_risky_data_folder_is_warned_about_without_blocking(qtbot, store: Store, window_settings,
                                                              monkeypatch) -> None:
    from core.store import paths

    monkeypatch.setattr(paths, "risky_location", lambda _path: "This folder is synchronised by Dropbox.")
    win = MainWindow(store, window_settings)
    qtbot.addWidget(win)
    win.show()
    assert win.location_banner.isVisible()
    assert "Dropbox" in win.location_banner.text.text()


def test_a_narrow_list_drops_last_activity_before_the_title_becomes_unreadable(qtbot, store: Store,
                                                                               make_cases) -> None:
    from gui.shell.case_list_model import LAST_ACTIVITY
    from gui.shell.case_list_view import CaseListView

    make_cases(3)
    view = CaseListView(store)
    qtbot.addWidget(view)
    view.show()
    header = view.table.horizontalHeader()
    view.resize(900, 400)
    qtbot.waitUntil(lambda: not header.isSectionHidden(LAST_ACTIVITY))
    view.resize(380, 400)
    qtbot.waitUntil(lambda: header.isSectionHidden(LAST_ACTIVITY))

    view._choose_column(LAST_ACTIVITY, True)  # as from the header's column menu
    view.resize(370, 400)
    qtbot.wait(50)
    assert not header.isSectionHidden(LAST_ACTIVITY)


def test_del_on_the_timeline_then_ctrl_z_from_the_edit_menu(qtbot, store: Store, window: MainWindow,
                                                           make_cases) -> None:
    from PySide6.QtGui import QKeySequence

    ids = make_cases(1)
    cases.log_event(store, case_id=ids[0], at="2026-02-01", kind="email", direction="to_company",
                    summary="Asked for a refund")
    cases.log_event(store, case_id=ids[0], at="2026-02-09", kind="call", direction="to_company",
                    summary="Chased by phone")
    window.refresh()
    window.case_list.table.selectRow(0)
    assert window.current_case_id() == ids[0]
    timeline = window.workspace.timeline
    timeline.table.setFocus()
    timeline.table.selectRow(timeline.model.rowCount() - 1)

    window.delete_action.trigger()
    assert [e.summary for e in queries.case_events(store, ids[0])] == ["Asked for a refund"]
    assert window.case_list.model.case_at(0).last_activity.startswith("2026-02-01")  # the list follows

    undo = next(a for a in window.findChildren(type(window.delete_action))
                if a.shortcut() == QKeySequence("Ctrl+Z"))
    undo.trigger()
    assert [e.summary for e in queries.case_events(store, ids[0])] == ["Asked for a refund", "Chased by phone"]
    assert window.case_list.model.case_at(0).last_activity.startswith("2026-02-09")


def test_the_half_hourly_backup_runs_in_the_background_and_says_so(qtbot, store: Store, window: MainWindow,
                                                                   make_cases) -> None:
    make_cases(2)
    before = set(store.backups_dir.glob("*")) if store.backups_dir.exists() else set()
    window.backup_timer.timeout.emit()
    qtbot.waitUntil(lambda: "Backed up" in window.statusBar().currentMessage(), timeout=10_000)
    assert set(store.backups_dir.glob("*")) - before  # a new backup file is there


def test_the_first_run_takes_currency_and_country_from_the_system_locale() -> None:
    from PySide6.QtCore import QLocale

    from gui.shell.main_window import locale_defaults

    assert locale_defaults(QLocale("fr_FR")) == {"default_currency": "EUR", "default_jurisdiction": "FR"}
    assert locale_defaults(QLocale("en_CA")) == {"default_currency": "CAD", "default_jurisdiction": "CA"}
    assert locale_defaults(QLocale.c()) == {}  # no locale: the built-in defaults stay


def test_a_store_changed_behind_dockets_back_is_said_in_the_banner_at_start(qtbot, store: Store,
                                                                             window_settings) -> None:
    import sqlite3

    case_id = cases.open_case(store, title="Refund", company="Shop")
    cases.log_event(store, case_id=case_id, at="2026-03-01", kind="note", summary="Promised a refund")
    with sqlite3.connect(store.db_path) as conn:
        conn.execute("UPDATE events SET summary = 'Nothing promised'")
    win = MainWindow(store, window_settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(win.location_banner.isVisible, timeout=5000)
    assert "changed outside Docket" in win.location_banner.text.text()
