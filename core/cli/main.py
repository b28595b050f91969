"""The ``docket`` command line.

``docket [--data-dir DIR] [--today YYYY-MM-DD] SUBCOMMAND ...``; with no subcommand it opens
the window. Each group of subcommands lives in a module of :mod:`core.commands` with a
``register(subparsers)`` function; its handlers take ``(store, args)`` and return an exit code.
User errors print one line to stderr and exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import sqlite3
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from core import __version__
from core.domain import clock
from core.domain.errors import DocketError, ValidationError

if TYPE_CHECKING:
    from core.store.store import Store

# Each module adds its subcommands. Keep the list in the order the help should show them.
COMMAND_MODULES = [
    "core.cli.commands.cases",
    "core.cli.commands.casefiles",
    "core.cli.commands.demo",
    "core.cli.commands.email",
    "core.cli.commands.letters",
    "core.cli.commands.reminders",
    "core.cli.commands.safety",
]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and exit 2, like every user error
        self.exit(2, f"docket: {message} (see 'docket --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="docket", description="Keep the record of your disputes with companies.")
    parser.add_argument("--version", action="version", version=f"Docket {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="where Docket keeps its data (or DOCKET_DATA_DIR)")
    parser.add_argument("--today", metavar="YYYY-MM-DD", help="treat this date as today for every date rule (or DOCKET_TODAY)")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None, *,
         open_window: Callable[[str | None], int] | None = None) -> int:
    """Run the command line. ``open_window`` is the window front end, called when no
    subcommand is given; :mod:`gui.launch` passes it, so that core never imports the window."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _check_numbers(args)
        if args.today:
            clock.set_today(args.today)
        else:
            clock.today()  # validates DOCKET_TODAY early
        if args.command is None:
            if open_window is None:
                parser.print_help(sys.stderr)
                return 2
            return open_window(args.data_dir)
        needs_store = getattr(args, "needs_store", True)
        if not needs_store:
            return int(args.func(None, args) or 0)
        from core.store.store import Store

        with Store.open(args.data_dir) as store:
            for notice in store.notices:
                print(f"docket: warning: {notice}", file=sys.stderr)
            code = int(args.func(store, args) or 0)
            _automatic_backup(store)
            return code
    except DocketError as exc:
        print(f"docket: {_one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except (OSError, OverflowError, sqlite3.Error, SQLAlchemyError) as exc:
        print(f"docket: {_one_line(environment_error(exc))}", file=sys.stderr)
        return 2
    except Exception as exc:
        # pypdf reading back a PDF that a full disk cut short; anything else is a bug.
        if type(exc).__module__.split(".")[0] != "pypdf":
            raise
        print(f"docket: the PDF could not be written completely ({exc}); is the disk full?", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("docket: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


SQLITE_MAX_INT = 2**63 - 1


def _check_numbers(args: argparse.Namespace) -> None:
    """Case, event and contact numbers fit in the database's 64-bit integers: a 20-digit number
    is refused here, naming the argument, instead of failing deep inside a query."""
    for name, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, int) and not isinstance(item, bool) and not -SQLITE_MAX_INT <= item <= SQLITE_MAX_INT:
                raise ValidationError(name, f"{item} is larger than any number Docket keeps (at most {SQLITE_MAX_INT:,})")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def environment_error(exc: BaseException) -> str:
    """What the user can do about an error of the computer rather than of Docket: a full disk,
    a read-only or locked file, a number beyond what the database holds."""
    if isinstance(exc, OverflowError):
        return f"a number is too large (case and event numbers go up to {2**63 - 1:,})"
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        if exc.errno == errno.ENOSPC:
            return f"the disk is full{where}; free some space and try again"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return f"cannot write{where}: {exc.strerror}; check the folder's permissions"
        return f"{exc.strerror or exc}{where}"
    text = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    low = text.lower()
    if "locked" in low or "busy" in low:
        return ("the database is locked by another program (a backup or sync tool, or a second Docket); "
                "close it and try again")
    if "full" in low:
        return "the disk is full; free some space and try again"
    if "readonly" in low or "read-only" in low:
        return "the data folder is read-only; Docket needs to write there"
    return f"the database cannot be used ({text}); run 'docket verify'"


def _automatic_backup(store: Store) -> None:
    """The command line keeps automatic backups as the window does: one when something changed
    and the newest is older than 30 minutes (a backup per command would crowd out older ones)."""
    from datetime import UTC, datetime, timedelta

    from core.store import backup

    if store.identity_problem or store.closed:
        return  # never let a replaced or emptied database push good backups out
    try:
        newest = backup.list_backups(store)
        if newest and datetime.now(UTC) - newest[-1].made_at < timedelta(minutes=30):
            return
        if not newest and not backup.has_data(store):
            return
        backup.auto_backup(store)
    except (DocketError, OSError) as exc:
        print(f"docket: warning: no automatic backup was made ({exc})", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
