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
from functools import cache
from importlib.resources import files
from typing import Any

from core.domain.dates_text import short_date
from core.domain.errors import ValidationError
from core.domain.models import CardScheme, Category, EventMeaning, PaymentMethod, Status
from core.escalation import rules
from core.escalation.rules import ANCHORS
from core.i18n import N_, _, ngettext


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
# The rungs' names in English (marked for the catalog): show them through step_name().
STEP_NAMES = {
    Step.COMPLAINT: N_("complaint"),
    Step.CHASER: N_("chaser"),
    Step.FORMAL_COMPLAINT: N_("formal complaint to management"),
    Step.FINAL_NOTICE: N_("final notice (letter before action)"),
    Step.PAYMENT_DISPUTE: N_("payment dispute"),
    Step.REGULATOR: N_("regulator or ombudsman"),
    Step.SMALL_CLAIMS: N_("small claims court"),
}


def step_name(step: Step) -> str:
    """The rung's name in the current language ("formal complaint to management")."""
    return _(STEP_NAMES[step])


def capitalised(text: str) -> str:
    """``text`` with its first letter in capitals (the rest as it is: German nouns keep theirs)."""
    return text[:1].upper() + text[1:]
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
# The user's own messages, by event kind ("your email of 2 Apr"), as whole phrases so that
# each language can agree "your" with the noun.
_YOUR_MESSAGE = {
    "email": N_("your email of {day}"),
    "letter": N_("your letter of {day}"),
    "call": N_("your call of {day}"),
    "chat": N_("your chat message of {day}"),
    "visit": N_("your visit of {day}"),
    "web_form": N_("your web form of {day}"),
    "social": N_("your message of {day}"),
}


def your_message(kind: str, day: date | None, today: date) -> str:
    """"your email of 2 Apr", or "your last message" when its day is not known."""
    if day is None:
        return _("your last message")
    return _(_YOUR_MESSAGE.get(kind, N_("your message of {day}"))).format(day=short_date(day, today))


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
    company_kind: str | None = None
    purchase: str | None = None
    card_scheme: str | None = None
    expected_by: date | None = None
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
    # The rest of the dated story the rule packs read (see core.escalation.rules.STORY).
    purchased: date | None = None  # the first purchase (or payment) logged
    problem: date | None = None
    first_ack: date | None = None
    refusal: date | None = None  # the first refusal
    first_refund: date | None = None
    resolved_on: date | None = None  # the company's first "resolved in full"
    charges: tuple[date, ...] = ()  # every charge the company took, oldest first
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
    """A deadline running on a case: ``opens`` (you may now ...) or closes (... ends).

    Made from a :class:`core.escalation.rules.Clock` (the rule packs decide every date);
    ``text`` is the ladder's short wording ("... closes in 9 days (2 Dec)"), ``sentence``
    the rule's full one ("... closes on 2 Dec 2026 (120 days after ...)")."""

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
    sentence: str = ""
    checked: _Day | None = None
    confidence: str = "primary"

    @property
    def provenance(self) -> str:
        """"source (checked 2026-12-01)" or "source (not yet confirmed at the source)"."""
        return rules.provenance_text(self.source, self.checked)



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
    missing_facts: tuple[str, ...] = ()  # facts that would let more clocks run, as sentences
    missing: tuple[rules.MissingFact, ...] = ()  # the same, with the fact and the rules it unlocks
    notes: tuple[str, ...] = ()  # further facts worth saying after the reason
    key: str = ""

    @property
    def title(self) -> str:
        """The step in a few words, for a headline ("Stop-billing letter")."""
        title = _TITLES.get(self.kind)
        if title:
            return _(title)
        return capitalised(step_name(self.step)) if self.step else ""

    @property
    def reminds(self) -> bool:
        return bool(self.key) and self.due is not None


#: The typed step of a case (the same object, by the name the window uses).
CaseStep = NextStep

_TITLES = {
    StepKind.STOP_BILLING: N_("Stop-billing letter"),
    StepKind.ANSWER_OFFER: N_("Answer their offer"),
    StepKind.WAIT: "",
    StepKind.RESOLVED: N_("Resolved"),
    StepKind.CLOSED: N_("Closed"),
}


# -- the jurisdiction data: resources/rules/ladder.json ---------------------------------------
@dataclass(frozen=True)
class LadderData:
    chaser_min_days: int
    final_response_opens: dict[str, tuple[bool, str]]  # pack code -> (opens early, source)

    def opens_early(self, code: str) -> tuple[bool, str]:
        for pack in _pack_chain(code):
            if pack in self.final_response_opens:
                return self.final_response_opens[pack]
        return False, ""


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
    for code, entry in places.items():
        here = f"{where}.jurisdictions.{code}"
        if not isinstance(entry, dict):
            raise ValidationError(here, "expected an object")
        for key in entry:
            # Refund routes after a cancellation are rules of the recurring_payments pack.
            if key not in ("final_response_opens_regulator", "final_response_source", "final_response_note"):
                raise ValidationError(f"{here}.{key}", "is not a ladder field")
        early = entry.get("final_response_opens_regulator", False)
        if not isinstance(early, bool):
            raise ValidationError(f"{here}.final_response_opens_regulator", "expected true or false")
        source = entry.get("final_response_source", "")
        if early and not (isinstance(source, str) and source.startswith("https://")):
            raise ValidationError(f"{here}.final_response_source", "must be an https:// address of the source")
        opens[code] = (early, source)
    return LadderData(gap, opens)


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
    """``14 Jan``, with the year when it is not this year's, in the current language
    (``14 janv.``, ``14. Jan.``)."""
    return short_date(day, today)


def _in_days(days: int) -> str:
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    return ngettext("in {n} day", "in {n} days", days).format(n=days)


def duration_text(days: int) -> str:
    """"1 day", "9 days", "3 weeks", "2 months": how long, in the unit a person would use."""
    if days < 14:
        return ngettext("{n} day", "{n} days", days).format(n=days)
    if days < 60:
        weeks = days // 7
        return ngettext("{n} week", "{n} weeks", weeks).format(n=weeks)
    months = days // 30
    return ngettext("{n} month", "{n} months", months).format(n=months)


def money_text(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount.quantize(Decimal('0.01')):,}"


_OPENS_VERB = {
    "complaint": N_("you may complain"),
    "payment_dispute": N_("you may claim from your card issuer or bank"),
    "regulator": N_("you may refer"),
    "small_claims": N_("you may claim in court"),
}


def clock_text(label: str, opens: bool, steps: tuple[str, ...], when: date, today: date) -> str:
    """"Ombudsman: you may refer from 14 Jan"; "Chargeback window closes in 9 days".
    ``label`` is already in the current language."""
    day = day_text(when, today)
    if opens:
        verb = _(_OPENS_VERB.get(steps[0], N_("you may act")) if steps else "you may act")
        if when > today:
            # Translators: {label} is a rule's name ("Chargeback window"), {verb} a phrase such as "you may refer", {day} a short date.
            return _("{label}: {verb} from {day}").format(label=label, verb=verb, day=day)
        return _("{label}: {verb} now (since {day})").format(label=label, verb=verb, day=day)
    days = (when - today).days
    if days < 0:
        return _("{label} closed on {day}").format(label=label, day=day)
    if days > 60:
        return _("{label} closes on {day}").format(label=label, day=day)
    # Translators: {in_days} is "today", "tomorrow" or "in 9 days"; {day} the same day as a short date.
    return _("{label} closes {in_days} ({day})").format(label=label, in_days=_in_days(days), day=day)


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
    """The day each rule anchor (see :data:`core.rules.ALL_ANCHORS`) happened, if it did:
    the rules' own reading of the facts :func:`rule_facts` hands them."""
    story = rule_facts(facts, reached)
    return {name: story.anchor(name) for name in rules.ALL_ANCHORS}


def _first(*days: date | None) -> date | None:
    known = [d for d in days if d is not None]
    return min(known) if known else None


def _last(*days: date | None) -> date | None:
    known = [d for d in days if d is not None]
    return max(known) if known else None


def rule_facts(facts: CaseFacts, reached: dict[Step, date] | None = None,
               today: date | None = None) -> rules.CaseFacts:
    """The facts the rule packs see (:class:`core.escalation.rules.CaseFacts`), built from
    the ladder's own: the steps the ladder reads as reached are the story's complaint,
    formal complaint, final notice, payment dispute and regulator complaint, so a clock
    and the rung it belongs to never disagree about what was done when."""
    reached = steps_reached(facts) if reached is None else reached
    cancelled = facts.cancelled
    after = [d for d in facts.charges if cancelled is not None and d > cancelled]
    return rules.CaseFacts(
        jurisdiction=facts.jurisdiction.strip().upper(),
        company_kind=facts.company_kind or None,
        purchase=facts.purchase or None,
        category=facts.category or Category.OTHER.value,
        payment_method=facts.payment_method or None,
        card_scheme=facts.card_scheme or None,
        payment_date=facts.payment_date,
        expected_by=facts.expected_by,
        amount=facts.amount,
        currency=facts.currency,
        company=facts.company,
        closed=facts.closed,
        as_of=today,
        purchased=_first(facts.purchased, facts.first_payment_to),
        problem=facts.problem,
        delivered=facts.first_delivery,
        first_complaint=min(reached.values()) if reached else None,
        formal_complaint=reached.get(Step.FORMAL_COMPLAINT),
        cancellation=cancelled,
        charge_after_cancellation=min(after) if after else None,
        acknowledgement=facts.first_ack,
        last_reply=_last(facts.last_from, facts.last_ack),
        refusal=facts.refusal,
        final_response=facts.final_response,
        final_notice=reached.get(Step.FINAL_NOTICE),
        payment_dispute=reached.get(Step.PAYMENT_DISPUTE),
        regulator_complaint=reached.get(Step.REGULATOR),
        refund=facts.first_refund,
        resolved=facts.resolved_on,
        first_charge=facts.charges[0] if facts.charges else None,
        acknowledgements=tuple(sorted({d for d in (facts.first_ack, facts.last_ack) if d is not None})),
    )


def _early_regulator(facts: CaseFacts) -> str:
    """The source saying a final response opens the ombudsman at once, where one does."""
    if facts.final_response is None:
        return ""
    early, source = ladder_data().opens_early(rules.country_pack(facts.jurisdiction).code)
    return source if early else ""


def clocks_for(facts: CaseFacts, today: date, reached: dict[Step, date] | None = None) -> list[Clock]:
    """The rule-pack clocks running on a case, earliest first: :func:`core.escalation.rules.clocks`
    on :func:`rule_facts`, so the ladder, ``docket next``, the due list and the calendar
    show the same dates. Where the jurisdiction's ladder data says so, a final response
    opens an ombudsman clock on the day it came."""
    return reading(facts, today, reached)[0]


def reading(facts: CaseFacts, today: date, reached: dict[Step, date] | None = None, *, lean: bool = False
            ) -> tuple[list[Clock], tuple[rules.MissingFact, ...]]:
    """:func:`clocks_for` and :func:`missing_facts` at once (one look at each rule).
    ``lean`` (the due list): no missing facts and no clock ``sentence``; every date, key
    and short text is the same."""
    reached = steps_reached(facts) if reached is None else reached
    rule_clocks, missing = rules.reading(rule_facts(facts, reached, today), today, lean=lean)
    early = _early_regulator(facts)
    out = []
    for c in rule_clocks:
        when, explanation, sentence = c.deadline, c.explanation, c.text
        if (early and c.opens and facts.final_response is not None and c.steps == ("regulator",)
                and c.starts_from != "final_notice_sent" and facts.final_response < when):
            when = facts.final_response
            explanation += " " + _("The final response of {day} opens it now ({source}).").format(
                day=day_text(when, today), source=early)
            sentence = "" if lean else _("{label}: you may refer the complaint now (since the final "
                                         "response on {day}).").format(label=c.label, day=short_date(when))
        out.append(Clock(
            label=c.label, date=when, opens=c.opens, text=clock_text(c.label, c.opens, c.steps, when, today),
            rule_id=c.rule_id, steps=c.steps, explanation=explanation, source=c.source,
            remind_on=c.remind_on if when == c.deadline else None,
            start=c.start, starts_from=c.starts_from, sentence=sentence, checked=c.checked,
            confidence=c.confidence,
        ))
    out.sort(key=lambda c: (c.date, c.rule_id))
    return out, tuple(missing)


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
        if rules.country_pack(facts.jurisdiction).code == "US" and facts.payment_method == PaymentMethod.CREDIT_CARD:
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


def missing_facts(facts: CaseFacts, today: date | None = None,
                  reached: dict[Step, date] | None = None) -> tuple[rules.MissingFact, ...]:
    """Facts of the case that, once entered, let more of the rules' clocks run: the rule
    packs' own answer (:func:`core.escalation.rules.missing_facts`) on :func:`rule_facts`."""
    return tuple(rules.missing_facts(rule_facts(facts, reached, today)))


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
    return your_message(facts.last_to_kind, facts.last_to, today)



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
        # Without any window on record the dispute is offered (a missing payment date hides
        # it), except for a card of a domestic debit scheme, which has no scheme chargeback.
        if open_ or closing or (not windows and facts.card_scheme != CardScheme.DOMESTIC_DEBIT):
            label = _("PayPal dispute") if facts.payment_method == PaymentMethod.PAYPAL else _("Card dispute")
            last = min(closing, key=lambda c: c.date) if closing and not open_ else None
            rule = (open_ or closing)[0] if open_ or closing else None
            out.append(Route(Step.PAYMENT_DISPUTE, label, None, last.date if last else None,
                             rule_id=rule.rule_id if rule else "", source=rule.source if rule else ""))
    if Step.FINAL_NOTICE not in reached:
        out.append(Route(Step.FINAL_NOTICE, _("Final notice (letter before action)")))
    elif Step.SMALL_CLAIMS not in reached:
        opening = [c for c in clocks if c.opens and Step.SMALL_CLAIMS.value in c.steps]
        when = min((c.date for c in opening), default=None)
        out.append(Route(Step.SMALL_CLAIMS, _("Small claims court"), when if when and when > today else None,
                         rule_id=next((c.rule_id for c in opening if c.date == when), "")))
    return out


def route_text(route: Route, today: date) -> str:
    """"Card dispute until 12 Jan", "Financial Ombudsman from 19 Dec", "Final notice ... now"."""
    if route.opens is not None:
        # Translators: {route} is a way out ("Card dispute", "Financial Ombudsman"), {day} a short date.
        return _("{route} from {day}").format(route=route.text, day=day_text(route.opens, today))
    if route.closes is not None:
        return _("{route} until {day}").format(route=route.text, day=day_text(route.closes, today))
    return _("{route} now").format(route=route.text)


def _far_windows(clocks: list[Clock], after: date, today: date) -> tuple[str, ...]:
    """Windows still far from closing: nothing is lost by waiting until ``after``."""
    return tuple(f"{c.text}." for c in clocks if not c.opens and c.date > after)


def _nothing_lost(far: tuple[str, ...]) -> str:
    """The sentence that says why waiting costs nothing (the first window to close is far)."""
    return " " + _("Nothing is lost by waiting: {window}").format(window=far[0]) if far else ""


def next_step_for(facts: CaseFacts, today: date, reached: dict[Step, date] | None = None,
                  clocks: list[Clock] | None = None,
                  missing: tuple[rules.MissingFact, ...] | None = None) -> NextStep:
    """The case's next step: which rung, why (one sentence the user can read), by when, with
    which letter, and the clocks, routes and missing facts behind it. The one place that
    decides it: every view asks here. ``reached`` and ``clocks`` may be passed in when the
    caller has them already."""
    reached = steps_reached(facts) if reached is None else reached
    current = current_step(reached)
    if clocks is None:
        clocks, missing = reading(facts, today, reached)
    elif missing is None:
        missing = missing_facts(facts, today, reached)
    shown = _shown(clocks, today)

    def make(kind: StepKind, step: Step | None, reason: str, due: date | None, template: str | None,
             key: str = "", rule_id: str = "", **extra: Any) -> NextStep:
        return NextStep(current, step, reason, due, template, shown, rule_id, kind, _urgency(due, today),
                        missing_facts=tuple(m.text for m in missing), missing=missing, key=key, **extra)

    if facts.status == Status.RESOLVED:
        return make(StepKind.RESOLVED, None, _("This case is resolved: Docket suggests no demand letters."),
                    None, None)
    if facts.closed:
        return make(StepKind.CLOSED, None, _("This case is closed."), None, None)
    company = facts.company or _("the company")
    if facts.last_from_meaning == EventMeaning.RESOLVED and facts.last_from is not None:
        return make(StepKind.RESOLVED, None,
                    _("{company} resolved it in full on {day}: Docket suggests no demand letters. Mark the "
                      "case resolved once the money or the goods have arrived.").format(
                        company=company, day=day_text(facts.last_from, today)),
                    None, None)

    billed = _billed_after_cancelling(facts)
    # 1. A promise not kept is the most urgent fact of a case.
    promise = _lapsed(facts, today)
    if promise is not None:
        step = _escalation(current, facts, reached, today, clocks)
        late = (today - promise.promised_by).days
        then = " " + (_("Next: {step}.").format(step=step_name(step)) if step
                      else _("Follow the court's timetable."))
        reason = _("They promised by {day}{quote}: {duration} late.").format(
            day=day_text(promise.promised_by, today), quote=_quote(promise), duration=duration_text(late)) + then
        if billed and facts.last_billed is not None:
            reason += " " + _("They also billed you on {day} after you cancelled: the stop-billing letter "
                              "says so.").format(day=day_text(facts.last_billed, today))
        return make(StepKind.PROMISE_LAPSED, step, reason, promise.promised_by,
                    template_for(step, facts) if step else None, key=f"promise:{promise.event_id}",
                    promise=promise, late_days=late, routes=tuple(_routes(facts, reached, today, clocks)))

    # 2. Charged or invoiced after the user cancelled: stop the billing, get the money back.
    if billed and facts.last_billed is not None and facts.cancelled is not None:
        if facts.last_billed_meaning == EventMeaning.INVOICE:
            billed_text = _("{company} sent an invoice on {day} after you cancelled on {cancelled}: send the "
                            "stop-billing letter, citing the cancellation and any proof that it reached them.")
        else:
            billed_text = _("{company} took a payment on {day} after you cancelled on {cancelled}: send the "
                            "stop-billing letter, citing the cancellation and any proof that it reached them.")
        reason = billed_text.format(company=company, day=day_text(facts.last_billed, today),
                                    cancelled=day_text(facts.cancelled, today))
        # The way to get the money back is a rule of the recurring_payments pack (PSD2
        # art. 77, the Direct Debit Guarantee...), with its source; else the card or PayPal
        # dispute while its window is open.
        notes: tuple[str, ...] = ()
        routes = _routes(facts, reached, today, clocks)
        if facts.last_billed_meaning != EventMeaning.INVOICE:
            refunds = [c for c in clocks if c.starts_from == "charge_after_cancellation"
                       and Step.PAYMENT_DISPUTE.value in c.steps and (c.opens or c.date >= today)]
            notes = tuple(_("{label}: {explanation} Source: {source}.").format(
                label=c.label, explanation=c.explanation, source=c.provenance) for c in refunds)
            disputes = [r for r in routes if r.step is Step.PAYMENT_DISPUTE]
            if refunds:
                reason += " " + _("To get the money back: {ways}.").format(ways="; ".join(c.text for c in refunds))
            elif disputes:
                reason += " " + _("To get the money back: {ways}.").format(ways=route_text(disputes[0], today))
        return make(StepKind.STOP_BILLING, TEMPLATE_STEPS["stop_billing"], reason, facts.last_billed,
                    "stop_billing", key=f"billing:{facts.last_billed.isoformat()}", notes=notes,
                    routes=tuple(routes))

    # 3. A dispute window about to close beats every other step.
    can_dispute = facts.payment_method in CARD_METHODS and Step.PAYMENT_DISPUTE not in reached
    for clock in clocks:
        if (can_dispute and not clock.opens and Step.PAYMENT_DISPUTE.value in clock.steps
                and 0 <= (clock.date - today).days <= URGENT_DAYS):
            step = Step.PAYMENT_DISPUTE
            return make(StepKind.PAYMENT_WINDOW, step,
                        _("{window}: ask now, before it is too late.").format(window=clock.text),
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
        return make(StepKind.START, step,
                    _("Nothing has been sent to {company} yet: start with a written complaint.").format(
                        company=company),
                    None, template_for(step, facts))

    # 7. A promise not yet due: wait for it.
    waiting = _pending(facts, today)
    step = _following(current, facts, reached, today, clocks)
    if step is None:
        return make(StepKind.LAST, None, _("This is the last step: follow the court's timetable."), None, None)
    if waiting is not None and (not facts.replied or facts.last_from_meaning == EventMeaning.PROMISE):
        far = _far_windows(clocks, waiting.promised_by, today)
        reason = (_("{company} promised by {day}{quote}: wait until then.").format(
                    company=company, day=day_text(waiting.promised_by, today), quote=_quote(waiting))
                  # Translators: {step} is the name of a rung of the ladder ("formal complaint to management").
                  + " " + _("If it does not happen, the next step is the {step}.").format(step=step_name(step))
                  + _nothing_lost(far))
        return make(StepKind.WAIT, step, reason, waiting.promised_by, template_for(step, facts),
                    key=f"promise:{waiting.event_id}", notes=far)

    # 8. The ordinary ladder: an answer to read, or silence to act on once the usual time has passed.
    if facts.replied and facts.last_from is not None:
        reason = _("{company} replied on {day}. If that does not settle it, the next step is the {step}.").format(
            company=company, day=day_text(facts.last_from, today), step=step_name(step))
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
        ack = " " + _("Their acknowledgement of {day} is not an answer.").format(day=day_text(facts.last_ack, today))
    key = f"silence:{facts.last_to.isoformat()}" if facts.last_to else ""
    if base > today:
        waited = (today - facts.last_to).days if facts.last_to else 0
        far = _far_windows(clocks, base, today)
        reason = ngettext(
            "Too early: {company} has had {waited} to answer {message}, and {n} day is the usual time. "
            "Wait until {day}; then the next step is the {step}.",
            "Too early: {company} has had {waited} to answer {message}, and {n} days is the usual time. "
            "Wait until {day}; then the next step is the {step}.", facts.silence_days).format(
                company=company, waited=duration_text(waited), message=message, n=facts.silence_days,
                day=day_text(base, today), step=step_name(step)) + f"{ack}{opens_text}{_nothing_lost(far)}"
        return make(StepKind.WAIT, step, reason, base, template_for(step, facts), key=key, rule_id=rule_id,
                    notes=far)
    days = (today - facts.last_to).days if facts.last_to else 0
    reason = ngettext("No reply to {message} ({n} day): the next step is the {step}.",
                      "No reply to {message} ({n} days): the next step is the {step}.", days).format(
                          message=message, n=days, step=step_name(step)) + f"{ack}{opens_text}"
    return make(StepKind.SILENCE, step, reason, base, template_for(step, facts), key=key, rule_id=rule_id)


def _after_refusal(facts: CaseFacts, today: date, current: Step | None, reached: dict[Step, date],
                   clocks: list[Clock], make: _Make) -> NextStep:
    assert facts.last_from is not None
    company = facts.company or _("the company")
    when = facts.last_from
    if facts.last_from_meaning == EventMeaning.REFUSAL:
        opening = _("{company} refused on {day}").format(company=company, day=day_text(when, today))
    else:
        opening = _("{company} sent its final response on {day}").format(company=company, day=day_text(when, today))
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
            wait = " " + _("You wrote again on {day}: they have until {until} to answer.").format(
                day=day_text(facts.last_to, today), until=day_text(answer_by, today))
    if Step.FORMAL_COMPLAINT not in reached:
        reason = _("{what}: a chaser would only ask again. Next: a formal complaint to management that "
                   "challenges their answer.").format(what=opening)
        if others:
            reason += " " + _("Also open: {routes}.").format(routes=others)
        reason += wait
        return make(StepKind.REFUSED, Step.FORMAL_COMPLAINT, reason, when,
                    template_for(Step.FORMAL_COMPLAINT, facts), key=key, routes=tuple(routes))
    # The formal complaint was made: the step the rules allow outside the company.
    for route in routes:
        due = max(when, route.opens) if route.opens else when
        if route.step is Step.REGULATOR and route.opens is not None and route.opens > today:
            continue  # not open yet; listed among the others
        rest = "; ".join(route_text(r, today) for r in routes if r is not route)
        reason = _("{what} and you have made your formal complaint. Next: {route}.").format(
            what=opening, route=route_text(route, today))
        reason += (" " + _("Also: {routes}.").format(routes=rest) if rest else "") + wait
        return make(StepKind.REFUSED, route.step, reason, due, template_for(route.step, facts), key=key,
                    rule_id=route.rule_id, routes=tuple(routes))
    higher = _escalation(current, facts, reached, today, clocks)
    if higher is None:
        return make(StepKind.LAST, None,
                    _("{what}. This is the last step: follow the court's timetable.").format(what=opening),
                    None, None)
    return make(StepKind.REFUSED, higher,
                _("{what}. Next: the {step}.").format(what=opening, step=step_name(higher)) + wait, when,
                template_for(higher, facts), key=key, routes=tuple(routes))


def _answer_offer(facts: CaseFacts, today: date, make: _Make) -> NextStep:
    assert facts.last_from is not None
    company = facts.company or _("the company")
    offered = facts.last_from_amount
    day = day_text(facts.last_from, today)
    if offered is not None:
        reason = _("{company} offered {amount} on {day}: accept, or answer with your counter-proposal.").format(
            company=company, amount=money_text(offered, facts.currency), day=day)
    else:
        reason = _("{company} offered on {day}: accept, or answer with your counter-proposal.").format(
            company=company, day=day)
    missing: Decimal | None = None
    if facts.amount is not None:
        missing = max(Decimal(0), facts.amount - (offered or Decimal(0)) - facts.refunded)
        parts = [_("{amount} in dispute").format(amount=money_text(facts.amount, facts.currency))]
        if offered is not None:
            parts.append(_("{amount} offered").format(amount=money_text(offered, facts.currency)))
        if facts.refunded:
            parts.append(_("{amount} refunded").format(amount=money_text(facts.refunded, facts.currency)))
        reason += " " + _("Still missing: {amount} ({parts}).").format(
            amount=money_text(missing, facts.currency), parts=", ".join(parts))
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
            if not windows and facts.card_scheme == CardScheme.DOMESTIC_DEBIT:
                continue  # a domestic debit card (Girocard...) has no scheme chargeback
        return step
    return None


__all__ = [
    "ANCHORS", "CaseFacts", "CaseStep", "Clock", "NextStep", "Promise", "Route", "Rung", "SentLetter", "Step",
    "STEP_NAMES", "StepKind", "TEMPLATE_STEPS", "Urgency", "anchors", "clocks_for", "current_step",
    "demand_refusal", "ladder_data", "missing_facts", "next_step_for", "reading", "rule_facts", "route_text", "silence_due", "steps_reached",
    "template_for",
]
