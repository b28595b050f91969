"""Every input bounded: absurd amounts, currencies, lists and dates in a case file are refused
naming the field, and the store stays exactly as it was."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from core.domain.errors import ValidationError
from core.domain.money import Money, parse_amount
from core.exchange import casefile
from core.journal import cases, queries
from core.store.store import Store
from tests.hostile import casefiles as corpus


def rows(store: Store) -> list[str]:
    conn = sqlite3.connect(f"file:{store.db_path}?mode=ro", uri=True)
    try:
        return [line for line in conn.iterdump() if "docket.identity" not in line]
    finally:
        conn.close()


@pytest.mark.parametrize("name, doc, path", corpus.refused(), ids=[c[0] for c in corpus.refused()])
def test_a_hostile_case_file_is_refused_naming_the_field(
        store: Store, tmp_path: Path, name: str, doc: dict[str, Any], path: str) -> None:
    file = tmp_path / "case.json"
    file.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    before = rows(store)
    size = store.db_path.stat().st_size
    with pytest.raises(ValidationError) as caught:
        casefile.import_case(store, path=file)
    assert caught.value.path.startswith(path), str(caught.value)
    assert len(str(caught.value).splitlines()) == 1
    assert rows(store) == before
    assert store.db_path.stat().st_size <= size + 64 * 1024


@pytest.mark.parametrize("name, doc", corpus.accepted(), ids=[c[0] for c in corpus.accepted()])
def test_unusual_but_real_case_files_import(store: Store, tmp_path: Path, name: str, doc: dict[str, Any]) -> None:
    file = tmp_path / "case.json"
    file.write_text(json.dumps(doc), "utf-8")
    case_id = casefile.import_case(store, path=file)
    case = queries.load_case(store, case_id)
    assert case.amount == Decimal(doc["case"]["amount"]["value"])


def test_amounts_keep_their_currency_digits() -> None:
    assert parse_amount("12.50", currency="EUR") == Decimal("12.50")
    assert parse_amount("12.500", currency="EUR") == Decimal("12.50")  # trailing zeros are not precision
    assert str(Money.of("1200", "JPY")) == "JPY 1,200"
    assert str(Money.of("1.005", "KWD")) == "KWD 1.005"
    with pytest.raises(ValidationError, match="JPY has at most 0 digit"):
        Money.of("0.001", "JPY")
    with pytest.raises(ValidationError, match="cannot be negative"):
        parse_amount(Decimal("-0"))


def test_a_case_amount_in_yen_cannot_have_decimals(store: Store) -> None:
    with pytest.raises(ValidationError) as caught:
        cases.open_case(store, title="Camera", company="Tokyo Shop", currency="JPY", amount="0.5")
    assert caught.value.path == "case.amount"
    case_id = cases.open_case(store, title="Camera", company="Tokyo Shop", currency="JPY", amount="4500")
    with pytest.raises(ValidationError) as caught:
        cases.log_event(store, case_id=case_id, at="2026-03-01", kind="note", summary="Part refund",
                        meaning="refund", amount="0.5")
    assert caught.value.path == "event.amount"
