"""The case list narrowed by a search shows the same cases in the same order whichever way it
is answered: by walking the list and checking each case (a search matching most of the store,
"re" as the first keystrokes of "refund"), or from the set of every matching case."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core.journal import case_list, cases, queries
from core.journal.case_list import ListPosition
from core.store.store import DB_NAME, Store

WORDS = ["refund", "refunded", "refusal", "record", "recorded", "reply", "washing", "machine", "engineer",
         "supervisor", "Dubois", "Lefèvre", "Straße", "letter", "m", "rebate", "renewal", "réclamation"]
QUERIES = ["re", "ref", "refu", "refund", "refunde", "rec", "record", "recorded l", "washing m", "washing ma",
           "su", "Dubois", "dub", "lefe", "lefèv", "strasse", "straße", "m", "en", "eng", "ré", "recl", "xyz",
           "Refund Supervisor", "re re", "wash mach eng", "rebate", "renew", '"re"', "re*", "le OR su"]
SORTS = ["last_activity", "title", "company", "next_due", "amount", "id"]
VIEWS = ["all", "open", "closed", "attention"]


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


@pytest.fixture(scope="module")
def journal(tmp_path_factory: pytest.TempPathFactory, _empty_store_file: Path) -> Iterator[Store]:
    """90 cases whose text, events, contacts, companies and evidence files are drawn from a few
    words, so that a short prefix matches most cases and a longer one few."""
    from core.journal.opening import open_store

    data_dir = tmp_path_factory.mktemp("journal")
    (data_dir / DB_NAME).write_bytes(_empty_store_file.read_bytes())
    rng = random.Random(22)
    files = tmp_path_factory.mktemp("files")
    with open_store(data_dir) as store:
        with store.write() as session:
            for i in range(90):
                company = None if i % 11 == 0 else f"{rng.choice(['Acme', 'Globex', 'Initech'])} {_text(rng, 1)} {i % 7}"
                case_id = cases.open_case(
                    session, title=_text(rng, 2) if rng.random() < 0.5 else f"case {i}", company=company,
                    status=["open", "awaiting_reply", "resolved", "closed"][i % 4],
                    amount=None if i % 5 == 0 else f"{rng.randint(1, 900)}.00", currency="GBP",
                    opened_on=date(2025, 1 + i % 12, 1 + i % 27),
                )
                for e in range(rng.choice([0, 1, 3, 8])):
                    cases.log_event(session, case_id=case_id, at=f"2025-{1 + (i + e) % 12:02d}-{1 + e:02d}T10:00:00+00:00",
                                    kind="email", direction="to_company", summary=_text(rng, rng.randint(1, 4)))
                if rng.random() < 0.3:
                    cases.add_contact(session, case_id=case_id, name=_text(rng, 2))
                if rng.random() < 0.2:
                    text = files / f"note-{i}.txt"
                    text.write_text(f"scanned letter {_text(rng, 5)}", encoding="utf-8")
                    cases.attach_evidence(session, case_id=case_id, path=text)
        with sqlite3.connect(data_dir / DB_NAME) as raw:  # as the reminders keep it
            raw.execute("UPDATE cases SET next_due = date('now', '+' || (id % 9) || ' days') WHERE id % 3 > 0")
        yield store


def _run(store: Store) -> Iterator[case_list.Run]:
    with store.read() as session:
        conn = session.connection()

        def run(sql: str, params: Any) -> list[Any]:
            result = conn.exec_driver_sql(sql, tuple(params))
            return list(result) if result.returns_rows else []

        yield run


def _whole_list(run: case_list.Run, page_size: int, *, from_set: bool = False, **how: Any) -> list[tuple[int, ...]]:
    """Every page of the list to the end: each page's case ids, where it ends and whether it
    says it is the last, read by page_on or, with ``from_set``, by the set of matching cases."""
    pages: list[tuple[int, ...]] = []
    after: ListPosition | None = None
    while True:
        if from_set:
            raw = case_list._rows(run, limit=page_size, after=after, **{"company_id": None, **how})
            page = case_list._page(raw, after, page_size)
        else:
            page = case_list.page_on(run, limit=page_size, after=after, **how)
        pages.append((*(r.id for r in page.rows), -1 if page.complete else 0))
        assert len(pages) < 200
        if page.complete:
            return pages
        after = page.end


WAYS = {
    "as chosen": {},
    "looked up row by row": {"_MATCHES_PER_CASE": 0, "_FEW_MATCHES": 0},
    "against the gathered matches": {"_MATCHES_PER_CASE": 10**6, "_FEW_MATCHES": 0},
    "looked up, giving up at once": {"_MATCHES_PER_CASE": 0, "_FEW_MATCHES": 0, "_MIN_SHARE": 10**6},
    "gathered, giving up at once": {"_MATCHES_PER_CASE": 10**6, "_FEW_MATCHES": 0, "_MIN_SHARE": 10**6},
}


@pytest.mark.parametrize("way", list(WAYS))
def test_every_search_lists_the_same_cases_in_the_same_order_whichever_way_it_is_answered(
        journal: Store, way: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in WAYS[way].items():
        monkeypatch.setattr(case_list, name, value)
    rng = random.Random(way)
    taken: list[str] = []
    for run in _run(journal):
        for text in QUERIES:
            sort, view = rng.choice(SORTS), rng.choice(VIEWS)
            descending, page_size = rng.random() < 0.5, rng.choice([1, 3, 7, 200])
            walk = case_list._Walk.chosen(run, text, company_id=None)
            taken.append("set" if walk is None else "gathered" if walk.gathered else "looked up")
            how = {"view": view, "search": text, "sort": sort, "descending": descending}
            expected = _whole_list(run, page_size, from_set=True, **how)
            assert _whole_list(run, page_size, **how) == expected, (text, how, page_size)
    # The way under test was taken for most searches (the others match nothing).
    if way == "as chosen":
        assert {"looked up", "gathered", "set"} <= set(taken)
    else:
        kind = "looked up" if way.startswith("looked") else "gathered"
        assert taken.count(kind) >= len(QUERIES) - 6


def test_a_companys_list_narrowed_by_a_search_is_walked_and_complete(journal: Store) -> None:
    for run in _run(journal):
        company = run("SELECT company_id FROM cases WHERE company_id IS NOT NULL GROUP BY company_id "
                      "ORDER BY count(*) DESC LIMIT 1", ())[0][0]
        for text in ["re", "refund", "xyz", "m", "let", "scanned le"]:
            walk = case_list._Walk.chosen(run, text, company_id=company)
            # Walked unless no row of the index has the words (then only evidence can match).
            assert (walk is None) == (text == "scanned le")
            assert walk is None or not walk.gathered
            how = {"view": "all", "search": text, "sort": "title", "descending": False}
            assert (_whole_list(run, 2, company_id=company, **how)
                    == _whole_list(run, 2, from_set=True, company_id=company, **how))


def test_typing_refund_narrows_the_list_to_the_cases_that_mention_it(journal: Store) -> None:
    everything = {r.id for r in queries.list_cases(journal, limit=1000)}
    seen = []
    for typed in ["re", "ref", "refu", "refun", "refund"]:
        shown = [r.id for r in queries.list_cases(journal, search=typed, limit=1000)]
        assert len(shown) == len(set(shown))
        seen.append(set(shown))
    assert seen[0] <= everything
    assert all(later <= earlier for earlier, later in zip(seen, seen[1:], strict=False))
    # Every case listed for "refund" has the word somewhere; one that has not is left out.
    for run in _run(journal):
        texts = run("SELECT c.id FROM cases c WHERE c.id NOT IN (" + case_list.MATCHING_CASES_SQL.format(q="?") + ")",
                    ('"refund"*',) * 5)
        assert {i for (i,) in texts}.isdisjoint(seen[-1])
    assert seen[-1] and seen[-1] != everything


def test_a_word_in_an_evidence_file_alone_finds_its_case_in_a_companys_list(journal: Store) -> None:
    with journal.read() as session:
        with_text = {(i, c) for i, c in session.connection().exec_driver_sql(
            "SELECT DISTINCT case_id, company_id FROM evidence JOIN evidence_text_pages USING (sha256) "
            "JOIN cases ON cases.id = evidence.case_id WHERE company_id IS NOT NULL")}
    assert with_text
    for case_id, company_id in with_text:
        shown = [r.id for r in queries.list_cases(journal, search="scanned", company_id=company_id, limit=1000)]
        assert case_id in shown
        assert {i for i, c in with_text if c == company_id} == set(shown)


@pytest.mark.parametrize("way", ["looked up row by row", "against the gathered matches"])
def test_a_protected_store_lists_a_search_the_same_way(
        store: Store, tmp_path: Path, way: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.journal.opening import open_store
    from core.store import crypto, protection

    with store.write() as session:
        for i in range(12):
            case_id = cases.open_case(session, title=f"Refund {i}" if i % 3 else f"Boiler {i}", company="Qwerty Optics")
            cases.log_event(session, case_id=case_id, at="2026-03-02", kind="call",
                            summary="They refused the refund" if i % 2 else "Engineer visit")
    protection.protect_store(store, passphrase="plum orchard lantern", confirmed_written_down=True,
                             kdf=crypto.KdfParams(n=2**12))
    store.close()
    for name, value in WAYS[way].items():
        monkeypatch.setattr(case_list, name, value)
    with open_store(store.data_dir, key=crypto.unlock(store.data_dir, "plum orchard lantern")) as opened:
        for text in ["re", "refu", "refused", "engineer", "boil"]:
            shown = [r.id for r in queries.list_cases(opened, search=text, sort="title", descending=False, limit=1000)]
            for run in _run(opened):
                expected = _whole_list(run, 1000, from_set=True, view="all", search=text, sort="title",
                                       descending=False)
            assert shown and (*shown, -1) == expected[0], text
