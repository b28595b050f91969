"""Remembering the passphrase in the computer's keyring: an optional convenience, off by default.

With the ``keyring`` package installed and a working keyring (the system's secret store), the
passphrase of a protected data folder can be kept there so Docket opens without asking. Anyone
who can log in as the user can then open the data without the passphrase; the protection still
holds for a copied disk or backup (docs/encryption.md). Each data folder has its own entry:
service ``Docket``, user name the folder's resolved path. Nothing here raises because the keyring
is missing or broken: the passphrase is then simply not remembered.
"""

from __future__ import annotations

import contextlib
import importlib
from pathlib import Path
from types import ModuleType

from core.domain.errors import DocketError
from core.i18n import _
from core.store import crypto

SERVICE = "Docket"


def _keyring() -> ModuleType | None:
    """The keyring module when it is installed and its backend can store secrets, else None."""
    try:
        module = importlib.import_module("keyring")
        fail = importlib.import_module("keyring.backends.fail")
        backend = module.get_keyring()
    except Exception:  # noqa: BLE001 - a missing or broken keyring only means "not available"
        return None
    if isinstance(backend, fail.Keyring):
        return None
    return module


def _username(data_dir: Path) -> str:
    return str(Path(data_dir).expanduser().resolve())


def keyring_available() -> bool:
    """Whether a passphrase can be remembered on this computer (``keyring`` installed, with a
    usable backend)."""
    return _keyring() is not None


def remember_passphrase(*, data_dir: Path, passphrase: str) -> None:
    """Keep ``passphrase`` in the keyring for the protected store in ``data_dir``. The passphrase
    must open the store's key file (:class:`core.store.crypto.WrongPassphrase` otherwise, and
    nothing is kept). Nothing in the data folder changes."""
    module = _keyring()
    if module is None:
        raise DocketError(_("This computer has no keyring Docket can use; the passphrase was not remembered."))
    if not crypto.is_protected(data_dir):
        raise DocketError(_("This data is not protected with a passphrase."))
    crypto.unlock(data_dir, passphrase)
    try:
        module.set_password(SERVICE, _username(data_dir), passphrase)
    except Exception as exc:  # noqa: BLE001 - any backend failure is one message
        raise DocketError(_("The keyring refused to keep the passphrase ({reason}).").format(reason=exc)) from None


def forget_passphrase(*, data_dir: Path) -> None:
    """Remove the passphrase remembered for ``data_dir`` from the keyring, if any (nothing
    happens when there is none or no keyring)."""
    module = _keyring()
    if module is None:
        return
    # Nothing remembered (PasswordDeleteError) or a broken backend: nothing to forget.
    with contextlib.suppress(Exception):
        module.delete_password(SERVICE, _username(data_dir))


def remembered_passphrase(*, data_dir: Path) -> str | None:
    """The passphrase remembered for ``data_dir`` if it still opens the store's key file; None
    when there is no keyring, nothing remembered, or the store is not protected. A remembered
    passphrase that no longer opens the key file is forgotten."""
    module = _keyring()
    if module is None:
        return None
    try:
        found = module.get_password(SERVICE, _username(data_dir))
    except Exception:  # noqa: BLE001 - a locked or broken keyring: ask the user instead
        return None
    if not isinstance(found, str) or not crypto.is_protected(data_dir):
        return None
    try:
        crypto.unlock(data_dir, found)
    except crypto.WrongPassphrase:
        forget_passphrase(data_dir=data_dir)
        return None
    except DocketError:
        return None
    return found


def is_remembered(*, data_dir: Path) -> bool:
    """Whether a passphrase is remembered for ``data_dir`` (not checked against the key file)."""
    module = _keyring()
    if module is None:
        return False
    try:
        return module.get_password(SERVICE, _username(data_dir)) is not None
    except Exception:  # noqa: BLE001
        return False
