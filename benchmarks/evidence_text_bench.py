"""Text of evidence and the Overview, at scale (measures; asserts nothing).

    python -m benchmarks.evidence_text_bench [--pdfs 1000] [--cases 10000] [--store DIR]

1. Reading the text of ``--pdfs`` PDFs of 1 to 5 pages each (no OCR): the background reading
   (:func:`core.journal.evidence_text.index_pending`) on a fresh store. Target: under 60 s.
2. On a generated store (``benchmarks.generate``: 10,000 cases, 20,000 evidence files, all
   read for search first): search with evidence text included, p50/p95 over varied words,
   both the search results and the case list's search filter. Target: p95 under 50 ms.
3. The Overview on that store: its figures (:func:`gui.shell.overview_view.load_overview`)
   and the view drawn with them. Target: under 300 ms.

Figures go to stdout as JSON; docs/overview.md keeps the ones measured.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

WORDS = ["refund", "invoice", "delivery", "parcel", "order", "warranty", "cancel", "receipt", "subscription",
         "engineer", "voucher", "courier", "statement", "contract", "broadband", "boiler", "tracking"]


def _pdf(pages: int, rng: random.Random, serial: int) -> bytes:
    from pypdf import PdfReader, PdfWriter

    from core.exchange.demo import simple_pdf

    writer = PdfWriter()
    for page in range(pages):
        lines = [f"Order ORD-{serial:06d}-{page}  line {n}: {' '.join(rng.choices(WORDS, k=8))}" for n in range(40)]
        writer.append(PdfReader(io.BytesIO(simple_pdf(f"Invoice {serial} page {page + 1}", lines))))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def bench_pdf_indexing(count: int) -> dict[str, Any]:
    from core.domain.models import Evidence
    from core.journal import cases, evidence_text
    from core.store.store import Store

    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "data") as store:
        case_id = cases.open_case(store, title="Many invoices", company="Acme")
        rows, pages = [], 0
        for i in range(count):
            n = rng.randint(1, 5)
            pages += n
            data = _pdf(n, rng, i)
            stored = store.evidence.add_stream(io.BytesIO(data), total=len(data))
            rows.append({"case_id": case_id, "sha256": stored.sha256, "original_name": f"invoice-{i}.pdf",
                         "media_type": "application/pdf", "size": stored.size, "added_at": datetime.now(UTC),
                         "description": ""})
        with store.write() as session:  # as files stored before text search existed
            session.execute(insert(Evidence), rows)
        started = time.perf_counter()
        summary = evidence_text.index_pending(store)
        seconds = time.perf_counter() - started
        assert evidence_text.pending_files(store) == []
    return {"pdfs": count, "pages": pages, "indexed": summary.indexed, "seconds": round(seconds, 1),
            "ms_per_pdf": round(1000 * seconds / max(count, 1), 1), "target_s": 60}


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": round(1000 * statistics.median(ordered), 1),
            "p95_ms": round(1000 * ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
            "max_ms": round(1000 * ordered[-1], 1), "runs": len(ordered)}


def bench_store(data_dir: Path | None, cases_count: int) -> dict[str, Any]:
    from benchmarks.generate import Size, generate
    from core.journal import evidence_text, queries
    from core.store.store import DB_NAME, Store

    result: dict[str, Any] = {}
    keep = data_dir is not None
    tmp = tempfile.TemporaryDirectory()
    folder = data_dir or Path(tmp.name) / "data"
    if not (folder / DB_NAME).exists():
        started = time.perf_counter()
        generate(folder, Size.scaled(cases_count) if cases_count != 10_000 else Size())
        result["generate_s"] = round(time.perf_counter() - started, 1)
    with Store.open(folder) as store:
        started = time.perf_counter()
        summary = evidence_text.index_pending(store)
        result["index_store"] = {"files": summary.total, "indexed": summary.indexed,
                                 "seconds": round(time.perf_counter() - started, 1)}
        with store.read() as session:
            result["evidence_pages"] = session.connection().exec_driver_sql(
                "SELECT count(*) FROM evidence_text_pages").scalar_one()
        rng = random.Random(3)
        words = WORDS + ["ref", "or", "maison", "telecom", "zzz-no-match", "receipt 12", "4417"]
        search, listing = [], []
        for _ in range(3):
            for word in rng.sample(words, len(words)):
                t = time.perf_counter()
                queries.search(store, word)
                search.append(time.perf_counter() - t)
                t = time.perf_counter()
                queries.list_cases(store, search=word, limit=100)
                listing.append(time.perf_counter() - t)
        result["search"] = _percentiles(search) | {"target_p95_ms": 50}
        result["list_search"] = _percentiles(listing) | {"target_p95_ms": 50}
        result["overview"] = bench_overview(store)
    if not keep:
        tmp.cleanup()
    return result


def bench_overview(store: Any) -> dict[str, Any]:
    from PySide6.QtWidgets import QApplication

    from core.journal import stats
    from gui.shell.overview_view import OverviewView, load_overview

    app = QApplication.instance() or QApplication([])
    figures, drawn, companies = [], [], []
    for _ in range(5):
        t = time.perf_counter()
        data = load_overview(store)
        figures.append(time.perf_counter() - t)
        t = time.perf_counter()
        records = stats.company_standings(store)
        companies.append(time.perf_counter() - t)
        t = time.perf_counter()
        view = OverviewView(store)
        view.resize(1200, 900)
        view.show_data(data)
        view.show_companies(records)
        view.show()
        app.processEvents()
        drawn.append(time.perf_counter() - t)
        view.deleteLater()
        app.processEvents()
    ms = {name: round(1000 * statistics.median(v), 1) for name, v in
          (("figures_ms", figures), ("companies_ms", companies), ("drawn_ms", drawn))}
    # The view opens with every chart but the companies' records (read in a worker of its own).
    return ms | {"open_ms": round(ms["figures_ms"] + ms["drawn_ms"], 1), "target_ms": 300}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfs", type=int, default=1000)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--store", type=Path, help="a generated store to reuse (made here if empty)")
    parser.add_argument("--skip-pdfs", action="store_true")
    args = parser.parse_args()
    report: dict[str, Any] = {}
    if not args.skip_pdfs:
        report["pdf_indexing"] = bench_pdf_indexing(args.pdfs)
        print(json.dumps(report, indent=2), flush=True)
    report["store"] = bench_store(args.store, args.cases)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
