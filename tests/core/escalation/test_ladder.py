"""The escalation ladder, rule by rule and jurisdiction by jurisdiction.

Each row is a user's story: given a case with these facts and this timeline, on the tests'
today, Docket says the case stands at this step, suggests this next step on this date with
this letter, and shows these clocks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from core.domain import clock
from core.domain.errors import NotFoundError
from core.domain.models import Case
from core.escalation import reminders
from core.escalation.ladder import Step, StepKind
from core.store.store import Store
from tests.ladder_helpers import TODAY, ago, from_company, make_case, note, to_company


@dataclass
class Story:
    name: str
    case: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    letters: list[dict[str, Any]] = field(default_factory=list)
    current: Step | None | str = "any"
    step: Step | None | str = "any"
    due: date | None = None
    template: str | None = None
    reason: str = ""
    clocks: list[str] = field(default_factory=list)
    no_clocks: list[str] = field(default_factory=list)
    no_due: bool = False  # nothing is due yet: the step is advice, not a reminder


def d(days_ago: int) -> date:
    return TODAY - timedelta(days=days_ago)


STORIES = [
    Story("nothing sent yet: write the complaint",
          {"category": "non_delivery", "opened_on": ago(3)}, current=None,
          step=Step.COMPLAINT, no_due=True, template="refund_non_delivery", reason="Nothing has been sent"),
    Story("subscription complaint uses the stop-billing letter",
          {"category": "subscription", "opened_on": ago(1)},
          step=Step.COMPLAINT, template="stop_billing"),
    Story("silence after the complaint: a chaser, 14 days on",
          {"category": "refund"}, [to_company(20)],
          current=Step.COMPLAINT, step=Step.CHASER, due=d(6), template="chaser",
          reason="No reply to your email of 3 Nov (20 days): the next step is the chaser."),
    Story("a case's own silence period is honoured",
          {"category": "refund", "silence_days": 30}, [to_company(20)],
          current=Step.COMPLAINT, step=Step.CHASER, due=d(-10)),
    Story("silence after the chaser: the formal complaint",
          {"category": "refund"}, [to_company(40), to_company(20, "call")],
          current=Step.CHASER, step=Step.FORMAL_COMPLAINT, due=d(6), template="formal_complaint"),
    Story("a posted letter after the complaint is the formal complaint; next the final notice",
          {"category": "service"}, [to_company(60, "call"), to_company(30, "letter")],
          current=Step.FORMAL_COMPLAINT, step=Step.FINAL_NOTICE, due=d(16), template="final_notice"),
    Story("a letter as the very first message is only the complaint",
          {"category": "service"}, [to_company(30, "letter")],
          current=Step.COMPLAINT, step=Step.CHASER),
    Story("after the final notice: the regulator once its 14 days have run",
          {"category": "service"}, [to_company(90, "call"), to_company(60, "letter"), to_company(10, "letter")],
          current=Step.FINAL_NOTICE, step=Step.REGULATOR, due=d(-4), template="regulator_complaint",
          clocks=["Final notice deadline: you may refer from"]),
    Story("the company replied: escalate from its reply if it did not settle things",
          {"category": "refund"}, [to_company(30), from_company(5)],
          current=Step.COMPLAINT, step=Step.CHASER, no_due=True, reason="Acme Ltd replied on 18 Nov"),
    Story("an internal note is not a reply",
          {"category": "refund"}, [to_company(30), note(5)],
          current=Step.COMPLAINT, step=Step.CHASER, due=d(16), reason="No reply"),
    Story("a closed case has no next step",
          {"category": "refund", "status": "closed"}, [to_company(30)],
          current=Step.COMPLAINT, step=None, reason="closed"),
    # -- letters recorded by the letters module ---------------------------------------------------
    Story("a sent formal-complaint letter sets the step",
          {"category": "refund"}, [to_company(50)],
          letters=[{"template_id": "formal_complaint", "sent_on": ago(20)}],
          current=Step.FORMAL_COMPLAINT, step=Step.FINAL_NOTICE, template="final_notice"),
    Story("a letter may name its step in its options",
          {"category": "refund"}, [to_company(50)],
          letters=[{"template_id": "custom_letter", "sent_on": ago(20), "options": {"step": "final_notice"}}],
          current=Step.FINAL_NOTICE, step=Step.REGULATOR),
    Story("a letter's reply-by date pushes the silence reminder out",
          {"category": "refund"}, [to_company(5, "letter")],
          letters=[{"template_id": "first_complaint", "sent_on": ago(5), "reply_by": d(-28)}],
          current=Step.COMPLAINT, step=Step.CHASER, due=d(-28)),
    # -- payment disputes -----------------------------------------------------------------------
    Story("chargeback window closing soon jumps the queue",
          {"category": "non_delivery", "payment_method": "debit_card", "card_scheme": "visa", "payment_date": ago(110)},
          [to_company(30)],
          current=Step.COMPLAINT, step=Step.PAYMENT_DISPUTE, due=d(4), template="chargeback_request",
          reason="Card chargeback window closes in 10 days", clocks=["Card chargeback window closes in 10 days"]),
    Story("a closed chargeback window is not offered; without a card the ladder goes on",
          {"category": "non_delivery", "payment_method": "debit_card", "card_scheme": "visa", "payment_date": ago(300)},
          [to_company(90), to_company(60, "letter"), to_company(30, "letter")],
          current=Step.FINAL_NOTICE, step=Step.REGULATOR, no_clocks=["Card chargeback window"]),
    Story("after the final notice a card payment can still be disputed",
          {"category": "non_delivery", "payment_method": "credit_card", "payment_date": ago(80)},
          [to_company(70), to_company(60, "letter"), to_company(30, "letter")],
          current=Step.FINAL_NOTICE, step=Step.PAYMENT_DISPUTE, template="chargeback_request",
          clocks=["Card chargeback window closes in 40 days"]),
    Story("a domestic debit card (Girocard) has no chargeback: after the final notice, the regulator",
          {"category": "non_delivery", "jurisdiction": "DE", "payment_method": "debit_card",
           "card_scheme": "domestic_debit", "payment_date": ago(80)},
          [to_company(70), to_company(60, "letter"), to_company(30, "letter")],
          current=Step.FINAL_NOTICE, step=Step.REGULATOR, no_clocks=["Card chargeback window"]),
    Story("PayPal: the platform dispute, 180 days",
          {"category": "non_delivery", "payment_method": "paypal", "payment_date": ago(170)},
          [to_company(30)],
          step=Step.PAYMENT_DISPUTE, template="platform_dispute", clocks=["PayPal dispute window closes in 10 days"]),
    Story("a dispute already sent stops the chargeback clock",
          {"category": "non_delivery", "payment_method": "debit_card", "card_scheme": "visa", "payment_date": ago(110)},
          [to_company(30)], letters=[{"template_id": "chargeback_request", "sent_on": ago(2)}],
          current=Step.PAYMENT_DISPUTE, step=Step.REGULATOR, no_clocks=["Card chargeback window"]),
    # -- United Kingdom ---------------------------------------------------------------------------
    Story("GB: a bank's 8 weeks have passed, go to the Financial Ombudsman",
          {"category": "service", "jurisdiction": "GB", "currency": "GBP", "company_kind": "bank"}, [to_company(60)],
          current=Step.COMPLAINT, step=Step.REGULATOR, due=d(60) + timedelta(weeks=8),
          template="regulator_complaint", reason="Financial Ombudsman: you may refer now"),
    Story("GB: before 8 weeks the ombudsman clock shows when it opens",
          {"category": "service", "jurisdiction": "GB", "currency": "GBP", "company_kind": "bank"}, [to_company(21)],
          current=Step.COMPLAINT, step=Step.CHASER,
          clocks=[f"Financial Ombudsman: you may refer from {(d(21) + timedelta(weeks=8)).day} "]),
    Story("GB: six months from the final response to go to the ombudsman",
          {"category": "service", "jurisdiction": "GB", "currency": "GBP", "company_kind": "bank"},
          [to_company(200), from_company(20, "response", meaning="final_response")],
          clocks=["Financial Ombudsman closes on 3 May 2027"]),
    Story("GB: the 30-day right to reject faulty goods",
          {"category": "faulty_goods", "jurisdiction": "GB", "currency": "GBP"},
          [{"at": ago(25), "kind": "delivery", "direction": "from_company", "summary": "Delivered"}],
          current=None, step=Step.COMPLAINT, template="faulty_goods", clocks=["Right to reject closes in 5 days"]),
    Story("GB: 14 days to cancel an online order",
          {"category": "cancellation", "jurisdiction": "GB", "currency": "GBP", "purchase": "goods"},
          [{"at": ago(10), "kind": "delivery", "direction": "internal", "summary": "Parcel arrived"}],
          clocks=["Cancellation period closes in 4 days"]),
    Story("GB: section 75 for a £250 credit-card purchase",
          {"category": "faulty_goods", "jurisdiction": "GB", "currency": "GBP", "amount": "250",
           "payment_method": "credit_card", "payment_date": ago(400)},
          [to_company(90), to_company(60, "letter"), to_company(30, "letter")],
          current=Step.FINAL_NOTICE, step=Step.PAYMENT_DISPUTE,
          clocks=["Section 75 claim: you may claim from your card issuer or bank now"]),
    Story("GB: no section 75 under £100",
          {"category": "faulty_goods", "jurisdiction": "GB", "currency": "GBP", "amount": "80",
           "payment_method": "credit_card", "payment_date": ago(400)},
          [to_company(90), to_company(60, "letter"), to_company(30, "letter")],
          current=Step.FINAL_NOTICE, step=Step.REGULATOR, no_clocks=["Section 75"]),
    Story("GB: a card issuer has 8 weeks for a section 75 claim",
          {"category": "faulty_goods", "jurisdiction": "GB", "currency": "GBP", "amount": "250",
           "payment_method": "credit_card", "payment_date": ago(400)},
          [to_company(100)], letters=[{"template_id": "chargeback_request", "sent_on": ago(14)}],
          current=Step.PAYMENT_DISPUTE, step=Step.REGULATOR, due=d(14) + timedelta(weeks=8),
          clocks=["Financial Ombudsman: you may refer from"]),
    # A complaint about a chargeback is not a payment-services complaint (DISP 2.8.1R(2A)):
    # the card issuer has 8 weeks, not 15 business days (issue 15, point 2).
    Story("GB: a chargeback complaint gives the card issuer 8 weeks, not 15 business days",
          {"category": "non_delivery", "jurisdiction": "GB", "currency": "GBP",
           "payment_method": "debit_card", "card_scheme": "visa", "payment_date": ago(200)},
          [to_company(100)], letters=[{"template_id": "chargeback_request", "sent_on": "2026-11-20"}],
          step=Step.REGULATOR, due=date(2027, 1, 15), clocks=["Financial Ombudsman: you may refer from 15 Jan 2027"],
          no_clocks=["from 11 Dec"]),
    Story("GB: a bank's payment-services complaint, 15 business days",
          {"category": "billing_error", "jurisdiction": "GB", "currency": "GBP", "company_kind": "bank"},
          [to_company(10)], step=Step.CHASER, clocks=["Financial Ombudsman: you may refer from 4 Dec"]),
    Story("GB: letter before claim, then the small claims court",
          {"category": "service", "jurisdiction": "GB", "currency": "GBP"},
          [to_company(90), to_company(60, "letter"), to_company(20, "letter")],
          letters=[{"template_id": "regulator_complaint", "sent_on": ago(3)}],
          current=Step.REGULATOR, step=Step.SMALL_CLAIMS, template="small_claims_demand",
          no_clocks=["Final notice deadline"]),
    # -- United States ----------------------------------------------------------------------------
    Story("US: billing-error notice within 60 days, to the card issuer",
          {"category": "billing_error", "jurisdiction": "US", "currency": "USD",
           "payment_method": "credit_card", "payment_date": ago(50)}, [to_company(20)],
          step=Step.PAYMENT_DISPUTE, template="us_billing_error", reason="Billing error notice closes in 10 days"),
    Story("US: issuer must acknowledge in 30 days and resolve in 90",
          {"category": "billing_error", "jurisdiction": "US", "currency": "USD",
           "payment_method": "credit_card", "payment_date": ago(70)}, [to_company(60)],
          letters=[{"template_id": "us_billing_error", "sent_on": ago(40)}],
          current=Step.PAYMENT_DISPUTE, clocks=["Card issuer acknowledgement: you may refer now",
                                                "Card issuer resolution: you may refer from"]),
    Story("US: debit card errors under Regulation E",
          {"category": "billing_error", "jurisdiction": "US", "currency": "USD",
           "payment_method": "debit_card", "payment_date": ago(40)}, [to_company(10)],
          clocks=["Debit card error notice closes in 20 days"]),
    Story("US: the CFPB gives the company 15 days",
          {"category": "billing_error", "jurisdiction": "US", "currency": "USD", "company_kind": "bank"}, [to_company(100)],
          letters=[{"template_id": "regulator_complaint", "sent_on": ago(5)}],
          current=Step.REGULATOR, step=Step.SMALL_CLAIMS, due=d(-10),
          clocks=["CFPB: company response: you may claim in court from"]),
    # -- European Union ---------------------------------------------------------------------------
    Story("EU (France): 14-day right of withdrawal",
          {"category": "cancellation", "jurisdiction": "FR", "purchase": "goods"},
          [{"at": ago(10), "kind": "delivery", "direction": "from_company", "summary": "Delivered"}],
          clocks=["Right of withdrawal closes in 4 days"]),
    Story("EU (Germany): the two-year legal guarantee",
          {"category": "warranty", "jurisdiction": "DE"},
          [{"at": "2024-12-20", "kind": "delivery", "direction": "from_company", "summary": "Delivered"}],
          step=Step.COMPLAINT, clocks=["Legal guarantee closes in 27 days"]),
    Story("EU: an ADR body decides within 90 days",
          {"category": "service", "jurisdiction": "IT"}, [to_company(100)],
          letters=[{"template_id": "regulator_complaint", "sent_on": ago(10)}],
          step=Step.SMALL_CLAIMS, due=d(-80), clocks=["ADR decision: you may claim in court from"]),
    # -- Canada and Australia ---------------------------------------------------------------------
    Story("CA: a bank has 56 days, then the external complaints body",
          {"category": "billing_error", "jurisdiction": "CA", "currency": "CAD", "company_kind": "bank"}, [to_company(60)],
          current=Step.COMPLAINT, step=Step.REGULATOR, due=d(4), reason="Bank complaint period"),
    Story("CA: 180 days to go to OBSI after the final response",
          {"category": "billing_error", "jurisdiction": "CA", "currency": "CAD", "company_kind": "bank"},
          [to_company(100), from_company(10, "response", meaning="final_response")],
          clocks=["Ombudsman (OBSI) closes on"]),
    Story("AU: 30 days of internal dispute resolution, then AFCA",
          {"category": "billing_error", "jurisdiction": "AU", "currency": "AUD", "company_kind": "bank"}, [to_company(31)],
          current=Step.COMPLAINT, step=Step.REGULATOR, due=d(1), reason="AFCA: you may refer now"),
    Story("AU: two years from the final response to lodge with AFCA",
          {"category": "billing_error", "jurisdiction": "AU", "currency": "AUD", "company_kind": "bank"},
          [to_company(100), from_company(10, "response", meaning="final_response")],
          clocks=["AFCA closes on 13 Nov 2028"]),
    Story("an unknown country falls back to the general rules",
          {"category": "non_delivery", "jurisdiction": "JP", "payment_method": "credit_card",
           "payment_date": ago(115)}, [to_company(30)],
          step=Step.PAYMENT_DISPUTE, clocks=["Card chargeback window closes in 5 days"]),
]


@pytest.mark.parametrize("story", STORIES, ids=[s.name for s in STORIES])
def test_next_step(store: Store, story: Story) -> None:
    clock.set_today(TODAY)
    case_id = make_case(store, events=story.events, letters=story.letters, **story.case)
    result = reminders.next_step(store, case_id=case_id)
    texts = [c.text for c in result.clocks]
    if story.current != "any":
        assert result.current_step == story.current
    if story.step != "any":
        assert result.step == story.step, result.reason
    if story.due is not None:
        assert result.due == story.due, result.reason
    if story.no_due:
        assert result.due is None, result.reason
    if story.template is not None:
        assert result.template_id == story.template
    assert story.reason in result.reason
    for wanted in story.clocks:
        assert any(t.startswith(wanted) for t in texts), (wanted, texts)
    for unwanted in story.no_clocks:
        assert not any(unwanted in t for t in texts), (unwanted, texts)


def test_the_banner_example_reads_naturally(store: Store) -> None:
    """"Ombudsman: you may refer from 14 Jan; chargeback window closes in 9 days"."""
    clock.set_today(TODAY)
    case_id = make_case(store, category="service", jurisdiction="GB", currency="GBP", company_kind="bank",
                        payment_method="debit_card", card_scheme="visa", payment_date=ago(111),
                        events=[to_company(21)])
    texts = [c.text for c in reminders.next_step(store, case_id=case_id).clocks]
    assert "Card chargeback window closes in 9 days (2 Dec)" in texts
    assert "Financial Ombudsman: you may refer from 28 Dec" in texts


def test_next_step_of_a_missing_case_says_so(store: Store) -> None:
    with pytest.raises(NotFoundError, match="no case 999"):
        reminders.next_step(store, case_id=999)


# -- what the company answered moves the ladder ---------------------------------------------------
@dataclass
class Reply:
    """A story told by its events (with the meanings the user gave them), read on a day."""

    name: str
    case: dict[str, Any]
    events: list[dict[str, Any]]
    kind: StepKind
    step: Step | None
    due: date | None
    template: str | None
    reason: str
    letters: list[dict[str, Any]] = field(default_factory=list)
    today: date = TODAY


REPLIES = [
    Reply("a refusal skips the chaser: the formal complaint, and the card dispute while open",
          {"category": "service", "payment_method": "credit_card", "payment_date": ago(40), "amount": "320"},
          [to_company(22), from_company(20, meaning="refusal", summary="All payments are final")],
          StepKind.REFUSED, Step.FORMAL_COMPLAINT, d(20), "formal_complaint",
          "Acme Ltd refused on 3 Nov: a chaser would only ask again. Next: a formal complaint to management "
          "that challenges their answer. Also open: Card dispute until 11 Feb 2027."),
    Reply("a refusal after the formal complaint: the external step, with the day each opens",
          {"category": "service", "jurisdiction": "GB", "currency": "GBP", "company_kind": "bank"},
          [to_company(30), to_company(15, meaning="formal_complaint"), from_company(10, meaning="refusal")],
          StepKind.REFUSED, Step.FINAL_NOTICE, d(10), "final_notice",
          "Acme Ltd refused on 13 Nov and you have made your formal complaint. Next: Final notice (letter "
          "before action) now. Also: Financial Ombudsman from 19 Dec."),
    Reply("GB: a final response before eight weeks opens the ombudsman at once",
          {"category": "service", "jurisdiction": "GB", "currency": "GBP", "company_kind": "bank"},
          [to_company(20), from_company(5, meaning="final_response")],
          StepKind.REFUSED, Step.FORMAL_COMPLAINT, d(5), "formal_complaint",
          "Acme Ltd sent its final response on 18 Nov: a chaser would only ask again. Next: a formal "
          "complaint to management that challenges their answer. Also open: Financial Ombudsman now."),
    Reply("GB: a final response after the formal complaint: the ombudsman now",
          {"category": "service", "jurisdiction": "GB", "currency": "GBP", "company_kind": "bank"},
          [to_company(20, meaning="formal_complaint"), from_company(5, meaning="final_response")],
          StepKind.REFUSED, Step.REGULATOR, d(5), "regulator_complaint",
          "Acme Ltd sent its final response on 18 Nov and you have made your formal complaint. Next: "
          "Financial Ombudsman now. Also: Final notice (letter before action) now."),
    Reply("an invoice after a cancellation: the stop-billing letter, due now",
          {"category": "subscription", "jurisdiction": "US", "currency": "USD", "payment_method": "direct_debit"},
          [to_company(180, "letter", meaning="cancellation", summary="Cancelled by registered letter"),
           from_company(131, meaning="invoice", amount="95", summary="Invoice for the year")],
          StepKind.STOP_BILLING, Step.COMPLAINT, d(131), "stop_billing",
          "Acme Ltd sent an invoice on 15 Jul after you cancelled on 27 May: send the stop-billing letter, "
          "citing the cancellation and any proof that it reached them."),
    Reply("a direct debit taken after a cancellation in the UK: the Direct Debit Guarantee",
          {"category": "subscription", "jurisdiction": "GB", "currency": "GBP", "payment_method": "direct_debit"},
          [to_company(60, "letter", meaning="cancellation"), from_company(6, "payment", meaning="charge", amount="34.99")],
          StepKind.STOP_BILLING, Step.COMPLAINT, d(6), "stop_billing",
          "Acme Ltd took a payment on 17 Nov after you cancelled on 24 Sep: send the stop-billing letter, citing "
          "the cancellation and any proof that it reached them. To get the money back: Direct Debit Guarantee: you may "
          "claim from your card issuer or bank now (since 17 Nov)."),
    Reply("a charge before the cancellation is no reason to write about billing",
          {"category": "subscription"},
          [from_company(40, "payment", meaning="charge"), to_company(30, meaning="cancellation")],
          StepKind.SILENCE, Step.CHASER, d(16), "chaser", "No reply to your email of 24 Oct (30 days)"),
    Reply("a lapsed promise comes first, is due since its day and says how late it is",
          {"category": "refund", "currency": "EUR", "amount": "129"},
          [to_company(50), to_company(35), to_company(28),
           from_company(45, "email", meaning="promise", summary="A refund of EUR 129", promised_by=ago(21))],
          StepKind.PROMISE_LAPSED, Step.FORMAL_COMPLAINT, d(21), "formal_complaint",
          "They promised by 2 Nov (\u201cA refund of EUR 129\u201d): 3 weeks late. Next: formal complaint to "
          "management."),
    Reply("a promise not yet due: wait for it",
          {"category": "refund"},
          [to_company(10), from_company(8, "call", meaning="promise", summary="Refund by Friday", promised_by=ago(-4))],
          StepKind.WAIT, Step.CHASER, d(-4), "chaser",
          "Acme Ltd promised by 27 Nov (\u201cRefund by Friday\u201d): wait until then."),
    Reply("a partial offer: accept or counter, with what is still missing",
          {"category": "refund", "currency": "GBP", "amount": "289"},
          [to_company(30), from_company(20, "payment", meaning="refund", amount="39"),
           from_company(5, meaning="partial_offer", amount="100", summary="A voucher for £100")],
          StepKind.ANSWER_OFFER, Step.CHASER, d(5), "counter_offer",
          "Acme Ltd offered GBP 100.00 on 18 Nov: accept, or answer with your counter-proposal. Still missing: "
          "GBP 150.00 (GBP 289.00 in dispute, GBP 100.00 offered, GBP 39.00 refunded)."),
    Reply("an acknowledgement is not an answer: the silence runs from the complaint",
          {"category": "refund"},
          [to_company(20), from_company(18, meaning="acknowledgement", summary="We are looking into it")],
          StepKind.SILENCE, Step.CHASER, d(6), "chaser",
          "No reply to your email of 3 Nov (20 days): the next step is the chaser. Their acknowledgement of "
          "5 Nov is not an answer."),
    Reply("too early: four emails in one day are one complaint, and the windows are far off",
          {"category": "non_delivery", "payment_method": "debit_card", "card_scheme": "visa",
           "payment_date": ago(10)},
          [to_company(2), to_company(2), to_company(2), to_company(2)],
          StepKind.WAIT, Step.CHASER, d(-12), "chaser",
          "Too early: Acme Ltd has had 2 days to answer your email of 21 Nov, and 14 days is the usual time. "
          "Wait until 5 Dec; then the next step is the chaser. Nothing is lost by waiting: Card chargeback "
          "window closes on 13 Mar 2027."),
    Reply("resolved in full: no demand letters",
          {"category": "refund"},
          [to_company(20), from_company(3, meaning="resolved", summary="Refund on its way")],
          StepKind.RESOLVED, None, None, None,
          "Acme Ltd resolved it in full on 20 Nov: Docket suggests no demand letters."),
]


@pytest.mark.parametrize("story", REPLIES, ids=[s.name for s in REPLIES])
def test_what_the_company_answered_moves_the_ladder(store: Store, story: Reply) -> None:
    clock.set_today(story.today)
    case_id = make_case(store, events=story.events, letters=story.letters, **story.case)
    result = reminders.next_step(store, case_id=case_id)
    assert (result.kind, result.step, result.due, result.template_id) == (
        story.kind, story.step, story.due, story.template), result.reason
    assert result.reason.startswith(story.reason), result.reason
    # Dates are words in every sentence, never ISO.
    assert not re.search(r"\d{4}-\d\d-\d\d", result.reason)
    # What the banner says is what the list says.
    assert next_due(store, case_id) == result.due or (result.due is None and not result.reminds)


def test_a_lapsed_promise_names_its_lateness_and_stop_billing_follows(store: Store) -> None:
    clock.set_today(TODAY)
    case_id = make_case(store, category="subscription", events=[
        to_company(60, "letter", meaning="cancellation"),
        from_company(30, "call", meaning="promise", summary="Debits stopped", promised_by=ago(16)),
        from_company(6, "payment", meaning="charge", amount="34.99")])
    step = reminders.next_step(store, case_id=case_id)
    assert step.kind is StepKind.PROMISE_LAPSED and step.late_days == 16
    assert step.promise is not None and step.promise.summary == "Debits stopped"
    assert step.reason.endswith("They also billed you on 17 Nov after you cancelled: the stop-billing letter says so.")


def test_resolved_in_full_refuses_demand_letters_with_a_reason() -> None:
    from core.escalation.ladder import CaseFacts, demand_refusal, next_step_for

    facts = CaseFacts(case_id=1, company="Acme Ltd", status="resolved")
    step = next_step_for(facts, TODAY)
    assert demand_refusal(step, "final_notice") == "This case is resolved: Docket suggests no demand letters."
    open_case = next_step_for(CaseFacts(case_id=2, company="Acme Ltd"), TODAY)
    assert demand_refusal(open_case, "final_notice") is None


def next_due(store: Store, case_id: int) -> date | None:
    with store.read() as session:
        return session.get(Case, case_id).next_due


# -- the seven example cases, at several dates ------------------------------------------------------
# What the user would say each event meant (the examples are logged without meanings, as a
# store from before meanings is read), by a few words of the event's summary.
SEED_MEANINGS = {
    "Gym membership cancelled by recorded letter keeps charging": [
        ("Sent notice of cancellation", "cancellation", None), ("Direct debit of", "charge", "34.99"),
        ("Another £34.99", "charge", "34.99"), ("A third", "charge", "34.99"),
        ("Formal complaint with", "formal_complaint", None)],
    "Free trial that cannot be cancelled": [
        ("Tried to cancel", "cancellation", None), ("Emailed written notice to cancel", "cancellation", None),
        ("Charged $19.99 for", "charge", "19.99"), ("Charged $19.99 again", "charge", "19.99")],
    "Optician lost the lenses of my glasses during a warranty repair": [
        ("the lenses were lost", "partial_offer", "122.50")],
    "Manager refused to correct a $20 overcharge": [("manager refused", "refusal", None)],
    "Pottery course transfer refused: 'all payments are final'": [("Studio refused", "refusal", None)],
}
COAT, GYM, TRIAL, COURSE, GLASSES, DRILL, POTTERY = (
    "Refund for a returned winter coat never paid", "Gym membership cancelled by recorded letter keeps charging",
    "Free trial that cannot be cancelled", "Paid course download never delivered; PayPal dispute opened",
    "Optician lost the lenses of my glasses during a warranty repair", "Manager refused to correct a $20 overcharge",
    "Pottery course transfer refused: 'all payments are final'")
T0 = TODAY  # the day the examples were loaded: their events are dated from it


def t0(days: int) -> date:
    return T0 + timedelta(days=days)


# (case, days after loading, kind, step, due, template, start of the reason)
SEEDS = [
    (COAT, 0, StepKind.PROMISE_LAPSED, Step.FINAL_NOTICE, t0(-26), "final_notice",
     "They promised by 28 Oct (\u201cReturns department promised the refund within 14 days\u201d): 3 weeks late. "
     "Next: final notice"),
    (COAT, 30, StepKind.PROMISE_LAPSED, Step.FINAL_NOTICE, t0(-26), "final_notice",
     "They promised by 28 Oct (\u201cReturns department promised the refund within 14 days\u201d): 8 weeks late."),
    (GYM, 0, StepKind.PROMISE_LAPSED, Step.FINAL_NOTICE, t0(-16), "final_notice",
     "They promised by 7 Nov (\u201cJordan promised to stop the debits and refund within 14 days\u201d): 2 weeks late."),
    (GYM, 10, StepKind.PROMISE_LAPSED, Step.FINAL_NOTICE, t0(-16), "final_notice",
     "They promised by 7 Nov (\u201cJordan promised to stop the debits and refund within 14 days\u201d): 3 weeks late."),
    (TRIAL, 0, StepKind.STOP_BILLING, Step.COMPLAINT, t0(-14), "stop_billing",
     "StreamNest Inc. took a payment on 9 Nov after you cancelled on 9 Oct: send the stop-billing letter"),
    (TRIAL, 30, StepKind.STOP_BILLING, Step.COMPLAINT, t0(-14), "stop_billing",
     "StreamNest Inc. took a payment on 9 Nov after you cancelled on 9 Oct"),
    (COURSE, 0, StepKind.RESOLVED, None, None, None, "This case is resolved: Docket suggests no demand letters."),
    (COURSE, 30, StepKind.RESOLVED, None, None, None, "This case is resolved"),
    (GLASSES, 0, StepKind.WAIT, Step.FINAL_NOTICE, t0(11), "final_notice",
     "Too early: ClearSight Opticians has had 3 days to answer your letter of 20 Nov, and 14 days is the usual "
     "time. Wait until 4 Dec; then the next step is the final notice"),
    (GLASSES, 10, StepKind.WAIT, Step.FINAL_NOTICE, t0(11), "final_notice", "Too early: "),
    (GLASSES, 30, StepKind.SILENCE, Step.FINAL_NOTICE, t0(11), "final_notice",
     "No reply to your letter of 20 Nov (33 days): the next step is the final notice"),
    (DRILL, 0, StepKind.REFUSED, Step.PAYMENT_DISPUTE, t0(5), "us_billing_error",
     "Corner Hardware Co. refused on 12 Nov and you have made your formal complaint. Next: Card dispute until "
     "9 Jan 2027."),
    (DRILL, 30, StepKind.PAYMENT_WINDOW, Step.PAYMENT_DISPUTE, t0(33), "us_billing_error",
     "Billing error notice closes in 17 days (9 Jan 2027): ask now, before it is too late."),
    (POTTERY, 0, StepKind.REFUSED, Step.FORMAL_COMPLAINT, t0(-3), "formal_complaint",
     "Clay & Kiln Studio refused on 3 Nov: a chaser would only ask again. Next: a formal complaint to management "
     "that challenges their answer. Also open: Card dispute until 12 Jan 2027."),
    (POTTERY, 30, StepKind.PAYMENT_WINDOW, Step.PAYMENT_DISPUTE, t0(36), "chargeback_request",
     "Card chargeback window closes in 20 days (12 Jan 2027): ask now"),
]


@pytest.fixture(scope="module")
def example_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The example cases with their meanings marked, made once for the tests that only read
    them (each sets its own day)."""
    from core.journal.opening import open_store

    with open_store(tmp_path_factory.mktemp("examples") / "docket-data") as opened:
        yield opened


@pytest.fixture(scope="module")
def examples(example_store: Store) -> dict[str, int]:
    from core.domain.models import Event
    from core.exchange.demo import load_examples
    from core.journal import cases

    store = example_store
    clock.set_today(T0)
    ids = load_examples(store)
    with store.read() as session:
        titles = {c.title: c.id for c in session.query(Case).filter(Case.id.in_(ids))}
        events = [(e.case_id, e.id, e.summary) for e in session.query(Event)]
    for title, marks in SEED_MEANINGS.items():
        for words, meaning, amount in marks:
            [event_id] = [i for c, i, s in events if c == titles[title] and words in s]
            cases.update_event(store, event_id=event_id, meaning=meaning, amount=amount)
    return titles


@pytest.mark.parametrize(("title", "later", "kind", "step", "due", "template", "reason"), SEEDS,
                         ids=[f"{s[0][:30]}+{s[1]}d" for s in SEEDS])
def test_the_example_cases_on_several_days(example_store: Store, examples: dict[str, int], title: str, later: int,
                                           kind: StepKind, step: Step | None, due: date | None,
                                           template: str | None, reason: str) -> None:
    clock.set_today(t0(later))
    result = reminders.next_step(example_store, case_id=examples[title])
    assert (result.kind, result.step, result.due, result.template_id) == (kind, step, due, template), result.reason
    assert result.reason.startswith(reason), result.reason


def test_the_banner_and_the_list_give_a_broken_promise_the_same_date(store: Store) -> None:
    """The case list's "Next due", Needs attention and ``docket due`` agree with the banner."""
    from core.journal import queries

    clock.set_today(TODAY)
    case_id = make_case(store, category="refund", events=[
        to_company(60), from_company(50, "call", meaning="promise", summary="Refund", promised_by=ago(21)),
        to_company(30), to_company(10, "letter")])
    step = reminders.next_step(store, case_id=case_id)
    [row] = [r for r in queries.list_cases(store, view="attention") if r.id == case_id]
    [item] = [i for i in reminders.due_items(store, case_id=case_id) if i.step]
    [listed] = [i for i in reminders.due_items(store) if i.step and i.case_id == case_id]
    assert step.due == row.next_due == item.due == listed.due == d(21)
    assert item.reason == listed.reason == step.reason
    assert step.reason.startswith("They promised by 2 Nov")


def test_docket_next_answers_a_refusal_with_the_formal_complaint(data_dir, capsys: pytest.CaptureFixture[str]) -> None:
    """The README's example: a refusal, read by ``docket next``."""
    from core.cli.main import main

    with Store.open(data_dir) as store:
        case_id = make_case(store, company="Clay & Kiln Studio", category="service", payment_method="credit_card",
                            payment_date=ago(70), jurisdiction="CA", currency="CAD", events=[
                                to_company(22), from_company(20, meaning="refusal", summary="All payments are final")])
    assert main(["--data-dir", str(data_dir), "--today", TODAY.isoformat(), "next", str(case_id)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [
        f"Case {case_id}: at the complaint step.",
        "Next: Formal complaint to management, overdue since 3 Nov (letter template: formal_complaint)",
        "Clay & Kiln Studio refused on 3 Nov: a chaser would only ask again. Next: a formal complaint to "
        "management that challenges their answer. Also open: Card dispute until 12 Jan 2027.",
    ]
    assert "  Card dispute until 12 Jan 2027" in out and "  Final notice (letter before action) now" in out
    assert out[-1] == "General information, not legal advice."
    assert main(["--data-dir", str(data_dir), "--today", TODAY.isoformat(), "next", str(case_id), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["kind"], data["urgency"], data["due"]) == ("refused", "overdue", "2026-11-03")
    assert [r["step"] for r in data["routes"]] == ["payment_dispute", "final_notice"]


def test_a_direct_debit_after_cancelling_in_france_gets_the_sepa_refund_route(store: Store) -> None:
    clock.set_today(TODAY)
    case_id = make_case(store, category="subscription", jurisdiction="FR", payment_method="direct_debit", events=[
        to_company(60, "letter", meaning="cancellation"), from_company(6, "payment", meaning="charge", amount="19")])
    step = reminders.next_step(store, case_id=case_id)
    assert step.kind is StepKind.STOP_BILLING and step.template_id == "stop_billing"
    # The refund route is the recurring_payments pack's rule, with its source (one source).
    assert "To get the money back: Direct debit refund (8 weeks) closes in 50 days (12 Jan 2027)" in step.reason
    assert step.notes and step.notes[0].startswith("Direct debit refund (8 weeks): You may ask your bank")
    assert "Source: https://www.eba.europa.eu/" in step.notes[0] and "(checked 2026-12-01)" in step.notes[0]


@pytest.mark.parametrize(("change", "where", "message"), [
    (lambda d: d.update(chaser_min_days=-1), "rules/ladder.json.chaser_min_days", "expected 0 to 60 days"),
    (lambda d: d["jurisdictions"]["GB"].update(final_response_source="http://example.org"),
     "rules/ladder.json.jurisdictions.GB.final_response_source", "https://"),
    # Refund routes are rules of the recurring_payments pack now: one source, not two.
    (lambda d: d["jurisdictions"]["EU"].update(refund_routes={}),
     "rules/ladder.json.jurisdictions.EU.refund_routes", "is not a ladder field"),
    (lambda d: d.pop("jurisdictions"), "rules/ladder.json.jurisdictions", "'generic'"),
])
def test_a_mistake_in_the_ladder_data_names_its_place(change: Any, where: str, message: str) -> None:
    from importlib.resources import files

    from core.domain.errors import ValidationError
    from core.escalation.ladder import parse_ladder_data

    data = json.loads((files("resources") / "rules" / "ladder.json").read_text(encoding="utf-8"))
    parse_ladder_data(data)  # the shipped file is valid
    change(data)
    with pytest.raises(ValidationError) as err:
        parse_ladder_data(data)
    assert err.value.path == where and message in str(err.value)


def test_the_steps_of_a_page_of_cases_are_the_steps_of_each(store: Store) -> None:
    """Needs attention shows each case's reason and date: read for the page at once, the same."""
    clock.set_today(TODAY)
    ids = [make_case(store, events=[to_company(20)]),
           make_case(store, events=[to_company(30), from_company(5, meaning="refusal")]),
           make_case(store, status="closed")]
    steps = reminders.next_steps(store, case_ids=[*ids, 999])
    assert sorted(steps) == sorted(ids)
    for case_id in ids:
        one = reminders.next_step(store, case_id=case_id)
        assert (steps[case_id].kind, steps[case_id].due, steps[case_id].reason) == (one.kind, one.due, one.reason)
    assert steps[ids[1]].kind is StepKind.REFUSED and steps[ids[2]].kind is StepKind.CLOSED
