"""``docket index``: read the text of evidence files not read yet, so search finds words in them."""

from __future__ import annotations

import argparse
import sys

from core.journal import evidence_text
from core.store.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("index", help="read the text of evidence stored before text search (or pictures, "
                                     "once OCR is installed) so that search finds words inside them")
    p.set_defaults(func=run_index)


def run_index(store: Store, args: argparse.Namespace) -> int:
    def show(done: int, total: int, name: str) -> None:
        if total and sys.stderr.isatty():
            print(f"\r{done}/{total} {name[:60]:<60}", end="", file=sys.stderr, flush=True)

    summary = evidence_text.index_pending(store, progress=show)
    if sys.stderr.isatty() and summary.total:
        print(file=sys.stderr)
    print(f"Read {summary.total} file(s): {summary.indexed} with text, {summary.without_text} without, "
          f"{summary.failed} unreadable, {summary.waiting_for_ocr} picture(s) waiting for OCR.")
    for note in summary.notes[:20]:
        print(f"  {note}")
    if summary.waiting_for_ocr:
        print(f"  {evidence_text.OCR_HINT}")
    return 0
