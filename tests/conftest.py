"""Shared fixtures: a real store in a temporary data directory, a fixed today."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from core.domain import clock  # noqa: E402
from core.journal.opening import open_store  # noqa: E402
from core.store.store import DB_NAME, Store  # noqa: E402

# Reading text in pictures takes seconds each where the OCR extra is installed; only the tests
# marked "ocr" do it (subprocesses inherit the switch).
os.environ["DOCKET_NO_OCR"] = "1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked slow (tens of seconds each) run first: the workers share them out at
    the start, and the short tests at the end keep every worker busy until the last one, where
    a slow test started late would leave the other cores idle while it finished. Otherwise the
    order stays as collected (a stable sort)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def _ocr_only_where_asked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("ocr") is not None:
        monkeypatch.delenv("DOCKET_NO_OCR", raising=False)


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


@pytest.fixture(scope="session")
def _empty_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file made once by Store.open at the newest schema, copied for each test
    (running every migration for every test would make the suite slow)."""
    folder = tmp_path_factory.mktemp("template") / "docket-data"
    Store.open(folder).close()
    return folder / DB_NAME


@pytest.fixture
def store(data_dir: Path, _empty_store_file: Path) -> Iterator[Store]:
    """A real SQLite store, created at the newest schema, closed after the test."""
    data_dir.mkdir(mode=0o700, parents=True)
    shutil.copyfile(_empty_store_file, data_dir / DB_NAME)
    with open_store(data_dir) as opened:
        yield opened


@pytest.fixture(scope="session", autouse=True)
def _one_qt_application(qapp):  # type: ignore[no-untyped-def]
    """The whole run shares one QApplication, made first. Core's renderer makes a bare
    QGuiApplication when none exists (as the command line needs); if a PDF test ran first,
    a later window test could not create its QApplication."""
    return qapp


class MemoryKeyring:
    """A keyring backend holding secrets in a dict: a real backend set the way the keyring
    library documents (``keyring.set_keyring``), so nothing touches this computer's keyring."""

    def __init__(self) -> None:
        import keyring.backend

        class Backend(keyring.backend.KeyringBackend):
            priority = 1  # type: ignore[assignment]

            def __init__(self) -> None:
                super().__init__()
                self.secrets: dict[tuple[str, str], str] = {}

            def get_password(self, service: str, username: str) -> str | None:
                return self.secrets.get((service, username))

            def set_password(self, service: str, username: str, password: str) -> None:
                self.secrets[(service, username)] = password

            def delete_password(self, service: str, username: str) -> None:
                import keyring.errors

                if self.secrets.pop((service, username), None) is None:
                    raise keyring.errors.PasswordDeleteError("nothing remembered")

        self.backend = Backend()

    @property
    def secrets(self) -> dict[tuple[str, str], str]:
        return self.backend.secrets  # type: ignore[no-any-return]


@pytest.fixture(autouse=True)
def _no_keyring_unless_asked() -> Iterator[None]:
    """No test reads or writes this computer's keyring: the failing backend (what a computer
    without a keyring has) unless a test asks for :func:`memory_keyring`."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        yield
        return
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


@pytest.fixture
def memory_keyring(_no_keyring_unless_asked: None) -> MemoryKeyring:
    """A working keyring for this test, kept in memory."""
    keyring = pytest.importorskip("keyring")
    memory = MemoryKeyring()
    keyring.set_keyring(memory.backend)
    return memory
