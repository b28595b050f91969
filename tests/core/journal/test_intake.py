"""The guided start's answers, read as case facts: the same mapping for the window and the
command line."""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal

import pytest

from core.domain import clock
from core.domain.errors import ValidationError
from core.journal import intake, queries
from core.journal.intake import Answers, DoneEntry
from core.store.store import Store


def perfume_answers() -> Answers:
    return Answers(
        situation="not_arrived", company="Maison Parfum Paris", company_kind="trader", purchase="goods",
        amount="129.00", currency="EUR", paid_on="2026-11-03", paid_by="card:credit", card_scheme="visa",
        expected_by="2026-11-10", promise="Refund to the card", promised_on="2026-11-14",
        promised_by="2026-12-15",
        done=[DoneEntry("emailed", "2026-11-12"), DoneEntry("called", "2026-12-20", "Held 40 minutes")],
        wants=["refund"], jurisdiction="FR",
    )


def dump(store: Store) -> list[str]:
    with sqlite3.connect(store.db_path) as conn:
        return list(conn.iterdump())


def test_every_question_has_plain_words_and_nine_things_can_have_happened() -> None:
    assert [q.key for q in intake.QUESTIONS] == ["what_happened", "who", "purchase", "promise", "done", "want", "where"]
    assert len(intake.SITUATIONS) == 9
    assert all(q.text.endswith("?") for q in intake.QUESTIONS)
    assert {c.value for c in intake.COMPANY_KINDS} >= {"trader", "bank", "payment_service", "telecoms", "energy",
                                                       "insurer", "club", "other"}


def test_the_perfume_story_becomes_a_case_with_its_purchase_complaints_and_promise(store: Store) -> None:
    case_id = intake.start_case(store, answers=perfume_answers())
    case = queries.load_case(store, case_id)
    assert case.title == "Paid Maison Parfum Paris, nothing arrived"
    assert (case.category, case.purchase, case.payment_method, case.card_scheme) == (
        "non_delivery", "goods", "credit_card", "visa")
    assert (case.amount, case.currency, case.payment_date, case.expected_by) == (
        Decimal("129.00"), "EUR", date(2026, 11, 3), date(2026, 11, 10))
    assert case.jurisdiction == "FR" and case.desired_outcome == "A refund of EUR 129.00."
    assert case.company is not None and case.company.kind == "trader"
    story = [(e.at, e.kind, e.direction, e.meaning, e.amount, e.promised_by) for e in case.events]
    assert story == [
        ("2026-11-03", "payment", "to_company", "purchase", Decimal("129.00"), None),
        ("2026-11-12", "email", "to_company", "complaint", None, None),
        ("2026-11-14", "promise", "from_company", "promise", None, date(2026, 12, 15)),
        ("2026-12-20", "call", "to_company", "complaint", None, None),
    ]
    assert case.events[3].details == "Held 40 minutes"


def test_a_purchase_is_never_read_as_a_complaint(store: Store) -> None:
    answers = Answers(situation="faulty", company="Shop", paid_on="2026-10-01", amount="20", paid_by="cash")
    case = queries.load_case(store, intake.start_case(store, answers=answers))
    (event,) = case.events
    assert (event.meaning, event.direction) == ("purchase", "to_company")


def test_the_preview_shows_clocks_missing_facts_and_the_first_step_and_writes_nothing(store: Store) -> None:
    clock.set_today("2026-11-20")
    before = dump(store)
    answers = perfume_answers()
    answers.done, answers.promise, answers.promised_by = [], "", None
    seen = intake.preview(store, answers=answers)
    assert dump(store) == before
    chargeback = next(c for c in seen.clocks if c.rule_id == "generic.card_chargeback")
    assert chargeback.date == date(2027, 3, 3) and not chargeback.opens
    assert chargeback.source.startswith("https://")
    assert seen.step == "complaint" and seen.template_id == "refund_non_delivery"
    assert seen.missing == []  # the whole story was told


def test_what_is_missing_and_what_it_would_unlock() -> None:
    missing = {m.fact: m.unlocks for m in intake.missing_facts(Answers(situation="not_arrived", company="Shop"))}
    assert "Card chargeback" in missing["how you paid"] or "chargeback" in missing["how you paid"].lower()
    assert "the payment date" in missing and "where you live" in missing and "the amount" in missing
    assert "when it was due to arrive" in missing


def test_a_bad_answer_names_it_and_writes_nothing(store: Store) -> None:
    before = dump(store)
    bad = perfume_answers()
    bad.done = [DoneEntry("emailed", "2026-11-12"), DoneEntry("emailed", "12/11/2026")]
    with pytest.raises(ValidationError) as caught:
        intake.start_case(store, answers=bad)
    assert caught.value.path == "answers.done[1].on"
    assert dump(store) == before
    with pytest.raises(ValidationError, match="answers.paid_by"):
        intake.start_case(store, answers=Answers(paid_by="cheque"))
    with pytest.raises(ValidationError, match="card network"):
        intake.start_case(store, answers=Answers(paid_by="paypal", card_scheme="visa"))
    assert dump(store) == before


def test_an_existing_company_is_reused_and_its_kind_filled_in_once(store: Store) -> None:
    first = intake.start_case(store, answers=Answers(company="Acme Energy", situation="wrong_bill"))
    second = intake.start_case(store, answers=Answers(company="acme energy", company_kind="energy"))
    third = intake.start_case(store, answers=Answers(company="ACME ENERGY", company_kind="bank"))
    ids = {queries.load_case(store, c).company_id for c in (first, second, third)}
    assert len(ids) == 1
    assert queries.load_case(store, third).company.kind == "energy"


@pytest.mark.parametrize(("locale", "region"), [("fr_FR", "FR"), ("en-GB", "GB"), ("en_US.UTF-8", "US"),
                                                 ("el_GR", "EU"), ("ja_JP", ""), ("C", "")])
def test_the_region_is_read_from_the_locale(locale: str, region: str) -> None:
    assert intake.region_for_locale(locale) == region


def test_a_promise_whose_day_is_not_given_is_placed_honestly(store: Store) -> None:
    clock.set_today("2027-01-20")
    answers = Answers(situation="refund_not_paid", company="Shop", paid_on="2026-11-03", amount="20",
                      promise="Refund", promised_by="2026-12-15",
                      done=[DoneEntry("emailed", "2026-11-12"), DoneEntry("called", "2027-01-05")])
    case = queries.load_case(store, intake.start_case(store, answers=answers))
    promise = next(e for e in case.events if e.meaning == "promise")
    # On the last contact before the promised date, never after it, and the timeline says so.
    assert promise.at == "2026-11-12" and promise.promised_by == date(2026, 12, 15)
    assert "not given" in promise.details and "2026-11-12" in promise.details
