"""Evidence goes with its event as a person would do it: attached in the event form, dropped
on the event's row, or found by typing in a list."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDropEvent

from core.journal import cases, queries
from core.store.store import Store
from gui.case.timeline_model import SUMMARY, dragged_evidence, evidence_mime
from gui.case.workspace import CaseWorkspace
from gui.dialogs.event import EventDialog
from gui.dialogs.pick_event import PickEventDialog
from tests.gui.driving import answer_dialog


@pytest.fixture
def perfume(store: Store) -> int:
    case_id = cases.open_case(store, title="Perfume never arrived", company="Parfums de Paris", currency="EUR")
    cases.log_event(store, case_id=case_id, at="2026-11-03", kind="payment", direction="to_company",
                    summary="Ordered the perfume", meaning="purchase", amount="129.00")
    cases.log_event(store, case_id=case_id, at="2026-11-20", kind="email", direction="to_company",
                    summary="Where is my parcel?")
    cases.log_event(store, case_id=case_id, at="2026-11-25", kind="email", direction="from_company",
                    summary="Refund promised by 15 Dec", meaning="promise", promised_by="2026-12-15")
    return case_id


@pytest.fixture
def workspace(qtbot, store: Store, perfume: int) -> CaseWorkspace:
    widget = CaseWorkspace(store)
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    widget.show_case(perfume)
    return widget


def test_a_file_attached_in_the_event_form_is_kept_and_linked_to_that_event(
        qtbot, workspace: CaseWorkspace, store: Store, perfume: int, tmp_path: Path) -> None:
    screenshot = tmp_path / "refund-promise.png"
    screenshot.write_bytes(b"\x89PNG\r\n\x1a\n not really a picture, still evidence")

    def reply(dialog: EventDialog) -> None:
        dialog.summary.setText("They say the refund is on its way")
        dialog.add_files([screenshot])
        assert "refund-promise.png" in dialog.files_label.text()
        dialog.accept()

    answer_dialog(EventDialog, reply)
    with qtbot.waitSignal(workspace.evidence.attach_finished, timeout=20000):
        workspace.log_event("reply")
    row = queries.timeline_rows(store, perfume)[-1]
    assert row.summary == "They say the refund is on its way"
    assert [name for _, name in row.evidence] == ["refund-promise.png"]


def test_a_file_dropped_on_an_events_row_is_linked_and_undo_unlinks_it(
        qtbot, workspace: CaseWorkspace, store: Store, perfume: int, tmp_path: Path) -> None:
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 order 4471")
    evidence_id = cases.attach_evidence(store, case_id=perfume, path=receipt)
    workspace.show_case(perfume)
    # Dragged from the Evidence tab, the file carries its id.
    drag = workspace.evidence.model.mimeData([workspace.evidence.model.index(0, 0)])
    assert dragged_evidence(drag) == evidence_id

    table = workspace.timeline.table
    order_row = next(r for r in range(table.model().rowCount())
                     if table.model().index(r, SUMMARY).data() == "Ordered the perfume")
    spot = table.visualRect(table.model().index(order_row, SUMMARY)).center()
    carried = evidence_mime(evidence_id)  # kept alive: the drop event does not own it
    drop = QDropEvent(QPointF(spot), Qt.DropAction.LinkAction, carried,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    table.dropEvent(drop)
    assert drop.isAccepted()
    linked = {r.summary: [n for _, n in r.evidence] for r in queries.timeline_rows(store, perfume)}
    assert linked["Ordered the perfume"] == ["receipt.pdf"]
    assert linked["Where is my parcel?"] == []
    workspace.undo_stack.undo()
    assert all(not r.evidence for r in queries.timeline_rows(store, perfume))


def test_link_to_event_finds_the_event_by_typing(qtbot, workspace: CaseWorkspace, store: Store, perfume: int,
                                                 tmp_path: Path) -> None:
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 order 4471")
    evidence_id = cases.attach_evidence(store, case_id=perfume, path=receipt)
    workspace.show_case(perfume)
    workspace.tabs.setCurrentWidget(workspace.evidence)
    assert workspace.evidence.select(evidence_id)
    shown: list[int] = []

    def pick(dialog: PickEventDialog) -> None:
        shown.append(dialog.filtered.rowCount())
        dialog.search.setText("order")
        shown.append(dialog.filtered.rowCount())
        dialog.accept()

    answer_dialog(PickEventDialog, pick)
    workspace.evidence.link_button.click()
    assert shown == [3, 1]
    linked = {r.summary: [n for _, n in r.evidence] for r in queries.timeline_rows(store, perfume)}
    assert linked["Ordered the perfume"] == ["receipt.pdf"]
