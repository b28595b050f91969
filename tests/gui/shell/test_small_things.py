"""The small things a new user trips over: counts that match the view, one empty-state
message, a prompt on an empty timeline, whole days to reply, the company edited from the
Companies view."""

from __future__ import annotations

from core.journal import cases, queries
from core.store.store import Store
from gui.dialogs.company import CompanyDialog
from gui.dialogs.settings import SettingsDialog
from gui.shell.companies_view import DAYS_TO_REPLY, CompaniesView
from gui.shell.main_window import MainWindow
from tests.gui.driving import answer_dialog


def test_the_status_bar_counts_the_cases_of_the_view_shown(qtbot, store: Store, window_settings) -> None:
    for n in range(3):
        cases.open_case(store, title=f"Open case {n}", company="Acme")
    closed = cases.open_case(store, title="Closed case", company="Acme")
    cases.change_status(store, case_id=closed, status="resolved", outcome="won")
    window = MainWindow(store, window_settings)
    qtbot.addWidget(window)
    assert window.statusBar().currentMessage() == "4 cases"
    window.sidebar.select_view("open")
    assert window.statusBar().currentMessage() == "3 cases in this view, 4 in all"


def test_a_first_run_shows_one_message_and_a_new_case_prompts_its_first_event(qtbot, store: Store,
                                                                              window_settings) -> None:
    window = MainWindow(store, window_settings)
    qtbot.addWidget(window)
    assert "New case" not in window.workspace.empty.text()  # the list's welcome says it, once
    case_id = cases.open_case(store, title="Perfume never arrived", company="Parfums de Paris")
    window.refresh()
    window.reveal_case(case_id)
    window.show()
    assert window.workspace.timeline.prompt.isVisible()
    assert "Order / payment" in window.workspace.timeline.prompt.text()
    cases.log_event(store, case_id=case_id, at="2026-11-03", kind="payment", summary="Ordered")
    window.workspace.timeline.reload()
    assert not window.workspace.timeline.prompt.isVisible()


def test_days_to_reply_are_whole_days_and_the_company_is_edited_from_the_companies_view(
        qtbot, store: Store) -> None:
    case_id = cases.open_case(store, title="Perfume never arrived", company="Parfums de Paris")
    cases.log_event(store, case_id=case_id, at="2026-11-03T10:00:00+00:00", kind="email", direction="to_company",
                    summary="Where is it?")
    cases.log_event(store, case_id=case_id, at="2026-11-17T06:00:00+00:00", kind="email", direction="from_company",
                    summary="We are looking into it")
    view = CompaniesView(store)
    qtbot.addWidget(view)
    view.model.refresh()
    assert view.model.index(0, DAYS_TO_REPLY).data() == "14"  # 13.8 days, said in whole days
    view.companies.setCurrentIndex(view.model.index(0, 0))
    assert view.edit_button.isEnabled()

    def address(dialog: CompanyDialog) -> None:
        dialog.address.setPlainText("12 rue de la Paix, Paris")
        dialog.accept()

    answer_dialog(CompanyDialog, address)
    view.edit_button.click()
    company = queries.case_with_company(store, case_id).company
    assert company is not None and company.address == "12 rue de la Paix, Paris"


def test_settings_line_up_their_labels_and_say_what_other_addresses_are(qtbot, store: Store) -> None:
    from PySide6.QtWidgets import QLabel

    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    labels = [label for label in dialog.findChildren(QLabel) if label.buddy() is not None and label.text()]
    lefts = {label.mapTo(dialog, label.rect().topRight()).x() for label in labels}
    assert len(lefts) == 1, "every label ends at the same place"
    assert any("count as written by you" in label.text() for label in dialog.findChildren(QLabel))
