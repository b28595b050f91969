"""Undo and redo of changes to a case: events, contacts and evidence links come back whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack

from core.journal import cases, queries
from core.store.store import Store
from gui.case import undo
from gui.case.timeline_model import EVIDENCE, EVIDENCE_ROLE, SUMMARY
from gui.case.workspace import CaseWorkspace


@pytest.fixture
def refund_case(store: Store, tmp_path: Path) -> dict[str, int]:
    """A refund dispute: an order, a promise with the order confirmation linked, a call."""
    case_id = cases.open_case(store, title="Refund promised, never paid", company="Shopfront GmbH",
                              amount="89.90", currency="EUR")
    contact = cases.add_contact(store, case_id=case_id, name="Jonas", role="Customer service")
    order = cases.log_event(store, case_id=case_id, at="2024-02-01", kind="payment", summary="Paid the order")
    promise = cases.log_event(store, case_id=case_id, at="2024-02-10T10:00:00+01:00", kind="promise",
                              summary="Refund within 5 days", direction="from_company", contact_id=contact,
                              promised_by="2024-02-15")
    confirmation = tmp_path / "confirmation.txt"
    confirmation.write_text("Order 4711 confirmed, 89.90 EUR")
    evidence = cases.attach_evidence(store, case_id=case_id, path=confirmation, event_ids=[promise, order])
    return {"case": case_id, "contact": contact, "order": order, "promise": promise, "evidence": evidence}


def _timeline(store: Store, case_id: int) -> dict[int, queries.TimelineRow]:
    return {row.id: row for row in queries.timeline_rows(store, case_id)}


def test_a_deleted_event_comes_back_with_its_evidence_links(store: Store, refund_case: dict[str, int]) -> None:
    stack = QUndoStack()
    seen: list[int | None] = []
    before = _timeline(store, refund_case["case"])[refund_case["promise"]]

    undo.push(stack, undo.DeleteEvent(store, seen.append, event_id=refund_case["promise"]))
    assert refund_case["promise"] not in _timeline(store, refund_case["case"])

    stack.undo()
    restored = _timeline(store, refund_case["case"])[refund_case["promise"]]
    assert restored == before  # same id, contact, promise date and evidence links
    assert restored.evidence == ((refund_case["evidence"], "confirmation.txt"),)
    assert seen[-1] == refund_case["promise"]

    stack.redo()
    assert refund_case["promise"] not in _timeline(store, refund_case["case"])
    stack.undo()
    assert _timeline(store, refund_case["case"])[refund_case["promise"]] == before


def test_logging_an_event_can_be_undone_and_redone_under_the_same_id(store: Store, refund_case: dict[str, int]) -> None:
    stack = QUndoStack()
    command = undo.AddEvent(store, lambda _: None, case_id=refund_case["case"],
                            values={"at": "2024-02-20", "kind": "email", "summary": "Chased the refund",
                                    "direction": "to_company"},
                            evidence_ids=[refund_case["evidence"]])
    undo.push(stack, command)
    event_id = command.focus
    assert _timeline(store, refund_case["case"])[event_id].summary == "Chased the refund"
    stack.undo()
    assert event_id not in _timeline(store, refund_case["case"])
    stack.redo()
    again = _timeline(store, refund_case["case"])[event_id]
    assert again.summary == "Chased the refund"
    assert [eid for eid, _ in again.evidence] == [refund_case["evidence"]]


def test_a_refused_event_is_not_put_on_the_stack(store: Store, refund_case: dict[str, int]) -> None:
    stack = QUndoStack()
    with pytest.raises(Exception, match="summary"):
        undo.push(stack, undo.AddEvent(store, lambda _: None, case_id=refund_case["case"],
                                       values={"at": "2024-02-20", "kind": "email", "summary": " "}))
    assert stack.count() == 0
    assert len(_timeline(store, refund_case["case"])) == 2


def test_editing_an_event_is_undone_field_by_field(store: Store, refund_case: dict[str, int]) -> None:
    stack = QUndoStack()
    row = _timeline(store, refund_case["case"])[refund_case["promise"]]
    before = {k: getattr(row, k) for k in undo.EDITABLE_EVENT_FIELDS}
    undo.push(stack, undo.EditEvent(store, lambda _: None, event_id=row.id, before=before,
                                    after={"summary": "Refund within 10 days", "promised_by": "2024-02-20"}))
    changed = _timeline(store, refund_case["case"])[row.id]
    assert (changed.summary, changed.promised_by.isoformat()) == ("Refund within 10 days", "2024-02-20")
    stack.undo()
    assert _timeline(store, refund_case["case"])[row.id] == row


def test_a_deleted_contact_comes_back_named_on_their_events(store: Store, refund_case: dict[str, int]) -> None:
    stack = QUndoStack()
    undo.push(stack, undo.DeleteContact(store, lambda _: None, case_id=refund_case["case"],
                                        contact_id=refund_case["contact"]))
    assert queries.list_contacts(store, refund_case["case"]) == []
    assert _timeline(store, refund_case["case"])[refund_case["promise"]].contact_name == ""
    stack.undo()
    [contact] = queries.list_contacts(store, refund_case["case"])
    assert (contact.id, contact.name, contact.role) == (refund_case["contact"], "Jonas", "Customer service")
    assert _timeline(store, refund_case["case"])[refund_case["promise"]].contact_name == "Jonas"


def test_adding_and_editing_a_contact_undo(store: Store, refund_case: dict[str, int]) -> None:
    stack = QUndoStack()
    add = undo.AddContact(store, lambda _: None, case_id=refund_case["case"],
                          values={"name": "Complaints team", "email": "complaints@shopfront.example"})
    undo.push(stack, add)
    undo.push(stack, undo.EditContact(store, lambda _: None, contact_id=add.contact_id,
                                      before={"email": "complaints@shopfront.example"},
                                      after={"email": "beschwerde@shopfront.example"}))
    names = {c.name: c.email for c in queries.list_contacts(store, refund_case["case"])}
    assert names["Complaints team"] == "beschwerde@shopfront.example"
    stack.undo()
    names = {c.name: c.email for c in queries.list_contacts(store, refund_case["case"])}
    assert names["Complaints team"] == "complaints@shopfront.example"
    stack.undo()
    assert [c.name for c in queries.list_contacts(store, refund_case["case"])] == ["Jonas"]
    stack.redo()
    assert {c.id for c in queries.list_contacts(store, refund_case["case"])} == {refund_case["contact"], add.contact_id}


def test_unlinking_evidence_undoes(store: Store, refund_case: dict[str, int]) -> None:
    stack = QUndoStack()
    undo.push(stack, undo.LinkEvidence(store, lambda _: None, event_id=refund_case["order"],
                                       evidence_id=refund_case["evidence"], unlink=True))
    assert _timeline(store, refund_case["case"])[refund_case["order"]].evidence == ()
    stack.undo()
    assert _timeline(store, refund_case["case"])[refund_case["order"]].evidence == (
        (refund_case["evidence"], "confirmation.txt"),)


def test_del_in_the_workspace_deletes_and_ctrl_z_restores(qtbot, store: Store, refund_case: dict[str, int]) -> None:
    workspace = CaseWorkspace(store)
    qtbot.addWidget(workspace)
    changed: list[int] = []
    workspace.case_changed.connect(changed.append)
    workspace.show_case(refund_case["case"])
    table = workspace.timeline.table
    workspace.timeline.select_event(refund_case["promise"])

    qtbot.keyClick(table, Qt.Key.Key_Delete)
    model = workspace.timeline.model
    summaries = [model.index(r, SUMMARY).data() for r in range(model.rowCount())]
    assert summaries == ["Paid the order"]
    assert "Undo" in workspace.message.text()
    assert changed == [refund_case["case"]]

    workspace.undo_stack.undo()
    row = model.row_of_event(refund_case["promise"])
    assert row == 1
    assert [name for _, name in model.index(row, EVIDENCE).data(EVIDENCE_ROLE)] == ["confirmation.txt"]
    assert workspace.timeline.selected_event_id() == refund_case["promise"]

    workspace.undo_stack.redo()
    assert model.rowCount() == 1
    assert workspace.undo_stack.undoText().startswith("Delete")


def test_switching_case_starts_a_fresh_history(qtbot, store: Store, refund_case: dict[str, int]) -> None:
    other = cases.open_case(store, title="Gym keeps invoicing", company="FitNow")
    workspace = CaseWorkspace(store)
    qtbot.addWidget(workspace)
    workspace.show_case(refund_case["case"])
    workspace.timeline.select_event(refund_case["order"])
    workspace.delete_selected()
    assert workspace.undo_stack.canUndo()
    workspace.show_case(other)
    assert not workspace.undo_stack.canUndo()


def test_del_on_another_tab_deletes_nothing_hidden(qtbot, store: Store, refund_case: dict[str, int]) -> None:
    workspace = CaseWorkspace(store)
    qtbot.addWidget(workspace)
    workspace.show_case(refund_case["case"])
    workspace.timeline.select_event(refund_case["promise"])
    workspace.tabs.setCurrentWidget(workspace.evidence)
    workspace.delete_selected()
    assert refund_case["promise"] in _timeline(store, refund_case["case"])
    assert workspace.undo_stack.count() == 0


def test_activating_an_evidence_chip_shows_that_file(qtbot, store: Store, refund_case: dict[str, int]) -> None:
    workspace = CaseWorkspace(store)
    qtbot.addWidget(workspace)
    workspace.show_case(refund_case["case"])
    model = workspace.timeline.model
    row = model.row_of_event(refund_case["promise"])
    workspace.timeline.table.activated.emit(model.index(row, EVIDENCE))
    assert workspace.tabs.currentWidget() is workspace.evidence
    assert workspace.evidence.selected_item().id == refund_case["evidence"]
    assert "Order 4711 confirmed" in workspace.evidence.preview.text.toPlainText()
