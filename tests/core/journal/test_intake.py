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
    # A Visa credit card, due on 10 Nov and never delivered: the chargeback window runs 120
    # days from the expected delivery, not from the payment on 3 Nov.
    chargeback = next(c for c in seen.clocks if c.rule_id == "generic.card_chargeback")
    assert chargeback.deadline == date(2027, 3, 10) and not chargeback.opens
    assert chargeback.label == "Card chargeback window" and "10 Nov 2026" in chargeback.text
    assert chargeback.source.startswith("https://")
    # The card schemes' rules were not read at the source: said so, not passed off as checked.
    assert chargeback.confidence == "secondary" and chargeback.checked is None
    assert chargeback.provenance == "not yet confirmed at the source"
    # France's own delivery rule, read at Légifrance, with the day it was checked.
    late = next(c for c in seen.clocks if c.rule_id == "fr.livraison.date_convenue")
    assert late.opens and late.deadline == date(2026, 11, 10)
    assert late.checked is not None and late.provenance == f"checked {late.checked.isoformat()}"
    assert seen.step == "complaint" and seen.template_id == "refund_non_delivery"
    assert seen.missing == []  # the whole story was told


def test_the_preview_counts_from_the_payment_when_it_arrived(store: Store) -> None:
    clock.set_today("2026-11-20")
    answers = perfume_answers()
    answers.situation, answers.expected_by, answers.delivered_on = "faulty", None, "2026-11-08"
    answers.done, answers.promise, answers.promised_by = [], "", None
    seen = intake.preview(store, answers=answers)
    dates = {c.rule_id: c.deadline for c in seen.clocks}
    assert dates["generic.card_chargeback"] == date(2027, 3, 3)  # 120 days from the payment
    assert dates["eu.legal_guarantee"] == date(2028, 11, 8)  # two years from the delivery


def gym_answers(kind: str | None) -> Answers:
    return Answers(situation="wrong_bill", company="PureGym", company_kind=kind, amount="20", currency="GBP",
                   paid_on="2026-09-01", paid_by="direct_debit", done=[DoneEntry("emailed", "2026-09-10")],
                   jurisdiction="GB-ENG")


@pytest.mark.parametrize("kind", ["club", "telecoms", "trader"])
def test_a_gym_phone_or_shop_case_gets_no_financial_ombudsman(store: Store, kind: str) -> None:
    clock.set_today("2026-11-20")
    seen = intake.preview(store, answers=gym_answers(kind))
    assert not [c for c in seen.clocks if c.rule_id.startswith("gb.fos")]
    assert all("Financial Ombudsman" not in m.text for m in seen.missing)
    assert "gb.limitation.contract" in {c.rule_id for c in seen.clocks}  # the court limit stays


def test_a_bank_case_gets_the_financial_ombudsman_and_an_unknown_kind_is_asked_for(store: Store) -> None:
    clock.set_today("2026-11-20")
    bank = intake.preview(store, answers=gym_answers("bank"))
    ombudsman = [c for c in bank.clocks if c.rule_id.startswith("gb.fos")]
    assert ombudsman and all(c.opens and c.checked is not None for c in ombudsman)
    unknown = intake.preview(store, answers=gym_answers(None))
    assert not [c for c in unknown.clocks if c.rule_id.startswith("gb.fos")]
    (kind,) = [m for m in unknown.missing if m.fact == "company_kind"]
    assert kind.text.startswith("Add what kind of company this is") and "Financial Ombudsman" in kind.unlocks


def test_what_is_missing_and_what_it_would_unlock(store: Store) -> None:
    seen = intake.preview(store, answers=Answers(situation="not_arrived", company="Shop"))
    missing = {m.fact: m for m in seen.missing}
    assert set(missing) == {"jurisdiction", "payment_method"}
    assert missing["payment_method"].text.startswith("Add how you paid to see: Card chargeback window")
    assert "generic.card_chargeback" in missing["payment_method"].rule_ids
    # Once the card is named, the chargeback clock is shown and its date asked for.
    paid = intake.preview(store, answers=Answers(situation="not_arrived", company="Shop", paid_by="card:debit",
                                                 jurisdiction="FR"))
    missing = {m.fact: m for m in paid.missing}
    assert "payment_method" not in missing and "Card chargeback window" in missing["card_scheme"].unlocks


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
                                                 ("el_GR", "GR"), ("ja_JP", ""), ("C", "")])
def test_the_region_is_read_from_the_locale(locale: str, region: str) -> None:
    # Greece is one of the EU pack's countries, so it is offered by name (it was "elsewhere in the EU").
    assert intake.region_for_locale(locale) == region


@pytest.mark.parametrize(("locale", "setting", "region"), [
    ("en_GB", "GB-SCT", "GB-SCT"), ("en_GB", "FR", "GB"), ("fr_FR", "GB-SCT", "FR"), ("C", "GB-WLS", "GB-WLS"),
    ("en_CA", "CA-QC", "CA-QC")])
def test_where_you_live_starts_from_the_locale_unless_the_settings_name_a_part_of_that_country(
        locale: str, setting: str, region: str) -> None:
    assert intake.preselected_region(locale, setting) == region


def test_where_you_live_offers_the_countries_and_regions_the_rules_know() -> None:
    offered = {c.value: c.label for c in intake.REGIONS}
    for code, name in [("GB-ENG", "United Kingdom: England"), ("GB-WLS", "United Kingdom: Wales"),
                       ("GB-SCT", "United Kingdom: Scotland"), ("GB-NIR", "United Kingdom: Northern Ireland"),
                       ("US-CA", "United States: California"), ("CA-ON", "Canada: Ontario"),
                       ("CA-QC", "Canada: Quebec"), ("AU-NSW", "Australia: New South Wales"),
                       ("FR", "France"), ("DE", "Germany"), ("EU", "Elsewhere in the European Union")]:
        assert offered[code] == name
    assert intake.REGIONS[-1].value == ""  # somewhere else, last
    # Each region follows its country, so the list reads as countries with their parts.
    codes = [c.value for c in intake.REGIONS]
    assert codes.index("GB") < codes.index("GB-SCT") < codes.index("US")
    assert [c.label for c in intake.regions_of("GB")] == ["England", "Northern Ireland", "Scotland", "Wales"]
    assert intake.regions_of("FR") == ()


def test_a_region_opens_a_case_whose_rules_are_that_regions(store: Store) -> None:
    clock.set_today("2026-11-20")
    answers = Answers(situation="not_arrived", company="Harbour Sofas", company_kind="trader", purchase="goods",
                      amount="400", currency="GBP", paid_on="2026-09-01", paid_by="card:debit", card_scheme="visa",
                      expected_by="2026-09-15", jurisdiction="GB-SCT")
    case = queries.load_case(store, intake.start_case(store, answers=answers))
    assert case.jurisdiction == "GB-SCT"
    seen = intake.preview(store, answers=answers)
    ids = {c.rule_id for c in seen.clocks}
    # Scotland's five-year prescription, not England's six-year limitation.
    assert "gb.prescription.scotland" in ids
    assert "gb.limitation.contract" not in ids


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


def test_the_preview_says_what_a_bank_and_a_card_payment_unlock(store: Store) -> None:
    clock.set_today("2026-11-20")
    answers = Answers(situation="wrong_bill", company="Barclays", company_kind="bank", amount="20", currency="GBP",
                      paid_on="2026-09-01", paid_by="card:credit", card_scheme="visa", jurisdiction="GB-ENG")
    seen = intake.preview(store, answers=answers)
    unlocked = {u.fact: u.text for u in seen.unlocked}
    # Nothing sent yet: the ombudsman's clock waits for the first complaint, and says so.
    assert unlocked["company_kind"].startswith(
        "Because Barclays is a bank or card issuer: Financial Ombudsman (from your first message to the company)")
    assert unlocked["payment_method"].startswith("Because you paid by credit card (Visa): Card chargeback window")
    assert "Because you paid by credit card (Visa): Card chargeback window" in "\n".join(intake.outlook_lines(seen))


def test_a_shop_paid_in_cash_unlocks_nothing_special(store: Store) -> None:
    clock.set_today("2026-11-20")
    answers = Answers(situation="faulty", company="Corner Shop", company_kind="trader", amount="20", currency="GBP",
                      paid_on="2026-09-01", paid_by="cash", jurisdiction="GB-ENG")
    seen = intake.preview(store, answers=answers)
    assert seen.unlocked == []
    assert not [c for c in seen.clocks if "chargeback" in c.rule_id]


def test_the_default_region_in_the_settings_is_checked_as_a_cases_is(store: Store) -> None:
    from core.journal import settings

    settings.update(store, default_jurisdiction="gb-sct")
    assert settings.get(store, "default_jurisdiction") == "GB-SCT"
    with pytest.raises(ValidationError) as caught:
        settings.update(store, default_jurisdiction="GB-SC")
    assert caught.value.path == "settings.default_jurisdiction" and "GB-SCT" in caught.value.message
    assert settings.get(store, "default_jurisdiction") == "GB-SCT"
