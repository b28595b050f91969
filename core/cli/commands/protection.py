"""``docket encrypt``, ``docket decrypt``, ``docket passphrase``: protecting the data with a
passphrase (see docs/encryption.md), and unlocking a protected store for every command.

A passphrase is never an argument (it would stay in the shell's history and be visible to
other users in the process list): it comes from the file named by ``DOCKET_PASSPHRASE_FILE``
(``DOCKET_NEW_PASSPHRASE_FILE`` for a new one), or is typed at a prompt that does not echo.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from core.domain.errors import DocketError
from core.i18n import N_, _
from core.store import crypto, keyring_store, protection

if TYPE_CHECKING:  # unlocking a store for a quick read loads no SQLAlchemy (core.store.quick)
    from core.store.store import Store

PASSPHRASE_FILE = "DOCKET_PASSPHRASE_FILE"
NEW_PASSPHRASE_FILE = "DOCKET_NEW_PASSPHRASE_FILE"

NO_RECOVERY = N_("There is no recovery: if the passphrase is forgotten, nothing (not Docket, not its makers) can "
               "open the cases, evidence or backups again. Write it down and keep it somewhere safe.")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("encrypt", help=_("protect the data (database, evidence, backups) with a passphrase"))
    p.add_argument("--written-down", action="store_true",
                   help=_("confirm the passphrase is written down (there is no recovery without it)"))
    p.set_defaults(func=run_encrypt)

    p = sub.add_parser("decrypt", help=_("remove the passphrase: the data is kept in clear again"))
    p.set_defaults(func=run_decrypt)

    p = sub.add_parser("passphrase", help=_("change the passphrase (the data is not rewritten)"))
    p.set_defaults(func=run_passphrase)


def _from_file(variable: str) -> str | None:
    name = os.environ.get(variable)
    if not name:
        return None
    try:
        text = Path(name).expanduser().read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DocketError(_("{variable}: cannot read {name} ({exc}).").format(variable=variable, name=name, exc=exc)) from None
    # The first line is the passphrase; the line break an editor adds is not part of it.
    return text.splitlines()[0] if text else ""


def _prompt(question: str) -> str:
    if not sys.stdin.isatty():
        raise DocketError(_("This needs a passphrase: set {passphrase_file} to a file holding it, or run the command in a terminal to type it.").format(passphrase_file=PASSPHRASE_FILE))
    return getpass.getpass(question)


def read_passphrase(data_dir: Path) -> str:
    """The passphrase of the protected store in ``data_dir``: from DOCKET_PASSPHRASE_FILE, or
    typed at a prompt."""
    found = _from_file(PASSPHRASE_FILE)
    return found if found is not None else _prompt(f"Passphrase for {data_dir}: ")


def read_new_passphrase() -> str:
    """A new passphrase: from DOCKET_NEW_PASSPHRASE_FILE, or typed twice at a prompt."""
    found = _from_file(NEW_PASSPHRASE_FILE)
    if found is not None:
        return found
    first = _prompt("New passphrase (a few words are best): ")
    if _prompt("The same passphrase again: ") != first:
        raise DocketError(_("The two passphrases differ; nothing was changed."))
    return first


def unlock(data_dir: Path) -> tuple[bytes, str]:
    """The data key of the protected store in ``data_dir``, and the passphrase that opened it:
    the one remembered in the keyring, else from DOCKET_PASSPHRASE_FILE or a prompt.
    A wrong passphrase raises :class:`core.store.crypto.WrongPassphrase` (nothing changes)."""
    # A passphrase remembered in the keyring (off unless the user turned it on) comes first,
    # silently; a stale one is forgotten and the usual ways follow.
    remembered = keyring_store.remembered_passphrase(data_dir=data_dir)
    passphrase = remembered if remembered is not None else read_passphrase(data_dir)
    return crypto.unlock(data_dir, passphrase), passphrase


def _progress(done: int, total: int, what: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{what}: {100 * done // max(total, 1)}%   ", end="", file=sys.stderr, flush=True)


def run_encrypt(store: Store, args: argparse.Namespace) -> int:
    if store.key is not None:
        raise DocketError(_("This data is already protected with a passphrase ('docket passphrase' changes it)."))
    written_down = bool(args.written_down)
    if not written_down and sys.stdin.isatty():
        print(_(NO_RECOVERY), file=sys.stderr)
        written_down = input("Have you written the passphrase down? Type yes: ").strip().lower() == "yes"
    if not written_down:
        raise DocketError(_("Nothing was changed. {no_recovery} Confirm that it is written down with --written-down.").format(no_recovery=_(NO_RECOVERY)))
    print(_(NO_RECOVERY), file=sys.stderr)
    passphrase = read_new_passphrase()
    protection.protect_store(store, passphrase=passphrase, confirmed_written_down=True, progress=_progress)
    print(_("The data in {folder} is now protected with your passphrase: the database, the evidence files and the automatic backups.").format(folder=store.data_dir))
    return 0


def run_decrypt(store: Store, args: argparse.Namespace) -> int:
    passphrase = getattr(args, "unlocked_with", None)
    if store.key is None or passphrase is None:
        raise DocketError(_("This data is not protected with a passphrase."))
    protection.unprotect_store(store, passphrase=passphrase, progress=_progress)
    print(_("The data in {folder} is no longer protected: it is kept in clear again.").format(folder=store.data_dir))
    return 0


def run_passphrase(store: Store, args: argparse.Namespace) -> int:
    passphrase = getattr(args, "unlocked_with", None)
    if store.key is None or passphrase is None:
        raise DocketError(_("This data is not protected with a passphrase ('docket encrypt' protects it)."))
    protection.change_passphrase(data_dir=store.data_dir, old_passphrase=passphrase,
                                 new_passphrase=read_new_passphrase())
    print(_("The passphrase is changed. Archives made before keep opening in this data folder."))
    return 0
