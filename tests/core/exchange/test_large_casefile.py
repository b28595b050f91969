"""A large case file imports in batches inside one transaction: progress as it goes, and a
bad event near the end still leaves the store exactly as it was."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from core.domain.errors import ValidationError
from core.exchange import casefile
from core.journal import queries
from core.store.store import Store


def big_case(count: int) -> dict[str, Any]:
    return {"format": "docket-case", "version": 2, "case": {
        "title": "Years of calls", "company": {"name": "Telco"},
        "contacts": [{"key": "agent", "name": "Support line"}],
        "events": [{"at": f"2025-01-01T10:{i % 60:02d}:00+00:00", "kind": "call", "direction": "to_company",
                    "summary": f"Call {i}", "contact": "agent"} for i in range(count)]}}


def test_thousands_of_events_are_written_in_batches_with_progress(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps(big_case(2_500)), "utf-8")
    history_writes: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # Each flush writes its history rows in one statement: this counts the flushes.
        if statement.lstrip().upper().startswith("INSERT INTO REVISIONS"):
            history_writes.append(statement)

    seen: list[int] = []
    event.listen(store.writer, "before_cursor_execute", count)
    try:
        case_id = casefile.import_case(store, path=path, progress=lambda done, total: seen.append(done))
    finally:
        event.remove(store.writer, "before_cursor_execute", count)
    # One flush per 1,000 events (and a few for the case and its contact), not one per event.
    assert 0 < len(history_writes) <= 8
    assert len(seen) >= 2_500 and seen == sorted(seen)
    assert len(queries.load_case(store, case_id).events) == 2_500


def test_a_bad_event_after_several_batches_leaves_nothing_behind(store: Store, tmp_path: Path) -> None:
    doc = big_case(2_500)
    doc["case"]["events"][2_400]["at"] = "2025-13-45"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), "utf-8")
    conn = sqlite3.connect(f"file:{store.db_path}?mode=ro", uri=True)
    before = [line for line in conn.iterdump() if "docket.identity" not in line]
    with pytest.raises(ValidationError) as caught:
        casefile.import_case(store, path=path)
    assert caught.value.path == "case.events[2400].at"
    after = [line for line in conn.iterdump() if "docket.identity" not in line]
    conn.close()
    assert after == before
