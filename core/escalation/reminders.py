"""Reminders: what falls due, on every case at once.

Four kinds of reminder:

* ``silence``: no reply from the company ``Case.silence_days`` (default 14) after the
  user's last message to it (or by the reply-by date of a letter sent then);
* ``promise``: an event's ``promised_by`` date with no later answer of substance, refund,
  resolution or delivery (a charge or an acknowledgement keeps no promise);
* ``clock_opens`` / ``clock_closes``: a rule-pack window opening ("8 weeks passed: you may
  ask the ombudsman") or about to close ("chargeback window ends in 10 days");
* ``user``: the user's own ("call back on Monday").

One of a case's reminders is its next step (:func:`core.escalation.ladder.next_step_for`,
``DueItem.step``), with the step's date and reason; when what the company answered decided
the step, its kind says so (``billing``, ``refusal``, ``offer``). ``Case.next_due`` is the
step's date, so the case list, *Needs attention* and the banner agree.

Computed reminders are not stored; they are worked out from a few GROUP BY queries over
all cases (never one ORM object per event) and the rules applied per case in Python. A row
in the ``reminders`` table records the user's choice about one (snoozed, done, dismissed)
under its ``key``, and holds the user's own reminders. Past ones stay visible as history.

:func:`refresh_next_due` keeps ``Case.next_due`` (the next step's date, else the earliest
open due date) fresh; the :class:`NextDue` reaction calls it before each commit for the cases
that unit of work touched, and writes their kept facts (:func:`keep_facts`, table
``case_facts``): the first due list in a process reads one kept row per open case instead of
aggregating every event again.
"""

from __future__ import annotations

import threading
from bisect import insort
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from itertools import chain
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, update
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.orm.attributes import set_committed_value

from core.domain import clock
from core.domain.errors import NotFoundError, ValidationError
from core.domain.meaning import MESSAGE_KINDS as GUESSED_MESSAGE_KINDS
from core.domain.models import (
    CLOSED_STATUSES,
    REPLY_MEANINGS,
    Case,
    Direction,
    Event,
    EventKind,
    EventMeaning,
    Letter,
    LetterStatus,
    Reminder,
    ReminderState,
    sql_in,
)
from core.escalation.ladder import (
    CaseFacts,
    NextStep,
    Promise,
    SentLetter,
    StepKind,
    day_text,
    duration_text,
    next_step_for,
    reading,
    rule_facts,
    silence_due,
    steps_reached,
    your_message,
)
from core.escalation.rules import CaseFacts as RuleFacts
from core.escalation.rules import all_packs
from core.i18n import _, current_language, ngettext
from core.store.store import Store
from core.store.unit_of_work import Reaction, UnitOfWork

SILENCE_RULE = "docket.silence"
PROMISE_RULE = "docket.promise"
# Messages: the kinds of event by which the user talks to the company.
MESSAGE_KINDS = (EventKind.CALL, EventKind.EMAIL, EventKind.LETTER, EventKind.CHAT, EventKind.VISIT,
                 EventKind.WEB_FORM, EventKind.SOCIAL)
CHUNK = 500  # case ids per IN (...) list
# Plain strings for the loops over every item (an enum member lookup costs more than the compare).
_OPEN = ReminderState.OPEN.value


@dataclass(frozen=True, slots=True)
class DueItem:
    """One reminder on one case. ``key`` identifies it within the case for snooze/done/dismiss."""

    key: str
    case_id: int
    case_title: str
    company: str
    due: date
    reason: str
    rule_id: str
    kind: str
    state: str = ReminderState.OPEN.value
    overdue: bool = False
    step: bool = False  # this reminder is the case's next step (see core.escalation.ladder)


# -- gathering facts in SQL -------------------------------------------------------------------
def _ids_clause(column: str, ids: list[int] | None) -> str:
    if ids is None:
        return ""
    return f" AND {column} IN ({','.join(str(int(i)) for i in ids)})"


def _chunks(ids: Iterable[int] | None) -> Iterator[list[int] | None]:
    if ids is None:
        yield None
        return
    ordered = sorted(set(ids))
    for i in range(0, len(ordered), CHUNK):
        yield ordered[i:i + CHUNK]


def _split(value: str | None) -> tuple[str, date | None]:
    """``sort_key || local day`` (19 + 10 characters) back into its parts."""
    if not value:
        return "", None
    return value[:19], date.fromisoformat(value[19:29])


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _day(value: Any) -> date:
    """A date from a column the query guarantees is set."""
    day = _as_date(value)
    if day is None:
        raise ValueError("a date was expected")
    return day


# Enum values go into the SQL text from the enums (f-strings of members give their values).
_TO, _FROM_CO = Direction.TO_COMPANY, Direction.FROM_COMPANY
_M = EventMeaning
_MSG = f"e.direction = '{_TO}' AND e.kind IN {sql_in(MESSAGE_KINDS)}"
_REPLIES = ", ".join(repr(m.value) for m in sorted(REPLY_MEANINGS - {EventMeaning.ACKNOWLEDGEMENT}))
_FROM = f"e.direction != '{_TO}'"
# An event without a meaning is a plain contact: read only by what its kind and direction
# say without doubt (guess_meaning's reading, less the words of the summary, which the
# migration to revision 0003 already applied to older events). The pass reads nothing
# outside the ix_events_reminder_facts index.
_GUESSED = ", ".join(repr(k.value) for k in sorted(GUESSED_MESSAGE_KINDS))
_GUESSED_REPLY = (f"e.meaning IS NULL AND (e.kind = '{EventKind.PROMISE}' OR "
                  f"(e.direction = '{_FROM_CO}' AND e.kind IN ({_GUESSED})))")
# A meaning the user gave says it all, whatever the direction (the manager refused during
# the user's own call); a plain contact from the company is a reply.
_REPLY = f"(e.meaning IN ({_REPLIES}) OR ({_FROM} AND {_GUESSED_REPLY}))"
_REPLY_MEANING = (f"coalesce(e.meaning, CASE WHEN e.kind = '{EventKind.PROMISE}' THEN '{_M.PROMISE}' "
                  f"ELSE '{_M.REPLY}' END)")
# What keeps a promise: an answer of substance (a new promise replaces the old one), money
# back, or a delivery. A charge or an acknowledgement keeps nothing.
_FULFIL = (f"({_REPLY} OR e.meaning IN {sql_in((_M.REFUND, _M.RESOLVED))} "
           f"OR (e.kind = '{EventKind.DELIVERY}' AND {_FROM}))")
_REFUND = f"e.meaning = '{_M.REFUND}'"
_BILLED = f"e.meaning IN {sql_in((_M.CHARGE, _M.INVOICE))}"
_FORMAL = f"(e.direction = '{_TO}' AND e.meaning = '{_M.FORMAL_COMPLAINT}')"
_CANCELLED = f"(e.direction != '{_FROM_CO}' AND e.meaning = '{_M.CANCELLATION}')"
# Aggregates carry the UTC sort key (for exact order) joined to the user's local day (for
# date rules): the first 19 characters decide min/max, the rest rides along. One pass over
# the events of every case, in the order of the ix_events_reminder_facts index.
_DAYKEY = "e.sort_key || substr(e.at, 1, 10)"
_FACTS_SQL = f"""
SELECT e.case_id,
  min(CASE WHEN {_MSG} THEN {_DAYKEY} END),
  max(CASE WHEN {_MSG} THEN {_DAYKEY} || e.kind END),
  count(CASE WHEN {_MSG} THEN 1 END),
  max(CASE WHEN {_REPLY} THEN {_DAYKEY} || {_REPLY_MEANING} || '|' || coalesce(e.amount, '') END),
  max(CASE WHEN e.meaning = '{_M.FINAL_RESPONSE}' THEN {_DAYKEY} END),
  min(CASE WHEN e.kind = '{EventKind.DELIVERY}' AND e.direction != '{_TO}' THEN {_DAYKEY} END),
  min(CASE WHEN e.kind = '{EventKind.PAYMENT}' AND e.direction = '{_TO}' THEN {_DAYKEY} END),
  group_concat(CASE WHEN e.kind = '{EventKind.LETTER}' AND e.direction = '{_TO}'
                     AND e.id NOT IN (SELECT event_id FROM letters WHERE event_id IS NOT NULL)
                    THEN {_DAYKEY} END, ''),
  max(CASE WHEN {_FULFIL} THEN e.sort_key END),
  group_concat(CASE WHEN e.promised_by IS NOT NULL
                    THEN {_DAYKEY} || e.promised_by || e.id END, ','),
  max(CASE WHEN e.meaning = '{_M.ACKNOWLEDGEMENT}' THEN {_DAYKEY} END),
  min(CASE WHEN {_FORMAL} THEN {_DAYKEY} END),
  min(CASE WHEN {_CANCELLED} THEN {_DAYKEY} END),
  max(CASE WHEN {_BILLED} THEN {_DAYKEY} || e.meaning END),
  max(CASE WHEN {_REFUND} THEN e.sort_key END),
  group_concat(CASE WHEN {_REFUND} AND e.amount IS NOT NULL THEN e.amount END, ','),
  min(CASE WHEN e.meaning = '{_M.PURCHASE}' THEN substr(e.at, 1, 10) END),
  min(CASE WHEN e.meaning = '{_M.PROBLEM}' THEN substr(e.at, 1, 10) END),
  min(CASE WHEN e.meaning = '{_M.ACKNOWLEDGEMENT}' THEN substr(e.at, 1, 10) END),
  min(CASE WHEN e.meaning = '{_M.REFUSAL}' THEN substr(e.at, 1, 10) END),
  min(CASE WHEN {_REFUND} THEN substr(e.at, 1, 10) END),
  min(CASE WHEN e.meaning = '{_M.RESOLVED}' THEN substr(e.at, 1, 10) END),
  group_concat(CASE WHEN e.meaning = '{_M.CHARGE}' THEN substr(e.at, 1, 10) END, ',')
FROM events AS e
WHERE 1 = 1 {{cases}}
GROUP BY e.case_id
"""
_CASES_SQL = """
SELECT c.id, c.title, coalesce(co.name, ''), c.category, c.status, c.jurisdiction, c.currency,
       c.amount, c.payment_method, c.payment_date, c.silence_days, c.opened_on,
       co.kind, c.purchase, c.card_scheme, c.expected_by
FROM cases AS c LEFT JOIN companies AS co ON co.id = c.company_id
WHERE 1 = 1 {cases}
"""
_LETTERS_SQL = f"""
SELECT l.case_id, l.template_id, l.sent_on, l.reply_by, json_extract(l.options, '$.step')
FROM letters AS l
WHERE l.status = '{LetterStatus.SENT}' AND l.sent_on IS NOT NULL {{cases}}
"""
_OPEN_ONLY = f" AND c.status NOT IN {sql_in(CLOSED_STATUSES)}"
_OPEN_EVENTS = f" AND e.case_id IN (SELECT id FROM cases WHERE status NOT IN {sql_in(CLOSED_STATUSES)})"


# -- the facts kept on disk (table case_facts, schema revision 0008) --------------------------
# One row per case: the case id and the aggregates of _FACTS_SQL in its order, stored as the
# pass computed them (the columns have no type, so SQLite keeps each value as it is). A case
# without events has a row of NULLs (n_to NULL: count() of a real pass is never NULL). SQL
# triggers drop a case's row whenever its events or letters change, whoever writes them; the
# NextDue reaction writes it again before the unit of work commits. A case without a row is
# read from its events, as before.
KEPT_COLUMNS = (
    "first_to", "last_to", "n_to", "last_from", "final_response", "first_delivery",
    "first_payment_to", "letter_events", "kept_until", "promises", "last_ack", "formal_complaint",
    "cancelled", "last_billed", "last_refund", "refunds", "purchased", "problem", "first_ack",
    "refusal", "first_refund", "resolved_on", "charges",
)
_KEPT_SQL = f"""
SELECT k.case_id, {", ".join(f"k.{c}" for c in KEPT_COLUMNS)}
FROM case_facts AS k JOIN cases AS c ON c.id = k.case_id
WHERE 1 = 1 {{cases}}
"""
FILL_BATCH = 5000  # cases per statement when every case's facts are written


def keep_facts(conn: Connection, case_ids: Iterable[int] | None = None) -> None:
    """Write the kept facts (table ``case_facts``) of those cases (all if None) from their
    events, in the connection's transaction: the rows the due list then reads instead of
    aggregating the events again. Cases that no longer exist are left out."""
    if case_ids is None:
        last = conn.exec_driver_sql("SELECT max(id) FROM cases").scalar() or 0
        ranges = [(low, low + FILL_BATCH - 1) for low in range(1, int(last) + 1, FILL_BATCH)]
        clauses = [(f" AND {{col}} BETWEEN {low} AND {high}") for low, high in ranges]
    else:
        clauses = [_ids_clause("{col}", chunk) for chunk in _chunks(case_ids)]
    for clause in clauses:
        conn.exec_driver_sql("DELETE FROM case_facts WHERE 1 = 1" + clause.format(col="case_id"))
        conn.exec_driver_sql("INSERT INTO case_facts " + _FACTS_SQL.format(cases=clause.format(col="e.case_id")))
        conn.exec_driver_sql("INSERT OR IGNORE INTO case_facts (case_id) SELECT id FROM cases WHERE 1 = 1"
                             + clause.format(col="id"))


def keep_missing_facts(conn: Connection) -> None:
    """Write the kept facts of every case that has none (after writes that bypassed the unit
    of work: bulk statements, raw SQL), in the connection's transaction."""
    missing = [r[0] for r in conn.exec_driver_sql(
        "SELECT id FROM cases WHERE id NOT IN (SELECT case_id FROM case_facts)")]
    if missing:
        keep_facts(conn, missing)


def _apply_events(f: CaseFacts, row: Any, unkept: list[tuple[int, int, date, date]]) -> None:
    """Fill ``f`` from one row of the events pass (or the kept row that stores it)."""
    f.first_to_key, f.first_to = _split(row[1])
    f.last_to_key, f.last_to = _split(row[2])
    f.last_to_kind = (row[2] or "")[29:]
    f.n_to = row[3]
    f.last_from_key, f.last_from = _split(row[4])
    if row[4]:
        f.last_from_meaning, _unused, amount = row[4][29:].partition("|")
        f.last_from_amount = Decimal(amount) if amount else None
    f.final_response = _split(row[5])[1]
    f.first_delivery = _split(row[6])[1]
    f.first_payment_to = _split(row[7])[1]
    if row[8]:
        f.letter_events = sorted(
            (row[8][i:i + 19], date.fromisoformat(row[8][i + 19:i + 29]))
            for i in range(0, len(row[8]), 29))
    f.last_ack = _split(row[11])[1]
    f.formal_complaint = _split(row[12])[1]
    f.cancelled_key, f.cancelled = _split(row[13])
    f.last_billed_key, f.last_billed = _split(row[14])
    f.last_billed_meaning = (row[14] or "")[29:]
    f.last_refund_key = row[15] or ""
    if row[16]:
        f.refunded = sum((Decimal(a) for a in row[16].split(",")), Decimal(0))
    f.purchased, f.problem, f.first_ack = _as_date(row[17]), _as_date(row[18]), _as_date(row[19])
    f.refusal, f.first_refund, f.resolved_on = _as_date(row[20]), _as_date(row[21]), _as_date(row[22])
    if row[23]:
        f.charges = tuple(sorted(date.fromisoformat(d) for d in row[23].split(",")))
    if row[10]:
        kept_until = row[9] or ""
        for piece in row[10].split(","):
            # A promise is kept by an answer, payment or delivery after it was made.
            if kept_until <= piece[:19]:
                unkept.append((int(piece[39:]), row[0], date.fromisoformat(piece[19:29]),
                               date.fromisoformat(piece[29:39])))


def gather_facts(session: Session, case_ids: Iterable[int] | None = None, *,
                 include_closed: bool = False, kept: bool = False) -> dict[int, CaseFacts]:
    """The ladder's facts for the given cases (all if None): one GROUP BY pass over the
    events, plus the cases, the sent letters and the text of unkept promises. With ``kept``,
    the events' part is read from the kept facts (``case_facts``) where a case has them: the
    same values, without reading the events again."""
    facts: dict[int, CaseFacts] = {}
    # The driver's own cursor: tens of thousands of plain tuples need no result wrapping.
    conn = session.connection().connection.driver_connection
    assert conn is not None  # an open session's connection always has one
    unkept: list[tuple[int, int, date, date]] = []
    for chunk in _chunks(case_ids):
        cases = _ids_clause("c.id", chunk) + ("" if include_closed else _OPEN_ONLY)
        for row in conn.execute(_CASES_SQL.format(cases=cases)):
            facts[row[0]] = CaseFacts(
                case_id=row[0], title=row[1], company=row[2], category=row[3], status=row[4],
                jurisdiction=row[5] or "", currency=row[6] or "EUR",
                amount=None if row[7] is None else Decimal(row[7]), payment_method=row[8],
                payment_date=_as_date(row[9]), silence_days=row[10] or 14, opened_on=_as_date(row[11]),
                company_kind=row[12], purchase=row[13], card_scheme=row[14], expected_by=_as_date(row[15]),
            )
        if kept:
            seen: set[int] = set()
            for row in conn.execute(_KEPT_SQL.format(cases=cases)):
                seen.add(row[0])
                f = facts.get(row[0])
                if f is not None and row[3] is not None:  # n_to NULL: a case without events
                    _apply_events(f, row, unkept)
            missing = [cid for cid in facts if cid not in seen] if chunk is None else \
                [cid for cid in chunk if cid in facts and cid not in seen]
            event_rows: Iterable[Any] = chain.from_iterable(
                conn.execute(_FACTS_SQL.format(cases=_ids_clause("e.case_id", part)))
                for part in _chunks(missing)) if missing else ()
        else:
            # Skipping closed cases' events before aggregating saves a third of the pass.
            events = _ids_clause("e.case_id", chunk) + ("" if include_closed else _OPEN_EVENTS)
            event_rows = conn.execute(_FACTS_SQL.format(cases=events))
        for row in event_rows:
            f = facts.get(row[0])
            if f is not None:  # else a closed case
                _apply_events(f, row, unkept)
        for case_id, template_id, sent_on, reply_by, step in conn.execute(
                _LETTERS_SQL.format(cases=_ids_clause("l.case_id", chunk))):
            if case_id in facts:
                facts[case_id].sent_letters.append(
                    SentLetter(template_id, _day(sent_on), _as_date(reply_by), step))
    summaries = _summaries(session, [p[0] for p in unkept])
    for event_id, case_id, made_on, promised_by in unkept:
        facts[case_id].promises.append(Promise(event_id, made_on, promised_by, summaries.get(event_id, "")))
    for f in facts.values():
        # Row order from SQLite is not a promise; the ladder reads these in date order.
        f.sent_letters.sort(key=lambda x: (x.sent_on, x.template_id, x.reply_by or x.sent_on))
        f.promises.sort(key=lambda p: (p.promised_by, p.made_on, p.summary, p.event_id))
    return facts


def case_facts_for(session: Session, case_id: int, *, as_of: date | None = None) -> RuleFacts:
    """The facts the rule packs see of the case ``case_id`` (open or closed), read by the
    same pass as the due list and built by :func:`core.escalation.ladder.rule_facts`: the
    clocks worked out from them are the ones the banner and the due list show. Reads only."""
    found = gather_facts(session, [case_id], include_closed=True)
    if case_id not in found:
        raise NotFoundError(_("There is no case {case_id}.").format(case_id=case_id))
    return rule_facts(found[case_id], today=as_of)


def _summaries(session: Session, event_ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in _chunks(event_ids):
        sql = "SELECT id, summary FROM events WHERE 1 = 1" + _ids_clause("id", chunk)
        out.update(session.connection().exec_driver_sql(sql).fetchall())
    return out


# -- computing reminders ----------------------------------------------------------------------
STEP_RULES = {"silence": SILENCE_RULE, "promise": PROMISE_RULE, "billing": "docket.billing",
              "refusal": "docket.refusal", "offer": "docket.offer"}


def computed_items(facts: CaseFacts, today: date, step: NextStep | None = None) -> list[DueItem]:
    """The reminders the rules give for one open case, before the user's choices apply.
    The case's next step (:func:`core.escalation.ladder.next_step_for`) is one of them,
    marked ``step``, with the step's own date and reason: the due list, ``Case.next_due``
    and the banner say the same thing."""
    if facts.closed:
        return []
    company = facts.company or _("the company")
    out: dict[str, DueItem] = {}

    def item(key: str, due: date, reason: str, rule_id: str, kind: str) -> None:
        out[key] = DueItem(key, facts.case_id, facts.title, facts.company, due, reason, rule_id, kind,
                           _OPEN, due < today)

    reached = steps_reached(facts)
    # Lean: the due list shows neither the missing facts nor the clocks' long sentences.
    clocks, missing = reading(facts, today, reached, lean=True)
    step = next_step_for(facts, today, reached, clocks, missing) if step is None else step
    due = silence_due(facts)
    # A step that already waits on that silence (after a refusal) says it; once is enough.
    if due is not None and facts.last_to is not None and not (step.reminds and step.due == due
                                                               and step.kind is StepKind.REFUSED):
        silent = (today - facts.last_to).days
        item(f"silence:{facts.last_to.isoformat()}", due,
             ngettext("No reply to {message} ({n} day).", "No reply to {message} ({n} days).", silent).format(
                 message=_message_words(facts, today), n=silent),
             SILENCE_RULE, "silence")
    for promise in facts.promises:
        quote = f" (\u201c{promise.summary}\u201d)" if promise.summary else ""
        late = (today - promise.promised_by).days
        state = (_("{duration} late").format(duration=duration_text(late)) if late > 0
                 else _("nothing from them yet"))
        item(f"promise:{promise.event_id}", promise.promised_by,
             _("{company} promised by {day}{quote}: {state}.").format(
                 company=company, day=day_text(promise.promised_by, today), quote=quote, state=state),
             PROMISE_RULE, "promise")
    for c in clocks:
        if c.opens:
            # A window open from day one (section 75) is a fact to show, not a reminder.
            if c.start is not None and c.date <= c.start:
                continue
            item(f"clock:{c.rule_id}:{c.date.isoformat()}", c.date, c.text + ".", c.rule_id, "clock_opens")
        elif c.date >= today and c.remind_on is not None:
            item(f"clock:{c.rule_id}:{c.date.isoformat()}", c.remind_on, c.text + ".", c.rule_id, "clock_closes")
    if step.reminds and step.due is not None:
        prefix = step.key.split(":", 1)[0]
        old = out.get(step.key)
        kind = old.kind if old is not None else prefix
        rule_id = old.rule_id if old is not None else (step.rule_id or STEP_RULES.get(prefix, "docket.step"))
        out[step.key] = DueItem(step.key, facts.case_id, facts.title, facts.company, step.due, step.reason,
                                rule_id, kind, _OPEN, step.due < today, True)
    return list(out.values())


def _message_words(facts: CaseFacts, today: date) -> str:
    return your_message(facts.last_to_kind, facts.last_to, today)



@dataclass
class _Stored:
    id: int
    case_id: int
    key: str
    rule_id: str
    due: date
    reason: str
    state: str
    snoozed_until: date | None


def _stored(session: Session, case_ids: Iterable[int] | None) -> dict[int, dict[str, _Stored]]:
    out: dict[int, dict[str, _Stored]] = defaultdict(dict)
    conn = session.connection()
    for chunk in _chunks(case_ids):
        sql = ("SELECT id, case_id, key, rule_id, due, reason, state, snoozed_until FROM reminders "
               "WHERE 1 = 1" + _ids_clause("case_id", chunk))
        for row in conn.exec_driver_sql(sql):
            out[row[1]][row[2]] = _Stored(row[0], row[1], row[2], row[3], _day(row[4]), row[5],
                                          row[6], _as_date(row[7]))
    return out


def _titles(session: Session, case_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    out = {}
    for chunk in _chunks(case_ids):
        sql = ("SELECT c.id, c.title, coalesce(co.name, '') FROM cases AS c LEFT JOIN companies AS co "
               "ON co.id = c.company_id WHERE 1 = 1" + _ids_clause("c.id", chunk))
        for row in session.connection().exec_driver_sql(sql):
            out[row[0]] = (row[1], row[2])
    return out


def _with_state(item: DueItem, row: _Stored | None, today: date) -> DueItem:
    """The item as the user's stored choice leaves it: snoozed (due when it wakes), done,
    dismissed, or open again once a snooze has run out."""
    if row is None:
        return item
    state, due = row.state, item.due
    if state == ReminderState.SNOOZED and row.snoozed_until is not None:
        due = row.snoozed_until
        if due <= today:
            state = ReminderState.OPEN.value
    open_ = state == ReminderState.OPEN
    return replace(item, due=due, state=state, overdue=open_ and due < today)


def compute(session: Session, case_ids: Iterable[int] | None = None, *, today: date | None = None,
            include_history: bool = False) -> list[DueItem]:
    """Due items for the given cases (all if None) on an open session: open ones, overdue
    first, then by date; with ``include_history`` the snoozed, done and dismissed ones after.
    Sees the session's own uncommitted changes (used before a commit)."""
    today = today or clock.today()
    ids = None if case_ids is None else list(case_ids)
    facts = gather_facts(session, ids)
    per_case = {case_id: computed_items(f, today) for case_id, f in facts.items()}
    return _assemble(session, per_case, _stored(session, ids), today, include_history)


def _assemble(session: Session, per_case: dict[int, list[DueItem]], stored: dict[int, dict[str, _Stored]],
              today: date, include_history: bool) -> list[DueItem]:
    """Apply the user's stored choices to the computed items, add their own reminders and
    the history, filter and sort."""
    items: list[DueItem] = []
    for case_id, computed in per_case.items():
        rows = stored.get(case_id)
        if not rows:
            items.extend(computed)
            continue
        for item in computed:
            if item.key in rows:
                # Popped: what is left over afterwards is the user's own and the history.
                item = _with_state(item, rows.pop(item.key), today)
            items.append(item)
    # The user's own reminders, and the history of computed ones that no longer apply.
    leftover = [row for rows in stored.values() for row in rows.values()]
    names = _titles(session, {row.case_id for row in leftover}) if leftover else {}
    for row in leftover:
        title, company = names.get(row.case_id, ("", ""))
        user = row.key.startswith("user:") and not row.rule_id
        if not user and row.state == ReminderState.OPEN:
            continue  # a computed reminder whose cause has gone (the company replied)
        kind = "user" if user else _kind_of(row)
        item = DueItem(row.key, row.case_id, title, company, row.due, row.reason, row.rule_id, kind,
                       ReminderState.OPEN.value, row.due < today)
        items.append(_with_state(item, row, today))
    if not include_history:
        items = [i for i in items if i.state == _OPEN]
    items.sort(key=_order)
    return items


def _order(item: DueItem) -> tuple[bool, bool, date, int, str]:
    """Open first (overdue, then by date); the history after, by date too. No two items of
    a list have the same case and key, so the order is the same however the list was made."""
    return item.state != _OPEN, not item.overdue, item.due, item.case_id, item.key


# -- the all-cases list, kept between calls -------------------------------------------------------
class _Cache:
    """The computed reminders of every open case, kept between calls to :func:`due_items`
    and brought up to date for the cases each commit touched.

    Docket is the only writer of its store (the lock file), so the :class:`NextDue` reaction
    sees every change made through the store's sessions; a bulk statement or a restore (new engines) makes
    the next call start afresh. ``generation`` counts commits: a result read while a commit
    landed is returned but not kept. The facts the reminders came from are not kept: they
    are read again from the kept rows (``case_facts``) when the day changes, which costs
    less than holding a hundred megabytes of them for 60,000 open cases.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.engine: object = None
        self.items: dict[int, list[DueItem]] | None = None
        self.today: date | None = None
        # The reminders' texts are in the language they were made in: another language makes
        # the next call start afresh.
        self.language: str | None = None
        self.dirty: set[int] = set()
        self.generation = 0
        # The whole list with the history, in order, as made from ``items`` and the stored
        # choices: asked again with nothing changed it is handed back as it is, and after a
        # commit only the touched cases' part of it is made again and put in its place.
        self.whole: list[DueItem] | None = None
        self.open_only: list[DueItem] | None = None  # ``whole`` without the history

    def touched(self, case_ids: set[int] | None) -> None:
        with self.lock:
            self.generation += 1
            self.open_only = None
            if case_ids is None:
                self.items = self.whole = None
            else:
                self.dirty |= case_ids


def _cache_for(store: Store) -> _Cache:
    reaction = store.reactions.find(NextDue)
    # Without the reaction nothing would tell a kept list that a write made it stale: such a
    # store's list is worked out afresh each time.
    return _Cache() if reaction is None else reaction.cache


OPEN_BATCH = 2000  # open cases whose facts are held at once while the whole list is made


def _open_items(session: Session, today: date) -> dict[int, list[DueItem]]:
    """The computed reminders of every open case, from the kept facts, a batch of cases at a
    time: only one batch's facts are in memory at once."""
    conn = session.connection().connection.driver_connection
    assert conn is not None
    ids = [r[0] for r in conn.execute(f"SELECT id FROM cases WHERE status NOT IN {sql_in(CLOSED_STATUSES)}")]
    out: dict[int, list[DueItem]] = {}
    for i in range(0, len(ids), OPEN_BATCH):
        for case_id, f in gather_facts(session, ids[i:i + OPEN_BATCH], kept=True).items():
            out[case_id] = computed_items(f, today)
    return out


def _all_cases(store: Store, include_history: bool) -> list[DueItem]:
    cache = _cache_for(store)
    today = clock.today()
    language = current_language()
    with cache.lock:
        generation, engine = cache.generation, store.writer
        fresh_enough = cache.engine is engine and cache.today == today and cache.language == language
        items = cache.items if fresh_enough else None
        whole = cache.whole if items is not None else None
        dirty = set(cache.dirty)
        if whole is not None and not dirty:
            # Nothing changed since the list was made: a copy (the caller may sort or filter it).
            if include_history:
                return list(whole)
            if cache.open_only is None:
                cache.open_only = [i for i in whole if i.state == _OPEN]
            return list(cache.open_only)
    with store.read() as session:
        if items is None or whole is None:
            items, dirty = _open_items(session, today), set()
            whole = _assemble(session, items, _stored(session, None), today, True)
        elif dirty:
            # The touched cases that are (still) open; the others leave the list.
            fresh = gather_facts(session, dirty, kept=True)
            items = {cid: i for cid, i in items.items() if cid not in dirty}
            items.update((cid, computed_items(f, today)) for cid, f in fresh.items())
            # Their part of the list, with their stored choices and history, in place of the old.
            part = _assemble(session, {cid: items[cid] for cid in dirty if cid in items},
                             _stored(session, dirty), today, True)
            whole = _merged(whole, dirty, part)
    open_only = None if include_history else [i for i in whole if i.state == _OPEN]
    with cache.lock:
        if cache.generation == generation:
            cache.engine, cache.items, cache.whole, cache.today = engine, items, whole, today
            cache.language = language
            cache.open_only = open_only
            cache.dirty -= dirty
    return list(whole) if open_only is None else list(open_only)


def _merged(whole: list[DueItem], dirty: set[int], part: list[DueItem]) -> list[DueItem]:
    """``whole`` (in order) with the items of the ``dirty`` cases replaced by ``part`` (in
    order): the same list :func:`_assemble` would make of all of them."""
    out = [i for i in whole if i.case_id not in dirty]
    if len(part) <= 64:
        for item in part:
            insort(out, item, key=_order)
    else:
        out += part
        out.sort(key=_order)  # two runs already in order: merged in one pass
    return out


def _kind_of(row: _Stored) -> str:
    if row.rule_id == SILENCE_RULE:
        return "silence"
    if row.rule_id == PROMISE_RULE:
        return "promise"
    for kind, rule_id in STEP_RULES.items():
        if row.rule_id == rule_id:
            return kind
    for pack in all_packs():
        for rule in pack.rules:
            if rule.id == row.rule_id:
                return "clock_opens" if rule.opens else "clock_closes"
    return "user"


def due_items(store: Store, *, case_id: int | None = None, include_history: bool = False) -> list[DueItem]:
    """Every open reminder (of one case, or all), overdue first, then by date; with
    ``include_history`` also the snoozed, done and dismissed ones. Reads only."""
    if case_id is None:
        return _all_cases(store, include_history)
    with store.read() as session:
        return compute(session, [case_id], include_history=include_history)


def next_step(store: Store, *, case_id: int) -> NextStep:
    """Where a case stands on the escalation ladder and the next step with its due date,
    letter template and the rule clocks running. Reads only."""
    with store.read() as session:
        facts = gather_facts(session, [case_id], include_closed=True)
    if case_id not in facts:
        raise NotFoundError(_("There is no case {case_id}.").format(case_id=case_id))
    return next_step_for(facts[case_id], clock.today())


def next_steps(store: Store, *, case_ids: Iterable[int]) -> dict[int, NextStep]:
    """The next step of each of these cases (the ones a view shows: the case list's page,
    *Needs attention*), read with one pass over their events; the same answer as
    :func:`next_step` for each. Cases that do not exist are left out. Reads only."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    with store.read() as session:
        facts = gather_facts(session, ids, include_closed=True)
    today = clock.today()
    return {case_id: next_step_for(f, today) for case_id, f in facts.items()}


# -- the user's choices -------------------------------------------------------------------------
def _row(session: Session, case_id: int, key: str) -> Reminder:
    row = session.query(Reminder).filter_by(case_id=case_id, key=key).one_or_none()
    if row is not None:
        return row
    found = [i for i in compute(session, [case_id]) if i.key == key]
    if not found:
        raise NotFoundError(_("Case {case_id} has no reminder {key!r}.").format(case_id=case_id, key=key))
    item, now = found[0], clock.now()
    row = Reminder(case_id=case_id, key=key, rule_id=item.rule_id, due=item.due, reason=item.reason,
                   state=ReminderState.OPEN.value, created_at=now, updated_at=now)
    session.add(row)
    return row


def _set_state(store: Store, case_id: int, key: str, state: ReminderState, until: date | None = None) -> None:
    with store.write() as session:
        row = _row(session, case_id, key)
        row.state = state
        row.snoozed_until = until
        row.updated_at = clock.now()


def snooze(store: Store, *, case_id: int, key: str, until: date | str) -> None:
    """Hide a reminder until ``until`` (a date after today); it comes back due that day.
    Stores the choice in the reminders table."""
    from core.journal.cases import optional_date

    day = optional_date(until, "until")
    if day is None or day <= clock.today():
        raise ValidationError("until", _("snooze until a day after today ({isoformat})").format(isoformat=clock.today().isoformat()))
    _set_state(store, case_id, key, ReminderState.SNOOZED, day)


def mark_done(store: Store, *, case_id: int, key: str) -> None:
    """Record that the user acted on a reminder; it moves to the history."""
    _set_state(store, case_id, key, ReminderState.DONE)


def dismiss(store: Store, *, case_id: int, key: str) -> None:
    """Record that the user does not want this reminder; it moves to the history."""
    _set_state(store, case_id, key, ReminderState.DISMISSED)


def reopen(store: Store, *, case_id: int, key: str) -> None:
    """Undo a snooze, done or dismiss: the reminder is open again."""
    _set_state(store, case_id, key, ReminderState.OPEN)


def add_user_reminder(store: Store, *, case_id: int, due: date | str, reason: str) -> str:
    """Add the user's own reminder to a case ("call back on Monday"). Returns its key."""
    from core.journal.cases import get_case, optional_date
    from core.journal.cases import text as check_text

    day = optional_date(due, "due")
    if day is None:
        raise ValidationError("due", _("is required"))
    reason = check_text(reason, "reason", required=True, limit=1000)
    with store.write() as session:
        get_case(session, case_id)
        now = clock.now()
        row = Reminder(case_id=case_id, key="user:new", rule_id="", due=day, reason=reason,
                       state=ReminderState.OPEN.value, created_at=now, updated_at=now)
        session.add(row)
        session.flush()
        row.key = f"user:{row.id}"
        return row.key


# -- Case.next_due ----------------------------------------------------------------------------
def refresh_next_due(session: Session, case_ids: Iterable[int] | None = None) -> None:
    """Recompute ``Case.next_due`` (the earliest open reminder's date) for those cases (all
    if None), in the session's transaction."""
    ids = None if case_ids is None else sorted(set(case_ids))
    if ids == []:
        return
    earliest: dict[int, date] = {}
    stepped: set[int] = set()
    for item in compute(session, ids, include_history=True):
        # A snoozed reminder counts from the day it wakes; done and dismissed ones not at all.
        if item.state not in (ReminderState.OPEN, ReminderState.SNOOZED):
            continue
        # The case's next step decides its date, as the banner shows it; other reminders
        # count only for a case whose step is not a reminder.
        if item.step:
            earliest[item.case_id] = item.due
            stepped.add(item.case_id)
        elif item.case_id not in stepped and (item.case_id not in earliest or item.due < earliest[item.case_id]):
            earliest[item.case_id] = item.due
    targets = ids
    if targets is None:
        targets = [r[0] for r in session.connection().exec_driver_sql("SELECT id FROM cases")]
    params = [{"cid": cid, "due": earliest.get(cid)} for cid in targets]
    if params:
        # Core UPDATE: next_due is derived, not a change the user made to the case.
        table = cast(Table, Case.__table__)
        session.connection().execute(
            update(table).where(table.c.id == bindparam("cid")).values(next_due=bindparam("due")),
            params,
        )
    # Loaded Case objects would otherwise keep the old date (sessions do not expire on commit).
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Case) and (ids is None or obj.id in ids):
            set_committed_value(obj, "next_due", earliest.get(obj.id))


_WATCHED = (Case, Event, Reminder, Letter)


@dataclass
class _DueNotes:
    """What one unit of work did that the due dates depend on."""

    touched: list[Case | Event | Reminder | Letter] = field(default_factory=list)
    committed: set[int] = field(default_factory=set)  # cases whose next_due was refreshed
    bulk: bool = False  # a bulk statement: which cases changed is not known


class NextDue(Reaction):
    """Keeps ``Case.next_due`` and the due list right on every write to a store.

    Before a unit of work commits, ``next_due`` and the kept facts (``case_facts``) are
    recomputed (in the same transaction) for the cases whose case, events, reminders or
    letters it changed, and written for any case whose kept row a bulk statement dropped;
    once it committed, the due list kept between calls reads those cases again. Added by
    :func:`core.journal.opening.open_store`.
    """

    def __init__(self) -> None:
        self.cache = _Cache()

    def before_flush(self, unit: UnitOfWork) -> None:
        session = unit.session
        touched = unit.notes(_DueNotes).touched
        for obj in chain(session.new, session.dirty, session.deleted):
            if isinstance(obj, _WATCHED):
                touched.append(obj)

    def before_commit(self, unit: UnitOfWork) -> None:
        session = unit.session
        if session.new or session.dirty or session.deleted:
            session.flush()  # commit flushes only after this hook; the changes must be seen now
        notes = unit.notes(_DueNotes)
        if notes.bulk:
            # Bulk statements and raw SQL went past the unit of work; the triggers dropped
            # the kept facts of the cases whose events they changed.
            keep_missing_facts(session.connection())
        if not notes.touched:
            return
        touched, notes.touched = notes.touched, []
        ids = set()
        for obj in touched:
            case_id = obj.id if isinstance(obj, Case) else obj.case_id
            if case_id is not None:
                ids.add(case_id)
        refresh_next_due(session, ids)
        keep_facts(session.connection(), ids)
        notes.committed.update(ids)

    def on_statement(self, unit: UnitOfWork, statement: ORMExecuteState) -> None:
        # insert(Event) and friends bypass the unit of work: the cached facts cannot be patched.
        if statement.is_insert or statement.is_update or statement.is_delete:
            unit.notes(_DueNotes).bulk = True

    def after_commit(self, unit: UnitOfWork) -> None:
        notes = unit.notes(_DueNotes)
        unit.forget(_DueNotes)
        if notes.committed or notes.bulk:
            self.cache.touched(None if notes.bulk else notes.committed)

    def after_rollback(self, unit: UnitOfWork) -> None:
        unit.forget(_DueNotes)
