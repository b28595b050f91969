"""Reminders: silence, promises, rule clocks and the user's own; snooze, done, dismiss;
history; Case.next_due kept fresh; results independent of row order."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.domain import clock
from core.domain.errors import NotFoundError, ValidationError
from core.domain.models import Case, EventMeaning, Reminder
from core.escalation import reminders, rules
from core.exchange import demo
from core.journal import cases, queries
from core.store.store import Store
from tests.ladder_helpers import TODAY, ago, from_company, make_case, note, to_company


@pytest.fixture(autouse=True)
def _today() -> None:
    clock.set_today(TODAY)


def kinds(items: list[reminders.DueItem]) -> list[tuple[str, date, bool]]:
    return [(i.kind, i.due, i.overdue) for i in items]


def next_due(store: Store, case_id: int) -> date | None:
    with store.read() as session:
        return session.get(Case, case_id).next_due


# -- silence ------------------------------------------------------------------------------------
def test_silence_after_a_message_is_overdue_after_fourteen_days(store: Store) -> None:
    case_id = make_case(store, events=[to_company(20)])
    [item] = reminders.due_items(store, case_id=case_id)
    assert (item.kind, item.due, item.overdue) == ("silence", TODAY - timedelta(days=6), True)
    # The case's next step is this reminder: the list says what the banner says.
    assert item.reason == "No reply to your email of 3 Nov (20 days): the next step is the chaser."
    assert item.step
    assert (item.case_title, item.company, item.rule_id) == ("Refund never paid", "Acme Ltd", "docket.silence")


def test_a_reply_ends_the_silence_but_a_note_does_not(store: Store) -> None:
    replied = make_case(store, events=[to_company(20), from_company(2, "call")])
    noted = make_case(store, events=[to_company(20), note(2)])
    assert reminders.due_items(store, case_id=replied) == []
    assert kinds(reminders.due_items(store, case_id=noted)) == [("silence", TODAY - timedelta(days=6), True)]


def test_silence_waits_for_the_case_period(store: Store) -> None:
    case_id = make_case(store, events=[to_company(20)], silence_days=30)
    assert kinds(reminders.due_items(store, case_id=case_id)) == [("silence", TODAY + timedelta(days=10), False)]


def test_a_closed_case_raises_no_computed_reminder(store: Store) -> None:
    case_id = make_case(store, events=[to_company(20)])
    cases.change_status(store, case_id=case_id, status="resolved", outcome="won")
    assert reminders.due_items(store, case_id=case_id) == []


# -- promises -----------------------------------------------------------------------------------
def test_a_broken_promise_is_overdue(store: Store) -> None:
    case_id = make_case(store, events=[
        to_company(30), from_company(25, "call", summary="Refund within 10 days", promised_by=ago(15)),
        to_company(2)])
    items = reminders.due_items(store, case_id=case_id)
    promise = [i for i in items if i.kind == "promise"]
    assert len(promise) == 1 and promise[0].overdue and promise[0].due == TODAY - timedelta(days=15)
    assert "\u201cRefund within 10 days\u201d" in promise[0].reason


@pytest.mark.parametrize(("kind", "direction", "kept"), [
    # A charge is not a refund: money taken keeps no promise (it used to count as an answer).
    ("payment", "from_company", False),
    ("delivery", "internal", True),
    ("response", "from_company", True),
    ("email", "to_company", False),
    ("note", "internal", False),
])
def test_what_keeps_a_promise(store: Store, kind: str, direction: str, kept: bool) -> None:
    case_id = make_case(store, events=[
        from_company(25, "call", summary="Will refund", promised_by=ago(15)),
        {"at": ago(10), "kind": kind, "direction": direction, "summary": "then"}])
    promises = [i for i in reminders.due_items(store, case_id=case_id) if i.kind == "promise"]
    assert (promises == []) is kept


def test_a_promise_not_yet_due_is_upcoming(store: Store) -> None:
    case_id = make_case(store, events=[from_company(1, "call", summary="Engineer Friday", promised_by=ago(-4))])
    [item] = [i for i in reminders.due_items(store, case_id=case_id) if i.kind == "promise"]
    assert item.due == TODAY + timedelta(days=4) and not item.overdue


# -- rule clocks --------------------------------------------------------------------------------
def test_clock_reminders_open_and_close(store: Store) -> None:
    # A Visa debit card (a domestic debit scheme has no chargeback) and an English case
    # (the six years to go to court are England and Wales's): the rules need both facts.
    case_id = make_case(store, category="billing_error", jurisdiction="GB-ENG", currency="GBP",
                        payment_method="debit_card", card_scheme="visa", payment_date=ago(111),
                        events=[from_company(21)])
    items = {i.rule_id: i for i in reminders.due_items(store, case_id=case_id)}
    chargeback = items["generic.card_chargeback"]
    assert chargeback.kind == "clock_closes"
    assert chargeback.due == TODAY - timedelta(days=5)  # 14 days before 2 Dec
    assert chargeback.overdue
    # The closing window is the case's next step, so its reminder says what to do.
    assert chargeback.reason == "Card chargeback window closes in 9 days (2 Dec): ask now, before it is too late."
    assert chargeback.step
    # Six years to go to court is far off and not overdue.
    assert not items["gb.limitation.contract"].overdue


def test_an_opening_window_becomes_a_reminder(store: Store) -> None:
    case_id = make_case(store, category="billing_error", jurisdiction="AU", currency="AUD", company_kind="bank",
                        events=[to_company(10), from_company(5)])
    [item] = reminders.due_items(store, case_id=case_id)
    assert (item.kind, item.rule_id, item.due) == ("clock_opens", "au.idr.30_days", TODAY + timedelta(days=20))
    assert item.reason == "AFCA: you may refer from 13 Dec."


# -- the user's own and their choices -----------------------------------------------------------
def test_user_reminder_is_listed_with_the_others_in_date_order(store: Store) -> None:
    a = make_case(store, events=[to_company(20)], title="A")
    b = make_case(store, title="B")
    key = reminders.add_user_reminder(store, case_id=b, due=ago(-2), reason="Call back on Wednesday")
    c = make_case(store, events=[to_company(30)], title="C")
    items = reminders.due_items(store)
    assert [(i.case_id, i.kind) for i in items] == [(c, "silence"), (a, "silence"), (b, "user")]
    assert items[2].key == key and items[2].reason == "Call back on Wednesday" and not items[2].overdue


@pytest.mark.parametrize(("due", "reason", "where"), [
    ("next week", "Call", "due"), (None, "Call", "due"), ("2026-12-01", "  ", "reason")])
def test_a_bad_user_reminder_is_refused_and_nothing_is_stored(store: Store, due, reason, where) -> None:
    case_id = make_case(store)
    with pytest.raises(ValidationError) as err:
        reminders.add_user_reminder(store, case_id=case_id, due=due, reason=reason)
    assert err.value.path == where
    with store.read() as session:
        assert session.query(Reminder).count() == 0


def test_snooze_hides_until_the_day_then_it_returns(store: Store) -> None:
    case_id = make_case(store, events=[to_company(20)])
    [item] = reminders.due_items(store, case_id=case_id)
    reminders.snooze(store, case_id=case_id, key=item.key, until=ago(-3))
    assert reminders.due_items(store, case_id=case_id) == []
    [history] = reminders.due_items(store, case_id=case_id, include_history=True)
    assert (history.state, history.due, history.overdue) == ("snoozed", TODAY + timedelta(days=3), False)
    assert next_due(store, case_id) == TODAY + timedelta(days=3)
    clock.set_today(TODAY + timedelta(days=4))
    [back] = reminders.due_items(store, case_id=case_id)
    assert (back.state, back.due, back.overdue) == ("open", TODAY + timedelta(days=3), True)


def test_done_moves_to_history_and_a_new_message_starts_a_new_silence(store: Store) -> None:
    case_id = make_case(store, events=[to_company(20)])
    [item] = reminders.due_items(store, case_id=case_id)
    reminders.mark_done(store, case_id=case_id, key=item.key)
    assert reminders.due_items(store, case_id=case_id) == []
    assert next_due(store, case_id) is None
    cases.log_event(store, case_id=case_id, at=ago(1), kind="letter", direction="to_company", summary="Chaser")
    [new] = reminders.due_items(store, case_id=case_id)
    assert new.key != item.key and new.due == TODAY + timedelta(days=13)
    history = reminders.due_items(store, case_id=case_id, include_history=True)
    assert [(i.key, i.state) for i in history] == [(new.key, "open"), (item.key, "done")]
    assert next_due(store, case_id) == TODAY + timedelta(days=13)


def test_dismiss_and_reopen(store: Store) -> None:
    case_id = make_case(store)
    key = reminders.add_user_reminder(store, case_id=case_id, due=ago(1), reason="Post the letter")
    reminders.dismiss(store, case_id=case_id, key=key)
    assert reminders.due_items(store) == []
    assert [i.state for i in reminders.due_items(store, include_history=True)] == ["dismissed"]
    reminders.reopen(store, case_id=case_id, key=key)
    assert [i.state for i in reminders.due_items(store)] == ["open"]


def test_wrong_choices_are_refused(store: Store) -> None:
    case_id = make_case(store, events=[to_company(20)])
    [item] = reminders.due_items(store, case_id=case_id)
    with pytest.raises(ValidationError, match="after today"):
        reminders.snooze(store, case_id=case_id, key=item.key, until=TODAY.isoformat())
    with pytest.raises(NotFoundError, match="no reminder 'silence:1999-01-01'"):
        reminders.mark_done(store, case_id=case_id, key="silence:1999-01-01")
    with store.read() as session:
        assert session.query(Reminder).count() == 0


# -- Case.next_due and the Needs attention view ---------------------------------------------------
def test_next_due_follows_every_write_and_feeds_needs_attention(store: Store) -> None:
    case_id = make_case(store)
    assert next_due(store, case_id) is None
    assert queries.count_cases(store, view="attention") == 0
    event_id = cases.log_event(store, case_id=case_id, at=ago(20), kind="email", direction="to_company",
                               summary="Complaint")
    assert next_due(store, case_id) == TODAY - timedelta(days=6)
    assert [r.id for r in queries.list_cases(store, view="attention")] == [case_id]
    cases.log_event(store, case_id=case_id, at=ago(1), kind="call", direction="from_company", summary="Answer")
    assert next_due(store, case_id) is None
    cases.update_case(store, case_id=case_id, silence_days=60)
    cases.delete_event(store, event_id=event_id)
    assert next_due(store, case_id) is None


def test_a_failed_write_leaves_next_due_as_it_was(store: Store) -> None:
    case_id = make_case(store, events=[to_company(20)])
    before = next_due(store, case_id)
    with pytest.raises(ValidationError), store.write() as session:
        cases.log_event(session, case_id=case_id, at=ago(1), kind="call", direction="from_company", summary="x")
        cases.log_event(session, case_id=case_id, at="yesterday", kind="call", summary="bad")
    assert next_due(store, case_id) == before


def test_refresh_all_recomputes_every_case(store: Store) -> None:
    ids = [make_case(store, events=[to_company(d)]) for d in (20, 5)]
    with store.write() as session:
        session.execute(Case.__table__.update().values(next_due=None))
    with store.write() as session:
        reminders.refresh_next_due(session)
    assert [next_due(store, i) for i in ids] == [TODAY - timedelta(days=6), TODAY + timedelta(days=9)]


# -- the all-cases list is kept between calls and follows every change ----------------------------
def test_the_all_cases_list_follows_writes_bulk_statements_and_the_date(store: Store) -> None:
    from sqlalchemy import insert

    from core.domain.models import Event

    a = make_case(store, events=[to_company(20)], title="A")
    b = make_case(store, title="B")
    assert [(i.case_id, i.kind) for i in reminders.due_items(store)] == [(a, "silence")]
    cases.log_event(store, case_id=b, at=ago(30), kind="email", direction="to_company", summary="Complaint")
    assert [(i.case_id, i.kind) for i in reminders.due_items(store)] == [(b, "silence"), (a, "silence")]
    cases.change_status(store, case_id=b, status="closed")
    assert [i.case_id for i in reminders.due_items(store)] == [a]
    with store.write() as session:
        now = clock.now()
        session.execute(insert(Event), [{
            "case_id": a, "at": ago(1), "sort_key": f"{ago(1)}T00:00:00", "kind": "call",
            "direction": "from_company", "summary": "They called back", "details": "", "reference": "",
            "created_at": now, "updated_at": now}])
    assert reminders.due_items(store) == []
    key = reminders.add_user_reminder(store, case_id=a, due=ago(-2), reason="Check the account")
    [mine] = reminders.due_items(store)
    assert (mine.key, mine.overdue) == (key, False)
    clock.set_today(TODAY + timedelta(days=3))
    [later] = reminders.due_items(store)
    assert later.overdue


# -- properties -----------------------------------------------------------------------------------
EVENT = st.tuples(
    st.integers(min_value=0, max_value=200),
    st.sampled_from(["email", "call", "letter", "response", "payment", "delivery", "note"]),
    st.sampled_from(["to_company", "from_company", "internal"]),
    st.one_of(st.none(), st.integers(min_value=-30, max_value=150)),
    # What the user said the event meant, if anything (money meanings with an amount).
    st.one_of(st.none(), st.sampled_from([m.value for m in EventMeaning])),
)
CASE = st.fixed_dictionaries({
    "category": st.sampled_from(["refund", "faulty_goods", "billing_error", "cancellation", "warranty"]),
    "jurisdiction": st.sampled_from(["", "GB", "US", "FR", "CA", "AU"]),
    "payment_method": st.sampled_from([None, "credit_card", "debit_card", "paypal"]),
    "payment_date": st.one_of(st.none(), st.integers(min_value=0, max_value=400).map(ago)),
})


def _events(raw: list[tuple[int, str, str, int | None, str | None]]) -> list[dict]:
    return [{"at": ago(days), "kind": kind, "direction": direction, "summary": f"{kind} {days}",
             "promised_by": None if promised is None else ago(days - promised), "meaning": meaning,
             "amount": "20" if meaning in ("charge", "refund", "invoice", "partial_offer") else None}
            for days, kind, direction, promised, meaning in raw]


def _comparable(items: list[reminders.DueItem]) -> list[tuple]:
    # Event ids differ between cases; everything else must match exactly.
    return sorted((i.kind, i.due, i.overdue, i.reason, i.rule_id) for i in items)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=CASE, raw=st.lists(EVENT, max_size=8), seed=st.randoms(use_true_random=False))
def test_row_order_does_not_change_the_results(store: Store, facts: dict, raw: list, seed: random.Random) -> None:
    events = _events(raw)
    shuffled = list(events)
    seed.shuffle(shuffled)
    a = make_case(store, events=events, **facts)
    b = make_case(store, events=shuffled, **facts)
    assert _comparable(reminders.due_items(store, case_id=a)) == _comparable(reminders.due_items(store, case_id=b))
    # The all-cases list (kept between calls, patched after each commit) agrees with a fresh one.
    every = reminders.due_items(store)
    assert [i for i in every if i.case_id == a] == reminders.due_items(store, case_id=a)
    step_a, step_b = reminders.next_step(store, case_id=a), reminders.next_step(store, case_id=b)
    assert (step_a.step, step_a.due, step_a.reason) == (step_b.step, step_b.due, step_b.reason)
    assert next_due(store, a) == next_due(store, b)
    # The banner and the list agree: a step that is a reminder is the case's date.
    if step_a.reminds:
        assert next_due(store, a) == step_a.due
        [item] = [i for i in every if i.case_id == a and i.step]
        assert (item.due, item.reason) == (step_a.due, step_a.reason)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts=CASE, raw=st.lists(EVENT, max_size=8), when=st.integers(min_value=0, max_value=200))
def test_an_internal_note_never_moves_a_deadline_earlier(store: Store, facts: dict, raw: list, when: int) -> None:
    events = _events(raw)
    plain = make_case(store, events=events, **facts)
    noted = make_case(store, events=[*events, note(when, summary="Looked for the receipt")], **facts)
    before = _comparable(reminders.due_items(store, case_id=plain))
    after = _comparable(reminders.due_items(store, case_id=noted))
    assert sorted(i[1] for i in after) >= sorted(i[1] for i in before)
    assert after == before
    due_before, due_after = next_due(store, plain), next_due(store, noted)
    assert due_before == due_after


# -- the rules read per case, the quick way and the plain way ------------------------------------
def _plain_evaluation(facts: rules.CaseFacts) -> list[tuple[str, bool, list[str], date | None]]:
    """Every rule of the case's packs looked at on its own: conditions checked in full, its
    start the latest of the facts it counts from (what the due list's shortcuts must equal)."""
    out = []
    for pack in rules.packs_for(facts.jurisdiction):
        for rule in pack.rules:
            days = [facts.anchor(name) for name in rule.starts]
            start = max((d for d in days if d is not None), default=None)
            static_ok, _ = rules._check_static(rule.when, facts)
            if not static_ok:
                continue  # ruled out by the case's fields: the quick way leaves it out too
            ok, missing = rules._check(rule.when, facts, start)
            out.append((rule.id, ok, missing if ok else [], start))
    return out


@pytest.mark.parametrize("days_on", [-400, -30, 0, 45, 365, 900])
def test_every_example_case_reads_its_rules_as_a_plain_look_at_each_rule_would(
        store: Store, days_on: int) -> None:
    # The due list reads every open case: it works out the rules a case's fields rule out
    # once per combination and counts each rule's start in a plain loop. On every example
    # case, on days before, at and after their stories, that must give what looking at each
    # rule on its own gives: the same clocks, the same missing facts, the same reminders.
    demo.load_examples(store)
    # Two cases whose chargeback counts from the later of two facts (paid, then due).
    for paid, expected in ((120, 80), (80, 120)):
        make_case(store, category="non_delivery", jurisdiction="GB-ENG", currency="GBP",
                  payment_method="credit_card", payment_date=ago(paid), expected_by=ago(expected),
                  events=[to_company(30)])
    day = TODAY + timedelta(days=days_on)
    clock.set_today(day)
    with store.read() as session:
        ids = sorted(session.scalars(select(Case.id)))
        assert len(ids) > 5
        for case_id in ids:
            facts = reminders.case_facts_for(session, case_id, as_of=day)
            quick = [(rule.id, ok, lacking, start) for rule, ok, lacking, start in rules._evaluate(facts)]
            assert quick == _plain_evaluation(facts), case_id
    # And the all-cases list is the one-case lists put together.
    together = sorted((item for case_id in ids for item in reminders.due_items(store, case_id=case_id)),
                      key=lambda i: (not i.overdue, i.due, i.case_id, i.key))
    assert reminders.due_items(store) == together
