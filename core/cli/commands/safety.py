"""``docket backup FILE.zip``, ``docket restore FILE.zip``, ``docket verify``, ``docket backups``,
``docket history CASE``."""

from __future__ import annotations

import argparse
import sys

from core.cli.output import print_json
from core.i18n import _, ngettext
from core.store import backup
from core.store import revisions as history
from core.store.paths import risky_location
from core.store.store import Store
from core.store.verify import verify


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("backup", help=_("write everything (database, evidence, settings) to a zip archive"))
    p.add_argument("file", metavar="FILE.zip")
    p.set_defaults(func=run_backup)

    p = sub.add_parser("restore", help=_("replace the data with a zip archive made by 'docket backup', or with an automatic backup (backups/*.sqlite3)"))
    p.add_argument("file", metavar="FILE.zip")
    p.set_defaults(func=run_restore)

    p = sub.add_parser("verify", help=_("check the database, every evidence file and the history; exit 1 if anything is wrong"))
    p.add_argument("--quick", action="store_true", help=_("a quicker database check (quick_check)"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.add_argument("--accept", action="store_true",
                   help=_("keep the database as it is when Docket warns it is not the one this folder held"))
    p.set_defaults(func=run_verify)

    p = sub.add_parser("backups", help=_("list the automatic backups kept in the data folder"))
    p.set_defaults(func=run_backups)

    p = sub.add_parser("history", help=_("every change to a case and everything in it, oldest first"))
    p.add_argument("case", type=int, metavar="CASE")
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=run_history)


def _warn_location(store: Store) -> None:
    warning = risky_location(store.data_dir)
    if warning:
        print("docket: " + _("warning: {message}").format(message=warning), file=sys.stderr)


def run_backup(store: Store, args: argparse.Namespace) -> int:
    _warn_location(store)
    summary = backup.backup_archive(store, args.file)
    print(ngettext("Wrote {path}: the database, {n:,} evidence file and settings, {size:,} bytes.",
                   "Wrote {path}: the database, {n:,} evidence files and settings, {size:,} bytes.",
                   summary.evidence_files).format(path=summary.path, n=summary.evidence_files, size=summary.bytes))
    if summary.missing_evidence:
        missing = len(summary.missing_evidence)
        print("docket: " + ngettext(
            "warning: {n:,} evidence file was already missing from the store and is not in the archive; run "
            "'docket verify' for the list.",
            "warning: {n:,} evidence files were already missing from the store and are not in the archive; run "
            "'docket verify' for the list.", missing).format(n=missing), file=sys.stderr)
    return 0


def run_restore(store: Store, args: argparse.Namespace) -> int:
    result = backup.restore_archive(store, args.file)
    print(_("Restored {file}. The data as it was before is kept in {previous}.").format(
        file=args.file, previous=result.previous_backup))
    return 0


def run_verify(store: Store, args: argparse.Namespace) -> int:
    if args.accept:
        from core.store import identity

        identity.adopt(store)
        store.identity_problem = None
    report = verify(store, quick=args.quick)
    warning = risky_location(store.data_dir)
    if warning:
        report.add("location", warning, "notice")
    if args.json:
        print_json(report.as_dict())
    else:
        print(report.text())
    return 0 if report.ok else 1


def run_backups(store: Store, args: argparse.Namespace) -> int:
    backups = backup.list_backups(store)
    if not backups:
        print(_("No automatic backups yet. Docket makes one every 30 minutes while the window is open "
                "and something changed, and before an upgrade, a restore or an import."))
        return 0
    for b in backups:
        size = b.path.stat().st_size
        print(f"{b.made_at:%Y-%m-%d %H:%M} UTC  {b.reason:<28} "
              + ngettext("{n:>14,} byte", "{n:>14,} bytes", size).format(n=size) + f"  {b.path.name}")
    return 0


def run_history(store: Store, args: argparse.Namespace) -> int:
    from core.journal import queries

    queries.load_case(store, args.case)  # a clear error for a case that does not exist
    revisions = history.case_history(store, case_id=args.case)
    if args.json:
        print_json({"case_id": args.case, "head_hash": history.head_hash(store), "revisions": [
            {"id": r.id, "at": r.at.isoformat(), "entity": r.entity, "entity_id": r.entity_id,
             "action": r.action, "fields": {k: list(v) for k, v in r.fields.items()}, "hash": r.hash}
            for r in revisions]})
        return 0
    for r in revisions:
        if r.bookkeeping:
            continue
        print(f"{r.at:%Y-%m-%d %H:%M:%S} UTC  {r.describe()}")
        if r.action == "update":
            for name, (before, after) in sorted(r.fields.items()):
                if name != "updated_at":
                    print(f"    {name}: {_short(before)} -> {_short(after)}")
    print(_("History head: {hash}").format(hash=history.head_hash(store)))

    return 0


def _short(value: object, limit: int = 70) -> str:
    text = "-" if value is None else str(value).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
