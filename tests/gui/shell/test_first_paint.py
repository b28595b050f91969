"""The staged start: the cases are on screen before the store opens, and a case clicked while
it opens is shown once it is ready."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from core.store.store import Store
from gui.shell import app, first_paint
from gui.shell.main_window import MainWindow


def _visible_main_window() -> MainWindow:
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())


def test_the_first_page_shows_before_the_store_opens_and_an_early_click_opens_once_ready(
        qtbot, store: Store, make_cases, monkeypatch) -> None:
    ids = make_cases(3, title="Refund {i}")
    data_dir = store.data_dir
    store.close()
    seen: dict[str, object] = {}

    def painted(window: first_paint.FirstPaint) -> None:
        seen["store open"] = first_paint._locked(Path(data_dir))  # the store takes this lock
        seen["titles"] = sorted(window.titles())
        seen["all"] = window.sidebar.count_of("all")
        window.select_case(ids[1])  # the person clicks a case while Docket is still opening

    def exec_until_shown(self: QApplication) -> int:
        window = _visible_main_window()
        qtbot.waitUntil(lambda: window.current_case_id() == ids[1])
        seen["opened"] = window.current_case_id()
        seen["first paint left"] = [w for w in QApplication.topLevelWidgets()
                                    if isinstance(w, first_paint.FirstPaint) and w.isVisible()]
        window.hide()  # not closed: closing saves the window's place in the user's settings
        return 0

    monkeypatch.setattr(app, "START_CHECK_DELAY_MS", 10**9)  # the background checks: not in this test
    monkeypatch.setattr(app, "first_painted", painted)
    monkeypatch.setattr(QApplication, "exec", exec_until_shown)
    assert app.run(data_dir=data_dir) == 0
    assert seen["store open"] is False
    assert seen["titles"] == ["Refund 0", "Refund 1", "Refund 2"]
    assert seen["all"] == 3
    assert seen["opened"] == ids[1]
    assert seen["first paint left"] == []


def test_a_store_that_needs_a_migration_starts_without_the_first_paint(store: Store, make_cases) -> None:
    make_cases(1)
    with store.write() as session:
        session.connection().exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    data_dir = store.data_dir
    store.close()
    assert first_paint.read_first_page(data_dir) is None


def test_a_folder_open_in_another_docket_skips_the_first_paint(store: Store, make_cases) -> None:
    make_cases(1)
    assert first_paint.read_first_page(store.data_dir) is None  # the fixture's store holds the lock
