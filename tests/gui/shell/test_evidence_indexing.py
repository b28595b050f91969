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

    assert "3 file(s)" in window.statusBar().currentMessage()
    assert queries.search(store, "CLM24410")[0].where == "in evidence note2.txt"
