"""``docket backup FILE.zip``, ``docket restore FILE.zip``, ``docket verify``."""

from __future__ import annotations

import argparse
import sys

from core import backup
from core.cli import print_json
from core.paths import risky_location
from core.store import Store
from core.verify import verify


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="write everything (database, evidence, settings) to a zip archive")
    p.add_argument("file", metavar="FILE.zip")
    p.set_defaults(func=run_backup)

    p = sub.add_parser("restore", help="replace the data with a zip archive made by 'docket backup'")
    p.add_argument("file", metavar="FILE.zip")
    p.set_defaults(func=run_restore)

    p = sub.add_parser("verify", help="check the database, every evidence file and the history; exit 1 if anything is wrong")
    p.add_argument("--quick", action="store_true", help="a quicker database check (quick_check)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run_verify)


def _warn_location(store: Store) -> None:
    warning = risky_location(store.data_dir)
    if warning:
        print(f"docket: warning: {warning}", file=sys.stderr)


def run_backup(store: Store, args: argparse.Namespace) -> int:
    _warn_location(store)
    summary = backup.backup_archive(store, args.file)
    print(f"Wrote {summary.path}: the database, {summary.evidence_files:,} evidence file(s) and settings, "
          f"{summary.bytes:,} bytes.")
    if summary.missing_evidence:
        print(f"docket: warning: {len(summary.missing_evidence):,} evidence file(s) were already missing from the "
              "store and are not in the archive; run 'docket verify' for the list.", file=sys.stderr)
    return 0


def run_restore(store: Store, args: argparse.Namespace) -> int:
    result = backup.restore_archive(store, args.file)
    print(f"Restored {args.file}. The data as it was before is kept in {result.previous_backup}.")
    return 0


def run_verify(store: Store, args: argparse.Namespace) -> int:
    report = verify(store, quick=args.quick)
    warning = risky_location(store.data_dir)
    if warning:
        report.add("location", warning, "notice")
    if args.json:
        print_json(report.as_dict())
    else:
        print(report.text())
    return 0 if report.ok else 1
