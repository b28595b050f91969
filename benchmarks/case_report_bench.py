"""How long a big case history takes to export as PDF, and how much memory it needs.

    python -m benchmarks.case_report_bench [--events 1000] [--images 50] [--reps 3]

Builds one case with ``events`` events and ``images`` camera-sized JPEG photos (3000 x 2000,
the size a phone takes) linked to events, then exports it in a fresh child process per run so
that the peak memory (ru_maxrss) is the export's own: once with thumbnails only and once with
the appendix of full-size images. Target: under 5 s and under 500 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def build_case(data: Path, photos: Path, events: int, images: int) -> int:
    """A store with one long case; returns its id."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QLinearGradient, QPainter

    from core.documents.render import ensure_gui_app
    from core.journal import cases
    from core.journal.opening import open_store

    ensure_gui_app()
    photos.mkdir(parents=True, exist_ok=True)
    with open_store(data) as store:
        case_id = cases.open_case(store, title="Lenses lost by the optician", company="Example Optics",
                                  amount="240.00", currency="GBP", jurisdiction="GB",
                                  desired_outcome="A refund of GBP 240.00", impact="Two months without glasses.")
        contact = cases.add_contact(store, case_id=case_id, name="Sam Taylor", role="Store manager",
                                    email="sam.taylor@optics.example", phone="+44 20 7946 0000")
        evidence_ids = []
        for n in range(images):
            img = QImage(3000, 2000, QImage.Format.Format_RGB32)
            painter = QPainter(img)
            grad = QLinearGradient(0, 0, 3000, 2000)
            grad.setColorAt(0, QColor(250 - n, 240, 225))
            grad.setColorAt(1, QColor(120, 110 + n, 100))
            painter.fillRect(img.rect(), grad)
            font = QFont("Noto Sans")
            font.setPixelSize(140)
            painter.setFont(font)
            painter.drawText(QRectF(150, 150, 2700, 1700), int(Qt.AlignmentFlag.AlignLeft),
                             f"RECEIPT {n}\nExample Optics\nLenses, order 2025-{n:03d}\nGBP 240.00")
            painter.end()
            path = photos / f"photo-{n:02d}.jpg"
            img.save(str(path), "JPEG", 85)
            evidence_ids.append(cases.attach_evidence(store, case_id=case_id, path=path, description=f"Photo {n}"))
        with store.write() as session:
            for n in range(events):
                linked = [evidence_ids[n * images // events]] if n % max(1, events // images) == 0 else []
                cases.log_event(
                    session, case_id=case_id,
                    at=f"{2024 + n // 336}-{1 + n // 28 % 12:02d}-{1 + n % 28:02d}T10:{n % 60:02d}:00+00:00",
                    kind="call" if n % 3 else "email", direction="to_company" if n % 2 else "from_company",
                    contact_id=contact if n % 3 else None,
                    summary=f"Event {n}: asked again about the lost lenses",
                    details="They said the lab had them and would call back within two working days."
                    if n % 4 == 0 else "",
                    duration_minutes=20 + n % 30 if n % 3 else None, waiting_minutes=n % 45 or None,
                    reference=f"CASE-{n:05d}", evidence_ids=linked)
    return case_id


def child(data: Path, case_id: int, out: Path, appendix: bool) -> None:
    """Run one export and print its figures as JSON."""
    from core.documents.render import ensure_gui_app
    from core.documents.report import export_case_report
    from core.journal.opening import open_store

    ensure_gui_app()
    base = _rss_mb()
    with open_store(data) as store:
        start = time.perf_counter()
        export_case_report(store, case_id=case_id, fmt="pdf", out=out, appendix=appendix)
        seconds = time.perf_counter() - start
    from pypdf import PdfReader

    print(json.dumps({"seconds": round(seconds, 3), "rss_mb": _rss_mb(), "rss_before_mb": base,
                      "pages": len(PdfReader(out).pages), "size_mb": round(out.stat().st_size / 2**20, 1)}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--images", type=int, default=50)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--child", nargs=4, metavar=("DATA", "CASE", "OUT", "APPENDIX"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        data, case_id, out, appendix = args.child
        child(Path(data), int(case_id), Path(out), appendix == "1")
        return 0
    with tempfile.TemporaryDirectory(prefix="docket-bench-") as tmp:
        work = Path(tmp)
        case_id = build_case(work / "store", work / "photos", args.events, args.images)
        for appendix in (False, True):
            runs = []
            for i in range(args.reps):
                out = work / f"history-{int(appendix)}-{i}.pdf"
                proc = subprocess.run(
                    [sys.executable, "-m", "benchmarks.case_report_bench", "--child", str(work / "store"),
                     str(case_id), str(out), "1" if appendix else "0"],
                    cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, PYTHONFAULTHANDLER="1"))
                if proc.returncode != 0:
                    raise SystemExit(f"export failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
                runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            secs = [r["seconds"] for r in runs]
            print(json.dumps({
                "what": f"PDF of {args.events} events, {args.images} photos 3000x2000, "
                        + ("with the appendix of full-size images" if appendix else "thumbnails only"),
                "median_s": round(statistics.median(secs), 3), "min_s": min(secs), "max_s": max(secs),
                "peak_rss_mb": max(r["rss_mb"] for r in runs), "pages": runs[0]["pages"],
                "size_mb": runs[0]["size_mb"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
