"""The perfume story, typed in through the window's forms as a new user would, on a real store.

A perfume ordered from a Paris shop for EUR 129 on 3 Nov 2026, paid by Visa credit card,
delivery expected by 10 Nov. It never arrived. On 25 Nov the shop promised a refund by 15 Dec;
nothing came. Two chasers followed. On 12 Jan 2027 the window must say: the card chargeback
clock is running, the promise is late, and which letter to send next.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import QDate, QDateTime, QTime, QTimeZone

from core.domain import clock
from core.journal import queries
from core.store.store import Store
from gui.dialogs.company import CompanyDialog
from gui.dialogs.edit_case import EditCaseDialog
from gui.dialogs.event import EventDialog
from gui.dialogs.letter_editor import LetterEditor
from gui.dialogs.new_case import NewCaseDialog
from gui.kit.formatting import format_date
from gui.shell.main_window import MainWindow
from tests.gui.driving import answer_dialog


def at(day: date, hour: int = 10) -> QDateTime:
    return QDateTime(QDate(day.year, day.month, day.day), QTime(hour, 0), QTimeZone.systemTimeZone())


def log(window: MainWindow, action: str, day: date, summary: str, **more: object) -> None:
    """Press a quick action and fill the event form as a person would."""

    def fill(dialog: EventDialog) -> None:
        dialog.when.setDateTime(at(day))
        dialog.summary.setText(summary)
        if "amount" in more:
            dialog.amount.setText(str(more["amount"]))
        if "promised_by" in more:
            promised: date = more["promised_by"]  # type: ignore[assignment]
            dialog.has_promise_date.setChecked(True)
            dialog.promised_by.setDate(QDate(promised.year, promised.month, promised.day))
        if "direction" in more:
            dialog.direction.setCurrentIndex(dialog.direction.findData(more["direction"]))
        if "meaning" in more:
            dialog.meaning.setCurrentIndex(dialog.meaning.findData(more["meaning"]))
        dialog.accept()

    answer_dialog(EventDialog, fill)
    workspace = window.workspace
    if action in workspace.quick_buttons:
        workspace.quick_buttons[action].click()
    else:
        workspace.quick_actions[action].trigger()


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_perfume_story_typed_in_shows_the_chargeback_clock_the_late_promise_and_the_letter(
        qtbot, store: Store, window_settings) -> None:
    clock.set_today("2026-11-20")
    window = MainWindow(store, window_settings)
    qtbot.addWidget(window)
    window.show()

    def new_case(dialog: NewCaseDialog) -> None:
        dialog.title.setText("Perfume never arrived")
        dialog.company.setCurrentText("Parfums de Paris")
        dialog.category.setCurrentIndex(dialog.category.findData("non_delivery"))
        dialog.amount.setText("129.00")
        dialog.currency.setCurrentText("EUR")
        dialog.jurisdiction.set_code("FR")
        # "Opened on" is left alone: the first event logged (the order) dates the case.
        dialog.accept()

    answer_dialog(NewCaseDialog, new_case)
    window.new_case_form_action.trigger()  # the plain form (New case opens the guided start)
    case_id = window.current_case_id()
    assert case_id is not None

    def how_paid(dialog: EditCaseDialog) -> None:
        dialog.tabs.setCurrentIndex(1)
        dialog.purchase.setCurrentIndex(dialog.purchase.findData("goods"))
        dialog.payment_method.setCurrentIndex(dialog.payment_method.findData("credit_card"))
        dialog.card_scheme.setCurrentIndex(dialog.card_scheme.findData("visa"))
        dialog.payment_date.set_value(date(2026, 11, 3))
        dialog.expected_by.set_value(date(2026, 11, 10))
        dialog.accept()

    answer_dialog(EditCaseDialog, how_paid)
    window.edit_case_action.trigger()

    def address(dialog: CompanyDialog) -> None:
        dialog.kind.setCurrentIndex(dialog.kind.findData("trader"))
        dialog.address.setPlainText("12 rue de la Paix\n75002 Paris\nFrance")
        dialog.email.setText("service@parfums-de-paris.example")
        dialog.accept()

    answer_dialog(CompanyDialog, address)
    window.workspace.header.company_button.click()

    log(window, "order", date(2026, 11, 3), "Ordered Eau de Nuit 100 ml", amount="129.00")
    log(window, "email", date(2026, 11, 20), "The parcel never came: please send it or refund me",
        direction="to_company", meaning="complaint")
    clock.set_today("2026-11-25")
    log(window, "promise", date(2026, 11, 25), "A full refund of EUR 129", promised_by=date(2026, 12, 15))
    clock.set_today("2026-12-18")
    log(window, "email", date(2026, 12, 18), "Chaser: the refund promised for 15 Dec has not come",
        direction="to_company", meaning="complaint")
    clock.set_today("2027-01-05")
    log(window, "email", date(2027, 1, 5), "Second chaser: still no refund", direction="to_company",
        meaning="complaint")
    clock.set_today("2027-01-12")
    window.open_case(case_id)

    # What the forms put in the store.
    case = queries.case_with_company(store, case_id)
    assert (case.amount, case.currency, case.payment_method, case.card_scheme) == (
        Decimal("129.00"), "EUR", "credit_card", "visa")
    assert (case.payment_date, case.expected_by, case.opened_on) == (date(2026, 11, 3), date(2026, 11, 10),
                                                                     date(2026, 11, 3))
    assert case.company is not None and case.company.address.startswith("12 rue de la Paix")
    meanings = [(r.meaning, r.amount) for r in queries.timeline_rows(store, case_id)]
    assert meanings[0] == ("purchase", Decimal("129.00"))
    assert [m for m, _ in meanings].count("complaint") == 3 and ("promise", None) in meanings

    banner = window.workspace.header.banner
    assert not banner.isHidden()
    # The chargeback clock runs for a case typed into the window.
    assert "card chargeback window closes" in banner.clocks.text().lower()
    # The broken promise comes first, said plainly, and the list agrees on the date.
    headline = banner.headline.text()
    assert headline.startswith("Promised by " + format_date(date(2026, 12, 15)) + ", now 4 weeks late: "
                               "“A full refund of EUR 129”.")
    assert "4 weeks late" in headline
    row = window.case_list.model.row_of(case_id)
    assert row is not None
    next_due = window.case_list.model.index(row, 4).data()
    assert next_due and next_due in headline
    timeline = window.workspace.timeline.model
    promise_row = next(r for r in range(timeline.rowCount()) if timeline.event_at(r).meaning == "promise")
    assert timeline.index(promise_row, 3).data().startswith("⚠ 4 weeks late")

    # The suggested letter opens drafted, with the company's address from the form.
    assert banner.draft_button.isEnabled()
    suggested = banner._template_id
    assert suggested in {"final_notice", "chargeback_request", "formal_complaint", "chaser"}
    seen: list[str] = []

    def read_letter(editor: LetterEditor) -> None:
        seen.append(editor.editor.toPlainText())
        editor.reject()

    answer_dialog(LetterEditor, read_letter)
    banner.draft_button.click()
    assert seen, "the letter editor did not open"
    assert "12 rue de la Paix" in seen[0]
    assert "[missing: company postal address]" not in seen[0]
