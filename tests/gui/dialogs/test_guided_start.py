"""The guided start on a real store: one question a page, each skippable, the case as Docket
understands it before anything is written, and nothing written on Cancel."""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtWidgets import QWizard

from core.domain import clock
from core.escalation import reminders
from core.journal import cases, intake, queries
from core.store.store import Store
from gui.dialogs.guided_start import GuidedStart

# What each "what happened" answer becomes (the case's category and what was bought unless
# the user says), and the clocks that run from a card payment and a delivery in France.
EXPECTED = {
    "not_arrived": ("non_delivery", "goods", {"generic.card_chargeback"}, "refund_non_delivery"),
    "faulty": ("faulty_goods", "goods", {"generic.card_chargeback", "eu.legal_guarantee"}, "faulty_goods"),
    "still_charging": ("cancellation", "subscription", {"generic.card_chargeback", "eu.withdrawal"}, "stop_billing"),
    "cannot_cancel": ("subscription", "subscription", {"generic.card_chargeback"}, "stop_billing"),
    "refund_not_paid": ("refund", None, {"generic.card_chargeback", "eu.withdrawal"}, "refund_non_delivery"),
    "wrong_bill": ("billing_error", None, {"generic.card_chargeback"}, "first_complaint"),
    "bad_service": ("service", "services", {"generic.card_chargeback"}, "first_complaint"),
    "refund_refused": ("refund", None, {"generic.card_chargeback", "eu.withdrawal"}, "refund_non_delivery"),
    "other": ("other", None, {"generic.card_chargeback"}, "first_complaint"),
}


def dump(store: Store) -> list[str]:
    with sqlite3.connect(store.db_path) as conn:
        return list(conn.iterdump())


def pick(combo, value) -> None:  # noqa: ANN001
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


@pytest.fixture
def wizard(qtbot, store: Store) -> GuidedStart:  # noqa: ANN001
    clock.set_today("2026-11-20")
    cases.find_or_create_company(store, name="Maison Parfum Paris")
    dialog = GuidedStart(store)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def answer_up_to_the_purchase(wizard: GuidedStart, situation: str) -> None:
    wizard.situation_buttons[situation].click()
    wizard.next()
    wizard.company.setText("Maison Parfum Paris")
    pick(wizard.company_kind, "trader")
    wizard.next()
    wizard.amount.setText("129.00")
    wizard.currency.setCurrentText("EUR")
    wizard.paid_on.set_value(date(2026, 11, 3))
    pick(wizard.paid_by, "card:credit")
    pick(wizard.card_scheme, "visa")
    if situation == "not_arrived":
        wizard.expected_by.set_value(date(2026, 11, 10))
    else:
        wizard.delivered_on.set_value(date(2026, 11, 8))
    wizard.next()


@pytest.mark.parametrize("situation", [s.value for s in intake.SITUATIONS])
def test_each_answer_to_what_happened_opens_the_right_case(wizard: GuidedStart, store: Store, situation: str) -> None:
    category, purchase, clocks, template = EXPECTED[situation]
    answer_up_to_the_purchase(wizard, situation)
    wizard.next()  # no promise
    wizard.next()  # nothing done yet
    wizard.wants["refund"].setChecked(True)
    wizard.next()
    pick(wizard.region, "FR")
    wizard.next()
    assert wizard.currentPage().isFinalPage()
    shown = wizard.summary.toPlainText()
    assert "Card chargeback window closes on 3 Mar 2027" in shown
    assert "not legal advice" in shown and "Suggested next step" in shown

    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.case_id is not None
    case = queries.load_case(store, wizard.case_id)
    assert (case.category, case.purchase) == (category, purchase)
    assert (case.amount, case.currency, case.payment_method, case.card_scheme, case.jurisdiction) == (
        Decimal("129.00"), "EUR", "credit_card", "visa", "FR")
    assert case.company is not None and (case.company.name, case.company.kind) == ("Maison Parfum Paris", "trader")
    assert case.desired_outcome == "A refund of EUR 129.00."
    story = [(e.at, e.kind, e.direction, e.meaning) for e in case.events]
    arrived = ([] if situation == "not_arrived" else [("2026-11-08", "delivery", "from_company", None)])
    assert story == [("2026-11-03", "payment", "to_company", "purchase"), *arrived]
    step = reminders.next_step(store, case_id=case.id)
    assert {c.rule_id for c in step.clocks} == clocks
    assert (step.step, step.template_id) == ("complaint", template)


def test_the_perfume_story_with_a_promise_and_what_was_done(wizard: GuidedStart, store: Store) -> None:
    answer_up_to_the_purchase(wizard, "not_arrived")
    wizard.promise.setText("Refund to my card")
    wizard.promised_on.set_value(date(2026, 11, 14))
    wizard.promised_by.set_value(date(2026, 12, 15))
    wizard.next()
    wizard.add_done_entry("emailed", date(2026, 11, 12), "Order 4711")
    wizard.add_done_entry("called", date(2026, 11, 19))
    assert wizard.done_list.count() == 2
    wizard.next()
    wizard.next()
    pick(wizard.region, "FR")
    wizard.next()
    shown = wizard.summary.toPlainText()
    assert "promised by 15 Dec" in shown and "Refund to my card" in shown
    wizard.button(QWizard.WizardButton.FinishButton).click()
    case = queries.load_case(store, wizard.case_id)
    assert [(e.at, e.kind, e.meaning, e.promised_by) for e in case.events] == [
        ("2026-11-03", "payment", "purchase", None),
        ("2026-11-12", "email", "complaint", None),
        ("2026-11-14", "promise", "promise", date(2026, 12, 15)),
        ("2026-11-19", "call", "complaint", None),
    ]
    assert case.events[1].details == "Order 4711"
    # The same case as the command line's guided questions would make: one mapping.
    due = reminders.due_items(store, case_id=case.id)
    assert [i.kind for i in due if i.kind == "promise"] == ["promise"]


def test_cancelling_halfway_writes_nothing(wizard: GuidedStart, store: Store) -> None:
    before = dump(store)
    answer_up_to_the_purchase(wizard, "faulty")
    wizard.next()
    wizard.next()
    wizard.next()
    wizard.next()
    assert wizard.currentPage().isFinalPage() and wizard.current_preview is not None  # the preview was worked out
    wizard.back()
    wizard.back()
    wizard.button(QWizard.WizardButton.CancelButton).click()
    assert wizard.case_id is None and not wizard.isVisible()
    assert dump(store) == before


def test_every_question_can_be_skipped(wizard: GuidedStart, store: Store) -> None:
    for _ in range(7):
        wizard.next()
    assert wizard.currentPage().isFinalPage()
    assert "Missing, and what it would unlock" in wizard.summary.toPlainText()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    case = queries.load_case(store, wizard.case_id)
    assert (case.title, case.category, case.company, case.events) == ("Dispute with the company", "other", None, [])


def test_a_mistyped_amount_keeps_the_page_and_says_why(wizard: GuidedStart, store: Store) -> None:
    wizard.next()
    wizard.next()
    page = wizard.currentPage()
    wizard.amount.setText("12O euros")
    wizard.next()
    assert wizard.currentPage() is page
    assert page.error.isVisible() and "not an amount" in page.error.text()


def test_companies_already_kept_are_offered_as_you_type(wizard: GuidedStart) -> None:
    completer = wizard.company.completer()
    completer.setCompletionPrefix("parfum")
    assert completer.currentCompletion() == "Maison Parfum Paris"


def test_drafting_the_suggested_letter_opens_the_letter_editor_on_the_new_case(
        wizard: GuidedStart, store: Store) -> None:
    answer_up_to_the_purchase(wizard, "not_arrived")
    for _ in range(4):
        wizard.next()
    assert wizard.draft_button.text().endswith("complaint")
    wizard.draft_button.click()
    assert wizard.case_id is not None
    editor = wizard.letter_editor
    assert editor is not None and editor.isVisible()
    try:
        assert editor.template_box.currentData() == "refund_non_delivery"
        assert editor._case_id == wizard.case_id
    finally:
        editor.reject()  # deletes itself on close


def test_the_perfume_story_with_two_chasers_gets_the_command_lines_next_step(wizard: GuidedStart, store: Store) -> None:
    """The same story as tests/cli/test_journal_commands.py builds with new, log and attach:
    on 10 Feb 2027 both say to ask the card issuer for a chargeback before 3 Mar."""
    answer_up_to_the_purchase(wizard, "not_arrived")
    wizard.promise.setText("Refund within a month")
    wizard.promised_on.set_value(date(2026, 11, 14))
    wizard.promised_by.set_value(date(2026, 12, 15))
    wizard.next()
    wizard.add_done_entry("emailed", date(2026, 11, 12))
    wizard.add_done_entry("emailed", date(2026, 12, 20))
    wizard.add_done_entry("called", date(2027, 1, 5))
    for _ in range(4):
        wizard.next()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    clock.set_today("2027-02-10")
    step = reminders.next_step(store, case_id=wizard.case_id)
    # The lapsed promise comes first, as on the command line (tests/cli/test_journal_commands.py).
    assert (step.current_step, step.step, step.template_id) == ("chaser", "formal_complaint", "formal_complaint")
    assert step.promise is not None and step.promise.promised_by == date(2026, 12, 15)
    assert step.reason.startswith("They promised by 15 Dec 2026")
