"""Reading the text of evidence stored before text search existed, in the background.

On start the window asks core for files whose text was never read; if there are any, a worker
reads them (:func:`core.journal.evidence_text.index_pending`) while the status bar shows how
far it got, with a button to stop. What was read is kept; the rest is read at the next start.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMainWindow, QPushButton

from core.journal import evidence_text
from core.store.store import Store
from gui.kit.workers import Task, run_task


def _tr(text: str) -> str:
    return QCoreApplication.translate("EvidenceIndexing", text)


def index_evidence_in_background(store: Store, window: QMainWindow) -> Task:
    """Start reading pending evidence text in a worker, reporting in ``window``'s status bar."""
    bar = window.statusBar()
    stop = QPushButton(_tr("Stop"))
    stop.setAccessibleName(_tr("Stop reading evidence for search"))
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
            bar.showMessage(_tr("Reading evidence for search: {0} of {1}").format(done + 1, total))

    def finish() -> None:
        stop.hide()
        bar.removeWidget(stop)
        stop.deleteLater()

    def succeeded(summary: evidence_text.IndexSummary) -> None:
        if summary.total:
            bar.showMessage(_tr("Evidence text read for search: {0} file(s)").format(summary.indexed), 8000)

    task.progressed.connect(show)
    task.succeeded.connect(succeeded)
    task.cancelled.connect(lambda: bar.showMessage(_tr("Stopped; the rest is read at the next start."), 8000))
    task.failed.connect(lambda message: bar.showMessage(message, 8000))
    task.finished.connect(finish)
    stop.clicked.connect(task.cancel)
    return task
