"""Search finds a name however its letters were composed or cased."""

from __future__ import annotations

import pytest

from core.journal import cases, queries
from core.store.store import Store

DECOMPOSED = "Lefe\u0301vre"  # e + combining acute, as some keyboards and macOS file names write it
COMPOSED = "Lef\u00e9vre"


@pytest.mark.parametrize("stored", [DECOMPOSED, COMPOSED])
@pytest.mark.parametrize("typed", [DECOMPOSED, COMPOSED, "lefevre", "LEFÉVRE", "Lefe\u0301v"])
def test_a_name_is_found_however_its_accents_were_written(store: Store, stored: str, typed: str) -> None:
    case_id = cases.open_case(store, title=f"Refund from {stored} Ltd", company="Shop")
    assert [h.case_id for h in queries.search(store, typed)] == [case_id]


def test_a_sharp_s_typed_finds_both_spellings(store: Store) -> None:
    first = cases.open_case(store, title="Parking at Hauptstraße", company="City")
    second = cases.open_case(store, title="Parking at HAUPTSTRASSE", company="City")
    assert {h.case_id for h in queries.search(store, "Hauptstraße")} == {first, second}


def test_search_syntax_in_what_is_typed_is_plain_text(store: Store) -> None:
    cases.open_case(store, title="Refund", company="Shop")
    for typed in ['"', "NEAR(", "a OR", "*", "\u0301", "title:x", "-refund", "(("]:
        queries.search(store, typed)  # never an error
