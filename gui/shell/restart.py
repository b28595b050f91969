"""Start Docket again (a new language applies from the start): the window asks, and
:func:`gui.shell.app.run` starts the same command once the store is closed."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QProcess
from PySide6.QtWidgets import QApplication

_wanted: list[bool] = []


def restart_after_exit() -> None:
    """Quit, and once the store is closed start Docket again with the same command."""
    _wanted[:] = [True]
    QApplication.quit()


def wanted() -> bool:
    return bool(_wanted)


def restart_command() -> tuple[str, list[str]]:
    """The program and arguments that started this Docket (the bundle's own program, or
    Python with the script or ``-m gui.launch`` and every argument, such as ``--data-dir``)."""
    if getattr(sys, "frozen", False):
        return sys.executable, sys.argv[1:]
    return sys.executable, list(sys.orig_argv[1:])


def start_again() -> bool:
    """Start the same command, detached from this process; False if it could not start."""
    program, arguments = restart_command()
    started, _pid = QProcess.startDetached(program, arguments, os.getcwd())
    return bool(started)
