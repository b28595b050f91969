"""A write and what it sets off: reactions belong to one store, run in its transaction, and a
store opened without a reaction still answers correctly."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from core.domain import clock
from core.domain.errors import StoreError, ValidationError
from core.domain.models import Case
from core.escalation import reminders
from core.journal import cases
from core.journal.opening import open_store
from core.store.store import Store
from core.store.unit_of_work import Reaction, UnitOfWork, unit_of
from tests.ladder_helpers import TODAY, make_case, to_company


@pytest.fixture(autouse=True)
def _today() -> None:
    clock.set_today(TODAY)


class Counting(Reaction):
    def __init__(self) -> None:
        self.commits = 0
        self.rollbacks = 0

    def after_commit(self, unit: UnitOfWork) -> None:
        self.commits += 1

    def after_rollback(self, unit: UnitOfWork) -> None:
        self.rollbacks += 1


def test_a_reaction_hears_its_own_store_only(store: Store, tmp_path: Path) -> None:
    mine = store.reactions.add(Counting())
    with open_store(tmp_path / "other") as other:
        theirs = other.reactions.add(Counting())
        cases.open_case(store, title="Parcel lost", company="Parcels Ltd")
        with pytest.raises(ValidationError):
            cases.open_case(store, title="", company="Parcels Ltd")
        cases.open_case(store, title="Refund refused", company="Shop Ltd")
    assert (mine.commits, theirs.commits, theirs.rollbacks) == (2, 0, 0)


def test_a_failed_write_rolls_back_with_its_reactions_told(store: Store) -> None:
    mine = store.reactions.add(Counting())
    case_id = cases.open_case(store, title="Parcel lost", company="Parcels Ltd")
    with pytest.raises(ValidationError), store.write() as session:
        cases.log_event(session, case_id=case_id, at="2026-11-20", kind="call", summary="Called")
        cases.log_event(session, case_id=case_id, at="2026-11-20", kind="pigeon", summary="Sent a bird")
    assert (mine.commits, mine.rollbacks) == (1, 1)


def test_reading_sessions_have_no_unit_of_work(store: Store) -> None:
    with store.read() as session, pytest.raises(StoreError):
        unit_of(session)


def test_next_due_follows_a_write_in_the_same_transaction(store: Store) -> None:
    case_id = make_case(store, events=[to_company(20)])
    with store.read() as session:
        assert session.get(Case, case_id).next_due == TODAY - timedelta(days=6)


def test_a_store_opened_without_the_next_due_reaction_still_lists_what_is_due(tmp_path: Path) -> None:
    with Store.open(tmp_path / "plain") as plain:
        assert plain.reactions.find(reminders.NextDue) is None
        case_id = make_case(plain, events=[to_company(20)])
        assert [i.kind for i in reminders.due_items(plain)] == ["silence"]
        cases.log_event(plain, case_id=case_id, at="2026-11-22", kind="email", summary="They replied",
                        direction="from_company")
        # Nothing tells a kept list about that write, so none is kept: the reply counts at once.
        assert reminders.due_items(plain) == []
