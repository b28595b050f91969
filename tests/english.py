"""A fixture for the tests that read Docket's English: whatever the machine's locale, they run
in English (a test that wants another language sets it itself and puts English back). The
conftest.py of tests/core and tests/cli use it for every test there; the window's tests choose
their language through a config folder of their own instead (tests/gui/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.i18n import set_language


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The command run in a subprocess reads the variable; the code run here, set_language.
    monkeypatch.setenv("DOCKET_LANGUAGE", "en")
    set_language("en")
    yield
    set_language("en")
