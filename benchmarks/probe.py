"""Child processes for the benchmarks that need a fresh interpreter: start-up and memory.

    python -m benchmarks.probe bare                 # a bare PySide6 window, shown
    python -m benchmarks.probe docket DATA_DIR      # Docket's real start-up path, shown
    python -m benchmarks.probe browse DATA_DIR      # Docket shown, the list scrolled, cases opened

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


def docket(data_dir: str, browse: bool = False) -> int:
    from PySide6.QtWidgets import QApplication

    def exec_and_report(self: QApplication) -> int:  # replaces the event loop
        self.processEvents()
        extra: dict[str, object] = {}
        if browse:
            extra = _browse(self)
        _report(**extra)
        return 0

    QApplication.exec = exec_and_report  # type: ignore[method-assign]
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
    return {"rows_loaded": rows, "cases_opened": opened}


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "bare":
        sys.exit(bare())
    sys.exit(docket(sys.argv[2], browse=mode == "browse"))
