"""Child processes for the benchmarks that need a fresh interpreter: start-up and memory.

    python -m benchmarks.probe bare                 # a bare PySide6 window, shown
    python -m benchmarks.probe docket DATA_DIR      # Docket's real start-up path, shown
    python -m benchmarks.probe browse DATA_DIR      # Docket shown, the list scrolled, cases opened
    python -m benchmarks.probe staged DATA_DIR      # counts and the first page by sqlite3, shown
    python -m benchmarks.probe first DATA_DIR       # Docket's own staged start, at its first paint

Each prints one JSON line when its window is shown and usable (the first paint has happened),
then exits. Docket goes through ``gui.app.run`` itself; only the event loop is replaced by one
that reports and returns.
"""

from __future__ import annotations

import json
import resource
import sys
import time

T0 = time.perf_counter()


def _rss_mb() -> float:
    """Peak resident memory of this process, in MB.

    On Linux, VmHWM belongs to this address space; ru_maxrss would include the peak of the
    parent image before exec (the benchmark runner, with a large store open).
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def _report(**extra: object) -> None:
    print(json.dumps({"shown_s": round(time.perf_counter() - T0, 4), "rss_mb": _rss_mb(), **extra}), flush=True)


def bare() -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    win = QMainWindow()
    win.resize(1280, 800)
    win.show()
    app.processEvents()
    _report()
    return 0


def staged(data_dir: str) -> int:
    """What a staged start could paint first, as a measure for the window: a main window with
    the sidebar counts and the case list's first page, read through plain sqlite3 (no
    SQLAlchemy, no store lock, no migrations check), then the first paint. Not Docket's window."""
    import sqlite3
    from pathlib import Path

    from PySide6.QtWidgets import (
        QApplication,
        QListWidget,
        QMainWindow,
        QSplitter,
        QTableWidget,
        QTableWidgetItem,
    )

    from core.journal import case_list

    app = QApplication(sys.argv[:1])
    conn = sqlite3.connect(f"file:{Path(data_dir) / 'docket.sqlite3'}?mode=ro", uri=True)

    def run(sql: str, params: object) -> list[object]:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]

    counts = case_list.view_counts_on(run)
    page = case_list.page_on(run, limit=200)
    win = QMainWindow()
    split = QSplitter()
    sidebar = QListWidget()
    sidebar.addItems([f"{view}: {n:,}" for view, n in counts.items()])
    table = QTableWidget(len(page.rows), 6)
    for r, row in enumerate(page.rows):
        for c, value in enumerate((row.title, row.company, row.status, row.last_activity, row.next_due, row.amount)):
            table.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))
    split.addWidget(sidebar)
    split.addWidget(table)
    win.setCentralWidget(split)
    win.resize(1280, 800)
    win.show()
    app.processEvents()
    _report(rows=len(page.rows))
    return 0


def first(data_dir: str) -> int:
    """Docket's real start-up path, reported at its first paint (the counts and the first page
    shown, before the store opens); exits there."""
    import os

    from gui.shell import app

    def painted(window: object) -> None:
        _report(stage="first_paint")
        os._exit(0)

    app.first_painted = painted  # type: ignore[assignment]
    return app.run(data_dir=data_dir)


def docket(data_dir: str, browse: bool = False) -> int:
    from PySide6.QtWidgets import QApplication

    def exec_and_report(self: QApplication) -> int:  # replaces the event loop
        self.processEvents()
        extra: dict[str, object] = {}
        if browse:
            extra = _browse(self)
        _report(**extra)
        if not browse:
            # The real window is up and answers input: what the start-up figure measures ends
            # here, not after the workers it started (the due list, the companies' record),
            # which a normal exit would wait for.
            import os

            os._exit(0)
        return 0

    QApplication.exec = exec_and_report  # type: ignore[method-assign]
    if browse:
        # A generated store has never had its evidence text read, so the window would start
        # reading 20,000 to 200,000 files in a worker (a one-off after an upgrade, minutes
        # long, which the probe would wait for at exit): browsing is measured without it.
        import gui.shell.evidence_indexing as indexing

        indexing.index_evidence_in_background = lambda store, window: None  # type: ignore[assignment,return-value]
    from gui.shell.app import run

    return run(data_dir=data_dir)


def _browse(app: object) -> dict[str, object]:
    """Scroll the whole case list, open twenty cases and search, as a person browsing."""
    from PySide6.QtWidgets import QApplication, QTableView

    from gui.shell.case_list_model import CaseListModel

    window = next(w for w in QApplication.topLevelWidgets() if w.isVisible())
    views = [v for v in window.findChildren(QTableView) if isinstance(v.model(), CaseListModel) or
             isinstance(getattr(v.model(), "sourceModel", lambda: None)(), CaseListModel)]
    rows = 0
    opened = 0
    if views:
        view = views[0]
        model = view.model()
        while model.canFetchMore(model.index(-1, -1).parent()):
            model.fetchMore(model.index(-1, -1).parent())
            view.scrollToBottom()
            QApplication.processEvents()
        rows = model.rowCount()
        for row in range(0, min(rows, 2000), 100):
            view.selectRow(row)
            QApplication.processEvents()
            opened += 1
    # The start-up due check runs in a worker; it is part of every session's memory, so the
    # figure waits for it rather than depending on whether it finished during the scroll.
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone()
    QApplication.processEvents()
    return {"rows_loaded": rows, "cases_opened": opened}


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "bare":
        sys.exit(bare())
    if mode == "staged":
        sys.exit(staged(sys.argv[2]))
    if mode == "first":
        sys.exit(first(sys.argv[2]))
    sys.exit(docket(sys.argv[2], browse=mode == "browse"))
