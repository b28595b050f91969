"""The first paint: the sidebar counts and the case list's first page, before the store opens.

Opening the store means importing SQLAlchemy's ORM, checking the schema, taking the lock and
building the whole window: most of Docket's start-up. A person waits for none of it to see
their cases: :func:`first_paint` reads the counts and the first page with plain ``sqlite3``
(read-only, no lock, nothing written) and shows them in a window of the main window's size;
:func:`gui.shell.app.run` then opens the store, builds the real window in its place, and opens
the case the person clicked meanwhile, if any.

The staged start is skipped (and Docket starts as it always did) whenever the quick reading
could be wrong or a dialog must come first: no store yet, a schema migration due, the data
folder already open in another Docket, or any error reading it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMainWindow,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
)

from core.domain.errors import DocketError
from core.i18n import N_, _
from core.journal import case_list
from core.store import paths
from gui.shell.sidebar import Sidebar

FIRST_PAGE = 100
COLUMNS = (N_("Title"), N_("Company"), N_("Status"), N_("Last activity"), N_("Next due"), N_("Amount"))


class FirstPaint(QMainWindow):
    """The window shown while the store opens: counts and the first page, for looking at.

    A case selected here is kept in :attr:`queued_case_id` and opened once the store is ready.
    """

    def __init__(self, counts: dict[str, int], page: case_list.CasePage) -> None:
        super().__init__()
        self.setWindowTitle("Docket")
        self.queued_case_id: int | None = None
        self.sidebar = Sidebar()
        self.sidebar.set_counts(counts)
        self.sidebar.setEnabled(False)  # other views need the store: shown, not yet chosen
        self.table = QTableWidget(len(page.rows), len(COLUMNS))
        self.table.setHorizontalHeaderLabels([_(c) for c in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.case_ids = [row.id for row in page.rows]
        for r, row in enumerate(page.rows):
            values = (row.title, row.company, row.status.replace("_", " "), (row.last_activity or "")[:10],
                      "" if row.next_due is None else row.next_due.isoformat(),
                      "" if row.amount is None else f"{row.amount} {row.currency}")
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.itemSelectionChanged.connect(self._queue_selected)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.sidebar)
        split.addWidget(self.table)
        split.setStretchFactor(1, 1)
        self.setCentralWidget(split)
        self.statusBar().showMessage(_("Opening your cases…"))
        self.resize(1280, 800)
        geometry = QSettings("Docket", "Docket").value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)

    def titles(self) -> list[str]:
        """The case titles shown, top to bottom."""
        items = (self.table.item(r, 0) for r in range(self.table.rowCount()))
        return [item.text() for item in items if item is not None]

    def select_case(self, case_id: int) -> None:
        """Select ``case_id``'s row, as a click would."""
        self.table.selectRow(self.case_ids.index(case_id))

    def _queue_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        self.queued_case_id = self.case_ids[rows[0].row()] if rows else None


def _locked(data_dir: Path) -> bool:
    """True when another Docket holds the data folder (the lock the store takes)."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(data_dir / "docket.lock"), timeout=0, is_singleton=False)
    try:
        lock.acquire()
    except Timeout:
        return True
    lock.release()
    return False


def read_first_page(data_dir: str | Path | None) -> tuple[dict[str, int], case_list.CasePage] | None:
    """The sidebar counts and the case list's first page, read with ``sqlite3`` only; None when
    the staged start must be skipped (no store, a migration due, folder open elsewhere)."""
    from core.store.migrations import HEAD

    folder = Path(data_dir) if data_dir is not None else paths.default_data_dir()
    db = folder / paths.DB_NAME
    try:
        # A protected store is not read before it is unlocked: the unlock dialog comes first.
        if not db.is_file() or paths.is_protected(folder) or _locked(folder):
            return None
    except OSError:  # a folder that cannot be written to: the store explains it, as always
        return None
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
        try:
            (version,), = conn.execute("SELECT version_num FROM alembic_version").fetchall()
            if version != HEAD:
                return None

            def run(sql: str, params: Any) -> Any:
                return conn.execute(sql, params).fetchall()

            return case_list.view_counts_on(run), case_list.page_on(run, limit=FIRST_PAGE)
        finally:
            conn.close()
    except (sqlite3.Error, ValueError, DocketError):
        return None  # whatever is wrong, opening the store says it as it always did


def first_paint(data_dir: str | Path | None) -> FirstPaint | None:
    """The first-paint window for the store in ``data_dir`` (not shown yet), or None."""
    read = read_first_page(data_dir)
    return None if read is None else FirstPaint(*read)
