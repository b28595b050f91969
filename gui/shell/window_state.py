"""What the window remembers between runs: its size, the splitter positions, the last case.

Kept in Qt's QSettings (per user, outside the store): it is about this screen, not the data.
The last open case is remembered per data directory.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter


class WindowState:
    """Saves and restores a main window's geometry, its splitters and the last open case."""

    def __init__(self, data_dir: Path, settings: QSettings | None = None) -> None:
        self._settings = settings if settings is not None else QSettings("Docket", "Docket")
        # A hash keeps the key short and free of path separators QSettings would treat as groups.
        self._store_key = "store-" + hashlib.sha256(str(Path(data_dir).resolve()).encode()).hexdigest()[:16]

    def save(self, window: QMainWindow, splitters: dict[str, QSplitter], last_case: int | None) -> None:
        s = self._settings
        s.setValue("window/geometry", window.saveGeometry())
        s.setValue("window/state", window.saveState())
        for name, splitter in splitters.items():
            s.setValue(f"splitters/{name}", splitter.saveState())
        s.setValue(f"{self._store_key}/last_case", last_case if last_case is not None else 0)
        s.sync()

    def restore(self, window: QMainWindow, splitters: dict[str, QSplitter]) -> bool:
        """Restore what was saved; False when nothing was (first run: the caller picks a size)."""
        s = self._settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            window.restoreGeometry(geometry)
        state = s.value("window/state")
        if isinstance(state, QByteArray):
            window.restoreState(state)
        self.restore_splitters(splitters)
        return isinstance(geometry, QByteArray) and not geometry.isEmpty()

    def restore_splitters(self, splitters: dict[str, QSplitter]) -> None:
        """Restore splitters made after the window (a panel built when first shown)."""
        for name, splitter in splitters.items():
            value = self._settings.value(f"splitters/{name}")
            if isinstance(value, QByteArray):
                splitter.restoreState(value)

    def appearance(self) -> str:
        """"system", "light" or "dark" (this screen's choice, not the data's)."""
        value = str(self._settings.value("window/appearance", "system"))
        return value if value in ("system", "light", "dark") else "system"

    def set_appearance(self, scheme: str) -> None:
        self._settings.setValue("window/appearance", scheme)

    def first_run_done(self) -> bool:
        """Whether this store has had its first-run defaults (currency and country)."""
        return bool(self._settings.value(f"{self._store_key}/first_run_done", False, type=bool))

    def mark_first_run_done(self) -> None:
        self._settings.setValue(f"{self._store_key}/first_run_done", True)

    def last_case(self) -> int | None:
        value = self._settings.value(f"{self._store_key}/last_case", 0)
        try:
            number = int(value)
        except (TypeError, ValueError):
            return None
        return number or None
