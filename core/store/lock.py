"""Taking a data folder for this Docket: the folder, its lock, and the passphrase question.

Both ways of opening a store share these steps, with the same words: the full
:meth:`core.store.store.Store.open` and the quick read-only opening of :mod:`core.store.quick`.
Only the standard library, ``filelock`` and ``platformdirs`` are loaded here.
"""

from __future__ import annotations

import os
from pathlib import Path

from filelock import FileLock, Timeout

from core.domain.errors import DocketError, StoreError, StoreLockedError
from core.i18n import _
from core.store.paths import default_data_dir, make_private_dir

LOCK_NAME = "docket.lock"


class StoreLocked(DocketError):
    """The store is protected with a passphrase and was not unlocked; nothing was read."""

    def __init__(self, message: str, data_dir: Path) -> None:
        super().__init__(message)
        self.data_dir = data_dir  # the folder, resolved, to unlock and open again


def data_folder(data_dir: Path | str | None) -> Path:
    """The data folder, absolute, created if needed (``data_dir``, or the user's own if None).

    Sets the process's umask so that everything Docket creates is private to the user.
    """
    if os.name == "posix":
        os.umask(0o077)
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    # A relative folder (--data-dir data, DOCKET_DATA_DIR=data) means one in the current folder.
    folder = Path(os.path.abspath(folder.expanduser()))
    try:
        make_private_dir(folder)
    except OSError as exc:
        raise StoreError(_("Cannot create the data folder {data_dir}: {reason}").format(data_dir=folder, reason=exc.strerror or exc)) from None
    return folder


def take_lock(data_dir: Path) -> FileLock:
    """Lock ``data_dir`` for this process; raises :class:`StoreLockedError` if another Docket has it."""
    lock = FileLock(str(data_dir / LOCK_NAME), timeout=0, is_singleton=False)
    try:
        lock.acquire()
    except Timeout:
        raise StoreLockedError(
            _("Docket is already open on {data_dir}. Close the other Docket window first.").format(data_dir=data_dir)
        ) from None
    return lock


def locked_store(data_dir: Path) -> StoreLocked:
    """What opening a protected store without its key raises."""
    return StoreLocked(
        f"The data in {data_dir} is protected with a passphrase; unlock it first "
        "(set DOCKET_PASSPHRASE_FILE, or type it when asked).",
        data_dir,
    )
