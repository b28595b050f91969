"""Reading the text of evidence stored before text search existed, in the background.

On start the window asks core for files whose text was never read; if there are any, a worker
reads them (:func:`core.journal.evidence_text.index_pending`) while the status bar shows how
far it got, with a button to stop. What was read is kept; the rest is read at the next start.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QPushButton

from core.i18n import _
from core.journal import evidence_text
from core.store.store import Store
from gui.kit.formatting import count_text
from gui.kit.workers import Task, run_task


def index_evidence_in_background(store: Store, window: QMainWindow) -> Task:
    """Start reading pending evidence text in a worker, reporting in ``window``'s status bar."""
    bar = window.statusBar()
    stop = QPushButton(_("Stop"))
    stop.setAccessibleName(_("Stop reading evidence for search"))
    stop.hide()
    bar.addPermanentWidget(stop)
    names: dict[str, str] = {}

    def work(progress: object) -> evidence_text.IndexSummary:
        def step(done: int, total: int, name: str) -> bool:
            names["current"] = name
            return bool(progress(done, total))  # type: ignore[operator]
        return evidence_text.index_pending(store, progress=step)

    task = run_task(work, window)

    def show(done: int, total: int) -> None:
        if total and done < total:
            stop.show()
            bar.showMessage(_("Reading evidence for search: {0} of {1}").format(done + 1, total))

    def finish() -> None:
        stop.hide()
        bar.removeWidget(stop)
        stop.deleteLater()

    def succeeded(summary: evidence_text.IndexSummary) -> None:
        if summary.total:
            bar.showMessage(count_text("Evidence text read for search: %n file", "Evidence text read for search: %n files", summary.indexed), 8000)

    task.progressed.connect(show)
    task.succeeded.connect(succeeded)
    task.cancelled.connect(lambda: bar.showMessage(_("Stopped; the rest is read at the next start."), 8000))
    task.failed.connect(lambda message: bar.showMessage(message, 8000))
    task.finished.connect(finish)
    stop.clicked.connect(task.cancel)
    return task
