"""The case list pages by the last row seen: every order gives each case once, in the order a
person expects (empty values last), and every order is read from an index."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core.domain.errors import ValidationError
from core.journal import case_list, cases, queries
from core.journal.queries import CaseRow, ListPosition
from core.store.store import DB_NAME, Store

COMPANIES = ["acme", "Acme Bank", "bluth", "Globex", "globex energy", None]
TITLES = ["Refund", "refund owed", "Boiler", "boiler never fixed", "Zebra tickets", "apple watch"]


@pytest.fixture
def journal(store: Store) -> Store:
    """37 cases with repeated titles and amounts, some without company, amount or activity."""
    statuses = ["open", "awaiting_reply", "escalated", "resolved", "closed"]
    with store.write() as session:
        for i in range(37):
            case_id = cases.open_case(
                session, title=TITLES[i % len(TITLES)], company=COMPANIES[i % len(COMPANIES)],
                status=statuses[i % len(statuses)], opened_on=date(2025, 1 + i % 12, 1 + i % 3),
                amount=None if i % 4 == 0 else f"{(i * 7) % 20}.{i % 2}0", currency="GBP",
            )
            if i % 5:
                cases.log_event(session, case_id=case_id, at=f"2025-{1 + i % 9:02d}-0{1 + i % 4}T10:00:00+00:00",
                                kind="email", direction="to_company", summary="Asked for the refund")
    with sqlite3.connect(store.data_dir / DB_NAME) as raw:  # as the reminders keep it
        raw.execute("UPDATE cases SET next_due = date('2025-03-01', '+' || (id % 6) || ' days') WHERE id % 3 > 0")
    return store


def expected_order(rows: list[CaseRow], sort: str, descending: bool) -> list[int]:
    key: Callable[[CaseRow], Any] = {
        "title": lambda r: r.title.lower(),
        "company": lambda r: r.company.lower() if r.company_id is not None else None,
        "status": lambda r: r.status,
        "last_activity": lambda r: r.last_activity,
        "next_due": lambda r: r.next_due,
        "amount": lambda r: None if r.amount is None else float(r.amount),
        "opened_on": lambda r: r.opened_on,
        "id": lambda r: r.id,
    }[sort]
    valued = sorted((r for r in rows if key(r) is not None),
                    key=lambda r: (key(r), r.company_id or 0, r.id) if sort == "company" else (key(r), r.id),
                    reverse=descending)
    empty = sorted((r for r in rows if key(r) is None), key=lambda r: r.id, reverse=descending)
    return [r.id for r in valued + empty]


def walk(store: Store, page_size: int, **how: Any) -> list[int]:
    ids: list[int] = []
    after: ListPosition | None = None
    while True:
        page = queries.case_page(store, limit=page_size, after=after, **how)
        ids += [r.id for r in page.rows]
        if page.complete:
            return ids
        after = page.end


@pytest.mark.parametrize("sort", queries.SORTS)
@pytest.mark.parametrize("descending", [False, True])
def test_scrolling_page_by_page_shows_every_case_once_in_the_chosen_order(
        journal: Store, sort: str, descending: bool) -> None:
    everything = queries.case_page(journal, sort="id", limit=1000).rows
    assert len(everything) == 37

    ids = walk(journal, 5, sort=sort, descending=descending)

    assert ids == expected_order(everything, sort, descending)


def test_a_view_and_a_page_size_that_ends_exactly_on_the_last_case(journal: Store) -> None:
    closed = [r for r in queries.case_page(journal, sort="id", limit=1000).rows if r.status in ("resolved", "closed")]
    assert len(closed) == 14

    ids = walk(journal, 7, view="closed", sort="amount")

    assert ids == expected_order(closed, "amount", True)


def test_cases_added_while_scrolling_neither_repeat_nor_hide_the_rest(journal: Store) -> None:
    first = queries.case_page(journal, sort="title", descending=False, limit=10)
    cases.open_case(journal, title="Aardvark insurance", company="Acme")  # sorts before the page's end

    rest = queries.case_page(journal, sort="title", descending=False, limit=100, after=first.end)

    shown = [r.id for r in first.rows + rest.rows]
    assert len(shown) == len(set(shown)) == 37
    assert [r.title.lower() for r in rest.rows] == sorted(r.title.lower() for r in rest.rows)


def test_the_old_offset_call_still_gives_the_same_rows(journal: Store) -> None:
    whole = queries.list_cases(journal, sort="next_due", limit=100)

    assert queries.list_cases(journal, sort="next_due", limit=10, offset=20) == whole[20:30]


def test_an_unknown_order_or_view_names_the_field(journal: Store) -> None:
    with pytest.raises(ValidationError) as caught:
        queries.case_page(journal, sort="colour")
    assert caught.value.path == "sort"
    with pytest.raises(ValidationError) as caught:
        queries.case_page(journal, view="archived")
    assert caught.value.path == "view"


def test_the_first_page_and_the_counts_need_only_sqlite3(journal: Store) -> None:
    """What a window can show before SQLAlchemy is loaded: the same rows and counts."""
    with sqlite3.connect(f"file:{journal.data_dir / DB_NAME}?mode=ro", uri=True) as raw:
        def run(sql: str, params: Any) -> list[Any]:
            return raw.execute(sql, params).fetchall()

        first = case_list.page_on(run, limit=10)
        counts = case_list.view_counts_on(run)

    assert first == queries.case_page(journal, limit=10)
    assert counts == queries.view_counts(journal)
    assert counts["all"] == 37 and counts["closed"] == 14 and counts["companies"] == 5


def _plans(db: Path, views: tuple[str, ...]) -> list[tuple[str, str, bool, bool, bool, str]]:
    positions = [None, ListPosition(False, "m", 3, 5), ListPosition(True, None, None, 5)]
    found = []
    with sqlite3.connect(db) as raw:
        for view in views:
            for sort in queries.SORTS:
                for descending in (False, True):
                    for after in positions:
                        runs = [False, True] if case_list._SORT_KEYS[sort][1] else [False]
                        for empty in runs:
                            sql, params = queries.case_list_sql(sort, descending, view=view, after=after, empty=empty)
                            plan = " | ".join(row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + sql, (*params, 200)))
                            found.append((view, sort, descending, after is not None, empty, plan))
    return found


def test_every_order_of_the_list_is_read_from_an_index_without_sorting(journal: Store) -> None:
    plans = _plans(journal.data_dir / DB_NAME, ("all", "open", "awaiting_reply", "escalated", "closed"))

    assert len(plans) > 100
    sorted_in_memory = [p for p in plans if "TEMP B-TREE" in p[-1]]
    assert sorted_in_memory == []
    # A later page seeks into the index at its position rather than reading from the start.
    read_from_start = [p for p in plans if p[0] == "all" and p[3] and p[-1].startswith("SCAN ")]
    assert read_from_start == []


def test_the_lists_search_reads_the_evidence_text_as_the_search_does() -> None:
    from core.journal import evidence_text

    sql, params = queries.case_list_sql("title", False, search="refund")

    assert evidence_text.CASE_IDS_SQL.replace(":q", "?") in sql
    # One parameter per source: the case, its events, its contacts, its company, its evidence text.
    assert params == ['"refund"*'] * 5


def _counted(db: Path) -> dict[str, int]:
    """The sidebar's numbers counted from every row, the slow way."""
    with sqlite3.connect(db) as raw:
        by_status = dict(raw.execute("SELECT status, count(*) FROM cases GROUP BY status").fetchall())
        companies = raw.execute("SELECT count(*) FROM companies").fetchone()[0]
    return {"all": sum(by_status.values()), "open": by_status.get("open", 0),
            "awaiting_reply": by_status.get("awaiting_reply", 0), "escalated": by_status.get("escalated", 0),
            "closed": by_status.get("resolved", 0) + by_status.get("closed", 0), "companies": companies}


def test_the_sidebar_counts_kept_by_the_store_follow_every_change(journal: Store) -> None:
    """The counts come from a few kept rows, not from counting every case; they follow new
    cases, changes of status, deletions and rows written by another program."""
    db = journal.data_dir / DB_NAME
    shown = {k: v for k, v in queries.view_counts(journal).items() if k != "attention"}
    assert shown == _counted(db)
    new = cases.open_case(journal, title="Parcel lost", company="A brand new courier")
    cases.update_case(journal, case_id=new, status="escalated")
    cases.update_case(journal, case_id=1, status="closed")
    cases.delete_case(journal, case_id=2)
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE cases SET status = 'resolved' WHERE id = 3")
        raw.execute("INSERT INTO companies (name, address, email, phone, website, account_numbers, notes, created_at)"
                    " VALUES ('Typed elsewhere', '', '', '', '', '[]', '', '2026-11-01 10:00:00')")
    counts = queries.view_counts(journal)
    assert {k: v for k, v in counts.items() if k != "attention"} == _counted(db)
    assert counts["companies"] == shown["companies"] + 2
    assert counts["all"] == shown["all"]
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as raw:
        plan = " ".join(str(r) for r in raw.execute("EXPLAIN QUERY PLAN SELECT count(*) FROM cases WHERE status IN "
                                                    "('open', 'awaiting_reply', 'escalated') AND next_due <= '2026-12-01'"))
    assert "COVERING INDEX ix_cases_status_next_due" in plan
