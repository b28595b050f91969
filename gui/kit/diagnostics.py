"""What a problem report holds: versions and the last error, and nothing about the user's cases.

The last error is kept as its type and the place in Docket's code where it happened (file,
line, function): an exception's message can quote what the user typed, so it is left out.
"""

from __future__ import annotations

import contextlib
import platform
import sys
import traceback
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from types import TracebackType

LAST_ERROR = "last-error.txt"


def error_summary(kind: type[BaseException], tb: TracebackType | None) -> str:
    """The error's type and the frames it went through, without its message or any values."""
    frames = traceback.extract_tb(tb)
    lines = [f"{datetime.now(UTC).isoformat(timespec='seconds')} {kind.__module__}.{kind.__qualname__}"]
    for frame in frames:
        parts = Path(frame.filename).parts
        # Only the path inside the program: the user's home folder is personal.
        for anchor in ("core", "gui", "site-packages"):
            if anchor in parts:
                parts = parts[parts.index(anchor):]
                break
        else:
            parts = parts[-1:]
        lines.append(f"  {'/'.join(parts)}:{frame.lineno} in {frame.name}")
    return "\n".join(lines) + "\n"


def record_error(data_dir: Path, kind: type[BaseException], tb: TracebackType | None) -> None:
    """Keep the last unexpected error for a problem report (overwriting the one before)."""
    # A report is a courtesy; failing to keep it must not hide the error itself.
    with contextlib.suppress(OSError):
        (data_dir / LAST_ERROR).write_text(error_summary(kind, tb), encoding="utf-8")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def diagnostics_text(data_dir: Path, schema_revision: str | None) -> str:
    """The problem report: versions, platform, schema revision and the last error."""
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    from core import __version__

    last = data_dir / LAST_ERROR
    error = last.read_text(encoding="utf-8") if last.exists() else "none recorded\n"
    lines = [
        "Docket problem report",
        "(versions and the last error only: no case, name, address or file of yours is in it)",
        "",
        f"Docket: {__version__}",
        f"Python: {sys.version.split()[0]} ({platform.python_implementation()})",
        f"Qt: {qVersion()}, PySide6: {pyside_version}",
        f"SQLAlchemy: {_version('SQLAlchemy')}, Alembic: {_version('alembic')}, Jinja2: {_version('Jinja2')}",
        f"System: {platform.system()} {platform.release()} ({platform.machine()})",
        f"Schema revision: {schema_revision or 'unknown'}",
        "",
        "Last error:",
        error,
    ]
    return "\n".join(lines)


def write_diagnostics(folder: Path, data_dir: Path, schema_revision: str | None) -> Path:
    """Write the problem report into ``folder``; returns its path."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = folder / f"docket-problem-report-{stamp}.txt"
    path.write_text(diagnostics_text(data_dir, schema_revision), encoding="utf-8")
    return path
