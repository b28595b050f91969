"""Fixtures for window tests: offscreen Qt, a real store, window settings in a temporary file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402

from core.journal import cases  # noqa: E402
from core.store.store import Store  # noqa: E402

# The offscreen platform says it cannot pass a window's size limits to, or raise a window
# through, a window manager it does not have; that is the test platform talking, not Docket,
# so it does not fail a window test. Every other warning still does.
OFFSCREEN_NOISE = r"^This plugin does not support (propagateSizeHints|raise)\(\)$"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture
def window_settings(tmp_path: Path) -> QSettings:
    """QSettings in an INI file of the test's own, so no test reads the user's real settings."""
    return QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_cases(store: Store) -> Callable[..., list[int]]:
    """Open ``n`` simple cases in one transaction: ``make_cases(500, company="Acme")``."""

    def make(n: int, *, company: str = "Acme Ltd", title: str = "Case {i}") -> list[int]:
        with store.write() as session:
            return [cases.open_case(session, title=title.format(i=i), company=company, amount=f"{i}.50", currency="GBP")
                    for i in range(n)]

    return make


@pytest.fixture(autouse=True)
def _own_config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The language chosen in Settings is kept in the config folder: each test has its own,
    so no test reads or changes the user's real choice."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("DOCKET_LANGUAGE", raising=False)
    monkeypatch.delenv("QT_LAYOUT_DIRECTION", raising=False)
