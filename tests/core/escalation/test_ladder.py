"""The escalation ladder, rule by rule and jurisdiction by jurisdiction.

Each row is a user's story: given a case with these facts and this timeline, on the tests'
today, Docket says the case stands at this step, suggests this next step on this date with
this letter, and shows these clocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from core.domain import clock
from core.domain.errors import NotFoundError
from core.escalation import reminders
from core.escalation.ladder import Step
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
          {"category": "non_delivery", "payment_method": "debit_card", "payment_date": ago(110)},
          [to_company(30)],
          current=Step.COMPLAINT, step=Step.PAYMENT_DISPUTE, due=d(4), template="chargeback_request",
          reason="Card chargeback window closes in 10 days", clocks=["Card chargeback window closes in 10 days"]),
    Story("a closed chargeback window is not offered; without a card the ladder goes on",
          {"category": "non_delivery", "payment_method": "debit_card", "payment_date": ago(300)},
          [to_company(90), to_company(60, "letter"), to_company(30, "letter")],
          current=Step.FINAL_NOTICE, step=Step.REGULATOR, no_clocks=["Card chargeback window"]),
    Story("after the final notice a card payment can still be disputed",
          {"category": "non_delivery", "payment_method": "credit_card", "payment_date": ago(80)},
          [to_company(70), to_company(60, "letter"), to_company(30, "letter")],
          current=Step.FINAL_NOTICE, step=Step.PAYMENT_DISPUTE, template="chargeback_request",
          clocks=["Card chargeback window closes in 40 days"]),
    Story("PayPal: the platform dispute, 180 days",
          {"category": "non_delivery", "payment_method": "paypal", "payment_date": ago(170)},
          [to_company(30)],
          step=Step.PAYMENT_DISPUTE, template="platform_dispute", clocks=["PayPal dispute window closes in 10 days"]),
    Story("a dispute already sent stops the chargeback clock",
          {"category": "non_delivery", "payment_method": "debit_card", "payment_date": ago(110)},
          [to_company(30)], letters=[{"template_id": "chargeback_request", "sent_on": ago(2)}],
          current=Step.PAYMENT_DISPUTE, step=Step.REGULATOR, no_clocks=["Card chargeback window"]),
    # -- United Kingdom ---------------------------------------------------------------------------
    Story("GB: a bank's 8 weeks have passed, go to the Financial Ombudsman",
          {"category": "billing_error", "jurisdiction": "GB", "currency": "GBP"}, [to_company(60)],
          current=Step.COMPLAINT, step=Step.REGULATOR, due=d(60) + timedelta(weeks=8),
          template="regulator_complaint", reason="Financial Ombudsman: you may refer now"),
    Story("GB: before 8 weeks the ombudsman clock shows when it opens",
          {"category": "billing_error", "jurisdiction": "GB", "currency": "GBP"}, [to_company(21)],
          current=Step.COMPLAINT, step=Step.CHASER,
          clocks=[f"Financial Ombudsman: you may refer from {(d(21) + timedelta(weeks=8)).day} "]),
    Story("GB: six months from the final response to go to the ombudsman",
          {"category": "billing_error", "jurisdiction": "GB", "currency": "GBP"},
          [to_company(200), from_company(20, "response", meaning="final_response")],
          clocks=["Financial Ombudsman closes on 3 May 2027"]),
    Story("GB: the 30-day right to reject faulty goods",
          {"category": "faulty_goods", "jurisdiction": "GB", "currency": "GBP"},
          [{"at": ago(25), "kind": "delivery", "direction": "from_company", "summary": "Delivered"}],
          current=None, step=Step.COMPLAINT, template="faulty_goods", clocks=["Right to reject closes in 5 days"]),
    Story("GB: 14 days to cancel an online order",
          {"category": "cancellation", "jurisdiction": "GB", "currency": "GBP"},
          [{"at": ago(10), "kind": "delivery", "direction": "internal", "summary": "Parcel arrived"}],
          clocks=["Cancellation period closes in 4 days"]),
    Story("GB: section 75 for a £250 credit-card purchase",
          {"category": "faulty_goods", "jurisdiction": "GB", "currency": "GBP", "amount": "250",
           "payment_method": "credit_card", "payment_date": ago(400)},
          [to_company(90), to_company(60, "letter"), to_company(30, "letter")],
          current=Step.FINAL_NOTICE, step=Step.PAYMENT_DISPUTE,
          clocks=["Section 75 claim: you may claim from the card issuer now"]),
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
    Story("GB: payment-services complaints, 15 business days",
          {"category": "non_delivery", "jurisdiction": "GB", "currency": "GBP",
           "payment_method": "debit_card", "payment_date": ago(200)},
          [to_company(100)], letters=[{"template_id": "chargeback_request", "sent_on": "2026-11-20"}],
          step=Step.REGULATOR, due=date(2026, 12, 11), clocks=["Financial Ombudsman: you may refer from 11 Dec"]),
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
          {"category": "billing_error", "jurisdiction": "US", "currency": "USD"}, [to_company(100)],
          letters=[{"template_id": "regulator_complaint", "sent_on": ago(5)}],
          current=Step.REGULATOR, step=Step.SMALL_CLAIMS, due=d(-10),
          clocks=["CFPB: company response: you may claim in court from"]),
    # -- European Union ---------------------------------------------------------------------------
    Story("EU (France): 14-day right of withdrawal",
          {"category": "cancellation", "jurisdiction": "FR"},
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
          {"category": "billing_error", "jurisdiction": "CA", "currency": "CAD"}, [to_company(60)],
          current=Step.COMPLAINT, step=Step.REGULATOR, due=d(4), reason="Bank complaint period"),
    Story("CA: 180 days to go to OBSI after the final response",
          {"category": "billing_error", "jurisdiction": "CA", "currency": "CAD"},
          [to_company(100), from_company(10, "response", meaning="final_response")],
          clocks=["Ombudsman (OBSI) closes on"]),
    Story("AU: 30 days of internal dispute resolution, then AFCA",
          {"category": "billing_error", "jurisdiction": "AU", "currency": "AUD"}, [to_company(31)],
          current=Step.COMPLAINT, step=Step.REGULATOR, due=d(1), reason="AFCA: you may refer now"),
    Story("AU: two years from the final response to lodge with AFCA",
          {"category": "billing_error", "jurisdiction": "AU", "currency": "AUD"},
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
    case_id = make_case(store, category="billing_error", jurisdiction="GB", currency="GBP",
                        payment_method="debit_card", payment_date=ago(111), events=[to_company(21)])
    texts = [c.text for c in reminders.next_step(store, case_id=case_id).clocks]
    assert "Card chargeback window closes in 9 days (2 Dec)" in texts
    assert "Financial Ombudsman: you may refer from 28 Dec" in texts


def test_next_step_of_a_missing_case_says_so(store: Store) -> None:
    with pytest.raises(NotFoundError, match="no case 999"):
        reminders.next_step(store, case_id=999)
