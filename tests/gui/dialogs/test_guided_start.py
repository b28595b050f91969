"""The guided start on a real store: one question a page, each skippable, the case as Docket
understands it before anything is written, and nothing written on Cancel."""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QWizard

from core.domain import clock
from core.escalation import reminders
from core.journal import cases, intake, queries, settings
from core.store.store import Store
from gui.dialogs.guided_start import GuidedStart

# The clocks the last page shows for each answer, from the rule packs: a Visa credit card
# paid on 3 Nov, due on 10 Nov and never delivered runs its chargeback window from the due
# date; otherwise from the payment. Subscriptions get the 14 days from the contract.
PREVIEW = {
    "not_arrived": {"fr.livraison.date_convenue": date(2026, 11, 10), "generic.card_chargeback": date(2027, 3, 10)},
    "faulty": {"generic.card_chargeback": date(2027, 3, 3), "eu.legal_guarantee": date(2028, 11, 8)},
    "still_charging": {"eu.withdrawal_services": date(2026, 11, 17), "generic.card_chargeback": date(2027, 3, 3)},
    "cannot_cancel": {"eu.withdrawal_services": date(2026, 11, 17), "generic.card_chargeback": date(2027, 3, 3)},
    "refund_not_paid": {"generic.card_chargeback": date(2027, 3, 3)},
    "wrong_bill": {"generic.card_chargeback": date(2027, 3, 3)},
    "bad_service": {"generic.card_chargeback": date(2027, 3, 3)},
    "refund_refused": {"generic.card_chargeback": date(2027, 3, 3)},
    "other": {"generic.card_chargeback": date(2027, 3, 3)},
}

# What each "what happened" answer becomes (the case's category and what was bought unless
# the user says), and the clocks the escalation ladder runs from a card payment and a
# delivery in France.
EXPECTED = {
    # In France a delivery date that passed opens the formal notice (L216-6).
    "not_arrived": ("non_delivery", "goods", {"generic.card_chargeback", "fr.livraison.date_convenue"},
                    "refund_non_delivery"),
    "faulty": ("faulty_goods", "goods", {"generic.card_chargeback", "eu.legal_guarantee"}, "faulty_goods"),
    # A subscription's 14 days run from the contract (eu.withdrawal_services); a refund case
    # that does not say what was bought gets no withdrawal clock but is asked what it was.
    "still_charging": ("cancellation", "subscription", {"generic.card_chargeback", "eu.withdrawal_services"},
                       "stop_billing"),
    "cannot_cancel": ("subscription", "subscription", {"generic.card_chargeback", "eu.withdrawal_services"},
                      "stop_billing"),
    "refund_not_paid": ("refund", None, {"generic.card_chargeback"}, "refund_non_delivery"),
    "wrong_bill": ("billing_error", None, {"generic.card_chargeback"}, "first_complaint"),
    "bad_service": ("service", "services", {"generic.card_chargeback"}, "first_complaint"),
    "refund_refused": ("refund", None, {"generic.card_chargeback"}, "refund_non_delivery"),
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
    assert wizard.current_preview is not None
    assert {c.rule_id: c.deadline for c in wizard.current_preview.clocks} == PREVIEW[situation]
    closes = "10 Mar 2027" if situation == "not_arrived" else "3 Mar 2027"
    assert f"Card chargeback window: closes on {closes}" in shown
    assert "not yet confirmed at the source" in shown  # the card schemes' rules were not read at the source
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
    # Counted from the day it was due, not the payment; France's late-delivery rule with its check date.
    assert "Card chargeback window: closes on 10 Mar 2027 (120 days after the date the goods or service were due" \
        in shown
    assert "Delivery date passed (Code de la consommation L216-6)" in shown and "checked" in shown
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
    shown = wizard.summary.toPlainText()
    assert "Missing, and what it would unlock" in shown
    assert "Add how you paid to see: Card chargeback window" in shown
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


def test_a_gym_overcharge_shows_no_financial_ombudsman_and_a_bank_one_does(wizard: GuidedStart) -> None:
    def walk(kind: str) -> str:
        wizard.restart()
        wizard.situation_buttons["wrong_bill"].click()
        wizard.next()
        wizard.company.setText("PureGym")
        pick(wizard.company_kind, kind)
        wizard.next()
        wizard.amount.setText("20.00")
        wizard.currency.setCurrentText("GBP")
        wizard.paid_on.set_value(date(2026, 9, 1))
        pick(wizard.paid_by, "direct_debit")
        wizard.next()
        wizard.next()
        wizard.add_done_entry("emailed", date(2026, 9, 10))
        wizard.next()
        wizard.next()
        pick(wizard.region, "GB")
        wizard.next()
        assert wizard.currentPage().isFinalPage()
        return wizard.summary.toPlainText()

    assert "Financial Ombudsman" not in walk("club").split("Suggested next step")[0]
    assert "Financial Ombudsman: you may refer the complaint now" in walk("bank")


@pytest.fixture
def british_locale():  # noqa: ANN201
    before = QLocale()
    QLocale.setDefault(QLocale("en_GB"))
    yield
    QLocale.setDefault(before)


def test_where_you_live_offers_the_regions_and_a_scottish_case_gets_scottish_rules(
        qtbot, store: Store, british_locale) -> None:  # noqa: ANN001
    clock.set_today("2026-11-20")
    dialog = GuidedStart(store)
    qtbot.addWidget(dialog)
    dialog.show()
    # Preselected from the locale: en_GB says the United Kingdom, not which part of it.
    assert dialog.region.currentData() == "GB"
    labels = {dialog.region.itemData(i): dialog.region.itemText(i) for i in range(dialog.region.count())}
    assert labels["GB-SCT"] == "United Kingdom: Scotland" and labels["CA-QC"] == "Canada: Quebec"
    assert {"GB-ENG", "GB-WLS", "GB-NIR", "US-CA", "CA-ON", "AU-NSW"} <= set(labels)
    dialog.situation_buttons["not_arrived"].click()
    dialog.next()
    dialog.company.setText("Harbour Sofas")
    pick(dialog.company_kind, "trader")
    dialog.next()
    dialog.paid_on.set_value(date(2026, 9, 1))
    dialog.next()
    for _ in range(3):
        dialog.next()
    pick(dialog.region, "GB-SCT")
    dialog.next()
    assert dialog.current_preview is not None
    assert "gb.prescription.scotland" in {c.rule_id for c in dialog.current_preview.clocks}
    dialog.button(QWizard.WizardButton.FinishButton).click()
    assert queries.load_case(store, dialog.case_id).jurisdiction == "GB-SCT"


def test_a_region_in_the_settings_wins_over_the_locales_country(qtbot, store: Store, british_locale) -> None:  # noqa: ANN001
    settings.update(store, default_jurisdiction="GB-WLS")
    dialog = GuidedStart(store)
    qtbot.addWidget(dialog)
    assert dialog.region.currentData() == "GB-WLS"


def test_the_last_page_says_what_the_card_unlocks_as_the_command_line_does(wizard: GuidedStart, store: Store) -> None:
    answer_up_to_the_purchase(wizard, "not_arrived")
    for _ in range(3):
        wizard.next()
    pick(wizard.region, "FR")
    wizard.next()
    shown = wizard.summary.toPlainText()
    assert "What your answers unlock" in shown
    assert "Because you paid by credit card (Visa): Card chargeback window." in shown
    # One core function for both: the window shows what 'docket new --ask' prints.
    same = intake.preview(store, answers=wizard.answers())
    assert wizard.current_preview == same
    for line in intake.outlook_lines(same):
        if not line.startswith(("Case:", "Next step:", "Clocks running", "What your", "Missing,")):
            words = line.strip().split("  (source:")[0]
            assert words in shown, words
