"""On the first start after the upgrade, evidence stored earlier is read for search in the
background while the status bar says how far it got."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from core.journal import cases, queries
from core.store.store import Store
from gui.shell.evidence_indexing import index_evidence_in_background


def test_old_evidence_becomes_searchable_after_start(qtbot: QtBot, store: Store, tmp_path: Path) -> None:
    case_id = cases.open_case(store, title="Parcel lost", company="Courier Co")
    for n in range(3):
        (tmp_path / f"note{n}.txt").write_text(f"Claim reference CLM{n}4410\n")
        cases.attach_evidence(store, case_id=case_id, path=tmp_path / f"note{n}.txt")
    with store.write() as session:  # as a store from before text search
        session.connection().exec_driver_sql("DELETE FROM evidence_texts")
    window = QMainWindow()
    qtbot.addWidget(window)

    task = index_evidence_in_background(store, window)
    with qtbot.waitSignal(task.finished, timeout=20000):
        pass

    assert "3 files" in window.statusBar().currentMessage()
    assert queries.search(store, "CLM24410")[0].where == "in evidence note2.txt"


def test_opening_a_case_found_by_a_word_in_its_evidence_shows_that_file(
        qtbot: QtBot, store: Store, tmp_path: Path, window_settings) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    from gui.shell.main_window import MainWindow

    other = cases.open_case(store, title="Broadband", company="Netco")
    case_id = cases.open_case(store, title="Parcel lost", company="Courier Co")
    (tmp_path / "photo-notes.txt").write_text("nothing here\n")
    (tmp_path / "claim.txt").write_text("Claim reference CLM77120 filed with the depot\n")
    cases.attach_evidence(store, case_id=case_id, path=tmp_path / "photo-notes.txt")
    claim = cases.attach_evidence(store, case_id=case_id, path=tmp_path / "claim.txt")
    window = MainWindow(store, window_settings)
    qtbot.addWidget(window)
    window.show()

    qtbot.keyClicks(window.case_list.search_field, "CLM77120")
    qtbot.keyClick(window.case_list.search_field, Qt.Key.Key_Return)

    assert window.current_case_id() == case_id != other
    assert window.workspace.tabs.currentWidget() is window.workspace.evidence
    assert window.workspace.evidence.selected_item().id == claim
    preview = window.workspace.evidence.preview.text
    (mark,) = preview.extraSelections()  # the word found is highlighted in the text preview
    assert mark.cursor.selectedText() == "CLM77120"
