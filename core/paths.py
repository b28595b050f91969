"""Where Docket keeps its data, and how private it is."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Docket"


def default_data_dir() -> Path:
    """``DOCKET_DATA_DIR`` if set, else the platform's user data directory for Docket."""
    env = os.environ.get("DOCKET_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=True))


def make_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the user alone (0700 on POSIX)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        os.chmod(path, 0o700)
    return path


def make_private_file(path: Path) -> None:
    """Make an existing file readable and writable by the user alone (0600 on POSIX)."""
    if os.name == "posix" and path.exists():
        os.chmod(path, 0o600)
