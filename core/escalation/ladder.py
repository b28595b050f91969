"""The escalation ladder: where a case stands and what to do next.

Rungs, in order: complaint, chaser, formal complaint to management, final notice (letter
before action), payment dispute (chargeback, section 75, PayPal), regulator or ombudsman,
small claims. The rung a case has reached is read from the letters sent
(``Letter.template_id``, or ``Letter.options["step"]``), from the events' meanings (a formal
complaint logged as such) and, where nothing records it, inferred from the timeline: the
first message to the company is the complaint, a later message a chaser, the first posted
letter after the complaint the formal complaint and the next posted letter the final notice.

What the company answered moves the ladder (:func:`next_step_for`, the one function the
banner, *Needs attention*, ``docket next``, ``docket due``, the calendar and the letter
editor ask): a lapsed promise comes first; a charge or an invoice after a cancellation asks
for the stop-billing letter; a refusal or a final response skips the chasers; a partial offer
asks for an answer; an acknowledgement is not an answer; too early means wait. The parts that
depend on the jurisdiction (refund routes, whether a final response opens the ombudsman
early) are data in ``resources/rules/ladder.json``.

Everything here works on :class:`CaseFacts`, a few numbers per case that
:mod:`core.escalation.reminders` gathers with GROUP BY queries for all cases at once;
nothing here touches the database.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

from core.domain.errors import ValidationError
from core.domain.models import Category, EventMeaning, PaymentMethod, Status
from core.escalation.rules import ANCHORS, Rule, pack_for


class Step(StrEnum):
    """A rung of the escalation ladder."""

    COMPLAINT = "complaint"
    CHASER = "chaser"
    FORMAL_COMPLAINT = "formal_complaint"
    FINAL_NOTICE = "final_notice"
    PAYMENT_DISPUTE = "payment_dispute"
    REGULATOR = "regulator"
    SMALL_CLAIMS = "small_claims"


#: Another name for the rungs, for readers who meet :class:`NextStep` first.
Rung = Step


class StepKind(StrEnum):
    """Why this is the next step: which part of the story decided it."""

    START = "start"  # nothing sent yet
    WAIT = "wait"  # too early: the company still has time to answer (or to keep a promise)
    SILENCE = "silence"  # no answer in the usual time
    REPLIED = "replied"  # a plain answer: the next rung if it does not settle things
    PROMISE_LAPSED = "promise_lapsed"
    STOP_BILLING = "stop_billing"  # charged or invoiced after a cancellation
    REFUSED = "refused"  # a refusal or a final response: no chasers
    ANSWER_OFFER = "answer_offer"  # a partial offer waits for the user's answer
    PAYMENT_WINDOW = "payment_window"  # a dispute window closes soon
    REGULATOR_OPEN = "regulator_open"  # the ombudsman may be asked now
    RESOLVED = "resolved"  # resolved in full: no demand letters
    CLOSED = "closed"
    LAST = "last"  # at the top of the ladder


class Urgency(StrEnum):
    OVERDUE = "overdue"  # due before today
    NOW = "now"  # due today
    SOON = "soon"  # within a week
    LATER = "later"
    NONE = "none"  # nothing is due


ORDER = list(Step)
STEP_NAMES = {
    Step.COMPLAINT: "complaint",
    Step.CHASER: "chaser",
    Step.FORMAL_COMPLAINT: "formal complaint to management",
    Step.FINAL_NOTICE: "final notice (letter before action)",
    Step.PAYMENT_DISPUTE: "payment dispute",
    Step.REGULATOR: "regulator or ombudsman",
    Step.SMALL_CLAIMS: "small claims court",
}
# Which rung of the ladder a letter template stands for.
TEMPLATE_STEPS = {
    "first_complaint": Step.COMPLAINT,
    "refund_non_delivery": Step.COMPLAINT,
    "stop_billing": Step.COMPLAINT,
    "faulty_goods": Step.COMPLAINT,
    "chaser": Step.CHASER,
    "counter_offer": Step.CHASER,
    "formal_complaint": Step.FORMAL_COMPLAINT,
    "final_notice": Step.FINAL_NOTICE,
    "chargeback_request": Step.PAYMENT_DISPUTE,
    "platform_dispute": Step.PAYMENT_DISPUTE,
    "us_billing_error": Step.PAYMENT_DISPUTE,
    "regulator_complaint": Step.REGULATOR,
    "small_claims_demand": Step.SMALL_CLAIMS,
}
#: Templates that demand something of the company: not suggested once it resolved the case.
DEMAND_TEMPLATES = frozenset(TEMPLATE_STEPS) - {"counter_offer"}
CARD_METHODS = {PaymentMethod.CREDIT_CARD.value, PaymentMethod.DEBIT_CARD.value, PaymentMethod.PAYPAL.value}
CLOSED = {Status.RESOLVED.value, Status.CLOSED.value}
# A payment dispute whose window closes within this many days jumps the queue.
URGENT_DAYS = 30
SOON_DAYS = 7
# Words for the user's own messages, by event kind ("your email of 2 Apr").
MESSAGE_WORDS = {"email": "email", "letter": "letter", "call": "call", "chat": "chat message",
                 "visit": "visit", "web_form": "web form", "social": "message"}


@dataclass(frozen=True)
class SentLetter:
    template_id: str
    sent_on: date
    reply_by: date | None = None
    step: str | None = None  # Letter.options["step"], when the letter says so itself

    @property
    def ladder_step(self) -> Step | None:
        if self.step in {s.value for s in Step}:
            return Step(self.step)
        return TEMPLATE_STEPS.get(self.template_id)


@dataclass(frozen=True)
class Promise:
    event_id: int
    made_on: date
    promised_by: date
    summary: str


@dataclass(slots=True)
class CaseFacts:
    """What the ladder needs to know about one case. Event days are the user's local days;
    ``*_key`` fields are UTC sort keys, compared to order messages and replies exactly.
    Meanings are the events' own, or what :func:`core.domain.meaning.guess_meaning` reads."""

    case_id: int
    title: str = ""
    company: str = ""
    category: str = Category.OTHER.value
    status: str = Status.OPEN.value
    jurisdiction: str = ""
    currency: str = "EUR"
    amount: Decimal | None = None
    payment_method: str | None = None
    payment_date: date | None = None
    silence_days: int = 14
    opened_on: date | None = None
    first_to: date | None = None
    first_to_key: str = ""
    last_to: date | None = None
    last_to_key: str = ""
    last_to_kind: str = ""
    n_to: int = 0
    # The company's latest answer of substance (any reply meaning but an acknowledgement).
    last_from: date | None = None
    last_from_key: str = ""
    last_from_meaning: str = ""
    last_from_amount: Decimal | None = None
    last_ack: date | None = None
    final_response: date | None = None
    first_delivery: date | None = None
    first_payment_to: date | None = None
    formal_complaint: date | None = None  # first event logged as a formal complaint
    cancelled: date | None = None  # the user's first cancellation
    cancelled_key: str = ""
    last_billed: date | None = None  # the company's latest charge or invoice
    last_billed_key: str = ""
    last_billed_meaning: str = ""
    last_refund_key: str = ""
    refunded: Decimal = Decimal(0)
    # Posted letters to the company not recorded as Letter rows: (sort key, day), oldest first.
    letter_events: list[tuple[str, date]] = field(default_factory=list)
    sent_letters: list[SentLetter] = field(default_factory=list)
    promises: list[Promise] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        return self.status in CLOSED

    @property
    def replied(self) -> bool:
        """The company answered (not merely acknowledged) after the user's latest message."""
        return bool(self.last_from_key) and self.last_from_key > self.last_to_key


_Day = date  # a field named ``date`` below hides the type


@dataclass(frozen=True)
class Clock:
    """A deadline running on a case: ``opens`` (you may now ...) or closes (... ends)."""

    label: str
    date: date
    opens: bool
    text: str
    rule_id: str = ""
    steps: tuple[str, ...] = ()
    remind_on: _Day | None = None
    explanation: str = ""
    source: str = ""
    start: _Day | None = None  # the day the rule counts from
    starts_from: str = ""  # which fact that day is (see core.rules.ANCHORS)


@dataclass(frozen=True)
class Route:
    """A way out of the company's hands: a dispute, the ombudsman, the court, with the
    earliest day it opens (None: open now) and the rule or data entry behind it."""

    step: Step
    text: str
    opens: date | None = None
    closes: date | None = None
    rule_id: str = ""
    source: str = ""


@dataclass(frozen=True)
class NextStep:
    """The next step of a case, as every view shows it.

    ``due`` is the day the case is due for this step (the day *Needs attention*, the case
    list's *Next due*, ``docket due`` and the calendar show); None when nothing is due yet
    (nothing sent, or a plain answer the user has to read). ``key`` names the reminder
    that stands for the step on the due list (empty when it is not a reminder).
    """

    current_step: Step | None
    step: Step | None
    reason: str
    due: date | None
    template_id: str | None
    clocks: list[Clock]
    rule_id: str = ""
    kind: StepKind = StepKind.SILENCE
    urgency: Urgency = Urgency.NONE
    promise: Promise | None = None  # the lapsed promise, if that decided the step
    late_days: int = 0  # how late that promise is
    routes: tuple[Route, ...] = ()  # the ways out still open, earliest first
    missing_amount: Decimal | None = None  # still owed after an offer and refunds
    missing_facts: tuple[str, ...] = ()  # facts that would let more clocks run
    notes: tuple[str, ...] = ()  # further facts worth saying after the reason
    key: str = ""

    @property
    def title(self) -> str:
        """The step in a few words, for a headline ("Stop-billing letter")."""
        return _TITLES.get(self.kind) or (STEP_NAMES[self.step].capitalize() if self.step else "")

    @property
    def reminds(self) -> bool:
        return bool(self.key) and self.due is not None


#: The typed step of a case (the same object, by the name the window uses).
CaseStep = NextStep

_TITLES = {
    StepKind.STOP_BILLING: "Stop-billing letter",
    StepKind.ANSWER_OFFER: "Answer their offer",
    StepKind.WAIT: "",
    StepKind.RESOLVED: "Resolved",
    StepKind.CLOSED: "Closed",
}


# -- the jurisdiction data: resources/rules/ladder.json ---------------------------------------
@dataclass(frozen=True)
class RefundRoute:
    label: str
    text: str
    source: str
    note: str = ""


@dataclass(frozen=True)
class LadderData:
    chaser_min_days: int
    final_response_opens: dict[str, tuple[bool, str]]  # pack code -> (opens early, source)
    refund_routes: dict[str, dict[str, RefundRoute]]  # pack code -> payment method -> route

    def opens_early(self, code: str) -> tuple[bool, str]:
        for pack in _pack_chain(code):
            if pack in self.final_response_opens:
                return self.final_response_opens[pack]
        return False, ""

    def refund_route(self, code: str, method: str | None) -> RefundRoute | None:
        if method is None:
            return None
        for pack in _pack_chain(code):
            route = self.refund_routes.get(pack, {}).get(method)
            if route is not None:
                return route
        return None


@cache
def _pack_chain(code: str) -> tuple[str, ...]:
    """A rule pack's code and those of the packs it extends, nearest first, then
    ``generic`` (a country pack such as FR that extends EU finds EU's entries)."""
    chain: list[str] = []
    current: str | None = code
    while current and current not in chain:
        chain.append(current)
        try:
            data = json.loads((files("resources") / "rules" / f"{current}.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            break
        parent = data.get("extends") if isinstance(data, dict) else None
        current = parent if isinstance(parent, str) else None
    if "generic" not in chain:
        chain.append("generic")
    return tuple(chain)


def parse_ladder_data(data: Any, where: str = "rules/ladder.json") -> LadderData:
    """Validate the ladder's data. Raises :class:`ValidationError` naming the place."""
    if not isinstance(data, dict):
        raise ValidationError(where, "expected a JSON object")
    for key in data:
        if key not in ("about", "chaser_min_days", "jurisdictions"):
            raise ValidationError(f"{where}.{key}", "is not a ladder field")
    gap = data.get("chaser_min_days", 7)
    if isinstance(gap, bool) or not isinstance(gap, int) or not 0 <= gap <= 60:
        raise ValidationError(f"{where}.chaser_min_days", f"expected 0 to 60 days, got {gap!r}")
    places = data.get("jurisdictions")
    if not isinstance(places, dict) or "generic" not in places:
        raise ValidationError(f"{where}.jurisdictions", "expected an object with a 'generic' entry")
    opens: dict[str, tuple[bool, str]] = {}
    routes: dict[str, dict[str, RefundRoute]] = {}
    methods = {m.value for m in PaymentMethod}
    for code, entry in places.items():
        here = f"{where}.jurisdictions.{code}"
        if not isinstance(entry, dict):
            raise ValidationError(here, "expected an object")
        for key in entry:
            if key not in ("final_response_opens_regulator", "final_response_source", "final_response_note",
                           "refund_routes"):
                raise ValidationError(f"{here}.{key}", "is not a ladder field")
        early = entry.get("final_response_opens_regulator", False)
        if not isinstance(early, bool):
            raise ValidationError(f"{here}.final_response_opens_regulator", "expected true or false")
        source = entry.get("final_response_source", "")
        if early and not (isinstance(source, str) and source.startswith("https://")):
            raise ValidationError(f"{here}.final_response_source", "must be an https:// address of the source")
        opens[code] = (early, source)
        raw_routes = entry.get("refund_routes", {})
        if not isinstance(raw_routes, dict):
            raise ValidationError(f"{here}.refund_routes", "expected an object")
        routes[code] = {}
        for method, raw in raw_routes.items():
            at = f"{here}.refund_routes.{method}"
            if method not in methods:
                raise ValidationError(at, f"unknown payment method {method!r}")
            if not isinstance(raw, dict):
                raise ValidationError(at, "expected an object")
            values: dict[str, str] = {}
            for key in ("label", "text", "source", "note"):
                value = raw.get(key, "")
                if not isinstance(value, str) or (key != "note" and not value):
                    raise ValidationError(f"{at}.{key}", "expected a text" if key == "note" else "is missing")
                values[key] = value
            for key in raw:
                if key not in values:
                    raise ValidationError(f"{at}.{key}", "is not a route field")
            if not values["source"].startswith("https://"):
                raise ValidationError(f"{at}.source", "must be an https:// address of the source")
            routes[code][method] = RefundRoute(**values)
    return LadderData(gap, opens, routes)


@cache
def ladder_data() -> LadderData:
    """The ladder's data from ``resources/rules/ladder.json``, validated once."""
    name = "rules/ladder.json"
    try:
        data = json.loads((files("resources") / "rules" / "ladder.json").read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValidationError(name, f"is not valid JSON: {exc}") from None
    return parse_ladder_data(data, name)


# -- words ------------------------------------------------------------------------------------
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_text(day: date, today: date) -> str:
    """``14 Jan``, with the year when it is not this year's (English month names on
    purpose: the rest of the reminder text is English too)."""
    text = f"{day.day} {_MONTHS[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"


def _in_days(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


def duration_text(days: int) -> str:
    """"1 day", "9 days", "3 weeks", "2 months": how long, in the unit a person would use."""
    if days < 14:
        return "1 day" if days == 1 else f"{days} days"
    if days < 60:
        weeks = days // 7
        return f"{weeks} weeks"
    months = days // 30
    return f"{months} months"


def money_text(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount.quantize(Decimal('0.01')):,}"


_OPENS_VERB = {
    "complaint": "you may complain",
    "payment_dispute": "you may claim from the card issuer",
    "regulator": "you may refer",
    "small_claims": "you may claim in court",
}


def clock_text(rule: Rule, when: date, today: date) -> str:
    """"Ombudsman: you may refer from 14 Jan"; "Chargeback window closes in 9 days"."""
    if rule.opens:
        verb = _OPENS_VERB.get(rule.steps[0], "you may act")
        if when > today:
            return f"{rule.label}: {verb} from {day_text(when, today)}"
        return f"{rule.label}: {verb} now (since {day_text(when, today)})"
    days = (when - today).days
    if days < 0:
        return f"{rule.label} closed on {day_text(when, today)}"
    if days > 60:
        return f"{rule.label} closes on {day_text(when, today)}"
    return f"{rule.label} closes {_in_days(days)} ({day_text(when, today)})"


# -- the ladder ---------------------------------------------------------------------------------
def steps_reached(facts: CaseFacts) -> dict[Step, date]:
    """Each step the case has reached, with the day it was first reached."""
    reached: dict[Step, date] = {}

    def mark(step: Step, day: date) -> None:
        if step not in reached or day < reached[step]:
            reached[step] = day

    for letter in facts.sent_letters:
        step = letter.ladder_step
        if step is not None:
            mark(step, letter.sent_on)
    if facts.formal_complaint is not None:
        mark(Step.FORMAL_COMPLAINT, facts.formal_complaint)
    if facts.first_to is not None:
        mark(Step.COMPLAINT, facts.first_to)
        # A posted letter that is itself the first message is the complaint, not an escalation.
        later = [day for key, day in facts.letter_events if key > facts.first_to_key]
        if len(later) >= 1:
            mark(Step.FORMAL_COMPLAINT, later[0])
        if len(later) >= 2:
            mark(Step.FINAL_NOTICE, later[1])
        # Four emails in one day are one complaint: a chaser follows the usual time to answer.
        gap = ladder_data().chaser_min_days
        if (facts.n_to >= 2 and facts.last_to is not None and Step.FORMAL_COMPLAINT not in reached
                and (facts.last_to - facts.first_to).days >= gap):
            mark(Step.CHASER, facts.last_to)
    return reached


def current_step(reached: dict[Step, date]) -> Step | None:
    return max(reached, key=ORDER.index) if reached else None


def anchors(facts: CaseFacts, reached: dict[Step, date]) -> dict[str, date | None]:
    """The day each rule anchor (see :data:`core.rules.ANCHORS`) happened, if it did."""
    paid = facts.payment_date or facts.first_payment_to
    return {
        "complaint_sent": reached.get(Step.COMPLAINT),
        "formal_complaint_sent": reached.get(Step.FORMAL_COMPLAINT),
        "final_notice_sent": reached.get(Step.FINAL_NOTICE),
        "payment_dispute_sent": reached.get(Step.PAYMENT_DISPUTE),
        "regulator_complaint_sent": reached.get(Step.REGULATOR),
        "final_response": facts.final_response,
        "payment_date": paid,
        "statement_date": paid,
        "delivery_date": facts.first_delivery,
    }


@lru_cache(maxsize=4096)
def _rules_for(jurisdiction: str, category: str, payment_method: str | None,
               currency: str) -> tuple[tuple[Rule, bool], ...]:
    # Many cases share these facts; deciding which rules apply once per combination keeps
    # the all-cases reminder list fast. Rules with amount limits are checked per case.
    out = []
    for rule in pack_for(jurisdiction).rules:
        limited = rule.min_amount is not None or rule.max_amount is not None
        if limited or rule.applies(category=category, payment_method=payment_method, amount=None,
                                   currency=currency):
            out.append((rule, limited))
    return tuple(out)


def _early_regulator(facts: CaseFacts) -> str:
    """The source saying a final response opens the ombudsman at once, where one does."""
    if facts.final_response is None:
        return ""
    early, source = ladder_data().opens_early(pack_for(facts.jurisdiction).code)
    return source if early else ""


def clocks_for(facts: CaseFacts, today: date, reached: dict[Step, date] | None = None) -> list[Clock]:
    """The rule-pack clocks running on a case, earliest first. A clock about a step the case
    has already taken is not running any more and is left out. Where the jurisdiction's
    ladder data says so, a final response opens an ombudsman clock on the day it came."""
    reached = steps_reached(facts) if reached is None else reached
    starts = anchors(facts, reached)
    early = _early_regulator(facts)
    out = []
    for rule, limited in _rules_for(facts.jurisdiction, facts.category, facts.payment_method,
                                    facts.currency):
        start = starts[rule.starts_from]
        # Steps are StrEnums, so the rule's plain step names find them in ``reached``.
        if start is None or all(s in reached for s in rule.steps):
            continue
        if limited and not rule.applies(category=facts.category, payment_method=facts.payment_method,
                                        amount=facts.amount, currency=facts.currency):
            continue
        when = rule.date_from(start)
        explanation = rule.explanation
        if (early and rule.opens and facts.final_response is not None and rule.steps == ("regulator",)
                and rule.starts_from != "final_notice_sent" and facts.final_response < when):
            when = facts.final_response
            explanation += f" The final response of {day_text(when, today)} opens it now ({early})."
        out.append(Clock(
            label=rule.label, date=when, opens=rule.opens, text=clock_text(rule, when, today),
            rule_id=rule.id, steps=rule.steps, explanation=explanation, source=rule.source,
            remind_on=None if rule.opens else when - timedelta(days=rule.remind_before_days),
            start=start, starts_from=rule.starts_from,
        ))
    out.sort(key=lambda c: (c.date, c.rule_id))
    return out


def template_for(step: Step, facts: CaseFacts) -> str:
    """The letter template id for taking ``step`` on this case."""
    if step is Step.COMPLAINT:
        complaints: dict[str, str] = {
            Category.NON_DELIVERY: "refund_non_delivery",
            Category.REFUND: "refund_non_delivery",
            Category.SUBSCRIPTION: "stop_billing",
            Category.CANCELLATION: "stop_billing",
            Category.FAULTY_GOODS: "faulty_goods",
            Category.WARRANTY: "faulty_goods",
        }
        return complaints.get(facts.category, "first_complaint")
    if step is Step.PAYMENT_DISPUTE:
        if facts.payment_method == PaymentMethod.PAYPAL:
            return "platform_dispute"
        if pack_for(facts.jurisdiction).code == "US" and facts.payment_method == PaymentMethod.CREDIT_CARD:
            return "us_billing_error"
        return "chargeback_request"
    return {
        Step.CHASER: "chaser",
        Step.FORMAL_COMPLAINT: "formal_complaint",
        Step.FINAL_NOTICE: "final_notice",
        Step.REGULATOR: "regulator_complaint",
        Step.SMALL_CLAIMS: "small_claims_demand",
    }[step]


def silence_due(facts: CaseFacts) -> date | None:
    """When the company's silence since the user's last message becomes worth acting on:
    ``silence_days`` after it, or the reply-by date of a letter sent that day, if later.
    An acknowledgement is not an answer: the silence runs on from the user's message."""
    if facts.last_to is None or facts.replied:
        return None
    due = facts.last_to + timedelta(days=facts.silence_days)
    for letter in facts.sent_letters:
        if letter.reply_by and letter.sent_on >= facts.last_to and letter.reply_by > due:
            due = letter.reply_by
    return due


def missing_facts(facts: CaseFacts) -> tuple[str, ...]:
    """Facts of the case that, once entered, let more of the rules' clocks run."""
    out = []
    if not facts.payment_method:
        out.append("How you paid: card and PayPal disputes have their own deadlines.")
    elif facts.payment_method in CARD_METHODS and facts.payment_date is None and facts.first_payment_to is None:
        out.append("When you paid: the dispute window counts from the payment.")
    if facts.amount is None:
        out.append("The amount in dispute: some routes have limits, and offers are measured against it.")
    if not facts.jurisdiction:
        out.append("The country whose rules apply: Docket uses general rules until it knows.")
    return tuple(out)


def _urgency(due: date | None, today: date) -> Urgency:
    if due is None:
        return Urgency.NONE
    if due < today:
        return Urgency.OVERDUE
    if due == today:
        return Urgency.NOW
    return Urgency.SOON if (due - today).days <= SOON_DAYS else Urgency.LATER


_Make = Callable[..., NextStep]


def _billed_after_cancelling(facts: CaseFacts) -> bool:
    """A charge or an invoice after the user's cancellation, not refunded and not yet
    answered by a stop-billing letter."""
    if facts.cancelled is None or facts.last_billed is None:
        return False
    last = facts.last_billed
    return (facts.last_billed_key > facts.cancelled_key and facts.last_refund_key < facts.last_billed_key
            and not any(s.template_id == "stop_billing" and s.sent_on >= last for s in facts.sent_letters))


def _lapsed(facts: CaseFacts, today: date) -> Promise | None:
    late = [p for p in facts.promises if p.promised_by < today]
    return min(late, key=lambda p: (p.promised_by, p.event_id)) if late else None


def _pending(facts: CaseFacts, today: date) -> Promise | None:
    waiting = [p for p in facts.promises if p.promised_by >= today]
    return max(waiting, key=lambda p: (p.promised_by, p.event_id)) if waiting else None


def _quote(promise: Promise) -> str:
    return f" (\u201c{promise.summary}\u201d)" if promise.summary else ""


def _message_text(facts: CaseFacts, today: date) -> str:
    word = MESSAGE_WORDS.get(facts.last_to_kind, "message")
    return f"your {word} of {day_text(facts.last_to, today)}" if facts.last_to else "your last message"


def _escalation(current: Step | None, facts: CaseFacts, reached: dict[Step, date], today: date,
                clocks: list[Clock]) -> Step | None:
    """The next rung up that is not a chaser: after a refusal or a broken promise, asking
    again for an answer the user already has is no step."""
    if current is None:
        return Step.COMPLAINT
    step = _following(current, facts, reached, today, clocks)
    if step is Step.CHASER:
        step = _following(Step.CHASER, facts, reached, today, clocks)
    return step


def _routes(facts: CaseFacts, reached: dict[Step, date], today: date, clocks: list[Clock]) -> list[Route]:
    """The ways out still open to this case, with the earliest day each opens: the
    ombudsman or ADR where a rule gives one, a card or PayPal dispute while its window is
    open, the final notice and then the small claims court."""
    out: list[Route] = []
    regulator = [c for c in clocks if c.opens and Step.REGULATOR.value in c.steps
                 and c.starts_from != "final_notice_sent"]
    if regulator and Step.REGULATOR not in reached:
        first = min(regulator, key=lambda c: c.date)
        out.append(Route(Step.REGULATOR, first.label, None if first.date <= today else first.date,
                         rule_id=first.rule_id, source=first.source))
    if facts.payment_method in CARD_METHODS and Step.PAYMENT_DISPUTE not in reached:
        windows = [c for c in clocks if Step.PAYMENT_DISPUTE.value in c.steps]
        open_ = [c for c in windows if c.opens and c.date <= today]
        closing = [c for c in windows if not c.opens and c.date >= today]
        if open_ or closing or not windows:
            label = "PayPal dispute" if facts.payment_method == PaymentMethod.PAYPAL else "Card dispute"
            last = min(closing, key=lambda c: c.date) if closing and not open_ else None
            rule = (open_ or closing)[0] if open_ or closing else None
            out.append(Route(Step.PAYMENT_DISPUTE, label, None, last.date if last else None,
                             rule_id=rule.rule_id if rule else "", source=rule.source if rule else ""))
    if Step.FINAL_NOTICE not in reached:
        out.append(Route(Step.FINAL_NOTICE, "Final notice (letter before action)"))
    elif Step.SMALL_CLAIMS not in reached:
        opening = [c for c in clocks if c.opens and Step.SMALL_CLAIMS.value in c.steps]
        when = min((c.date for c in opening), default=None)
        out.append(Route(Step.SMALL_CLAIMS, "Small claims court", when if when and when > today else None,
                         rule_id=next((c.rule_id for c in opening if c.date == when), "")))
    return out


def route_text(route: Route, today: date) -> str:
    """"Card dispute until 12 Jan", "Financial Ombudsman from 19 Dec", "Final notice ... now"."""
    if route.opens is not None:
        return f"{route.text} from {day_text(route.opens, today)}"
    if route.closes is not None:
        return f"{route.text} until {day_text(route.closes, today)}"
    return f"{route.text} now"


def _far_windows(clocks: list[Clock], after: date, today: date) -> tuple[str, ...]:
    """Windows still far from closing: nothing is lost by waiting until ``after``."""
    return tuple(f"{c.text}." for c in clocks if not c.opens and c.date > after)


def _nothing_lost(far: tuple[str, ...]) -> str:
    """The sentence that says why waiting costs nothing (the first window to close is far)."""
    return f" Nothing is lost by waiting: {far[0]}" if far else ""


def next_step_for(facts: CaseFacts, today: date, reached: dict[Step, date] | None = None,
                  clocks: list[Clock] | None = None) -> NextStep:
    """The case's next step: which rung, why (one sentence the user can read), by when, with
    which letter, and the clocks, routes and missing facts behind it. The one place that
    decides it: every view asks here. ``reached`` and ``clocks`` may be passed in when the
    caller has them already."""
    reached = steps_reached(facts) if reached is None else reached
    current = current_step(reached)
    clocks = clocks_for(facts, today, reached) if clocks is None else clocks
    shown = _shown(clocks, today)
    missing = missing_facts(facts)

    def make(kind: StepKind, step: Step | None, reason: str, due: date | None, template: str | None,
             key: str = "", rule_id: str = "", **extra: Any) -> NextStep:
        return NextStep(current, step, reason, due, template, shown, rule_id, kind, _urgency(due, today),
                        missing_facts=missing, key=key, **extra)

    if facts.status == Status.RESOLVED:
        return make(StepKind.RESOLVED, None, "This case is resolved: Docket suggests no demand letters.",
                    None, None)
    if facts.closed:
        return make(StepKind.CLOSED, None, "This case is closed.", None, None)
    company = facts.company or "the company"
    if facts.last_from_meaning == EventMeaning.RESOLVED and facts.last_from is not None:
        return make(StepKind.RESOLVED, None,
                    f"{company} resolved it in full on {day_text(facts.last_from, today)}: Docket suggests no "
                    "demand letters. Mark the case resolved once the money or the goods have arrived.",
                    None, None)

    billed = _billed_after_cancelling(facts)
    # 1. A promise not kept is the most urgent fact of a case.
    promise = _lapsed(facts, today)
    if promise is not None:
        step = _escalation(current, facts, reached, today, clocks)
        late = (today - promise.promised_by).days
        then = f" Next: {STEP_NAMES[step]}." if step else " Follow the court's timetable."
        reason = (f"They promised by {day_text(promise.promised_by, today)}{_quote(promise)}: "
                  f"{duration_text(late)} late.{then}")
        if billed and facts.last_billed is not None:
            reason += (f" They also billed you on {day_text(facts.last_billed, today)} after you cancelled: "
                       "the stop-billing letter says so.")
        return make(StepKind.PROMISE_LAPSED, step, reason, promise.promised_by,
                    template_for(step, facts) if step else None, key=f"promise:{promise.event_id}",
                    promise=promise, late_days=late, routes=tuple(_routes(facts, reached, today, clocks)))

    # 2. Charged or invoiced after the user cancelled: stop the billing, get the money back.
    if billed and facts.last_billed is not None and facts.cancelled is not None:
        what = "sent an invoice" if facts.last_billed_meaning == EventMeaning.INVOICE else "took a payment"
        reason = (f"{company} {what} on {day_text(facts.last_billed, today)} after you cancelled on "
                  f"{day_text(facts.cancelled, today)}: send the stop-billing letter, citing the cancellation "
                  "and any proof that it reached them.")
        route = ladder_data().refund_route(pack_for(facts.jurisdiction).code, facts.payment_method)
        notes: tuple[str, ...] = ()
        if route is not None and facts.last_billed_meaning != EventMeaning.INVOICE:
            notes = (f"{route.label}: {route.text}.",)
            reason += f" Also {route.text}."
        return make(StepKind.STOP_BILLING, TEMPLATE_STEPS["stop_billing"], reason, facts.last_billed,
                    "stop_billing", key=f"billing:{facts.last_billed.isoformat()}", notes=notes,
                    routes=tuple(_routes(facts, reached, today, clocks)))

    # 3. A dispute window about to close beats every other step.
    can_dispute = facts.payment_method in CARD_METHODS and Step.PAYMENT_DISPUTE not in reached
    for clock in clocks:
        if (can_dispute and not clock.opens and Step.PAYMENT_DISPUTE.value in clock.steps
                and 0 <= (clock.date - today).days <= URGENT_DAYS):
            step = Step.PAYMENT_DISPUTE
            return make(StepKind.PAYMENT_WINDOW, step, f"{clock.text}: ask now, before it is too late.",
                        clock.remind_on, template_for(step, facts),
                        key=f"clock:{clock.rule_id}:{clock.date.isoformat()}", rule_id=clock.rule_id)

    # 4. A refusal or a final response: the answer is in; chasing it again is no step.
    if facts.last_from is not None and facts.last_from_meaning in (
            EventMeaning.REFUSAL, EventMeaning.FINAL_RESPONSE):
        return _after_refusal(facts, today, current, reached, clocks, make)

    # 5. A partial offer waits for the user's answer.
    if facts.replied and facts.last_from is not None and facts.last_from_meaning == EventMeaning.PARTIAL_OFFER:
        return _answer_offer(facts, today, make)

    # 6. The ombudsman may already be asked (a financial firm's 8 weeks have passed, or its
    # final response came): the stronger move than another letter to the same firm. The
    # deadline of Docket's own final notice is not such a shortcut: it is the ordinary rung.
    if current is not None and ORDER.index(current) < ORDER.index(Step.REGULATOR):
        for clock in clocks:
            if (clock.opens and Step.REGULATOR.value in clock.steps and clock.date <= today
                    and clock.starts_from != "final_notice_sent"):
                step = Step.REGULATOR
                return make(StepKind.REGULATOR_OPEN, step, f"{clock.text}.", clock.date, template_for(step, facts),
                            key=f"clock:{clock.rule_id}:{clock.date.isoformat()}", rule_id=clock.rule_id)

    if current is None:
        step = Step.COMPLAINT
        return make(StepKind.START, step, f"Nothing has been sent to {company} yet: start with a written complaint.",
                    None, template_for(step, facts))

    # 7. A promise not yet due: wait for it.
    waiting = _pending(facts, today)
    step = _following(current, facts, reached, today, clocks)
    if step is None:
        return make(StepKind.LAST, None, "This is the last step: follow the court's timetable.", None, None)
    if waiting is not None and (not facts.replied or facts.last_from_meaning == EventMeaning.PROMISE):
        far = _far_windows(clocks, waiting.promised_by, today)
        reason = (f"{company} promised by {day_text(waiting.promised_by, today)}{_quote(waiting)}: wait until then. "
                  f"If it does not happen, the next step is the {STEP_NAMES[step]}.{_nothing_lost(far)}")
        return make(StepKind.WAIT, step, reason, waiting.promised_by, template_for(step, facts),
                    key=f"promise:{waiting.event_id}", notes=far)

    # 8. The ordinary ladder: an answer to read, or silence to act on once the usual time has passed.
    if facts.replied and facts.last_from is not None:
        reason = (f"{company} replied on {day_text(facts.last_from, today)}. If that does not settle it, "
                  f"the next step is the {STEP_NAMES[step]}.")
        return make(StepKind.REPLIED, step, reason, None, template_for(step, facts))
    base = silence_due(facts) or today
    rule_id = ""
    opening = [c for c in shown if c.opens and step.value in c.steps]
    opens_text = ""
    if opening:
        first = min(opening, key=lambda c: c.date)
        if first.date > base:
            base, rule_id = first.date, first.rule_id
            opens_text = f" {first.text}."
    message = _message_text(facts, today)
    ack = ""
    if facts.last_ack is not None and facts.last_to is not None and facts.last_ack >= facts.last_to:
        ack = f" Their acknowledgement of {day_text(facts.last_ack, today)} is not an answer."
    key = f"silence:{facts.last_to.isoformat()}" if facts.last_to else ""
    if base > today:
        waited = (today - facts.last_to).days if facts.last_to else 0
        far = _far_windows(clocks, base, today)
        reason = (f"Too early: {company} has had {duration_text(waited)} to answer {message}, and "
                  f"{facts.silence_days} days is the usual time. Wait until {day_text(base, today)}; "
                  f"then the next step is the {STEP_NAMES[step]}.{ack}{opens_text}{_nothing_lost(far)}")
        return make(StepKind.WAIT, step, reason, base, template_for(step, facts), key=key, rule_id=rule_id,
                    notes=far)
    days = (today - facts.last_to).days if facts.last_to else 0
    reason = (f"No reply to {message} ({days} days): the next step is the "
              f"{STEP_NAMES[step]}.{ack}{opens_text}")
    return make(StepKind.SILENCE, step, reason, base, template_for(step, facts), key=key, rule_id=rule_id)


def _after_refusal(facts: CaseFacts, today: date, current: Step | None, reached: dict[Step, date],
                   clocks: list[Clock], make: _Make) -> NextStep:
    assert facts.last_from is not None
    company = facts.company or "the company"
    said = "refused" if facts.last_from_meaning == EventMeaning.REFUSAL else "sent its final response"
    when = facts.last_from
    opening = f"{company} {said} on {day_text(when, today)}"
    routes = _routes(facts, reached, today, clocks)
    others = "; ".join(route_text(r, today) for r in routes if r.step is not Step.FINAL_NOTICE)
    key = f"refusal:{when.isoformat()}"
    wait = ""
    if facts.last_to is not None and facts.last_to_key > facts.last_from_key:
        # The user wrote since: that message gets the usual time to be answered first.
        answer_by = facts.last_to + timedelta(days=facts.silence_days)
        if answer_by > when:
            when = answer_by
            key = f"refusal:{facts.last_from.isoformat()}:{facts.last_to.isoformat()}"
            wait = (f" You wrote again on {day_text(facts.last_to, today)}: they have until "
                    f"{day_text(answer_by, today)} to answer.")
    if Step.FORMAL_COMPLAINT not in reached:
        reason = (f"{opening}: a chaser would only ask again. Next: a formal complaint to management that "
                  "challenges their answer.")
        if others:
            reason += f" Also open: {others}."
        reason += wait
        return make(StepKind.REFUSED, Step.FORMAL_COMPLAINT, reason, when,
                    template_for(Step.FORMAL_COMPLAINT, facts), key=key, routes=tuple(routes))
    # The formal complaint was made: the step the rules allow outside the company.
    for route in routes:
        due = max(when, route.opens) if route.opens else when
        if route.step is Step.REGULATOR and route.opens is not None and route.opens > today:
            continue  # not open yet; listed among the others
        rest = "; ".join(route_text(r, today) for r in routes if r is not route)
        reason = f"{opening} and you have made your formal complaint. Next: {route_text(route, today)}."
        reason += (f" Also: {rest}." if rest else "") + wait
        return make(StepKind.REFUSED, route.step, reason, due, template_for(route.step, facts), key=key,
                    rule_id=route.rule_id, routes=tuple(routes))
    higher = _escalation(current, facts, reached, today, clocks)
    if higher is None:
        return make(StepKind.LAST, None, f"{opening}. This is the last step: follow the court's timetable.",
                    None, None)
    return make(StepKind.REFUSED, higher, f"{opening}. Next: the {STEP_NAMES[higher]}.{wait}", when,
                template_for(higher, facts), key=key, routes=tuple(routes))


def _answer_offer(facts: CaseFacts, today: date, make: _Make) -> NextStep:
    assert facts.last_from is not None
    company = facts.company or "the company"
    offered = facts.last_from_amount
    what = f" {money_text(offered, facts.currency)}" if offered is not None else ""
    reason = (f"{company} offered{what} on {day_text(facts.last_from, today)}: accept, or answer with your "
              "counter-proposal.")
    missing: Decimal | None = None
    if facts.amount is not None:
        missing = max(Decimal(0), facts.amount - (offered or Decimal(0)) - facts.refunded)
        parts = [f"{money_text(facts.amount, facts.currency)} in dispute"]
        if offered is not None:
            parts.append(f"{money_text(offered, facts.currency)} offered")
        if facts.refunded:
            parts.append(f"{money_text(facts.refunded, facts.currency)} refunded")
        reason += f" Still missing: {money_text(missing, facts.currency)} ({', '.join(parts)})."
    return make(StepKind.ANSWER_OFFER, Step.CHASER, reason, facts.last_from, "counter_offer",
                          key=f"offer:{facts.last_from.isoformat()}", missing_amount=missing)


def demand_refusal(step: NextStep, template_id: str) -> str | None:
    """Why a letter demanding something should not be drafted now, or None: a case the
    company resolved in full needs no demand letter."""
    if step.kind is StepKind.RESOLVED and template_id in DEMAND_TEMPLATES:
        return step.reason
    return None


SHOW_CLOSED_DAYS = 30


def _shown(clocks: list[Clock], today: date) -> list[Clock]:
    """The clocks worth showing: a window that closed more than a month ago is history."""
    return [c for c in clocks if c.opens or (today - c.date).days <= SHOW_CLOSED_DAYS]


def _following(current: Step, facts: CaseFacts, reached: dict[Step, date], today: date,
               clocks: list[Clock]) -> Step | None:
    """The next step up from ``current`` that this case can take."""
    for step in ORDER[ORDER.index(current) + 1:]:
        if step in reached:
            continue
        if step is Step.CHASER and current is not Step.COMPLAINT:
            continue
        if step is Step.PAYMENT_DISPUTE:
            if facts.payment_method not in CARD_METHODS:
                continue
            windows = [c for c in clocks if step.value in c.steps]
            # Every window for a dispute has closed, and none (such as section 75) is open.
            if windows and all(not c.opens and c.date < today for c in windows):
                continue
        return step
    return None


__all__ = [
    "ANCHORS", "CaseFacts", "CaseStep", "Clock", "NextStep", "Promise", "Route", "Rung", "SentLetter", "Step",
    "STEP_NAMES", "StepKind", "TEMPLATE_STEPS", "Urgency", "anchors", "clocks_for", "current_step",
    "demand_refusal", "ladder_data", "missing_facts", "next_step_for", "route_text", "silence_due", "steps_reached",
    "template_for",
]
