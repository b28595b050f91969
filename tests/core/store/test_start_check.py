"""The window's check at start says plainly when the store is damaged or was tampered with."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from core.domain.errors import ValidationError
from core.exchange import casefile
from core.journal import cases
from core.store.store import DB_NAME, Store
from core.store.verify import start_check
from tests.core.store.test_backup import _fill


def test_a_store_in_order_has_nothing_to_say(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    assert start_check(store) == []


def test_an_event_edited_outside_docket_is_named(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    with sqlite3.connect(store.db_path) as conn:
        conn.execute("UPDATE events SET summary = 'Never promised anything'")
    [problem] = start_check(store)
    assert problem.startswith("Records were changed outside Docket") and "event 1" in problem


@pytest.mark.parametrize("how", ["deleted", "changed"])
def test_an_evidence_file_deleted_or_changed_is_named(store: Store, tmp_path: Path, how: str) -> None:
    _fill(store, tmp_path)
    [sha] = list(store.evidence.all_hashes())
    path = store.evidence.path_for(sha)
    path.chmod(0o600)
    if how == "deleted":
        path.unlink()
    else:
        path.write_bytes(b"something else")
    [problem] = start_check(store)
    assert problem.startswith("Evidence files are missing or changed") and sha in problem


def test_a_damaged_database_page_is_named(data_dir: Path, tmp_path: Path) -> None:
    with Store.open(data_dir) as store:
        _fill(store, tmp_path)
        for i in range(300):
            cases.log_event(store, case_id=1, at="2026-03-01", kind="note", summary=(f"note {i} " * 40)[:900])
    db = data_dir / DB_NAME
    data = bytearray(db.read_bytes())
    page = 4096
    for offset in range(page * 20, page * 20 + 200):  # scribble over a page in the middle
        data[offset] = 0x5A
    db.write_bytes(bytes(data))
    with Store.open(data_dir) as store:
        problems = start_check(store)
    assert problems and any(p.startswith("The database is damaged") or "cannot be read" in p for p in problems)


def test_an_emptied_database_is_said_first(data_dir: Path, tmp_path: Path) -> None:
    with Store.open(data_dir) as store:
        _fill(store, tmp_path)
    (data_dir / DB_NAME).write_bytes(b"")
    with Store.open(data_dir) as store:
        problems = start_check(store)
    assert "emptied, deleted or replaced" in problems[0]


def test_a_letter_whose_options_the_editor_cannot_read_is_refused_at_import(store: Store, tmp_path: Path) -> None:
    doc = {"format": "docket-case", "version": 2, "case": {
        "title": "Letters", "letters": [{"template_id": "chaser", "subject": "Chaser", "body": "<p>Hello</p>",
                                          "options": {"facts": [1]}}]}}
    path = tmp_path / "letter.json"
    path.write_text(json.dumps(doc), "utf-8")
    with pytest.raises(ValidationError) as caught:
        casefile.import_case(store, path=path)
    assert caught.value.path == "case.letters[0].options.facts"
    doc["case"]["letters"][0]["options"] = {"facts": {"order_number": "A-1"}, "event_ids": [], "response_days": 14}
    path.write_text(json.dumps(doc), "utf-8")
    casefile.import_case(store, path=path)
