"""Docket fits a laptop screen: no window or dialog asks for more than 1280×720, even with the
largest evidence selected, so nothing is pushed off-screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialog, QWidget

from core.journal import cases, queries
from core.store.store import Store
from gui.case.contacts_panel import ContactDialog
from gui.case.header import OutcomeDialog
from gui.dialogs.about import AboutDialog
from gui.dialogs.company import CompanyDialog
from gui.dialogs.edit_case import EditCaseDialog
from gui.dialogs.event import EventDialog
from gui.dialogs.evidence_details import EvidenceDetailsDialog
from gui.dialogs.export import ExportDialog
from gui.dialogs.guided_start import GuidedStart
from gui.dialogs.letter_editor import LetterEditor
from gui.dialogs.new_case import NewCaseDialog
from gui.dialogs.settings import SettingsDialog
from gui.shell.main_window import MainWindow

SCREEN = QSize(1280, 720)
# What the desktop keeps for itself: a panel or a title bar.
DESKTOP = QSize(0, 60)


def fits(widget: QWidget) -> QSize:
    hint = widget.minimumSizeHint().expandedTo(widget.minimumSize())
    room = SCREEN - DESKTOP
    assert hint.width() <= room.width() and hint.height() <= room.height(), (
        f"{type(widget).__name__} needs {hint.width()}×{hint.height()}, more than {room.width()}×{room.height()}")
    return hint


@pytest.fixture
def full_case(store: Store, tmp_path: Path) -> tuple[int, int]:
    case_id = cases.open_case(store, title="A very long title " * 6, company="Parfums de Paris", amount="129.00",
                              currency="EUR", references=["Order 4471", "Ticket 99812"], jurisdiction="FR")
    for i in range(12):
        cases.log_event(store, case_id=case_id, at=f"2026-11-{1 + i:02d}", kind="email", direction="to_company",
                        summary=f"Email {i} " + "with a long summary " * 5)
    tall = QImage(1200, 4000, QImage.Format.Format_RGB32)
    tall.fill(QColor("white"))
    picture = tmp_path / "long-screenshot.png"
    tall.save(str(picture))
    evidence_id = cases.attach_evidence(store, case_id=case_id, path=picture, description="A tall screenshot " * 10)
    return case_id, evidence_id


def test_the_window_fits_with_the_largest_evidence_selected(qtbot, store: Store, window_settings,
                                                            full_case: tuple[int, int]) -> None:
    case_id, evidence_id = full_case
    window = MainWindow(store, window_settings)
    qtbot.addWidget(window)
    window.reveal_case(case_id)
    window.show()
    for index in range(window.workspace.tabs.count()):
        window.workspace.tabs.setCurrentIndex(index)
        fits(window)
    window.workspace.show_evidence(evidence_id)
    fits(window)
    # At 1280×720 the case itself needs no scrolling: everything of it is on the screen.
    window.resize(SCREEN - DESKTOP)
    qtbot.wait(1)
    page = window.workspace.scroller.widget()
    room = window.workspace.scroller.viewport().size()
    need = page.minimumSizeHint()
    assert need.width() <= room.width() and need.height() <= room.height(), (need, room)
    window.show_view("companies")
    fits(window)


def test_every_dialog_fits(qtbot, store: Store, full_case: tuple[int, int], tmp_path: Path) -> None:
    case_id, evidence_id = full_case
    case = queries.case_with_company(store, case_id)
    item = queries.case_evidence(store, case_id)[0]
    dialogs: list[QDialog] = [
        NewCaseDialog(store),
        EditCaseDialog(case, [], lambda _v: None),
        CompanyDialog(case.company, lambda _v: None, cases=3),  # type: ignore[arg-type]
        EventDialog(lambda _v: None, action="call", currency="EUR"),
        EventDialog(lambda _v: None, action="promise", currency="EUR"),
        ContactDialog(lambda _v: None),
        EvidenceDetailsDialog(item, lambda _v: None),
        SettingsDialog(store),
        ExportDialog(store, case_id),
        LetterEditor(store, case_id),
        AboutDialog(tmp_path),
        OutcomeDialog("EUR", None),
        GuidedStart(store),
    ]
    sizes = {}
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        sizes[type(dialog).__name__] = fits(dialog)
        dialog.close()
    assert len(sizes) >= 10
