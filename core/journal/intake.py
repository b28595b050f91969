"""The guided start: a few plain questions, and what their answers mean for a case.

The window's guided start, ``docket new --ask`` and the tests all read the questions, their
choices and the mapping from answers to case facts from here, so that a case opened one way
is the case opened the other. The wording is English marked for the catalog
(:func:`core.i18n.N_`) and shown in the current language: ``choice.label``, ``question.text``
and ``question.hint`` translate each time they are read, so a change of language shows at
once. Nothing here imports Qt.

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
from core.i18n import N_, _
from core.journal import cases
from core.journal.cases import Target, unit_of_work
from core.store.store import Store


class _Shown:
    """``label``: the English ``words`` in the current language (translated when read)."""

    words: str

    @property
    def label(self) -> str:
        return _(self.words) if self.words else ""


@dataclass(frozen=True)
class Choice(_Shown):
    """One answer to a question: the value kept, the words shown (:attr:`label`)."""

    value: str
    words: str


@dataclass(frozen=True)
class Question:
    """One page of the guided start. ``key`` names it; ``choices`` is empty for free answers.
    :attr:`text` and :attr:`hint` are the English words in the current language."""

    key: str
    text_words: str
    hint_words: str
    choices: tuple[Choice, ...] = ()

    @property
    def text(self) -> str:
        return _(self.text_words)

    @property
    def hint(self) -> str:
        return _(self.hint_words)


# -- 1. What happened? ------------------------------------------------------------------------
@dataclass(frozen=True)
class Situation(_Shown):
    """A "what happened" answer and the case facts it implies."""

    value: str
    words: str
    category: Category
    title_words: str  # "{company}" is replaced by the company's name (or "the company")
    purchase: Purchase | None = None  # what was most likely bought, when the user does not say

    @property
    def title(self) -> str:
        """The case title it makes, in the current language, with ``{company}`` to fill in."""
        return _(self.title_words)


SITUATIONS: tuple[Situation, ...] = (
    Situation("not_arrived", N_("I paid and nothing arrived"), Category.NON_DELIVERY,
              N_("Paid {company}, nothing arrived"), Purchase.GOODS),
    Situation("faulty", N_("It arrived faulty or not as described"), Category.FAULTY_GOODS,
              N_("Faulty or not as described: {company}"), Purchase.GOODS),
    Situation("still_charging", N_("I cancelled and they keep charging me"), Category.CANCELLATION,
              N_("{company} keep charging after I cancelled"), Purchase.SUBSCRIPTION),
    Situation("cannot_cancel", N_("A trial or subscription I cannot cancel"), Category.SUBSCRIPTION,
              N_("Cannot cancel {company} subscription"), Purchase.SUBSCRIPTION),
    Situation("refund_not_paid", N_("A refund was promised and not paid"), Category.REFUND,
              N_("Refund promised by {company} not paid")),
    Situation("wrong_bill", N_("A bill or charge is wrong"), Category.BILLING_ERROR,
              N_("Wrong bill or charge from {company}")),
    Situation("bad_service", N_("A service was done badly, or something of mine was lost or damaged"),
              Category.SERVICE, N_("Poor service from {company}"), Purchase.SERVICES),
    Situation("refund_refused", N_("They refuse a refund under their terms"), Category.REFUND,
              N_("{company} refuse a refund")),
    Situation("other", N_("Something else"), Category.OTHER, N_("Dispute with {company}")),
)
SITUATION_BY_VALUE = {s.value: s for s in SITUATIONS}

# -- 2. Who with? -------------------------------------------------------------------------------
COMPANY_KINDS: tuple[Choice, ...] = (
    Choice(CompanyKind.TRADER.value, N_("A shop or trader")),
    Choice(CompanyKind.BANK.value, N_("A bank or card issuer")),
    Choice(CompanyKind.PAYMENT_SERVICE.value, N_("A payment service such as PayPal")),
    Choice(CompanyKind.TELECOMS.value, N_("Phone or internet")),
    Choice(CompanyKind.ENERGY.value, N_("Energy")),
    Choice(CompanyKind.INSURER.value, N_("An insurer")),
    Choice(CompanyKind.CLUB.value, N_("A gym or club")),
    Choice(CompanyKind.OTHER.value, N_("Other")),
)

# -- 3. What did you buy, when, for how much, and how did you pay? -----------------------------
PURCHASES: tuple[Choice, ...] = (
    Choice(Purchase.GOODS.value, N_("Goods (something delivered or taken home)")),
    Choice(Purchase.SERVICES.value, N_("A service")),
    Choice(Purchase.DIGITAL.value, N_("Digital content (a download, an app, a game)")),
    Choice(Purchase.SUBSCRIPTION.value, N_("A subscription or membership")),
)


@dataclass(frozen=True)
class PaidBy(_Shown):
    """How the user paid, as words (:attr:`label`) and as the case's payment method."""

    value: str
    words: str
    method: PaymentMethod


PAID_BY: tuple[PaidBy, ...] = (
    PaidBy("card:credit", N_("Credit card"), PaymentMethod.CREDIT_CARD),
    PaidBy("card:debit", N_("Debit card"), PaymentMethod.DEBIT_CARD),
    PaidBy("paypal", N_("PayPal"), PaymentMethod.PAYPAL),
    PaidBy("bank_transfer", N_("Bank transfer"), PaymentMethod.BANK_TRANSFER),
    PaidBy("direct_debit", N_("Direct debit"), PaymentMethod.DIRECT_DEBIT),
    PaidBy("cash", N_("Cash"), PaymentMethod.CASH),
    PaidBy("other", N_("Another way"), PaymentMethod.OTHER),
)
PAID_BY_VALUE = {p.value: p for p in PAID_BY}
CARD_SCHEMES: tuple[Choice, ...] = (
    Choice(CardScheme.VISA.value, N_("Visa")),
    Choice(CardScheme.MASTERCARD.value, N_("Mastercard")),
    Choice(CardScheme.AMEX.value, N_("American Express")),
    Choice(CardScheme.DISCOVER.value, N_("Discover")),
    Choice(CardScheme.DOMESTIC_DEBIT.value, N_("A national debit card (Girocard, Interac, EFTPOS...)")),
    Choice(CardScheme.OTHER.value, N_("Another card")),
)
CARD_METHODS = frozenset({PaymentMethod.CREDIT_CARD, PaymentMethod.DEBIT_CARD})

# -- 5. What have you done so far? ------------------------------------------------------------
@dataclass(frozen=True)
class DoneKind(_Shown):
    """A quick entry of what the user did, and the timeline event it becomes."""

    value: str
    words: str
    kind: EventKind
    summary_words: str  # "{company}" is replaced

    @property
    def summary(self) -> str:
        """The event's summary in the current language, with ``{company}`` to fill in."""
        return _(self.summary_words)


DONE_KINDS: tuple[DoneKind, ...] = (
    DoneKind("called", N_("I called them"), EventKind.CALL, N_("Called {company} about the problem")),
    DoneKind("emailed", N_("I emailed them"), EventKind.EMAIL, N_("Emailed {company} about the problem")),
    DoneKind("wrote", N_("I wrote to them (a letter)"), EventKind.LETTER, N_("Wrote to {company} about the problem")),
    DoneKind("visited", N_("I went to see them"), EventKind.VISIT, N_("Went to {company} about the problem")),
    DoneKind("chatted", N_("I used their chat"), EventKind.CHAT, N_("Raised the problem with {company} on their chat")),
    DoneKind("web_form", N_("I used their web form"), EventKind.WEB_FORM,
             N_("Raised the problem with {company} on their web form")),
)
DONE_BY_VALUE = {d.value: d for d in DONE_KINDS}

# -- 6. What do you want? ---------------------------------------------------------------------
REMEDIES: tuple[Choice, ...] = (
    Choice("refund", N_("A refund")),
    Choice("repair", N_("A repair")),
    Choice("replacement", N_("A replacement")),
    Choice("stop_charging", N_("Stop charging me")),
    Choice("compensation", N_("Compensation")),
    Choice("apology", N_("An apology")),
)
REMEDY_WORDS = {
    "refund": N_("a refund"), "repair": N_("a repair"), "replacement": N_("a replacement"),
    "stop_charging": N_("no further charges"), "compensation": N_("compensation"), "apology": N_("an apology"),
}

# -- 7. Where do you live? ----------------------------------------------------------------------
@dataclass(frozen=True)
class PlaceChoice(Choice):
    """A country or region to pick: its :attr:`label` is the place's name in the current
    language (``place`` is a :class:`core.escalation.rules.Place`)."""

    place: Any = None

    @property
    def label(self) -> str:
        return str(self.place.full_name) if self.place is not None else super().label


def _places() -> tuple[Choice, ...]:
    from core.escalation.rules import known_places

    return tuple(PlaceChoice(p.code, p.name, p) for p in known_places())



# Every country the rule packs cover, each followed by the regions Docket knows (England,
# Scotland...; states, provinces), as core.escalation.rules reports them; then "elsewhere".
SOMEWHERE_ELSE = Choice("", N_("Somewhere else"))
REGIONS: tuple[Choice, ...] = (*_places(), SOMEWHERE_ELSE)
COUNTRIES: tuple[Choice, ...] = (*(c for c in REGIONS if c.value and "-" not in c.value),)
WHERE: tuple[Choice, ...] = (*COUNTRIES, SOMEWHERE_ELSE)  # the countries, for a first question before the part


def regions_of(country: str) -> tuple[Choice, ...]:
    """The regions of a country that the rules tell apart (GB: England, Wales, Scotland,
    Northern Ireland), as choices; none for most countries."""
    from core.escalation.rules import regions_of as places

    return tuple(Choice(p.code, p.name) for p in places(country))


def region_for_locale(name: str) -> str:
    """The country a locale name such as ``fr_FR`` or ``en-GB`` points to, or "" if the packs
    cover none. A locale does not say which part of a country the user lives in, so it never
    picks a region."""
    parts = name.replace("-", "_").split(".")[0].split("_")
    territory = parts[-1].upper() if len(parts) > 1 else ""
    territory = {"UK": "GB", "EL": "GR"}.get(territory, territory)
    if any(r.value == territory for r in COUNTRIES):
        return territory
    from core.escalation.rules import pack_for

    # Another member state: the EU's rules apply.
    return "EU" if territory and pack_for(territory).code == "EU" else ""


def preselected_region(locale_name: str, setting: str) -> str:
    """The answer "Where do you live?" starts with: the locale's country, unless the
    settings name a region of that country (a Scottish user's GB-SCT over en_GB's GB), or
    the setting when the locale names no country the packs cover."""
    setting = (setting or "").strip().upper()
    country = region_for_locale(locale_name)
    if not country or setting.startswith(f"{country}-"):
        return setting
    return country


QUESTIONS: tuple[Question, ...] = (
    Question("what_happened", N_("What happened?"), N_("Pick the closest; you can change it later."),
             tuple(Choice(s.value, s.words) for s in SITUATIONS)),
    Question("who", N_("Who is it with?"), N_("The company's name, and what kind of company it is."), COMPANY_KINDS),
    Question("purchase", N_("What did you buy, when, for how much, and how did you pay?"),
             N_("The payment date and how you paid decide which payment disputes are open to you."), PURCHASES),
    Question("promise", N_("What did they promise, and by when?"), N_("Only if they promised something.")),
    Question("done", N_("What have you done so far?"),
             N_("Each call, email, letter or visit becomes a line of the case's timeline."),
             tuple(Choice(d.value, d.words) for d in DONE_KINDS)),
    Question("want", N_("What do you want?"), N_("What would put this right."), REMEDIES),
    Question("where", N_("Where do you live?"), N_("Your country's consumer rules set the deadlines."), REGIONS),
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
        raise ValidationError(where, _("unknown value {value!r}; expected one of: {allowed}").format(value=value, allowed=allowed)) from None


def _situation(answers: Answers) -> Situation:
    if answers.situation in (None, ""):
        return SITUATION_BY_VALUE["other"]
    try:
        return SITUATION_BY_VALUE[str(answers.situation)]
    except KeyError:
        allowed = ", ".join(SITUATION_BY_VALUE)
        raise ValidationError("answers.situation",
                              _("unknown value {situation!r}; expected one of: {allowed}").format(situation=answers.situation, allowed=allowed)) from None


def _company_words(answers: Answers) -> str:
    return answers.company.strip() or _("the company")


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
        raise ValidationError("answers.wants", _("unknown value {value!r}; expected one of: {allowed}").format(
            value=unknown[0], allowed=", ".join(REMEDY_WORDS)))
    wants = list(answers.wants)
    words = [_(REMEDY_WORDS[w]) for w in wants]
    amount = _money(answers.wanted_amount, answers.currency, "answers.wanted_amount")
    if amount is None and wants[:1] == ["refund"]:
        amount = _money(answers.amount, answers.currency, "answers.amount")  # a refund of the price
    if amount is not None:
        if wants and wants[0] == "refund":
            words[0] = _("a refund of {amount}").format(amount=amount)
        elif wants and wants[0] == "compensation":
            words[0] = _("compensation of {amount}").format(amount=amount)
        else:
            words.append(f"{amount}")
    if not words:
        return ""
    # Translators: joins a list: "{items}" is "a refund, a repair", {last} the last item ("an apology").
    sentence = words[0] if len(words) == 1 else _("{items} and {last}").format(
        items=", ".join(words[:-1]), last=words[-1])
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
        raise ValidationError("answers.card_scheme", _("a card network is only for a payment by card"))
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
        what = {"goods": N_("Ordered and paid"), "services": N_("Paid for the service"),
                "digital": N_("Bought the digital content"), "subscription": N_("Paid for the subscription")}
        summary = _(what.get(answers.purchase or "", N_("Paid")))
        events.append({
            "at": paid_on, "kind": EventKind.PAYMENT.value, "direction": Direction.TO_COMPANY.value,
            "summary": f"{summary} ({price})" if price else summary,
            "meaning": EventMeaning.PURCHASE.value, "amount": None if price is None else price.value,
        })
    delivered = _day(answers.delivered_on, "answers.delivered_on")
    if delivered is not None:
        events.append({"at": delivered, "kind": EventKind.DELIVERY.value, "direction": Direction.FROM_COMPANY.value,
                       "summary": _("It arrived") if answers.purchase in (None, "", "goods") else _("It was provided")})
    for i, entry in enumerate(answers.done):
        kind = DONE_BY_VALUE.get(entry.kind)
        if kind is None:
            raise ValidationError(f"answers.done[{i}].kind", _("unknown value {value!r}; expected one of: {allowed}")
                                  .format(value=entry.kind, allowed=", ".join(DONE_BY_VALUE)))
        on = _day(entry.on, f"answers.done[{i}].on")
        if on is None:
            raise ValidationError(f"answers.done[{i}].on", _("give the day it happened"))
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
            details = _("The day this promise was made was not given; Docket placed it on {day}.").format(
                day=made.isoformat())
        elif promised_by is not None and promised_by < made:
            raise ValidationError("answers.promised_by", _("the promised date is before the promise was made"))
        words = answers.promise.strip() or _("They promised to put it right")
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
            raise ValidationError("company", _("name the company before saying what kind it is"))
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
_Day = date  # ClockLine's field ``date`` hides the type inside its class body


@dataclass(frozen=True)
class ClockLine:
    """A deadline running on the case: its words, its date and where the rule comes from.

    ``checked`` is the day the rule was read at its primary source; a rule never confirmed
    there (``confidence`` "secondary") has none and says so in :attr:`provenance`. A promise
    the company made is a clock too, with ``rule_id`` ``"promise"`` and no source to check."""

    text: str
    date: date  # the deadline
    opens: bool
    source: str
    rule_id: str
    label: str = ""
    checked: _Day | None = None
    confidence: str = "primary"

    @property
    def deadline(self) -> _Day:
        return self.date

    @property
    def provenance(self) -> str:
        """ "checked 2026-12-01", or "not yet confirmed at the source"; empty for a promise."""
        from core.escalation.rules import NOT_CONFIRMED

        if not self.source.startswith("https://"):
            return ""
        if self.checked is not None and self.confidence == "primary":
            return _("checked {day}").format(day=self.checked.isoformat())
        return _(NOT_CONFIRMED)


@dataclass(frozen=True)
class Missing:
    """A fact the case lacks, and the clocks knowing it would unlock.

    ``fact`` is the rules' name for it (``payment_method``, ``company_kind``...), ``unlocks``
    the clocks' labels and ``text`` the sentence to show: "Add how you paid to see: ..."."""

    fact: str
    unlocks: str
    text: str
    rule_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unlocked:
    """Clocks running only because of one fact the user gave: the kind of company (a bank,
    a telecoms provider...) or how they paid (by card, PayPal, direct debit)."""

    fact: str  # "company_kind" or "payment_method"
    text: str  # "Because you paid by credit card (Visa): Card chargeback window."
    rule_ids: tuple[str, ...]


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
    unlocked: list[Unlocked] = field(default_factory=list)


# How a kind of company reads in "Because Barclays is a bank or card issuer: ...". A shop
# is what the rules expect by default, so it unlocks nothing worth a sentence.
KIND_WORDS = {
    CompanyKind.BANK.value: N_("a bank or card issuer"), CompanyKind.PAYMENT_SERVICE.value: N_("a payment service"),
    CompanyKind.LENDER.value: N_("a lender"), CompanyKind.INSURER.value: N_("an insurer"),
    CompanyKind.TELECOMS.value: N_("a phone or internet provider"), CompanyKind.ENERGY.value: N_("an energy supplier"),
    CompanyKind.CLUB.value: N_("a gym or club"), CompanyKind.PUBLIC_BODY.value: N_("a public body"),
}
# How a payment reads in "Because you paid by credit card (Visa): ...".
PAID_WORDS = {
    PaymentMethod.CREDIT_CARD.value: N_("credit card"), PaymentMethod.DEBIT_CARD.value: N_("debit card"),
    PaymentMethod.PAYPAL.value: N_("PayPal"), PaymentMethod.BANK_TRANSFER.value: N_("bank transfer"),
    PaymentMethod.DIRECT_DEBIT.value: N_("direct debit"), PaymentMethod.CASH.value: N_("cash"),
    PaymentMethod.OTHER.value: N_("another way"),
}


def unlocked_by(facts: Any, running: Sequence[ClockLine]) -> list[Unlocked]:
    """Which clocks the case's kind of company and its payment unlock: the rules that apply
    only to that kind of company (a bank's ombudsman) or to that payment (a card chargeback),
    running now or waiting for the day they count from ("from your first message to the
    company"). ``facts`` is a :class:`core.escalation.rules.CaseFacts`. Reads only."""
    from core.escalation.rules import ALL_ANCHORS, applicable_rules

    shown = {c.rule_id for c in running}
    by_kind: dict[str, str] = {}
    by_payment: dict[str, str] = {}
    for rule in applicable_rules(facts):
        if rule.id in shown:
            words = _(rule.label)
        elif all(facts.anchor(a) is None for a in rule.starts):
            words = _("{rule} (from {what})").format(rule=_(rule.label), what=_(ALL_ANCHORS[rule.starts[0]]))
        else:
            continue  # its day is on record but it runs no more: the step was taken
        when = rule.when
        if when.company_kinds is not None and facts.company_kind in KIND_WORDS:
            by_kind.setdefault(rule.id, words)
        if facts.payment_method and (when.payment_methods is not None or when.card_schemes is not None
                                     or when.complaint_to is not None):
            by_payment.setdefault(rule.id, words)

    def labels(found: dict[str, str]) -> str:
        return ", ".join(dict.fromkeys(found.values()))

    out: list[Unlocked] = []
    if by_kind:
        company = facts.company or _("the company")
        out.append(Unlocked("company_kind", _("Because {company} is {kind}: {rules}.").format(
            company=company, kind=_(KIND_WORDS[facts.company_kind]), rules=labels(by_kind)), tuple(by_kind)))
    if by_payment:
        known = PAID_WORDS.get(facts.payment_method)
        how = _(known) if known else facts.payment_method.replace("_", " ")
        scheme = next((c.label for c in CARD_SCHEMES if c.value == facts.card_scheme), "")
        how += f" ({scheme})" if scheme and facts.payment_method in {m.value for m in CARD_METHODS} else ""
        out.append(Unlocked("payment_method", _("Because you paid by {how}: {rules}.").format(
            how=how, rules=labels(by_payment)), tuple(by_payment)))
    return out


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
    today = today or clock.today()
    found: list[Preview] = []
    with _rolled_back(store) as session:
        case_id = start_case(session, answers=answers)
        found.append(outlook(session, case_id, today))
    if not found:  # pragma: no cover - the block above either returns a preview or raises
        raise DocketError(_("Docket could not work out the case from these answers."))
    return found[0]


@contextmanager
def _reading(target: Target) -> Iterator[Session]:
    """The caller's session, or a read session on the store (no writer lock taken)."""
    if isinstance(target, Session):
        yield target
    else:
        with target.read() as session:
            yield session


def outlook(target: Target, case_id: int, today: date | None = None) -> Preview:
    """The case ``case_id`` as Docket understands it: the clocks the rules run on it (each
    with its rule, source and date checked), its promises, the facts missing and the clocks
    each would unlock, and the next step. The guided start's last page, ``docket new --ask``
    and ``docket new``/``docket edit`` all show this. Reads only."""
    from core.escalation import rules
    from core.escalation.ladder import day_text, next_step_for, rule_facts, step_name
    from core.escalation.reminders import PROMISE_RULE, gather_facts

    today = today or clock.today()
    with _reading(target) as session:
        ladder_facts = gather_facts(session, [case_id], include_closed=True)[case_id]
        step = next_step_for(ladder_facts, today)
        # The clocks the banner and the due list show: the rules read through the ladder's facts.
        facts = rule_facts(ladder_facts, today=today)
        company = ladder_facts.company or _("The company")
        promises = [ClockLine(_("{company} promised by {day}: \u201c{promise}\u201d").format(
                                  company=company, day=day_text(p.promised_by, today), promise=p.summary),
                              p.promised_by, False, _("their promise"), PROMISE_RULE, _("Their promise"))
                    for p in ladder_facts.promises]
        running = [ClockLine(c.text, c.deadline, c.opens, c.source, c.rule_id, c.label, c.checked, c.confidence)
                   for c in rules.clocks(facts, today)]
        missing = [Missing(m.fact, ", ".join(m.labels), m.text, m.rule_ids) for m in rules.missing_facts(facts)]
        return Preview(
            unlocked=unlocked_by(facts, running),
            title=ladder_facts.title,
            clocks=sorted([*promises, *running], key=lambda c: (c.date, c.rule_id)),
            missing=missing,
            step=step_name(step.step) if step.step else None,
            reason=step.reason, due=step.due, template_id=step.template_id, disclaimer=_(rules.DISCLAIMER),
        )


def outlook_lines(seen: Preview) -> list[str]:
    """The preview as plain lines, as the command line prints it."""
    lines = [_("Case: {title}").format(title=seen.title)]
    if seen.clocks:
        lines.append(_("Clocks running now:"))
        for c in seen.clocks:
            where = "  " + _("(source: {source}; {provenance})").format(
                source=c.source, provenance=c.provenance) if c.provenance else ""
            lines.append(f"  {c.text}{where}")
    else:
        lines.append(_("No deadline is running yet from what you have said."))
    if seen.unlocked:
        lines.append(_("What your answers unlock:"))
        lines += [f"  {u.text}" for u in seen.unlocked]
    if seen.missing:
        lines.append(_("Missing, and what it would unlock:"))
        lines += [f"  {m.text}" for m in seen.missing]
    if seen.step:
        due = ", " + _("by {day}").format(day=seen.due.isoformat()) if seen.due else ""
        template = " " + _("(letter template: {id})").format(id=seen.template_id) if seen.template_id else ""
        lines.append(_("Next step: {step}").format(step=seen.step) + due + template)

        lines.append(f"  {seen.reason}")
    lines.append(seen.disclaimer)
    return lines
