"""The escalation ladder: where a case stands and what to do next.

Steps, in order: complaint, chaser, formal complaint to management, final notice (letter
before action), payment dispute (chargeback, section 75, PayPal), regulator or ombudsman,
small claims. The step a case has reached is read from the letters sent
(``Letter.template_id``, or ``Letter.options["step"]``) and, where no letter records it,
inferred from the timeline: the first message to the company is the complaint, a second
message a chaser, the first posted letter after the complaint the formal complaint and the
next posted letter the final notice.

Everything here works on :class:`CaseFacts`, a few numbers per case that
:mod:`core.reminders` gathers with GROUP BY queries for all cases at once; nothing here
touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

from core.domain.models import Category, PaymentMethod, Status
from core.escalation.rules import ANCHORS, Rule, pack_for


class Step(StrEnum):
    COMPLAINT = "complaint"
    CHASER = "chaser"
    FORMAL_COMPLAINT = "formal_complaint"
    FINAL_NOTICE = "final_notice"
    PAYMENT_DISPUTE = "payment_dispute"
    REGULATOR = "regulator"
    SMALL_CLAIMS = "small_claims"


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
    "formal_complaint": Step.FORMAL_COMPLAINT,
    "final_notice": Step.FINAL_NOTICE,
    "chargeback_request": Step.PAYMENT_DISPUTE,
    "platform_dispute": Step.PAYMENT_DISPUTE,
    "us_billing_error": Step.PAYMENT_DISPUTE,
    "regulator_complaint": Step.REGULATOR,
    "small_claims_demand": Step.SMALL_CLAIMS,
}
CARD_METHODS = {PaymentMethod.CREDIT_CARD.value, PaymentMethod.DEBIT_CARD.value, PaymentMethod.PAYPAL.value}
CLOSED = {Status.RESOLVED.value, Status.CLOSED.value}
# A payment dispute whose window closes within this many days jumps the queue.
URGENT_DAYS = 30


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
    ``*_key`` fields are UTC sort keys, compared to order messages and replies exactly."""

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
    n_to: int = 0
    last_from: date | None = None
    last_from_key: str = ""
    final_response: date | None = None
    first_delivery: date | None = None
    first_payment_to: date | None = None
    # Posted letters to the company not recorded as Letter rows: (sort key, day), oldest first.
    letter_events: list[tuple[str, date]] = field(default_factory=list)
    sent_letters: list[SentLetter] = field(default_factory=list)
    promises: list[Promise] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        return self.status in CLOSED

    @property
    def replied(self) -> bool:
        """The company's latest word came after the user's latest message."""
        return bool(self.last_from_key) and self.last_from_key > self.last_to_key


@dataclass(frozen=True)
class Clock:
    """A deadline running on a case: ``opens`` (you may now ...) or closes (... ends)."""

    label: str
    date: date
    opens: bool
    text: str
    rule_id: str = ""
    steps: tuple[str, ...] = ()
    remind_on: date | None = None
    explanation: str = ""
    source: str = ""
    start: date | None = None  # the day the rule counts from
    starts_from: str = ""  # which fact that day is (see core.rules.ANCHORS)


@dataclass(frozen=True)
class NextStep:
    current_step: Step | None
    step: Step | None
    reason: str
    due: date | None
    template_id: str | None
    clocks: list[Clock]
    rule_id: str = ""


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
    if facts.first_to is not None:
        mark(Step.COMPLAINT, facts.first_to)
        # A posted letter that is itself the first message is the complaint, not an escalation.
        later = [day for key, day in facts.letter_events if key > facts.first_to_key]
        if len(later) >= 1:
            mark(Step.FORMAL_COMPLAINT, later[0])
        if len(later) >= 2:
            mark(Step.FINAL_NOTICE, later[1])
        if facts.n_to >= 2 and facts.last_to is not None and Step.FORMAL_COMPLAINT not in reached:
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


def clocks_for(facts: CaseFacts, today: date, reached: dict[Step, date] | None = None) -> list[Clock]:
    """The rule-pack clocks running on a case, earliest first. A clock about a step the case
    has already taken is not running any more and is left out."""
    reached = steps_reached(facts) if reached is None else reached
    starts = anchors(facts, reached)
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
        out.append(Clock(
            label=rule.label, date=when, opens=rule.opens, text=clock_text(rule, when, today),
            rule_id=rule.id, steps=rule.steps, explanation=rule.explanation, source=rule.source,
            remind_on=None if rule.opens else when - timedelta(days=rule.remind_before_days),
            start=start, starts_from=rule.starts_from,
        ))
    out.sort(key=lambda c: (c.date, c.rule_id))
    return out


def template_for(step: Step, facts: CaseFacts) -> str:
    """The letter template id for taking ``step`` on this case."""
    if step is Step.COMPLAINT:
        return {
            Category.NON_DELIVERY: "refund_non_delivery",
            Category.REFUND: "refund_non_delivery",
            Category.SUBSCRIPTION: "stop_billing",
            Category.CANCELLATION: "stop_billing",
            Category.FAULTY_GOODS: "faulty_goods",
            Category.WARRANTY: "faulty_goods",
        }.get(facts.category, "first_complaint")
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
    ``silence_days`` after it, or the reply-by date of a letter sent that day, if later."""
    if facts.last_to is None or facts.replied:
        return None
    due = facts.last_to + timedelta(days=facts.silence_days)
    for letter in facts.sent_letters:
        if letter.reply_by and letter.sent_on >= facts.last_to and letter.reply_by > due:
            due = letter.reply_by
    return due


def next_step_for(facts: CaseFacts, today: date, reached: dict[Step, date] | None = None,
                  clocks: list[Clock] | None = None) -> NextStep:
    """The next rung to climb on this case, when, with which letter, and the clocks running.
    ``reached`` and ``clocks`` may be passed in when the caller has them already."""
    reached = steps_reached(facts) if reached is None else reached
    current = current_step(reached)
    clocks = clocks_for(facts, today, reached) if clocks is None else clocks
    if facts.closed:
        return NextStep(current, None, "This case is closed.", None, None, _shown(clocks, today))
    company = facts.company or "the company"
    if current is None:
        step = Step.COMPLAINT
        return NextStep(None, step, f"Nothing has been sent to {company} yet: start with a written complaint.",
                        facts.opened_on or today, template_for(step, facts), _shown(clocks, today))

    # A payment-dispute window about to close beats every other step.
    can_dispute = facts.payment_method in CARD_METHODS and Step.PAYMENT_DISPUTE not in reached
    for clock in clocks:
        if (can_dispute and not clock.opens and Step.PAYMENT_DISPUTE.value in clock.steps
                and 0 <= (clock.date - today).days <= URGENT_DAYS):
            step = Step.PAYMENT_DISPUTE
            return NextStep(current, step, f"{clock.text}: ask now, before it is too late.",
                            clock.remind_on, template_for(step, facts), _shown(clocks, today), clock.rule_id)
    # An ombudsman that may already be asked (a financial firm's 8 weeks have passed) is the
    # stronger move than another letter to the same firm. The deadline of Docket's own final
    # notice is not such a shortcut: it is the ordinary next rung.
    if ORDER.index(current) < ORDER.index(Step.REGULATOR):
        for clock in clocks:
            if (clock.opens and Step.REGULATOR.value in clock.steps and clock.date <= today
                    and clock.starts_from != "final_notice_sent"):
                step = Step.REGULATOR
                return NextStep(current, step, f"{clock.text}.", clock.date,
                                template_for(step, facts), _shown(clocks, today), clock.rule_id)

    step = _following(current, facts, reached, today, clocks)
    clocks = _shown(clocks, today)
    if step is None:
        return NextStep(current, None, "This is the last step: follow the court's timetable.", None, None, clocks)
    if facts.replied and facts.last_from is not None:
        base = facts.last_from
        reason = (f"{company} replied on {day_text(base, today)}. If that does not settle it, "
                  f"the next step is the {STEP_NAMES[step]}.")
    else:
        base = silence_due(facts) or today
        since = day_text(facts.last_to, today) if facts.last_to else "your last message"
        reason = (f"No reply from {company} since {since}: the next step is the {STEP_NAMES[step]}.")
    rule_id = ""
    opening = [c for c in clocks if c.opens and step.value in c.steps]
    if opening:
        first = min(opening, key=lambda c: c.date)
        if first.date > base:
            base, rule_id = first.date, first.rule_id
            reason += f" {first.text}."
    return NextStep(current, step, reason, base, template_for(step, facts), clocks, rule_id)


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
    "ANCHORS", "CaseFacts", "Clock", "NextStep", "Promise", "SentLetter", "Step", "STEP_NAMES",
    "TEMPLATE_STEPS", "anchors", "clocks_for", "current_step", "next_step_for", "silence_due",
    "steps_reached", "template_for",
]
