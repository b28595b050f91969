"""The ``docket`` command line.

``docket [--data-dir DIR] [--today YYYY-MM-DD] SUBCOMMAND ...``; with no subcommand it opens
the window. Each group of subcommands lives in a module of :mod:`core.commands` with a
``register(subparsers)`` function; its handlers take ``(store, args)`` and return an exit code.
User errors print one line to stderr and exit 2, never a traceback.

Start-up stays light: ``--version`` and ``--help`` are answered from the command modules' text
(their ``add_parser`` calls, read without importing them), and only the module of the chosen
subcommand is imported, so a command pays for its own libraries only.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import importlib
import importlib.util
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, NoReturn

from core.domain import clock
from core.domain.errors import DocketError, ValidationError
from core.i18n import SOURCE_LANGUAGE, _, current_language, set_language

if TYPE_CHECKING:
    from pathlib import Path

    from core.store.lock import StoreLocked
    from core.store.store import Store

# Each module adds its subcommands. Keep the list in the order the help should show them.
COMMAND_MODULES = [
    "core.cli.commands.cases",
    "core.cli.commands.journal",
    "core.cli.commands.companies",
    "core.cli.commands.casefiles",
    "core.cli.commands.demo",
    "core.cli.commands.email",
    "core.cli.commands.letters",
    "core.cli.commands.reminders",
    "core.cli.commands.remind",
    "core.cli.commands.safety",
    "core.cli.commands.completion",
    "core.cli.commands.stats",
    "core.cli.commands.evidence_text",
    "core.cli.commands.protection",
]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line and exit 2, like every user error
        self.exit(2, "docket: " + _("{message} (see 'docket --help')").format(message=message) + "\n")


class _NotUnderstood(Exception):
    """The quick parser cannot tell; the full parser will answer (and word any error)."""


class _QuickParser(_Parser):
    def error(self, message: str) -> NoReturn:
        raise _NotUnderstood(message)


def _top_parser(parser_class: type[_Parser] = _Parser) -> tuple[_Parser, argparse._SubParsersAction[_Parser]]:
    from core import __version__

    parser = parser_class(prog="docket", description=_("Keep the record of your disputes with companies."))
    parser.add_argument("--version", action="version", version=f"Docket {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help=_("where Docket keeps its data (or DOCKET_DATA_DIR)"))
    parser.add_argument("--today", metavar="YYYY-MM-DD", help=_("treat this date as today for every date rule (or DOCKET_TODAY)"))
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND", parser_class=parser_class)
    return parser, sub


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    """The whole parser, with the subcommands of ``modules`` (every command by default)."""
    parser, sub = _top_parser()
    for name in modules:
        importlib.import_module(name).register(sub)
    return parser


@functools.cache
def _declared_commands(module: str) -> tuple[tuple[str, str | None], ...] | None:
    """The subcommands a command module declares, with their help, read from its source
    (``sub.add_parser("name", help="...")``); None when they cannot be read without running it.
    Read once per process: the window and the tests call :func:`main` many times."""
    import ast

    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    try:
        with open(spec.origin, encoding="utf-8") as fh:
            tree = ast.parse(fh.read(), spec.origin)
    except (OSError, SyntaxError):
        return None

    class Unmark(ast.NodeTransformer):
        """``_("text")`` and ``N_("text")`` read as ``"text"`` (translated where shown)."""

        def visit_Call(self, node: ast.Call) -> ast.AST:
            if (isinstance(node.func, ast.Name) and node.func.id in ("_", "N_") and len(node.args) == 1
                    and not node.keywords and isinstance(node.args[0], ast.Constant)):
                return node.args[0]
            return self.generic_visit(node)

    tree = Unmark().visit(tree)
    register = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "register"), None)
    if register is None or not register.args.args:
        return None
    sub = register.args.args[0].arg  # the subcommands object: nested verbs use other names
    # Names a call may use: the module's string constants, and the names a loop over a literal
    # binds (``for verb, text in (("done", "..."), ...)``), one set of values per pass.
    constants: dict[str, object] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            with contextlib.suppress(ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                constants[stmt.targets[0].id] = ast.literal_eval(stmt.value)
    found: list[tuple[int, int, str, str | None]] = []

    def value(node: ast.expr, names: dict[str, object]) -> object:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name) and node.id in names:
            return names[node.id]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_" \
                and len(node.args) == 1 and not node.keywords:
            return value(node.args[0], names)  # _(text): the English text, translated when shown
        raise ValueError(node)


    def scan(statements: list[ast.stmt], names: dict[str, object]) -> bool:
        for stmt in statements:
            if isinstance(stmt, ast.For) and isinstance(stmt.target, (ast.Name, ast.Tuple)):
                try:
                    items = ast.literal_eval(stmt.iter)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    return False
                targets = [stmt.target] if isinstance(stmt.target, ast.Name) else stmt.target.elts
                if not all(isinstance(t, ast.Name) for t in targets):
                    return False
                for item in items:
                    values = [item] if isinstance(stmt.target, ast.Name) else list(item)
                    bound = {**names, **{t.id: v for t, v in zip(targets, values, strict=True)}}  # type: ignore[attr-defined]
                    if not scan(stmt.body, bound):
                        return False
                continue
            for node in ast.walk(stmt):
                if not isinstance(node, ast.Call):
                    continue
                if isinstance(node.func, ast.Attribute) and node.func.attr == "add_parser" \
                        and isinstance(node.func.value, ast.Name) and node.func.value.id == sub:
                    try:
                        name = value(node.args[0], names) if node.args else None
                        keywords = {k.arg: value(k.value, names) for k in node.keywords if k.arg in ("help", "aliases")}
                    except ValueError:
                        return False
                    if not isinstance(name, str) or "aliases" in keywords:
                        return False
                    help_text = keywords.get("help")
                    if help_text is not None and not isinstance(help_text, str):
                        return False
                    found.append((node.lineno, len(found), name, help_text))
                elif any(isinstance(arg, ast.Name) and arg.id == sub for arg in [*node.args, *(k.value for k in node.keywords)]):
                    return False  # the subcommands are handed on: only importing tells them
        return True

    if not scan(register.body, constants):
        return None
    # ast.walk is breadth-first; the help lists the commands in the source's order.
    return tuple((name, help_text) for _, _, name, help_text in sorted(found)) or None


def _quick_parse(argv: Sequence[str]) -> tuple[argparse.Namespace, str | None, argparse.ArgumentParser] | None:
    """Parse the options before the subcommand, answer --help and --version, and name the module
    of the chosen subcommand; None when the full parser must decide."""
    parser, sub = _top_parser(_QuickParser)
    owner: dict[str, str] = {}
    for module in COMMAND_MODULES:
        declared = _declared_commands(module)
        if declared is None:
            return None
        for name, help_text in declared:
            # Without help, argparse leaves a subcommand out of the listing (hidden ones).
            if help_text is None:
                sub.add_parser(name, add_help=False)
            else:
                sub.add_parser(name, help=_(help_text), add_help=False)

            owner[name] = module
    try:
        args, rest = parser.parse_known_args(argv)
    except _NotUnderstood:
        return None
    if args.command is None and rest:
        return None  # an unknown option: the full parser words the error
    return args, owner.get(args.command) if args.command else None, parser


def main(argv: Sequence[str] | None = None, *,
         open_window: Callable[[str | None], int] | None = None) -> int:
    """Run the command line. ``open_window`` is the window front end, called when no
    subcommand is given; :mod:`gui.launch` passes it, so that core never imports the window."""
    argv = list(sys.argv[1:] if argv is None else argv)
    quick = _quick_parse(argv)
    if quick is not None and quick[0].command is None:
        args, parser = quick[0], quick[2]
    else:
        parser = build_parser(COMMAND_MODULES if quick is None or quick[1] is None else [quick[1]])
        args = parser.parse_args(argv)
    # Machine output (--json) stays English and stable whatever the language; the window's
    # language is put back afterwards (tests and the window call main() in one process).
    with _machine_language(getattr(args, "json", False)):
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
            from core.store.lock import StoreLocked

            data_dir, key = args.data_dir, None
            if getattr(args, "reads_only", False):
                # A command that only reads opens the store without SQLAlchemy when nothing but
                # reading is needed (core.store.quick); otherwise it is opened the full way below.
                from core.store.quick import open_for_reading

                try:
                    reader = open_for_reading(data_dir)
                except StoreLocked as locked:
                    data_dir, key = locked.data_dir, _unlock(locked, args)
                    reader = open_for_reading(data_dir, key=key)
                if reader is not None:
                    with reader:
                        code = int(args.func(reader, args) or 0)
                        backup = reader.backup_check_needed()
                    if backup:
                        _backup_after_reading(reader.data_dir, key)
                    return code
            from core.journal.opening import open_store

            try:
                store = open_store(data_dir, key=key)
            except StoreLocked as locked:
                key = _unlock(locked, args)
                store = open_store(locked.data_dir, key=key)
            with store:
                for notice in store.notices:
                    print("docket: " + _("warning: {message}").format(message=notice), file=sys.stderr)
                code = int(args.func(store, args) or 0)
                _automatic_backup(store)
                return code
        except DocketError as exc:
            print(f"docket: {_one_line(str(exc))}", file=sys.stderr)
            return exc.exit_code
        except KeyboardInterrupt:
            print("docket: " + _("interrupted"), file=sys.stderr)
            return 130
        except BrokenPipeError:
            return 0
        except Exception as exc:
            if _is_environment_error(exc):
                print(f"docket: {_one_line(environment_error(exc))}", file=sys.stderr)
                return 2
            # pypdf reading back a PDF that a full disk cut short; anything else is a bug.
            if type(exc).__module__.split(".")[0] != "pypdf":
                raise
            print("docket: " + _("the PDF could not be written completely ({reason}); is the disk full?").format(
                reason=exc), file=sys.stderr)
            return 2


def _unlock(locked: StoreLocked, args: argparse.Namespace) -> bytes:
    """The data key of a protected store: the passphrase from DOCKET_PASSPHRASE_FILE or a
    prompt, never an argument. A wrong one is one message, and nothing was read or changed."""
    from core.cli.commands.protection import unlock

    key, args.unlocked_with = unlock(locked.data_dir)
    return key


def _backup_after_reading(data_dir: Path, key: bytes | None) -> None:
    """The automatic backup after a command that read the store the quick way, when one may be
    due (:meth:`core.store.quick.QuickStore.backup_check_needed`): the store is opened the full
    way and checked as after any other command."""
    from core.journal.opening import open_store

    try:
        store = open_store(data_dir, key=key)
    except DocketError as exc:  # e.g. a window opened on the folder meanwhile: the command is done
        print("docket: " + _("warning: no automatic backup was made ({reason})").format(reason=exc), file=sys.stderr)
        return
    with store:
        for notice in store.notices:
            print("docket: " + _("warning: {message}").format(message=notice), file=sys.stderr)
        _automatic_backup(store)


SQLITE_MAX_INT = 2**63 - 1


@contextlib.contextmanager
def _machine_language(machine: bool) -> Iterator[None]:
    """English while ``machine`` output is written; the current language otherwise."""
    if not machine:
        yield
        return
    before = current_language()
    set_language(SOURCE_LANGUAGE)
    try:
        yield
    finally:
        set_language(before)


def _check_numbers(args: argparse.Namespace) -> None:
    """Case, event and contact numbers fit in the database's 64-bit integers: a 20-digit number
    is refused here, naming the argument, instead of failing deep inside a query."""
    for name, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, int) and not isinstance(item, bool) and not -SQLITE_MAX_INT <= item <= SQLITE_MAX_INT:
                raise ValidationError(name, _("{item} is larger than any number Docket keeps (at most {limit:,})").format(item=item, limit=SQLITE_MAX_INT))


def _is_environment_error(exc: BaseException) -> bool:
    """A full disk, a read-only or locked file, a number beyond the database's integers."""
    if isinstance(exc, (OSError, OverflowError, sqlite3.Error)):
        return True
    sqlcipher = sys.modules.get("sqlcipher3.dbapi2")  # a protected store's driver, once loaded
    if sqlcipher is not None and isinstance(exc, sqlcipher.Error):
        return True
    # SQLAlchemy is not imported for the commands that do not need it (see the module's
    # docstring); an error of it can only come once a command has loaded it.
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    return sqlalchemy_exc is not None and isinstance(exc, sqlalchemy_exc.SQLAlchemyError)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def environment_error(exc: BaseException) -> str:
    """What the user can do about an error of the computer rather than of Docket: a full disk,
    a read-only or locked file, a number beyond what the database holds."""
    if isinstance(exc, OverflowError):
        return _("a number is too large (case and event numbers go up to {limit:,})").format(limit=2**63 - 1)
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        if exc.errno == errno.ENOSPC:
            return _("the disk is full{where}; free some space and try again").format(where=where)
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return _("cannot write{where}: {reason}; check the folder's permissions").format(
                where=where, reason=exc.strerror)
        return f"{exc.strerror or exc}{where}"
    text = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    low = text.lower()
    if "locked" in low or "busy" in low:
        return _("the database is locked by another program (a backup or sync tool, or a second Docket); "
                 "close it and try again")
    if "full" in low:
        return _("the disk is full; free some space and try again")
    if "readonly" in low or "read-only" in low:
        return _("the data folder is read-only; Docket needs to write there")
    return _("the database cannot be used ({reason}); run 'docket verify'").format(reason=text)


def _automatic_backup(store: Store) -> None:
    """The command line keeps automatic backups as the window does: one when something changed
    and the newest is older than 30 minutes (a backup per command would crowd out older ones)."""
    from datetime import UTC, datetime

    from core.store import backup
    from core.store.paths import BACKUP_INTERVAL

    if store.identity_problem or store.closed:
        return  # never let a replaced or emptied database push good backups out
    try:
        newest = backup.list_backups(store)
        if newest and datetime.now(UTC) - newest[-1].made_at < BACKUP_INTERVAL:
            return
        if not newest and not backup.has_data(store):
            return
        backup.auto_backup(store)
    except (DocketError, OSError) as exc:
        print("docket: " + _("warning: no automatic backup was made ({reason})").format(reason=exc), file=sys.stderr)



if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
