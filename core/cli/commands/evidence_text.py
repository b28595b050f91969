"""``docket index``: read the text of evidence files not read yet, so search finds words in them."""

from __future__ import annotations

import argparse
import sys

from core.i18n import _, ngettext
from core.journal import evidence_text
from core.store.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("index", help=_("read the text of evidence stored before text search (or pictures, once OCR is installed) so that search finds words inside them"))
    p.set_defaults(func=run_index)


def run_index(store: Store, args: argparse.Namespace) -> int:
    def show(done: int, total: int, name: str) -> None:
        if total and sys.stderr.isatty():
            print(f"\r{done}/{total} {name[:60]:<60}", end="", file=sys.stderr, flush=True)

    summary = evidence_text.index_pending(store, progress=show)
    if sys.stderr.isatty() and summary.total:
        print(file=sys.stderr)
    print(ngettext("Read {n} file: {indexed} with text, {without} without, {failed} unreadable, {ocr} waiting "
                   "for OCR.",
                   "Read {n} files: {indexed} with text, {without} without, {failed} unreadable, {ocr} waiting "
                   "for OCR.", summary.total).format(
        n=summary.total, indexed=summary.indexed, without=summary.without_text, failed=summary.failed,
        ocr=ngettext("{n} picture", "{n} pictures", summary.waiting_for_ocr).format(n=summary.waiting_for_ocr)))

    for note in summary.notes[:20]:
        print(f"  {note}")
    if summary.waiting_for_ocr:
        print("  " + _(evidence_text.OCR_HINT))
    return 0
