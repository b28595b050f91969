"""The Overview: charts of where a person stands, each with its figures as a table, copied
or saved as an image, in the palette's colours."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from pytestqt.qtbot import QtBot

from core.domain import clock
from core.exchange.demo import load_examples
from core.journal import stats
from core.store.store import Store
from gui.shell.main_window import MainWindow
from gui.shell.overview_view import SERIES_ON_DARK, SERIES_ON_LIGHT, OverviewView, series_colours


@pytest.fixture(scope="module")
def examples_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The example cases, loaded once for the tests that only look at them."""
    from core.journal.opening import open_store

    with open_store(tmp_path_factory.mktemp("examples") / "docket-data") as opened:
        clock.set_today("2026-06-15")
        load_examples(opened)
        yield opened


@pytest.fixture
def overview(qtbot: QtBot, examples_store: Store) -> OverviewView:
    clock.set_today("2026-06-15")
    view = OverviewView(examples_store)
    qtbot.addWidget(view)
    view.resize(1000, 900)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=20000):
        view.refresh()
    return view


def table_rows(panel) -> list[list[str]]:  # type: ignore[no-untyped-def]
    model = panel.model
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_every_chart_has_its_figures_in_a_table(overview: OverviewView) -> None:
    companies = {row[0]: row for row in table_rows(overview.companies)}
    assert companies["PixelPath Academy"][1:3] == ["1", "0"]
    assert companies["PixelPath Academy"][4] == "100% (1 of 1)"
    assert companies["Maison Lefèvre Paris"][3] == "14.0"
    time = {row[0]: row for row in table_rows(overview.time_company)}
    assert time["ClearSight Opticians"][1:] == ["12", "25", "80", "1 h 57 min"]
    assert table_rows(overview.outcomes)[0][:2] == ["non delivery", "1"]
    # One row per deadline of the next 30 days, as the due list gives them.
    deadlines = stats.upcoming_deadlines(overview.store)
    assert len(deadlines) >= 7
    assert [row[1] for row in table_rows(overview.deadlines)] == [d.case_title for d in deadlines]
    # The currency with the most still in dispute is shown first; every month is a row.
    assert overview.currency.currentText() == "GBP"
    assert [row[0] for row in table_rows(overview.money)] == ["2026-04", "2026-05", "2026-06"]


def test_the_table_can_replace_the_chart_for_a_keyboard_or_screen_reader(overview: OverviewView, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    panel = overview.outcomes
    qtmodeltester.check(overview.companies.model)
    assert panel.stack.currentWidget() is panel.chart_view
    panel.toggle.click()
    assert panel.stack.currentWidget() is panel.table
    assert panel.toggle.text() == "Chart"
    panel.toggle.click()
    assert panel.stack.currentWidget() is panel.chart_view


def test_a_chart_is_copied_and_saved_as_png_and_svg(overview: OverviewView, tmp_path: Path) -> None:
    panel = overview.time_company
    panel.copy_image()
    assert not QGuiApplication.clipboard().image().isNull()
    png = panel.save_image(tmp_path / "time.png")
    svg = panel.save_image(tmp_path / "time.svg")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = svg.read_text()
    assert "<svg" in text and "ClearSight Opticians" in text


def test_charts_follow_a_dark_palette(overview: OverviewView) -> None:
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Window, QColor("#2b2b2b"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    assert series_colours(dark) == SERIES_ON_DARK
    overview.setPalette(dark)
    chart = overview.money.chart
    assert chart.backgroundBrush().color() == QColor("#1e1e1e")
    assert chart.legend().labelColor() == QColor("#eeeeee")
    assert series_colours(QPalette(QColor("#f0f0f0"))) == SERIES_ON_LIGHT


def test_an_empty_journal_says_what_will_appear(qtbot: QtBot, store: Store) -> None:
    view = OverviewView(store)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=20000):
        view.refresh()
    assert view.money.stack.currentWidget() is view.money.empty
    assert not view.money.save_button.isEnabled()
    assert "Nothing due" in view.deadlines.empty.text()


def test_the_overview_is_a_view_of_the_sidebar(qtbot: QtBot, store: Store, window_settings: QSettings) -> None:
    window = MainWindow(store, window_settings)
    qtbot.addWidget(window)
    window.show()
    window.sidebar.select_view("overview")
    assert window.overview is not None
    with qtbot.waitSignal(window.overview.loaded, timeout=20000):
        pass
    assert window.lists.currentWidget() is window.overview
    assert not window.workspace.isVisible()
    window.sidebar.select_view("all")
    assert window.workspace.isVisible()


def test_settings_say_how_to_search_pictures_when_ocr_is_missing(qtbot: QtBot, store: Store) -> None:
    from core.journal import evidence_text
    from gui.dialogs.settings import SettingsDialog

    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    if evidence_text.ocr_available():
        assert dialog.ocr_note.text() == "Text in pictures is searched."
    else:
        assert 'pip install "docket[ocr]"' in dialog.ocr_note.text()


def test_double_clicking_a_deadline_opens_its_case(qtbot: QtBot, store: Store, window_settings: QSettings) -> None:
    clock.set_today("2026-06-15")
    load_examples(store)
    window = MainWindow(store, window_settings)
    qtbot.addWidget(window)
    window.show()
    window.sidebar.select_view("overview")
    with qtbot.waitSignal(window.overview.loaded, timeout=20000):
        pass
    first = window.overview.data.deadlines[0]

    window.overview.deadlines.table.doubleClicked.emit(window.overview.deadlines.model.index(0, 1))

    assert window.current_case_id() == first.case_id
    assert window.lists.currentWidget() is window.case_list and window.workspace.isVisible()
