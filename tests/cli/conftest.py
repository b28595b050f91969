"""The tests here read Docket's English: whatever the machine's locale, they run in English
(a test that wants another language sets it itself and puts English back)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.i18n import set_language


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The command run in a subprocess reads the variable; the code run here, set_language.
    monkeypatch.setenv("DOCKET_LANGUAGE", "en")
    set_language("en")
    yield
    set_language("en")
