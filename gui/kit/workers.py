"""Run slow work (hashing and copying a large file) off the window's thread.

A :class:`Task` wraps a plain function. It runs in Qt's global thread pool; the function gets
a ``progress(done, total)`` callable that returns ``False`` once the user has cancelled. The
result, an error, or the cancellation comes back as a signal, delivered on the main thread
because the signal object lives there. Workers never touch widgets.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from core.domain.errors import DocketError
from core.i18n import _
from core.store.files import Cancelled

Work = Callable[[Callable[[int, int], bool]], Any]


class Task(QObject):
    """One piece of background work with progress, cancel and a result posted back.

    Signals (always received on the thread that created the task):
    ``progressed(done, total)``, ``succeeded(result)`` when the work returns,
    ``failed(message)``, ``cancelled()`` when it raised :class:`~core.evidence.Cancelled`,
    and ``finished()`` after any of the last three.
    """

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, work: Work, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self._cancel = threading.Event()
        self.running = False

    def cancel(self) -> None:
        """Ask the work to stop at its next progress report."""
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, done: int, total: int) -> bool:
        self.progressed.emit(done, total)
        return not self._cancel.is_set()

    def _run(self) -> None:
        # Runs on a pool thread: only emit signals, never touch widgets.
        try:
            result = self._work(self._progress)
        except Cancelled:
            self.cancelled.emit()
        except DocketError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug; report it rather than lose it on a worker thread
            traceback.print_exc()
            self.failed.emit(_("Unexpected error: %1").replace("%1", str(exc)))
        else:
            # Work that returned did finish (it may report a partial result itself).
            self.succeeded.emit(result)
        finally:
            self.running = False
            self.finished.emit()


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task

    def run(self) -> None:
        self._task._run()


# Tasks without a parent are kept here until they finish, so that closing the widget that
# started one never deletes the object a worker thread is still reporting through.
_running: set[Task] = set()


def run_task(work: Work, parent: QObject | None = None, pool: QThreadPool | None = None) -> Task:
    """Start ``work`` on a pool thread and return its :class:`Task` for connecting signals.

    The work starts when control returns to the event loop, so signals connected right after
    this call are always in place: a queued signal only reaches the receivers connected when
    it is emitted, and a quick task would otherwise report to nobody.
    """
    task = Task(work, parent)
    task.running = True
    if parent is None:
        _running.add(task)
        task.finished.connect(lambda: _running.discard(task))
    runner = pool or QThreadPool.globalInstance()
    QTimer.singleShot(0, task, lambda: runner.start(_Runnable(task)))
    return task


def run_in_background(work: Work, parent: QObject | None,
                      *, succeeded: Callable[[Any], Any], failed: Callable[[str], Any] | None = None,
                      setup: Callable[[Task], Any] | None = None) -> Task:
    """Run ``work(progress)`` in a worker; ``succeeded(result)`` is called on the window's thread.

    ``setup(task)`` may connect more signals (progress, finished); the work starts only once
    control is back in the event loop (see :func:`run_task`), so none is missed.
    """
    task = run_task(work, parent)
    task.succeeded.connect(succeeded)
    if failed is not None:
        task.failed.connect(failed)
    if setup is not None:
        setup(task)
    return task
