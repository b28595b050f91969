"""The guided start: a few plain questions, and what their answers mean for a case.

The window's guided start, ``docket new --ask`` and the tests all read the questions, their
choices and the mapping from answers to case facts from here, so that a case opened one way
is the case opened the other. The wording is plain English data (easy to translate later);
nothing here imports Qt.

:func:`start_case` writes the case, its company and its first events in one transaction;
:func:`preview` says what Docket would understand from the answers (clocks running, facts
missing, the first step) without writing anything.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from core.domain import clock
from core.domain.errors import DocketError, ValidationError
from core.domain.models import (
    CardScheme,
    Category,
    CompanyKind,
    Direction,
    EventKind,
    EventMeaning,
    PaymentMethod,
    Purchase,
)
from core.domain.money import Money, check_currency, parse_amount
from core.journal import cases
from core.journal.cases import Target, unit_of_work
from core.store.store import Store


@dataclass(frozen=True)
class Choice:
    """One answer to a question: the value kept, the words shown."""

    value: str
    label: str


@dataclass(frozen=True)
class Question:
    """One page of the guided start. ``key`` names it; ``choices`` is empty for free answers."""

    key: str
    text: str
    hint: str
    choices: tuple[Choice, ...] = ()


# -- 1. What happened? ------------------------------------------------------------------------
@dataclass(frozen=True)
class Situation:
    """A "what happened" answer and the case facts it implies."""

    value: str
    label: str
    category: Category
    title: str  # "{company}" is replaced by the company's name (or "the company")
    purchase: Purchase | None = None  # what was most likely bought, when the user does not say


SITUATIONS: tuple[Situation, ...] = (
    Situation("not_arrived", "I paid and nothing arrived", Category.NON_DELIVERY,
              "Paid {company}, nothing arrived", Purchase.GOODS),
    Situation("faulty", "It arrived faulty or not as described", Category.FAULTY_GOODS,
              "Faulty or not as described: {company}", Purchase.GOODS),
    Situation("still_charging", "I cancelled and they keep charging me", Category.CANCELLATION,
              "{company} keep charging after I cancelled", Purchase.SUBSCRIPTION),
    Situation("cannot_cancel", "A trial or subscription I cannot cancel", Category.SUBSCRIPTION,
              "Cannot cancel {company} subscription", Purchase.SUBSCRIPTION),
    Situation("refund_not_paid", "A refund was promised and not paid", Category.REFUND,
              "Refund promised by {company} not paid"),
    Situation("wrong_bill", "A bill or charge is wrong", Category.BILLING_ERROR,
              "Wrong bill or charge from {company}"),
    Situation("bad_service", "A service was done badly, or something of mine was lost or damaged",
              Category.SERVICE, "Poor service from {company}", Purchase.SERVICES),
    Situation("refund_refused", "They refuse a refund under their terms", Category.REFUND,
              "{company} refuse a refund"),
    Situation("other", "Something else", Category.OTHER, "Dispute with {company}"),
)
SITUATION_BY_VALUE = {s.value: s for s in SITUATIONS}

# -- 2. Who with? -------------------------------------------------------------------------------
COMPANY_KINDS: tuple[Choice, ...] = (
    Choice(CompanyKind.TRADER.value, "A shop or trader"),
    Choice(CompanyKind.BANK.value, "A bank or card issuer"),
    Choice(CompanyKind.PAYMENT_SERVICE.value, "A payment service such as PayPal"),
    Choice(CompanyKind.TELECOMS.value, "Phone or internet"),
    Choice(CompanyKind.ENERGY.value, "Energy"),
    Choice(CompanyKind.INSURER.value, "An insurer"),
    Choice(CompanyKind.CLUB.value, "A gym or club"),
    Choice(CompanyKind.OTHER.value, "Other"),
)

# -- 3. What did you buy, when, for how much, and how did you pay? -----------------------------
PURCHASES: tuple[Choice, ...] = (
    Choice(Purchase.GOODS.value, "Goods (something delivered or taken home)"),
    Choice(Purchase.SERVICES.value, "A service"),
    Choice(Purchase.DIGITAL.value, "Digital content (a download, an app, a game)"),
    Choice(Purchase.SUBSCRIPTION.value, "A subscription or membership"),
)


@dataclass(frozen=True)
class PaidBy:
    """How the user paid, as words and as the case's payment method."""

    value: str
    label: str
    method: PaymentMethod


PAID_BY: tuple[PaidBy, ...] = (
    PaidBy("card:credit", "Credit card", PaymentMethod.CREDIT_CARD),
    PaidBy("card:debit", "Debit card", PaymentMethod.DEBIT_CARD),
    PaidBy("paypal", "PayPal", PaymentMethod.PAYPAL),
    PaidBy("bank_transfer", "Bank transfer", PaymentMethod.BANK_TRANSFER),
    PaidBy("direct_debit", "Direct debit", PaymentMethod.DIRECT_DEBIT),
    PaidBy("cash", "Cash", PaymentMethod.CASH),
    PaidBy("other", "Another way", PaymentMethod.OTHER),
)
PAID_BY_VALUE = {p.value: p for p in PAID_BY}
CARD_SCHEMES: tuple[Choice, ...] = (
    Choice(CardScheme.VISA.value, "Visa"),
    Choice(CardScheme.MASTERCARD.value, "Mastercard"),
    Choice(CardScheme.AMEX.value, "American Express"),
    Choice(CardScheme.DISCOVER.value, "Discover"),
    Choice(CardScheme.DOMESTIC_DEBIT.value, "A national debit card (Girocard, Interac, EFTPOS...)"),
    Choice(CardScheme.OTHER.value, "Another card"),
)
CARD_METHODS = frozenset({PaymentMethod.CREDIT_CARD, PaymentMethod.DEBIT_CARD})

# -- 5. What have you done so far? ------------------------------------------------------------
@dataclass(frozen=True)
class DoneKind:
    """A quick entry of what the user did, and the timeline event it becomes."""

    value: str
    label: str
    kind: EventKind
    summary: str  # "{company}" is replaced


DONE_KINDS: tuple[DoneKind, ...] = (
    DoneKind("called", "I called them", EventKind.CALL, "Called {company} about the problem"),
    DoneKind("emailed", "I emailed them", EventKind.EMAIL, "Emailed {company} about the problem"),
    DoneKind("wrote", "I wrote to them (a letter)", EventKind.LETTER, "Wrote to {company} about the problem"),
    DoneKind("visited", "I went to see them", EventKind.VISIT, "Went to {company} about the problem"),
    DoneKind("chatted", "I used their chat", EventKind.CHAT, "Raised the problem with {company} on their chat"),
    DoneKind("web_form", "I used their web form", EventKind.WEB_FORM,
             "Raised the problem with {company} on their web form"),
)
DONE_BY_VALUE = {d.value: d for d in DONE_KINDS}

# -- 6. What do you want? ---------------------------------------------------------------------
REMEDIES: tuple[Choice, ...] = (
    Choice("refund", "A refund"),
    Choice("repair", "A repair"),
    Choice("replacement", "A replacement"),
    Choice("stop_charging", "Stop charging me"),
    Choice("compensation", "Compensation"),
    Choice("apology", "An apology"),
)
REMEDY_WORDS = {
    "refund": "a refund", "repair": "a repair", "replacement": "a replacement",
    "stop_charging": "no further charges", "compensation": "compensation", "apology": "an apology",
}

# -- 7. Where do you live? ----------------------------------------------------------------------
REGIONS: tuple[Choice, ...] = (
    Choice("GB", "United Kingdom"),
    Choice("IE", "Ireland"),
    Choice("FR", "France"),
    Choice("DE", "Germany"),
    Choice("ES", "Spain"),
    Choice("IT", "Italy"),
    Choice("NL", "Netherlands"),
    Choice("BE", "Belgium"),
    Choice("AT", "Austria"),
    Choice("PT", "Portugal"),
    Choice("SE", "Sweden"),
    Choice("DK", "Denmark"),
    Choice("FI", "Finland"),
    Choice("PL", "Poland"),
    Choice("EU", "Elsewhere in the European Union"),
    Choice("US", "United States"),
    Choice("CA", "Canada"),
    Choice("AU", "Australia"),
    Choice("", "Somewhere else"),
)


def region_for_locale(name: str) -> str:
    """The region a locale name such as ``fr_FR`` or ``en-GB`` points to, or "" if none fits."""
    parts = name.replace("-", "_").split(".")[0].split("_")
    territory = parts[-1].upper() if len(parts) > 1 else ""
    if territory == "UK":
        territory = "GB"
    if any(r.value == territory for r in REGIONS if r.value):
        return territory
    from core.escalation.rules import pack_for

    # Another member state: the EU's rules apply.
    return "EU" if territory and pack_for(territory).code == "EU" else ""


QUESTIONS: tuple[Question, ...] = (
    Question("what_happened", "What happened?", "Pick the closest; you can change it later.",
             tuple(Choice(s.value, s.label) for s in SITUATIONS)),
    Question("who", "Who is it with?", "The company's name, and what kind of company it is.", COMPANY_KINDS),
    Question("purchase", "What did you buy, when, for how much, and how did you pay?",
             "The payment date and how you paid decide which payment disputes are open to you.", PURCHASES),
    Question("promise", "What did they promise, and by when?", "Only if they promised something."),
    Question("done", "What have you done so far?",
             "Each call, email, letter or visit becomes a line of the case's timeline.",
             tuple(Choice(d.value, d.label) for d in DONE_KINDS)),
    Question("want", "What do you want?", "What would put this right.", REMEDIES),
    Question("where", "Where do you live?", "Your country's consumer rules set the deadlines.", REGIONS),
)


# -- answers ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DoneEntry:
    """One thing the user did: ``kind`` is a :data:`DONE_KINDS` value."""

    kind: str
    on: date | str
    note: str = ""


@dataclass
class Answers:
    """What the user answered; every answer may be left out."""

    situation: str | None = None
    company: str = ""
    company_kind: str | None = None
    purchase: str | None = None
    amount: Decimal | str | None = None
    currency: str = "EUR"
    paid_on: date | str | None = None
    paid_by: str | None = None  # a PAID_BY value, e.g. "card:credit"
    card_scheme: str | None = None
    expected_by: date | str | None = None  # when it was due to arrive or be done
    delivered_on: date | str | None = None  # when it arrived or was done, if it was
    promise: str = ""
    promised_on: date | str | None = None
    promised_by: date | str | None = None
    done: list[DoneEntry] = field(default_factory=list)
    wants: list[str] = field(default_factory=list)
    wanted_amount: Decimal | str | None = None
    jurisdiction: str = ""
    title: str = ""  # the user's own title; otherwise one is made from the answers


def paid_by_method(value: str | None, where: str = "paid_by") -> str | None:
    """The PaymentMethod value for a :data:`PAID_BY` answer (``card:credit``) or a payment
    method's own value (``credit_card``)."""
    if value in (None, ""):
        return None
    assert value is not None
    key = value.strip().lower()
    if key in PAID_BY_VALUE:
        return PAID_BY_VALUE[key].method.value
    try:
        return PaymentMethod(key).value
    except ValueError:
        allowed = ", ".join(p.value for p in PAID_BY)
        raise ValidationError(where, f"unknown value {value!r}; expected one of: {allowed}") from None


def _situation(answers: Answers) -> Situation:
    if answers.situation in (None, ""):
        return SITUATION_BY_VALUE["other"]
    try:
        return SITUATION_BY_VALUE[str(answers.situation)]
    except KeyError:
        allowed = ", ".join(SITUATION_BY_VALUE)
        raise ValidationError("answers.situation",
                              f"unknown value {answers.situation!r}; expected one of: {allowed}") from None


def _company_words(answers: Answers) -> str:
    return answers.company.strip() or "the company"


def title_for(answers: Answers) -> str:
    """The case's title: the user's own, or one made from what happened and who with."""
    if answers.title.strip():
        return answers.title.strip()
    made = _situation(answers).title.replace("{company}", _company_words(answers))
    return made[0].upper() + made[1:]


def desired_outcome(answers: Answers) -> str:
    """What the user wants, as one sentence: "A refund of EUR 129.00."."""
    unknown = [w for w in answers.wants if w not in REMEDY_WORDS]
    if unknown:
        raise ValidationError("answers.wants", f"unknown value {unknown[0]!r}; expected one of: "
                              + ", ".join(REMEDY_WORDS))
    words = [REMEDY_WORDS[w] for w in answers.wants]
    amount = _money(answers.wanted_amount, answers.currency, "answers.wanted_amount")
    if amount is None and words[:1] == ["a refund"]:
        amount = _money(answers.amount, answers.currency, "answers.amount")  # a refund of the price
    if amount is not None:
        if words and words[0] in ("a refund", "compensation"):
            words[0] = f"{words[0]} of {amount}"
        else:
            words.append(f"{amount}")
    if not words:
        return ""
    sentence = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return sentence[0].upper() + sentence[1:] + "."


def _money(value: Decimal | str | None, currency: str, where: str) -> Money | None:
    if value in (None, ""):
        return None
    assert value is not None
    return Money(parse_amount(value, where), check_currency(currency, "answers.currency"))


def _day(value: date | str | None, where: str) -> date | None:
    return cases.optional_date(value, where)


def case_fields(answers: Answers) -> dict[str, Any]:
    """The case fields the answers give, ready for :func:`core.journal.cases.open_case`."""
    situation = _situation(answers)
    price = _money(answers.amount, answers.currency, "answers.amount")
    wanted = _money(answers.wanted_amount, answers.currency, "answers.wanted_amount")
    method = paid_by_method(answers.paid_by, "answers.paid_by")
    scheme = answers.card_scheme or None
    if scheme and method not in {m.value for m in CARD_METHODS}:
        raise ValidationError("answers.card_scheme", "a card network is only for a payment by card")
    purchase = answers.purchase or (situation.purchase.value if situation.purchase else None)
    in_dispute = wanted or price
    return {
        "title": title_for(answers),
        "category": situation.category.value,
        "currency": check_currency(answers.currency, "answers.currency"),
        "amount": None if in_dispute is None else in_dispute.value,
        "payment_method": method,
        "card_scheme": scheme,
        "payment_date": _day(answers.paid_on, "answers.paid_on"),
        "purchase": purchase,
        "expected_by": _day(answers.expected_by, "answers.expected_by"),
        "desired_outcome": desired_outcome(answers),
        "jurisdiction": answers.jurisdiction,
    }


def case_events(answers: Answers) -> list[dict[str, Any]]:
    """The timeline the answers give, oldest first, as keyword arguments for
    :func:`core.journal.cases.log_event`: the purchase (with its amount), the delivery,
    each thing the user did (a complaint to the company) and the company's promise."""
    company = _company_words(answers)
    events: list[dict[str, Any]] = []
    paid_on = _day(answers.paid_on, "answers.paid_on")
    price = _money(answers.amount, answers.currency, "answers.amount")
    if paid_on is not None:
        what = {"goods": "Ordered and paid", "services": "Paid for the service",
                "digital": "Bought the digital content", "subscription": "Paid for the subscription"}
        summary = what.get(answers.purchase or "", "Paid")
        events.append({
            "at": paid_on, "kind": EventKind.PAYMENT.value, "direction": Direction.TO_COMPANY.value,
            "summary": f"{summary} ({price})" if price else summary,
            "meaning": EventMeaning.PURCHASE.value, "amount": None if price is None else price.value,
        })
    delivered = _day(answers.delivered_on, "answers.delivered_on")
    if delivered is not None:
        events.append({"at": delivered, "kind": EventKind.DELIVERY.value, "direction": Direction.FROM_COMPANY.value,
                       "summary": "It arrived" if answers.purchase in (None, "", "goods") else "It was provided"})
    for i, entry in enumerate(answers.done):
        kind = DONE_BY_VALUE.get(entry.kind)
        if kind is None:
            raise ValidationError(f"answers.done[{i}].kind", f"unknown value {entry.kind!r}; expected one of: "
                                  + ", ".join(DONE_BY_VALUE))
        on = _day(entry.on, f"answers.done[{i}].on")
        if on is None:
            raise ValidationError(f"answers.done[{i}].on", "give the day it happened")
        events.append({"at": on, "kind": kind.kind.value, "direction": Direction.TO_COMPANY.value,
                       "summary": kind.summary.replace("{company}", company), "details": entry.note,
                       "meaning": EventMeaning.COMPLAINT.value})
    promised_by = _day(answers.promised_by, "answers.promised_by")
    if answers.promise.strip() or promised_by is not None:
        made = _day(answers.promised_on, "answers.promised_on")
        details = ""
        if made is None:
            made = _promise_day(events, promised_by)
            # The timeline needs a day; say plainly that it is Docket's placing, not a fact.
            details = f"The day this promise was made was not given; Docket placed it on {made.isoformat()}."
        elif promised_by is not None and promised_by < made:
            raise ValidationError("answers.promised_by", "the promised date is before the promise was made")
        words = answers.promise.strip() or "They promised to put it right"
        events.append({"at": made, "kind": EventKind.PROMISE.value, "direction": Direction.FROM_COMPANY.value,
                       "summary": words, "promised_by": promised_by, "meaning": EventMeaning.PROMISE.value,
                       "details": details})
    events.sort(key=lambda e: e["at"])
    return events


def _promise_day(events: list[dict[str, Any]], promised_by: date | None) -> date:
    """Where to place a promise whose day the user did not give: on their latest contact
    with the company (or the payment) before the promised date, else today, never after the
    promised date."""
    latest = promised_by or clock.today()
    for wanted in (Direction.TO_COMPANY.value, None):
        days: list[date] = [e["at"] for e in events if (wanted is None or e["direction"] == wanted) and e["at"] <= latest]
        if days:
            return max(days)
    return min(clock.today(), latest)


# -- use cases -----------------------------------------------------------------------------------
def open_case_with_company(target: Target, *, company: str | None, company_kind: str | None = None,
                           **fields: Any) -> int:
    """Create a case with its company (found by name, or created with ``company_kind``; an
    existing company's blank kind is filled in, never overwritten). Returns the case's id.
    ``fields`` are :func:`core.journal.cases.open_case` arguments."""
    with unit_of_work(target) as session:
        company_id = None
        if company and company.strip():
            details = {"kind": company_kind} if company_kind else {}
            company_id = cases.find_or_create_company(session, name=company, **details)
        elif company_kind:
            raise ValidationError("company", "name the company before saying what kind it is")
        return cases.open_case(session, company_id=company_id, **fields)


def start_case(target: Target, *, answers: Answers) -> int:
    """Create the case the answers describe, its company and its first events (purchase,
    delivery, the user's complaints, the company's promise), in one transaction. Returns the
    case's id; on a bad answer nothing is written."""
    fields = case_fields(answers)
    events = case_events(answers)
    with unit_of_work(target) as session:
        case_id = open_case_with_company(session, company=answers.company, company_kind=answers.company_kind,
                                         **fields)
        for event in events:
            cases.log_event(session, case_id=case_id, **event)
        return case_id


# -- what Docket understands -----------------------------------------------------------------
@dataclass(frozen=True)
class ClockLine:
    """A deadline running on the case: its words, its date and where the rule comes from."""

    text: str
    date: date
    opens: bool
    source: str
    rule_id: str


@dataclass(frozen=True)
class Missing:
    """A fact the case lacks, and what knowing it would unlock."""

    fact: str
    unlocks: str


@dataclass(frozen=True)
class Preview:
    """The case as Docket understands it from the answers, before anything is written."""

    title: str
    clocks: list[ClockLine]
    missing: list[Missing]
    step: str | None  # the ladder step's words, e.g. "complaint"
    reason: str
    due: date | None
    template_id: str | None
    disclaimer: str


class _Rollback(Exception):
    pass


@contextmanager
def _rolled_back(store: Store) -> Iterator[Session]:
    """A write session whose changes are always thrown away."""
    try:
        with store.write() as session:
            yield session
            raise _Rollback
    except _Rollback:
        pass


def preview(store: Store, *, answers: Answers, today: date | None = None) -> Preview:
    """What Docket would understand from these answers: the clocks running now with their
    dates and sources, the facts missing and what each would unlock, and the first step.
    The case is built in a transaction that is rolled back: nothing is written."""
    from core.escalation.ladder import STEP_NAMES, day_text, next_step_for
    from core.escalation.reminders import PROMISE_RULE, gather_facts
    from core.escalation.rules import DISCLAIMER

    today = today or clock.today()
    found: list[Preview] = []
    with _rolled_back(store) as session:
        case_id = start_case(session, answers=answers)
        facts = gather_facts(session, [case_id], include_closed=True)[case_id]
        step = next_step_for(facts, today)
        company = facts.company or "The company"
        promises = [ClockLine(f"{company} promised by {day_text(p.promised_by, today)}: \u201c{p.summary}\u201d",
                              p.promised_by, False, "their promise", PROMISE_RULE) for p in facts.promises]
        found.append(Preview(
            title=facts.title,
            clocks=sorted([*promises, *(ClockLine(c.text, c.date, c.opens, c.source, c.rule_id) for c in step.clocks)],
                          key=lambda c: c.date),
            missing=missing_facts(answers),
            step=STEP_NAMES[step.step] if step.step else None,
            reason=step.reason, due=step.due, template_id=step.template_id, disclaimer=DISCLAIMER,
        ))
    if not found:  # pragma: no cover - the block above either returns a preview or raises
        raise DocketError("Docket could not work out the case from these answers.")
    return found[0]


def missing_facts(answers: Answers) -> list[Missing]:
    """The facts the answers leave out that the rules would use, each with what it unlocks.

    Read from the rule pack of the answers' jurisdiction: a rule that counts from the payment
    needs its date, a rule for card or PayPal payments needs to know how the user paid."""
    from core.escalation.rules import pack_for

    category = _situation(answers).category.value
    method = paid_by_method(answers.paid_by, "answers.paid_by")
    paid_on = _day(answers.paid_on, "answers.paid_on")
    rules = [r for r in pack_for(answers.jurisdiction).rules
             if r.categories is None or category in r.categories]
    out: list[Missing] = []

    def labels(selected: Sequence[Any]) -> str:
        return ", ".join(dict.fromkeys(r.label for r in selected))

    if not answers.company.strip():
        out.append(Missing("the company's name", "letters addressed to them and their track record"))
    if method is None:
        by_method = [r for r in rules if r.payment_methods is not None]
        if by_method:
            out.append(Missing("how you paid", labels(by_method)))
    if paid_on is None:
        from_payment = [r for r in rules if r.starts_from in ("payment_date", "statement_date")
                        and (method is None or r.payment_methods is None or method in r.payment_methods)]
        if from_payment:
            out.append(Missing("the payment date", labels(from_payment)))
    if answers.amount in (None, "") and answers.wanted_amount in (None, ""):
        out.append(Missing("the amount", "the sum to claim in letters and any amount limits of the rules"))
    if category != Category.NON_DELIVERY and _day(answers.delivered_on, "answers.delivered_on") is None:
        from_delivery = [r for r in rules if r.starts_from == "delivery_date"]
        if from_delivery:
            out.append(Missing("the day it arrived or was done", labels(from_delivery)))
    if category == Category.NON_DELIVERY and _day(answers.expected_by, "answers.expected_by") is None:
        out.append(Missing("when it was due to arrive", "the date from which it is late"))
    if not answers.jurisdiction:
        out.append(Missing("where you live", "your country's own deadlines and ombudsmen"))
    return out
