"""The due list read from the facts kept per case (table case_facts) says exactly what it
says when every case's events are read again: on the example cases and a random store, after
edits, deletions, letters and writes that bypass Docket, at several dates."""

from __future__ import annotations

import random
import sqlite3
from datetime import timedelta
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from core.domain import clock
from core.domain.models import Event, Letter
from core.escalation import reminders
from core.exchange import demo
from core.journal import cases
from core.journal.opening import open_store
from core.store.migrations import alembic_config
from core.store.store import DB_NAME, Store
from tests.ladder_helpers import TODAY, make_case

KINDS = ["email", "call", "letter", "response", "payment", "delivery", "note", "promise", "chat"]
DIRECTIONS = ["to_company", "from_company", "internal"]
MEANINGS = [None, None, "complaint", "reply", "refund", "charge", "promise", "refusal", "final_response",
            "acknowledgement", "formal_complaint", "cancellation", "partial_offer", "purchase", "problem"]


def random_cases(store: Store, rng: random.Random, count: int) -> list[int]:
    made = []
    for n in range(count):
        events = []
        for _ in range(rng.randint(0, 9)):
            days = rng.randint(0, 300)
            meaning = rng.choice(MEANINGS)
            events.append({
                "at": (TODAY - timedelta(days=days)).isoformat(), "kind": rng.choice(KINDS),
                "direction": rng.choice(DIRECTIONS), "summary": f"event {days}", "meaning": meaning,
                "amount": "25" if meaning in ("charge", "refund", "partial_offer") else None,
                "promised_by": (TODAY - timedelta(days=days - rng.randint(1, 60))).isoformat()
                if rng.random() < 0.2 else None,
            })
        letters = [{"template_id": rng.choice(["first_complaint", "chaser", "final_notice"]),
                    "sent_on": (TODAY - timedelta(days=rng.randint(0, 120))).isoformat()}
                   for _ in range(rng.randint(0, 2))]
        made.append(make_case(
            store, events=events, letters=letters, title=f"Case {n}", company=f"Shop {n % 4}",
            category=rng.choice(["refund", "faulty_goods", "billing_error", "cancellation", "non_delivery"]),
            jurisdiction=rng.choice(["", "GB", "US", "FR", "DE", "CA", "AU"]),
            payment_method=rng.choice([None, "credit_card", "debit_card", "paypal"]),
            amount=rng.choice([None, "49.99", "350.00"]),
        ))
    return made


def first_list(store: Store) -> list[reminders.DueItem]:
    """The due list as a freshly started Docket makes it (nothing kept in memory yet)."""
    reaction = store.reactions.find(reminders.NextDue)
    assert reaction is not None
    reaction.cache = reminders._Cache()
    return reminders.due_items(store, include_history=True)


def from_scratch(store: Store) -> list[reminders.DueItem]:
    """The same list worked out from every case's events."""
    with store.read() as session:
        return reminders.compute(session, include_history=True)


def kept_rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as raw:
        return raw.execute("SELECT * FROM case_facts ORDER BY case_id").fetchall()


def fresh_rows(store: Store) -> list[tuple]:
    """What the kept rows would be if every case's facts were written now (rolled back)."""
    with store.writer.connect() as conn:
        trans = conn.begin()
        try:
            reminders.keep_facts(conn)
            return [tuple(r) for r in conn.exec_driver_sql("SELECT * FROM case_facts ORDER BY case_id")]
        finally:
            trans.rollback()


def test_the_kept_facts_give_the_same_due_list_as_the_events_on_every_day(store: Store) -> None:
    clock.set_today(TODAY)
    demo.load_examples(store)
    made = random_cases(store, random.Random(7), 40)
    # Edits after the fact: an event moved and re-read, one deleted, a case closed and one reopened.
    with store.write() as session:
        first = session.query(Event).filter(Event.case_id == made[0]).first()
        if first is not None:
            first.meaning = "refusal"
        gone = session.query(Event).filter(Event.case_id == made[1]).first()
        if gone is not None:
            session.delete(gone)
        session.query(Letter).filter(Letter.case_id == made[2]).delete()
    cases.update_case(store, case_id=made[3], status="resolved")
    cases.update_case(store, case_id=made[4], status="resolved")
    cases.update_case(store, case_id=made[4], status="open")

    # Every case has its row, and each row is what reading its events gives now.
    rows = kept_rows(store.db_path)
    assert len(rows) == len(made) + len(demo_ids(store))
    assert rows == fresh_rows(store)
    for day in [TODAY, TODAY + timedelta(days=1), TODAY + timedelta(days=17), TODAY + timedelta(days=95),
                TODAY - timedelta(days=40)]:
        clock.set_today(day)
        kept = first_list(store)
        assert kept, "something is due on the example cases"
        assert kept == from_scratch(store), day


def demo_ids(store: Store) -> list[int]:
    with sqlite3.connect(store.db_path) as raw:
        return [r[0] for r in raw.execute("SELECT id FROM cases WHERE title NOT LIKE 'Case %'")]


def test_a_write_that_bypasses_docket_drops_the_case_row_and_the_list_reads_its_events(store: Store) -> None:
    clock.set_today(TODAY)
    quiet = make_case(store, events=[{"at": (TODAY - timedelta(days=60)).isoformat(), "kind": "email",
                                      "direction": "from_company", "summary": "We are looking into it"}])
    assert reminders.due_items(store, case_id=quiet) == []
    assert len(kept_rows(store.db_path)) == 1
    # Another program writes an email to the company, forty days ago and unanswered.
    with sqlite3.connect(store.db_path) as raw:
        raw.execute("INSERT INTO events (case_id, at, sort_key, kind, direction, summary, details, reference,"
                    " created_at, updated_at) VALUES (?, ?, ?, 'email', 'to_company', 'Where is my refund?', '',"
                    " '', '2026-11-01 10:00:00', '2026-11-01 10:00:00')",
                    (quiet, (TODAY - timedelta(days=40)).isoformat(), f"{TODAY - timedelta(days=40)} 09:00:00"))
    assert kept_rows(store.db_path) == []
    [item] = first_list(store)
    assert (item.case_id, item.kind, item.overdue) == (quiet, "silence", True)
    assert first_list(store) == from_scratch(store)
    # The next write through Docket keeps that case's facts again.
    cases.update_case(store, case_id=quiet, notes="Chased by phone")
    assert kept_rows(store.db_path) == fresh_rows(store) != []


def test_an_older_store_gets_its_facts_kept_when_upgraded(data_dir: Path) -> None:
    clock.set_today(TODAY)
    with open_store(data_dir) as store:
        demo.load_examples(store)
        expected = first_list(store)
        rows = kept_rows(store.db_path)
    # Back to the revision before the kept facts, as an older Docket left the store.
    cfg, ctx = alembic_config()
    engine = create_engine(f"sqlite:///{data_dir / DB_NAME}")
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0007")
    finally:
        engine.dispose()
        ctx.__exit__(None, None, None)
    with sqlite3.connect(data_dir / DB_NAME) as raw:
        assert not raw.execute("SELECT name FROM sqlite_master WHERE name = 'case_facts'").fetchall()
    with open_store(data_dir) as store:
        assert kept_rows(store.db_path) == rows != []
        assert first_list(store) == expected


def test_deleting_a_case_drops_its_kept_facts(store: Store) -> None:
    clock.set_today(TODAY)
    case_id = make_case(store, events=[{"at": (TODAY - timedelta(days=30)).isoformat(), "kind": "email",
                                        "direction": "to_company", "summary": "Complaint"}])
    assert [r[0] for r in kept_rows(store.db_path)] == [case_id]
    cases.delete_case(store, case_id=case_id)
    assert kept_rows(store.db_path) == []
