"""Shared fixtures: a real store in a temporary data directory, a fixed today."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from core import clock  # noqa: E402
from core.store import Store  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts with the real calendar unless it fixes today itself."""
    monkeypatch.delenv("DOCKET_TODAY", raising=False)
    monkeypatch.delenv("DOCKET_DATA_DIR", raising=False)
    clock.set_today(None)
    yield
    clock.set_today(None)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "docket-data"


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    """A real SQLite store, created at the newest schema, closed after the test."""
    with Store.open(data_dir) as opened:
        yield opened
