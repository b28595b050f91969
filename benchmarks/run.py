"""Run every Docket benchmark and write the results.

    python -m benchmarks.run                 # full size: 10,000 cases, 200,000 events
    python -m benchmarks.run --smoke         # tiny store, one repetition (used by the tests)

Results go to ``docs/performance.json`` and a Markdown table in ``docs/performance.md``
(machine, Python, Qt and SQLite versions; median of several runs with min and max). Where a
baseline exists it is measured in the same run and reported as a ratio, because machines are
noisy: start-up against a bare PySide6 window, search against the raw FTS5 query on the same
file, PDF export against rendering the same HTML straight to QPdfWriter.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.generate import Size, generate

ROOT = Path(__file__).resolve().parent.parent
TYPED = ["refund", "washing machine", "supervisor", "Dubois", "recorded letter", "engineer"]


@dataclass
class Result:
    name: str
    what: str
    target: str
    unit: str = "ms"
    runs: list[float] = field(default_factory=list)
    baseline_runs: list[float] = field(default_factory=list)
    baseline: str = ""
    note: str = ""
    p95: float | None = None

    @property
    def median(self) -> float | None:
        return round(statistics.median(self.runs), 2) if self.runs else None

    @property
    def ratio(self) -> float | None:
        if not self.runs or not self.baseline_runs:
            return None
        return round(statistics.median(self.runs) / max(statistics.median(self.baseline_runs), 1e-9), 2)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(median=self.median, min=min(self.runs) if self.runs else None,
                    max=max(self.runs) if self.runs else None, ratio=self.ratio)
        return data


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return round(ordered[max(0, int(round(0.95 * len(ordered))) - 1)], 2)


def keystrokes() -> list[str]:
    """What a person types, one prefix per keystroke (from two characters on)."""
    return [word[:i] for word in TYPED for i in range(2, len(word) + 1)]


def bench_search(data_dir: Path, reps: int) -> list[Result]:
    from core.journal import queries
    from core.journal.opening import open_store

    search = Result("search", "search as you type, first 50 results (p95 over every keystroke)", "p95 < 50 ms")
    listed = Result("list_search", "case list filtered as you type, first 200 rows (p95)", "< 100 ms")
    raw = sqlite3.connect(data_dir / "docket.sqlite3")
    with open_store(data_dir) as store:
        for _ in range(reps):
            for prefix in keystrokes():
                search.runs.append(timed(lambda p=prefix: queries.search(store, p, limit=50)))
                q = queries.fts_query(prefix)
                search.baseline_runs.append(timed(lambda q=q: raw.execute(
                    "SELECT rowid, case_id FROM search_index WHERE search_index MATCH ? "
                    "ORDER BY rowid DESC LIMIT 50", (q,)).fetchall()))
                listed.runs.append(timed(lambda p=prefix: queries.list_cases(store, search=p, limit=200)))
                listed.baseline_runs.append(timed(lambda q=q: raw.execute(
                    "SELECT DISTINCT case_id FROM search_index WHERE search_index MATCH ?", (q,)).fetchall()))
    raw.close()
    search.baseline = "raw FTS5 query, newest 50 hits"
    listed.baseline = "raw FTS5 query, every matching case id"
    search.p95, listed.p95 = p95(search.runs), p95(listed.runs)
    return [search, listed]


def bench_open_case(data_dir: Path, reps: int) -> list[Result]:
    from core.journal import queries
    from core.journal.opening import open_store

    res = Result("open_case", "open the case with the most events (2,000 at full size): load + time spent", "< 150 ms")
    with open_store(data_dir) as store:
        for _ in range(reps):
            res.runs.append(timed(lambda: (queries.load_case(store, 1), queries.time_spent(store, 1))))
        try:
            from PySide6.QtWidgets import QApplication

            from gui.case.workspace import CaseWorkspace

            app = QApplication.instance() or QApplication([])
            workspace = CaseWorkspace(store)
            gui_runs = []
            for _ in range(reps):
                gui_runs.append(timed(lambda: (workspace.show_case(1), app.processEvents())))
            res.note = f"in the window (CaseWorkspace.show_case): median {statistics.median(gui_runs):.1f} ms"
            res.runs = gui_runs
            res.what = "open the case with the most events in the window (CaseWorkspace.show_case)"
            workspace.deleteLater()
        except ImportError as exc:
            res.note = f"window not measured: {exc}"
    return [res]


def bench_due(data_dir: Path, reps: int) -> list[Result]:
    res = Result("due_list", "due list for all cases (core.reminders.due_items)", "< 200 ms")
    try:
        from core.escalation import reminders
    except ImportError as exc:
        res.note = f"not available: {exc}"
        return [res]
    from core.journal.opening import open_store

    first = Result("due_list_first", "due list for all cases, first call in a process (nothing kept in memory yet)", "< 200 ms")
    with open_store(data_dir) as store:
        kept = store.reactions.find(reminders.NextDue)
        for _ in range(reps):
            if kept is not None:
                kept.cache = reminders._Cache()  # as in a freshly started Docket
            first.runs.append(timed(lambda: reminders.due_items(store)))
        reminders.due_items(store)
        for _ in range(reps):
            res.runs.append(timed(lambda: reminders.due_items(store)))
    res.what = "due list for all cases, as the window asks again (facts kept between calls, refreshed per commit)"
    return [first, res]


def _big_case_file(data_dir: Path, work: Path) -> Path | None:
    try:
        from core.exchange import casefile
    except ImportError:
        return None
    from core.journal.opening import open_store

    out = work / "case-1.zip"  # the zip carries the evidence files the document names
    with open_store(data_dir) as store:
        casefile.write_zip(store, case_id=1, out=out)
    return out


def bench_import(data_dir: Path, reps: int, work: Path) -> list[Result]:
    res = Result("import", "import a case file with the big case's events (2,000 at full size) into an empty store", "1,000 events < 2 s")
    source = _big_case_file(data_dir, work)
    if source is None:
        res.note = "not available: core.casefile"
        return [res]
    from core.exchange import casefile
    from core.journal.opening import open_store

    events = len(casefile.load_document(source)["case"]["events"])
    res.what = f"import a case file of {events:,} events into an empty store"
    for i in range(reps):
        target = work / f"import-{i}"
        with open_store(target) as store:
            res.runs.append(timed(lambda: casefile.import_case(store, path=source)))
        shutil.rmtree(target, ignore_errors=True)
    return [res]


def _pdf_case(work: Path, events: int, images: int) -> tuple[Path, int]:
    """A store with one case of ``events`` events and ``images`` photos of receipts."""
    from PySide6.QtGui import QColor, QImage, QPainter

    from core.documents.render import ensure_gui_app
    from core.journal import cases
    from core.journal.opening import open_store

    ensure_gui_app()
    data = work / "pdf-store"
    with open_store(data) as store:
        case_id = cases.open_case(store, title="Lenses lost by the optician", company="Example Optics",
                                  amount="240.00", currency="GBP", jurisdiction="GB")
        with store.write() as session:
            for n in range(events):
                cases.log_event(session, case_id=case_id, at=f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T10:{n % 60:02d}:00+00:00",
                                kind="call" if n % 3 else "email", direction="to_company",
                                summary=f"Event {n}: asked again about the lost lenses",
                                details="They said the lab had them and would call back.", waiting_minutes=n % 45)
        for n in range(images):
            img = QImage(1200, 900, QImage.Format.Format_RGB32)
            img.fill(QColor(240 - n, 235, 220))
            painter = QPainter(img)
            painter.drawText(100, 100, f"Receipt {n}")
            painter.end()
            path = work / f"receipt-{n}.png"
            img.save(str(path))
            cases.attach_evidence(store, case_id=case_id, path=path, description=f"Photo {n}")
    return data, case_id


def bench_pdf(reps: int, work: Path, events: int = 1000, images: int = 50) -> list[Result]:
    res = Result("pdf_export", f"PDF of a {events:,}-event case with {images} images", "< 5 s", unit="ms")
    try:
        from core.documents import report as case_report
    except ImportError as exc:
        res.note = f"not available: {exc}"
        return [res]
    from core.documents.render import html_to_pdf
    from core.journal.opening import open_store

    data, case_id = _pdf_case(work, events, images)
    with open_store(data) as store:
        for i in range(reps):
            out = work / f"case-{i}.pdf"
            res.runs.append(timed(lambda out=out: case_report.export_case_report(store, case_id=case_id, fmt="pdf", out=out)))
            build = getattr(case_report, "build_report_html", None)
            if build is not None:
                try:
                    html = build(store, case_id=case_id)
                except TypeError:
                    html = None
                if isinstance(html, str):
                    res.baseline_runs.append(timed(lambda html=html, i=i: html_to_pdf(html, work / f"raw-{i}.pdf")))
                    res.baseline = "the same HTML straight to QPdfWriter"
    return [res]


def _probe(args: list[str]) -> dict[str, Any]:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    # An installed app starts from compiled bytecode; without it every start would recompile
    # every module (about 0.1 s of Docket's start-up), which no user ever waits for.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "benchmarks.probe", *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    wall = (time.perf_counter() - start) * 1000
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"probe {args} failed: {out.stderr.strip()[-400:]}")
    data = json.loads(lines[-1])
    data["wall_ms"] = wall
    return data


def bench_startup(data_dir: Path, reps: int) -> list[Result]:
    res = Result("startup", "launch to a usable window, large store (process start to first paint)", "< 2x bare PySide6 and < 1.5 s")
    res.baseline = "a bare PySide6 window shown by the same Python"
    try:
        _probe(["bare"]), _probe(["docket", str(data_dir)])  # warm-up: bytecode and file cache
        for _ in range(reps):
            res.baseline_runs.append(_probe(["bare"])["wall_ms"])
            res.runs.append(_probe(["docket", str(data_dir)])["wall_ms"])
    except RuntimeError as exc:
        res.note = str(exc)
    return [res]


def bench_memory(data_dir: Path) -> list[Result]:
    res = Result("memory", "peak resident memory: large store open, whole list scrolled, cases opened", "< 300 MB", unit="MB")
    try:
        data = _probe(["browse", str(data_dir)])
        res.runs.append(data["rss_mb"])
        res.note = f"{data.get('rows_loaded', 0):,} rows scrolled, {data.get('cases_opened', 0)} cases opened"
        res.baseline_runs.append(_probe(["bare"])["rss_mb"])
        res.baseline = "a bare PySide6 window"
    except RuntimeError as exc:
        res.note = str(exc)
    return [res]


def environment() -> dict[str, str]:
    import PySide6

    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "qt": PySide6.__version__,
        "sqlite": sqlite3.sqlite_version,
        "date": time.strftime("%Y-%m-%d"),
    }


def write_markdown(results: list[Result], env: dict[str, str], size: Size, path: Path, reps: int) -> None:
    lines = [
        "# Performance",
        "",
        "Made by `python -m benchmarks.run` (raw figures in `performance.json`). "
        f"Store: {size.cases:,} cases, {size.companies:,} companies, {size.events:,} events, "
        f"{size.evidence:,} evidence files, {size.letters:,} letters (seed 1). Median of {reps} runs unless noted.",
        "",
        f"Machine: {env['machine']}; Python {env['python']}; Qt (PySide6) {env['qt']}; SQLite {env['sqlite']}; {env['date']}.",
        "",
        "| benchmark | what | target | median | min | max | p95 | baseline ratio | note |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        d = r.as_dict()

        def fmt(v: float | None, unit: str = r.unit) -> str:
            return "n/a" if v is None else f"{v:,.1f} {unit}"

        ratio = "" if r.ratio is None else f"{r.ratio}x {r.baseline}"
        lines.append(f"| {r.name} | {r.what} | {r.target} | {fmt(d['median'])} | {fmt(d['min'])} | {fmt(d['max'])} | "
                     f"{fmt(r.p95) if r.p95 is not None else ''} | {ratio} | {r.note} |")
    notes = ROOT / "docs" / "performance-notes.md"
    if notes.exists():
        lines += ["", notes.read_text().strip()]
    path.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Docket's benchmarks.")
    parser.add_argument("--smoke", action="store_true", help="a tiny store and one run each (for the tests)")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, help="reuse a generated store (made if missing)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where performance.json/.md go")
    parser.add_argument("--only", nargs="*", help="run only these benchmarks")
    args = parser.parse_args(argv)
    size = Size.scaled(60) if args.smoke else Size.scaled(args.cases)
    reps = 1 if args.smoke else args.reps
    with tempfile.TemporaryDirectory(prefix="docket-bench-") as tmp:
        work = Path(tmp)
        data_dir = args.data_dir or work / "store"
        if not (data_dir / "docket.sqlite3").exists():
            print(f"generating {size.cases:,} cases ...", flush=True)
            print(generate(data_dir, size), flush=True)
        only = set(args.only or [])
        plan: list[tuple[str, Callable[[], list[Result]]]] = [
            ("startup", lambda: bench_startup(data_dir, reps)),
            ("search", lambda: bench_search(data_dir, reps)),
            ("open_case", lambda: bench_open_case(data_dir, reps)),
            ("due_list", lambda: bench_due(data_dir, reps)),
            ("import", lambda: bench_import(data_dir, reps, work)),
            ("pdf_export", lambda: bench_pdf(reps, work, *((40, 3) if args.smoke else (1000, 50)))),
            ("memory", lambda: bench_memory(data_dir)),
        ]
        results: list[Result] = []
        for name, run in plan:
            if only and name not in only:
                continue
            print(f"running {name} ...", flush=True)
            for r in run():
                results.append(r)
                print(f"  {r.name}: median {r.median} {r.unit}" + (f", p95 {r.p95}" if r.p95 else "")
                      + (f", {r.ratio}x baseline" if r.ratio else "") + (f" ({r.note})" if r.note else ""), flush=True)
    env = environment()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "performance.json").write_text(json.dumps(
        {"environment": env, "size": asdict(size), "reps": reps, "results": [r.as_dict() for r in results]}, indent=2))
    write_markdown(results, env, size, args.out / "performance.md", reps)
    print(f"wrote {args.out / 'performance.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
