"""Docket's core: the case journal without a screen.

Everything the window can do is available here headless: the domain model, the store,
escalation rules, reminders, letters and exports. Nothing in this package imports Qt's widget module.
"""

from __future__ import annotations

import os
import sys

_version: str | None = None


def _find_version() -> str:
    # Read the installed metadata's "Version:" line directly: importing importlib.metadata
    # (and the email parser under it) costs more than the rest of 'docket --version'.
    for entry in sys.path:
        try:
            names = [n for n in os.listdir(entry or ".") if n.startswith("docket-") and n.endswith(".dist-info")]
        except OSError:
            continue
        for name in names:
            try:
                with open(os.path.join(entry or ".", name, "METADATA"), encoding="utf-8") as fh:
                    for line in fh:
                        if line.startswith("Version:"):
                            return line.split(":", 1)[1].strip()
                        if not line.strip():
                            break
            except OSError:
                continue
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("docket")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0.0.0+checkout"


def __getattr__(name: str) -> str:
    """``core.__version__``, read when first asked for."""
    global _version
    if name == "__version__":
        if _version is None:
            _version = _find_version()
        return _version
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
