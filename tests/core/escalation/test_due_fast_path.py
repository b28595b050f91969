"""The due list's quick paths say exactly what the straightforward computation says.

The list of every case reads the rules without the missing facts and the clocks' long
sentences (it shows neither), and the list asked again with nothing changed is handed back
as it was. Both are compared here with the list worked out afresh from every case's events
(``reminders.compute``) and with the full next step, on the example cases and a random
store, at several dates, before and after the user's choices and new events."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from core.domain import clock
from core.domain.models import Case
from core.escalation import ladder, reminders
from core.exchange import demo
from core.journal import cases
from core.store.store import Store
from tests.core.escalation.test_kept_facts import first_list, from_scratch, random_cases
from tests.ladder_helpers import TODAY, ago

DAYS = [TODAY, TODAY + timedelta(days=1), TODAY + timedelta(days=17), TODAY + timedelta(days=95),
        TODAY - timedelta(days=40), TODAY + timedelta(days=400)]


def every_case_facts(store: Store) -> dict[int, ladder.CaseFacts]:
    with store.read() as session:
        return reminders.gather_facts(session, include_closed=True)


def test_the_lean_reading_gives_the_same_clocks_steps_and_reminders_as_the_full_one(store: Store) -> None:
    clock.set_today(TODAY)
    demo.load_examples(store)
    random_cases(store, random.Random(11), 60)
    facts = every_case_facts(store)
    seen_clocks = seen_steps = 0
    for day in DAYS:
        for f in facts.values():
            full_clocks, missing = ladder.reading(f, day)
            lean_clocks, none = ladder.reading(f, day, lean=True)
            # Only the long sentences and the missing facts are left out.
            assert lean_clocks == [replace(c, sentence="") for c in full_clocks], (f.case_id, day)
            assert none == ()
            full = ladder.next_step_for(f, day)
            lean = ladder.next_step_for(f, day, ladder.steps_reached(f), lean_clocks, none)
            assert (lean.step, lean.reason, lean.due, lean.key, lean.kind, lean.rule_id, lean.template_id,
                    lean.notes, lean.routes, lean.urgency, lean.promise) == \
                   (full.step, full.reason, full.due, full.key, full.kind, full.rule_id, full.template_id,
                    full.notes, full.routes, full.urgency, full.promise), (f.case_id, day)
            # The reminders made with the lean reading are those made with the full next step.
            assert reminders.computed_items(f, day) == reminders.computed_items(f, day, full), (f.case_id, day)
            seen_clocks += len(full_clocks)
            seen_steps += full.reminds
    # The comparison is not empty: clocks run and steps remind on these cases.
    assert seen_clocks > 100 and seen_steps > 100


def test_the_list_asked_again_is_the_list_made_afresh_after_every_change(store: Store) -> None:
    clock.set_today(TODAY)
    demo.load_examples(store)
    made = random_cases(store, random.Random(5), 50)
    listed = first_list(store)
    assert listed == from_scratch(store) and listed
    # The caller may sort or empty what it got: the next answer is whole.
    got = reminders.due_items(store, include_history=True)
    got.clear()
    assert reminders.due_items(store, include_history=True) == listed
    open_only = [i for i in listed if i.state == "open"]
    assert reminders.due_items(store) == open_only

    first, second, third = listed[0], listed[1], listed[2]
    changes = [
        lambda: reminders.snooze(store, case_id=first.case_id, key=first.key, until=ago(-5)),
        lambda: reminders.dismiss(store, case_id=second.case_id, key=second.key),
        lambda: reminders.mark_done(store, case_id=third.case_id, key=third.key),
        lambda: reminders.add_user_reminder(store, case_id=made[0], due=ago(2), reason="Call them back"),
        lambda: cases.log_event(store, case_id=made[1], at=ago(3), kind="email", direction="to_company",
                                summary="Where is my refund?"),
        lambda: cases.update_case(store, case_id=made[2], status="resolved"),
        lambda: reminders.reopen(store, case_id=second.case_id, key=second.key),
    ]
    for change in changes:
        before = reminders.due_items(store, include_history=True)
        change()
        again = reminders.due_items(store, include_history=True)
        assert again == from_scratch(store)
        assert again != before
        assert reminders.due_items(store) == [i for i in again if i.state == "open"]
        # Asked once more with nothing changed: the same answer.
        assert reminders.due_items(store, include_history=True) == again
    # One commit that changes every case but one (the usual time to answer, shortened): the
    # touched part of the list is large, made again in one piece and merged with the rest.
    before = reminders.due_items(store, include_history=True)
    spared = before[len(before) // 2].case_id
    assert len([i for i in before if i.case_id != spared]) > 64
    with store.write() as session:
        for case in session.query(Case).filter(Case.id != spared):
            case.silence_days = 7
    again = reminders.due_items(store, include_history=True)
    assert again == from_scratch(store) != before
    assert reminders.due_items(store) == [i for i in again if i.state == "open"]
    # A new day: the kept list is not handed back (days are counted, snoozes wake up).
    clock.set_today(TODAY + timedelta(days=6))
    woken = reminders.due_items(store, include_history=True)
    assert woken == from_scratch(store)
    assert any(i.key == first.key and i.case_id == first.case_id and i.state == "open" for i in woken)
