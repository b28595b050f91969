"""Lists of records printed a record at a time read exactly as one json.dump of the list:
a script reading `docket due --json` sees the same text as before."""

from __future__ import annotations

import io
import json
import sys
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.cli.output import print_json, print_json_records

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12),
                    st.dates().map(date.isoformat), st.just(Decimal("12.50")), st.just(date(2026, 11, 23)))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                      max_leaves=8)
RECORDS = st.lists(st.dictionaries(st.text(max_size=8), VALUES, max_size=6), max_size=5)


def printed(fn: Any, data: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    fn(data)
    return out.getvalue()


@settings(max_examples=100, deadline=None)
@given(records=RECORDS)
def test_records_print_as_the_whole_list_would(records: list[dict[str, Any]]) -> None:
    with pytest.MonkeyPatch.context() as mp:
        assert printed(print_json_records, iter(records), mp) == printed(print_json, records, mp)
        json.loads(printed(print_json_records, iter(records), mp))


def test_a_due_list_prints_the_same_text(monkeypatch: pytest.MonkeyPatch) -> None:
    items = [{"reminder": "3:silence:2026-11-03", "case_id": 3, "case_title": "Dépôt de garantie \u201cjamais\u201d rendu",
              "due": "2026-11-17", "overdue": True, "next_step": False, "reason": None}, {}]
    assert printed(print_json_records, items, monkeypatch) == printed(print_json, items, monkeypatch)
    assert printed(print_json_records, [], monkeypatch) == "[]\n"
