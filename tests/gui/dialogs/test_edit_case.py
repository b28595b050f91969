"""Everything typed about a case can be changed afterwards, undone, and is kept in the history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialog

from core.domain.errors import ValidationError
from core.journal import cases, queries
from core.store import revisions
from core.store.store import Store
from gui.case.workspace import CaseWorkspace
from gui.dialogs.company import CompanyDialog
from gui.dialogs.edit_case import EditCaseDialog
from gui.dialogs.event import EventDialog
from gui.dialogs.evidence_details import EvidenceDetailsDialog
from tests.gui.driving import answer_dialog


@pytest.fixture
def perfume(store: Store) -> int:
    return cases.open_case(store, title="Perfum never arived", company="Parfums de Paris", amount="192.00",
                           currency="EUR", jurisdiction="GB", opened_on="2026-12-01")


@pytest.fixture
def workspace(qtbot, store: Store, perfume: int) -> CaseWorkspace:
    widget = CaseWorkspace(store)
    qtbot.addWidget(widget)
    widget.show_case(perfume)
    widget.resize(1000, 700)
    widget.show()
    return widget


def test_a_typo_in_title_amount_and_jurisdiction_is_fixed_and_undone(qtbot, workspace: CaseWorkspace,
                                                                      store: Store, perfume: int) -> None:
    def fix(dialog: EditCaseDialog) -> None:
        dialog.title.setText("Perfume never arrived")
        dialog.amount.setText("129.00")
        dialog.jurisdiction.set_code("FR")
        dialog.accept()

    answer_dialog(EditCaseDialog, fix)
    qtbot.mouseClick(workspace.header.edit_button, qtbot_button())
    case = queries.case_with_company(store, perfume)
    assert (case.title, case.amount, case.jurisdiction) == ("Perfume never arrived", Decimal("129.00"), "FR")
    assert workspace.header.title.text() == "Perfume never arrived"
    assert "129" in workspace.header.money.text()

    workspace.undo_stack.undo()
    case = queries.case_with_company(store, perfume)
    assert (case.title, case.amount, case.jurisdiction) == ("Perfum never arived", Decimal("192.00"), "GB")
    assert workspace.header.title.text() == "Perfum never arived"
    workspace.undo_stack.redo()
    assert queries.case_with_company(store, perfume).title == "Perfume never arrived"

    changes = [r.fields for r in revisions.history_for(store, entity="case", entity_id=perfume)]
    assert any(f.get("title") == ("Perfum never arived", "Perfume never arrived") for f in changes)


def test_how_and_when_the_user_paid_is_recorded(qtbot, workspace: CaseWorkspace, store: Store, perfume: int) -> None:
    def pay(dialog: EditCaseDialog) -> None:
        dialog.tabs.setCurrentIndex(1)
        dialog.purchase.setCurrentIndex(dialog.purchase.findData("goods"))
        dialog.payment_method.setCurrentIndex(dialog.payment_method.findData("credit_card"))
        assert dialog.card_scheme.isEnabled()
        dialog.card_scheme.setCurrentIndex(dialog.card_scheme.findData("visa"))
        dialog.payment_date.known.setChecked(True)
        dialog.payment_date.edit.setDate(QDate(2026, 11, 3))
        dialog.expected_by.set_value(date(2026, 11, 10))
        dialog.accept()

    answer_dialog(EditCaseDialog, pay)
    workspace.edit_case()
    case = queries.case_with_company(store, perfume)
    assert (case.purchase, case.payment_method, case.card_scheme) == ("goods", "credit_card", "visa")
    assert (case.payment_date, case.expected_by) == (date(2026, 11, 3), date(2026, 11, 10))


def test_a_wrong_amount_is_explained_in_the_form_and_nothing_changes(qtbot, workspace: CaseWorkspace,
                                                                     store: Store, perfume: int) -> None:
    seen: list[str] = []

    def wrong(dialog: EditCaseDialog) -> None:
        dialog.amount.setText("a lot")
        dialog.accept()
        seen.append(dialog.error.text())
        assert dialog.isVisible()
        dialog.reject()

    answer_dialog(EditCaseDialog, wrong)
    workspace.edit_case()
    assert "not an amount" in seen[0]
    assert queries.case_with_company(store, perfume).amount == Decimal("192.00")
    assert workspace.undo_stack.count() == 0


def test_the_jurisdiction_is_found_by_typing_part_of_its_name(qtbot, workspace: CaseWorkspace) -> None:
    dialog = EditCaseDialog(workspace.header.case, [], lambda _v: None)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    picker = dialog.jurisdiction
    codes = [picker.itemData(i) for i in range(picker.count())]
    assert {"GB", "FR", "US", "CA", "AU"} <= set(codes)
    picker.completer().setCompletionPrefix("franc")
    assert picker.completer().currentCompletion() == "France (FR)"
    picker.setEditText("France (FR)")
    assert picker.code() == "FR"


def test_the_companys_postal_address_reaches_every_case_with_it(qtbot, workspace: CaseWorkspace, store: Store,
                                                                perfume: int) -> None:
    other = cases.open_case(store, title="Second order", company="Parfums de Paris")

    def address(dialog: CompanyDialog) -> None:
        assert "2 cases" in dialog.shared.text()
        dialog.address.setPlainText("12 rue de la Paix\n75002 Paris")
        dialog.kind.setCurrentIndex(dialog.kind.findData("trader"))
        dialog.accept()

    workspace.tabs.setCurrentWidget(workspace.contacts)
    answer_dialog(CompanyDialog, address)
    qtbot.mouseClick(workspace.contacts.company_button, qtbot_button())
    for case_id in (perfume, other):
        company = queries.case_with_company(store, case_id).company
        assert company is not None and company.address.startswith("12 rue de la Paix") and company.kind == "trader"
    assert "rue de la Paix" in workspace.contacts.company.text()
    workspace.undo_stack.undo()
    assert queries.case_with_company(store, perfume).company.address == ""  # type: ignore[union-attr]


def test_an_event_says_what_it_was_and_how_much(qtbot, workspace: CaseWorkspace, store: Store, perfume: int) -> None:
    def order(dialog: EventDialog) -> None:
        assert dialog.meaning.currentData() == "purchase"
        assert dialog.amount.isVisible()
        dialog.summary.setText("Ordered the perfume")
        dialog.amount.setText("129.00")
        dialog.accept()

    answer_dialog(EventDialog, order)
    qtbot.mouseClick(workspace.quick_buttons["order"], qtbot_button())
    row = queries.timeline_rows(store, perfume)[-1]
    assert (row.kind, row.direction, row.meaning, row.amount) == ("payment", "to_company", "purchase", Decimal("129.00"))

    def refund_instead(dialog: EventDialog) -> None:
        dialog.meaning.setCurrentIndex(dialog.meaning.findData("refund"))
        dialog.accept()

    workspace.timeline.select_event(row.id)
    answer_dialog(EventDialog, refund_instead)
    workspace.edit_selected()
    assert queries.timeline_rows(store, perfume)[-1].meaning == "refund"
    workspace.undo_stack.undo()
    assert queries.timeline_rows(store, perfume)[-1].meaning == "purchase"


def test_an_email_after_ours_starts_as_their_answer(qtbot, workspace: CaseWorkspace, store: Store,
                                                    perfume: int) -> None:
    directions: list[str] = []

    def look(dialog: EventDialog) -> None:
        directions.append(dialog.direction.currentData())
        dialog.reject()

    answer_dialog(EventDialog, look)
    workspace.log_event("email")
    cases.log_event(store, case_id=perfume, at="2026-11-20", kind="email", direction="to_company",
                    summary="Where is my order?")
    workspace.show_case(perfume)
    workspace.timeline.reload()
    answer_dialog(EventDialog, look)
    workspace.log_event("email")
    assert directions == ["to_company", "from_company"]


def test_evidence_is_described_and_dated(qtbot, workspace: CaseWorkspace, store: Store, perfume: int,
                                         tmp_path) -> None:
    receipt = tmp_path / "receipt.txt"
    receipt.write_text("Order 4471: perfume, EUR 129")
    evidence_id = cases.attach_evidence(store, case_id=perfume, path=receipt)
    workspace.show_case(perfume)
    workspace.tabs.setCurrentWidget(workspace.evidence)
    assert workspace.evidence.select(evidence_id)

    def describe(dialog: EvidenceDetailsDialog) -> None:
        dialog.description.setPlainText("Order confirmation")
        dialog.captured_on.set_value(date(2026, 11, 3))
        dialog.accept()

    answer_dialog(EvidenceDetailsDialog, describe)
    qtbot.mouseClick(workspace.evidence.describe_button, qtbot_button())
    item = queries.case_evidence(store, perfume)[0]
    assert (item.description, item.captured_on) == ("Order confirmation", date(2026, 11, 3))
    assert "Order confirmation" in workspace.evidence.preview.facts.text()
    workspace.undo_stack.undo()
    item = queries.case_evidence(store, perfume)[0]
    assert (item.description, item.captured_on) == ("", None)


def test_update_case_refuses_a_bad_jurisdiction_with_the_field_named(store: Store, perfume: int) -> None:
    with pytest.raises(ValidationError) as raised:
        cases.update_case(store, case_id=perfume, jurisdiction="12")
    assert raised.value.path == "case.jurisdiction"
    assert QDialog  # the dialogs above show this message beside the field


def qtbot_button():  # noqa: ANN201
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_notes_typed_in_the_notes_tab_and_edited_in_the_form_are_never_lost(qtbot, workspace: CaseWorkspace,
                                                                             store: Store, perfume: int) -> None:
    workspace.tabs.setCurrentWidget(workspace.notes)
    workspace.notes.editor.setPlainText("Called the bank on Monday")
    seen: list[str] = []

    def add_line(dialog: EditCaseDialog) -> None:
        seen.append(dialog.notes.toPlainText())
        dialog.notes.setPlainText("Called the bank on Monday\nThey opened a dispute")
        dialog.accept()

    answer_dialog(EditCaseDialog, add_line)
    workspace.edit_case()
    assert seen == ["Called the bank on Monday"]  # the form had what was typed a moment ago
    assert workspace.notes.editor.toPlainText().endswith("They opened a dispute")
    workspace.show_case(perfume)  # leaving and coming back must not write the old text back
    assert queries.case_with_company(store, perfume).notes.endswith("They opened a dispute")
    workspace.undo_stack.undo()
    assert workspace.notes.editor.toPlainText() == "Called the bank on Monday"


def test_the_picker_knows_the_regions_the_rules_tell_apart(qtbot, workspace: CaseWorkspace, store: Store,
                                                           perfume: int) -> None:
    def scotland(dialog: EditCaseDialog) -> None:
        picker = dialog.jurisdiction
        picker.completer().setCompletionPrefix("scotland")
        assert picker.completer().currentCompletion() == "United Kingdom: Scotland (GB-SCT)"
        picker.setEditText("United Kingdom: Scotland (GB-SCT)")
        dialog.accept()

    answer_dialog(EditCaseDialog, scotland)
    workspace.edit_case()
    assert queries.case_with_company(store, perfume).jurisdiction == "GB-SCT"
