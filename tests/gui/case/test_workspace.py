"""The case workspace as a user meets it: header, quick actions, notes, status, next step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from core.domain import clock
from core.escalation import reminders
from core.journal import cases, queries
from core.store.store import Store
from gui.case.contacts_panel import ContactDialog
from gui.case.header import OutcomeDialog
from gui.case.timeline_model import SUMMARY, TIME
from gui.case.workspace import CaseWorkspace
from gui.dialogs.event import EventDialog
from gui.dialogs.letter_editor import LetterEditor

# Showing a dialog on Qt's offscreen platform logs this; it says nothing about Docket.
offscreen_dialogs = pytest.mark.qt_log_ignore("propagateSizeHints")


def answer_dialog(kind: type[QDialog], fill: Callable[[Any], None]) -> list[QDialog]:
    """When a modal dialog of ``kind`` opens, let ``fill`` act on it (as a user would)."""
    seen: list[QDialog] = []
    poll = QTimer()
    poll.setInterval(10)

    def check() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind) and dialog not in seen:
            seen.append(dialog)
            poll.stop()
            fill(dialog)

    poll.timeout.connect(check)
    poll.start()
    seen.append(poll)  # type: ignore[arg-type]  # keep the timer alive with the list
    return seen


@pytest.fixture
def optician_case(store: Store) -> int:
    case_id = cases.open_case(store, title="Lenses lost during a warranty repair", company="ClearSight Opticians",
                              amount="245.00", currency="GBP", references=["Job 7719"], jurisdiction="GB")
    cases.log_event(store, case_id=case_id, at="2024-10-23T09:00:00+01:00", kind="visit", direction="to_company",
                    summary="Handed in the glasses", duration_minutes=55, waiting_minutes=40)
    cases.log_event(store, case_id=case_id, at="2024-11-15T13:00:00Z", kind="visit", direction="to_company",
                    summary="Went in to complain", duration_minutes=50, waiting_minutes=40)
    return case_id


@pytest.fixture
def workspace(qtbot, store: Store) -> CaseWorkspace:
    widget = CaseWorkspace(store)
    qtbot.addWidget(widget)
    return widget


def test_without_a_case_it_says_what_to_do(workspace: CaseWorkspace) -> None:
    workspace.show_case(None)
    assert workspace.pages.currentWidget() is workspace.empty
    # How to start a case is said once, by the case list's welcome; here: pick one.
    assert "Pick a case from the list" in workspace.empty.text()


def test_the_header_shows_the_case_and_the_time_it_has_cost(workspace: CaseWorkspace, optician_case: int) -> None:
    workspace.show_case(optician_case)
    header = workspace.header
    assert header.title.text() == "Lenses lost during a warranty repair"
    assert header.company.text().startswith("ClearSight Opticians")
    assert header.status.currentData() == "open"
    assert "245.00" in header.money.text() and ("GBP" in header.money.text() or "£" in header.money.text())
    assert header.references.text() == "Ref: Job 7719"
    assert header.time_spent.text() == "Time this has cost you: 1 h 45 min, 1 h 20 min of it on hold"


@offscreen_dialogs
def test_log_a_call_with_the_timer_from_the_workspace(qtbot, workspace: CaseWorkspace, optician_case: int) -> None:
    workspace.show_case(optician_case)
    changed: list[int] = []
    workspace.case_changed.connect(changed.append)

    def on_the_phone(dialog: EventDialog) -> None:
        assert dialog.call_timer.running
        dialog.call_timer.advance(2 * 60_000)
        dialog.hold_button.click()
        dialog.call_timer.advance(40 * 60_000)
        dialog.hold_button.click()
        dialog.call_timer.advance(8 * 60_000)
        dialog.summary.setText("Manager refused to correct the overcharge")
        dialog.accept()

    answer_dialog(EventDialog, on_the_phone)
    workspace.quick_buttons["call"].click()

    model = workspace.timeline.model
    row = [model.index(r, SUMMARY).data() for r in range(model.rowCount())].index(
        "Manager refused to correct the overcharge")
    assert model.index(row, TIME).data() == "50 min, on hold 40 min"
    assert workspace.timeline.selected_event_id() is not None
    assert workspace.header.time_spent.text() == "Time this has cost you: 2 h 35 min, 2 h 00 min of it on hold"
    assert changed == [optician_case]
    assert workspace.undo_stack.count() == 1


@offscreen_dialogs
def test_log_a_promise_from_the_workspace(qtbot, workspace: CaseWorkspace, optician_case: int) -> None:
    workspace.show_case(optician_case)

    def promised(dialog: EventDialog) -> None:
        dialog.summary.setText("New lenses at no cost")
        dialog.accept()

    answer_dialog(EventDialog, promised)
    workspace.log_event("promise")
    [promise] = [r for r in queries.timeline_rows(workspace._store, optician_case) if r.kind == "promise"]
    assert promise.summary == "New lenses at no cost"
    assert promise.direction == "from_company"
    assert promise.promised_by is not None


@offscreen_dialogs
def test_f2_edits_the_selected_event(qtbot, workspace: CaseWorkspace, optician_case: int) -> None:
    workspace.show_case(optician_case)
    [first, _] = queries.timeline_rows(workspace._store, optician_case)
    workspace.timeline.select_event(first.id)

    def fix_it(dialog: EventDialog) -> None:
        assert dialog.summary.text() == "Handed in the glasses"
        assert dialog.duration.value() == 55
        dialog.summary.setText("Handed in the glasses for a hinge repair")
        dialog.accept()

    answer_dialog(EventDialog, fix_it)
    qtbot.keyClick(workspace.timeline.table, Qt.Key.Key_F2)
    assert queries.timeline_rows(workspace._store, optician_case)[0].summary == "Handed in the glasses for a hinge repair"
    workspace.undo_stack.undo()
    assert queries.timeline_rows(workspace._store, optician_case)[0].summary == "Handed in the glasses"


@offscreen_dialogs
def test_resolving_asks_how_it_ended(qtbot, workspace: CaseWorkspace, optician_case: int) -> None:
    workspace.show_case(optician_case)

    def won(dialog: OutcomeDialog) -> None:
        dialog.outcome.setCurrentIndex(dialog.outcome.findData("won"))
        dialog.recovered.setText("245.00")
        dialog.accept()

    answer_dialog(OutcomeDialog, won)
    combo = workspace.header.status
    combo.setCurrentIndex(combo.findData("resolved"))
    combo.activated.emit(combo.currentIndex())
    case = queries.case_with_company(workspace._store, optician_case)
    assert (case.status, case.outcome, str(case.recovered)) == ("resolved", "won", "245.00")
    assert case.resolved_on == clock.today()
    assert "Recovered" in workspace.header.money.text()


@offscreen_dialogs
def test_a_cancelled_outcome_leaves_the_case_open(qtbot, workspace: CaseWorkspace, optician_case: int) -> None:
    workspace.show_case(optician_case)
    answer_dialog(OutcomeDialog, lambda dialog: dialog.reject())
    combo = workspace.header.status
    combo.setCurrentIndex(combo.findData("closed"))
    combo.activated.emit(combo.currentIndex())
    assert combo.currentData() == "open"
    assert queries.case_with_company(workspace._store, optician_case).status == "open"


def test_notes_are_saved_after_a_pause(qtbot, workspace: CaseWorkspace, optician_case: int) -> None:
    workspace.show_case(optician_case)
    notes = workspace.notes
    notes._pause.setInterval(20)
    with qtbot.waitSignal(notes.saved, timeout=2000):
        notes.editor.setPlainText("They admitted on the phone that the lab lost them.")
    assert queries.case_with_company(workspace._store, optician_case).notes.startswith("They admitted")
    assert notes.status.text() == "Saved"


def test_notes_typed_then_switching_case_are_not_lost(qtbot, workspace: CaseWorkspace, optician_case: int) -> None:
    other = cases.open_case(workspace._store, title="Gym keeps invoicing", company="FitNow")
    workspace.show_case(optician_case)
    workspace.notes.editor.setPlainText("Ask for the lab's report.")
    workspace.show_case(other)
    assert queries.case_with_company(workspace._store, optician_case).notes == "Ask for the lab's report."
    assert workspace.notes.editor.toPlainText() == ""


@offscreen_dialogs
def test_contacts_are_added_and_the_model_holds(qtbot, qtmodeltester, workspace: CaseWorkspace,
                                               optician_case: int) -> None:
    workspace.show_case(optician_case)
    workspace.tabs.setCurrentWidget(workspace.contacts)

    def fill(dialog: ContactDialog) -> None:
        dialog.accept()  # no name: stays open and says so
        assert dialog.error.isVisibleTo(dialog)
        dialog.fields["name"].setText("Priya Shah")
        dialog.fields["role"].setText("Store manager")
        dialog.accept()

    answer_dialog(ContactDialog, fill)
    workspace.contacts.add_button.click()
    model = workspace.contacts.model
    qtmodeltester.check(model)
    assert [(c.name, c.role) for c in model.contacts()] == [("Priya Shah", "Store manager")]
    assert "ClearSight Opticians" in workspace.contacts.company.text()
    workspace.contacts.table.selectRow(0)
    workspace.delete_selected()  # on the Contacts tab, Del removes the contact (undoable)
    assert model.rowCount() == 0
    workspace.undo_stack.undo()
    assert [c.name for c in model.contacts()] == ["Priya Shah"]


def test_the_next_step_banner_says_what_to_do_and_that_it_is_not_legal_advice(workspace: CaseWorkspace,
                                                                              store: Store) -> None:
    clock.set_today("2024-12-20")
    case_id = cases.open_case(store, title="Refund never paid", company="Shopfront", jurisdiction="GB",
                              opened_on="2024-10-01")
    cases.log_event(store, case_id=case_id, at="2024-10-02", kind="email", direction="to_company",
                    summary="Asked for my refund")
    workspace.show_case(case_id)
    banner = workspace.header.banner
    assert not banner.isHidden()
    assert banner.headline.text().startswith("Next step:")
    assert banner.reason.text()
    assert "not legal advice" in banner.disclaimer.text().lower()


@offscreen_dialogs
def test_the_banner_snoozes_the_reminder_and_logs_their_reply(qtbot, workspace: CaseWorkspace, store: Store) -> None:
    clock.set_today("2024-12-20")
    case_id = cases.open_case(store, title="Refund never paid", company="Shopfront", jurisdiction="GB",
                              opened_on="2024-10-01")
    cases.log_event(store, case_id=case_id, at="2024-10-02", kind="email", direction="to_company",
                    summary="Asked for my refund")
    [nagging, *_] = reminders.due_items(store, case_id=case_id)
    workspace.show_case(case_id)
    banner = workspace.header.banner

    banner.snooze_button.click()
    assert nagging.key not in {i.key for i in reminders.due_items(store, case_id=case_id)}
    assert banner.note.text().startswith("Snoozed until")

    def their_reply(dialog: EventDialog) -> None:
        assert (dialog.kind.currentData(), dialog.direction.currentData()) == ("response", "from_company")
        dialog.summary.setText("They refuse: 'all sales final'")
        dialog.accept()

    answer_dialog(EventDialog, their_reply)
    banner.reply_button.click()
    kinds = [(r.kind, r.summary) for r in queries.timeline_rows(store, case_id)]
    assert ("response", "They refuse: 'all sales final'") in kinds


@offscreen_dialogs
def test_draft_the_letter_opens_the_editor_and_lists_the_draft(qtbot, workspace: CaseWorkspace, store: Store) -> None:
    clock.set_today("2024-12-20")
    case_id = cases.open_case(store, title="Refund never paid", company="Shopfront", jurisdiction="GB",
                              opened_on="2024-10-01", amount="89.90", currency="GBP")
    workspace.show_case(case_id)
    banner = workspace.header.banner
    assert not banner.isHidden() and banner.draft_button.isEnabled(), "the ladder suggests a letter"
    opened: list[Any] = []

    def write_and_keep(editor: Any) -> None:
        opened.append(editor)
        editor.save_draft()
        editor.reject()

    answer_dialog(LetterEditor, write_and_keep)
    banner.draft_button.click()
    assert opened, "the letter editor did not open"
    assert workspace.tabs.currentWidget() is workspace.letters
    assert workspace.letters.list.count() == 1
    assert workspace.letters.list.item(0).text().endswith("(draft)")


def test_the_letters_tab_lists_the_open_cases_letters_when_shown(qtbot, workspace: CaseWorkspace, store: Store,
                                                                 optician_case: int) -> None:
    from core.documents import letters

    draft = letters.draft_letter(store, case_id=optician_case, template_id="first_complaint")
    letters.save_draft(store, case_id=optician_case, draft=draft)
    other = cases.open_case(store, title="Parcel never delivered", company="Quickship")
    workspace.show()
    workspace.show_case(optician_case)
    assert workspace.tabs.currentWidget() is workspace.timeline
    workspace.tabs.setCurrentWidget(workspace.letters)
    assert workspace.letters.list.count() == 1
    assert workspace.letters.list.item(0).text().endswith("(draft)")
    assert workspace.letters.empty.isHidden()

    workspace.tabs.setCurrentWidget(workspace.timeline)
    workspace.show_case(other)  # opened on another tab: its letters are read when the tab is shown
    workspace.tabs.setCurrentWidget(workspace.letters)
    assert workspace.letters.list.count() == 0
    assert workspace.letters.empty.isVisible()

    workspace.show_case(optician_case)  # opened with the Letters tab in view
    assert workspace.letters.list.count() == 1


def test_money_shows_in_the_users_locale_with_the_currencys_own_decimals(qtbot) -> None:
    from decimal import Decimal

    from PySide6.QtCore import QLocale

    from gui.case.header import money_text

    before = QLocale()
    try:
        QLocale.setDefault(QLocale("en_GB"))
        assert money_text(Decimal("245"), "GBP") == "£245.00"
        assert money_text(Decimal("1500"), "JPY") == "JPY\u00a01,500"
        QLocale.setDefault(QLocale("fr_FR"))
        assert money_text(Decimal("245.5"), "EUR").startswith("245,50")
        assert money_text(None, "EUR") == "—"
    finally:
        QLocale.setDefault(before)
