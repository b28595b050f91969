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
import contextlib
import json
import os
import platform
import resource
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
    # The same operation by the code before this round of changes, measured in the same run
    # (where it can be), so that each change's gain is a ratio on one machine at one moment.
    before_runs: list[float] = field(default_factory=list)
    before: str = ""

    @property
    def median(self) -> float | None:
        return round(statistics.median(self.runs), 2) if self.runs else None

    @property
    def ratio(self) -> float | None:
        if not self.runs or not self.baseline_runs:
            return None
        return round(statistics.median(self.runs) / max(statistics.median(self.baseline_runs), 1e-9), 2)

    @property
    def speedup(self) -> float | None:
        if not self.runs or not self.before_runs:
            return None
        return round(statistics.median(self.before_runs) / max(statistics.median(self.runs), 1e-9), 2)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("runs", "baseline_runs", "before_runs"):
            data[key] = [round(v, 3) for v in data[key]]
        data.update(median=self.median, min=min(self.runs) if self.runs else None,
                    max=max(self.runs) if self.runs else None, ratio=self.ratio,
                    baseline_median=round(statistics.median(self.baseline_runs), 2) if self.baseline_runs else None,
                    before_median=round(statistics.median(self.before_runs), 2) if self.before_runs else None,
                    speedup=self.speedup)
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
    cpu: list[float] = []
    cpu_before: list[float] = []

    def from_events() -> None:
        with store.read() as session:
            reminders.compute(session)

    with open_store(data_dir) as store:
        kept = store.reactions.find(reminders.NextDue)
        for _ in range(reps):
            if kept is not None:
                kept.cache = reminders._Cache()  # as in a freshly started Docket
            started = time.process_time()
            first.runs.append(timed(lambda: reminders.due_items(store)))
            cpu.append((time.process_time() - started) * 1000)
            if hasattr(reminders, "keep_facts"):
                # The same list worked out the way the first call did before the facts were
                # kept (every open case's events aggregated), interleaved run by run.
                started = time.process_time()
                first.before_runs.append(timed(from_events))
                cpu_before.append((time.process_time() - started) * 1000)
        if cpu_before:
            first.before = "every open case's events aggregated, as the first call did before (reminders.compute)"
            first.note = (f"CPU time median {statistics.median(cpu):,.0f} ms against "
                          f"{statistics.median(cpu_before):,.0f} ms before")
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


def bench_import(data_dir: Path, reps: int, work: Path, messages: int = 1000) -> list[Result]:
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
    return [res, bench_mbox(reps, work, messages)]


def _mbox(path: Path, messages: int) -> Path:
    """A mailbox of ``messages`` plain messages, half from the company, half to it."""
    import mailbox
    from datetime import UTC, datetime, timedelta
    from email.message import EmailMessage
    from email.utils import format_datetime

    box = mailbox.mbox(path)
    start = datetime(2025, 1, 1, 9, tzinfo=UTC)
    for n in range(messages):
        msg = EmailMessage()
        ours, theirs = "pat@home.example", "care@shop.example"
        msg["From"], msg["To"] = (ours, theirs) if n % 2 else (theirs, ours)
        msg["Subject"] = f"Order 1234: message {n}"
        msg["Date"] = format_datetime(start + timedelta(hours=n * 7))
        msg["Message-ID"] = f"<msg{n}@example.org>"
        msg.set_content(f"Hello,\n\nThis is message {n} about the refund for order 1234.\n" * 5)
        box.add(msg)
    box.flush()
    return path


def bench_mbox(reps: int, work: Path, messages: int) -> Result:
    from core.exchange import emails
    from core.journal import cases
    from core.journal.opening import open_store

    res = Result("import_mbox", f"import {messages:,} messages from an mbox into a case (read before, as the "
                 "dialog's preview does)", "1,000 messages < 5 s")
    source = _mbox(work / "mail.mbox", messages)
    cpu_runs: list[float] = []
    for i in range(reps):
        target = work / f"mbox-{i}"
        with open_store(target) as store:
            case_id = cases.open_case(store, title="Refund never paid", company="Shop")
            items = emails.parse_messages([source])
            cpu = time.process_time()
            res.runs.append(timed(lambda s=store, c=case_id, i=items: emails.import_emails(
                s, case_id=c, items=i, own_addresses={"pat@home.example"})))
            cpu_runs.append((time.process_time() - cpu) * 1000)
        shutil.rmtree(target, ignore_errors=True)
    res.note = f"CPU time median {statistics.median(cpu_runs):,.0f} ms"
    return res


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
    """Docket's PDF export against Qt alone printing the same content: the same HTML and the
    same images, decoded by the same readers at the same sizes, laid out and printed by
    QTextDocument.print_ to a QPdfWriter (no running header, no outline, no metadata pass)."""
    res = Result("pdf_export", f"PDF of a {events:,}-event case with {images} images", "< 5 s, < 1.5x Qt alone")
    try:
        from core.documents import report as case_report
    except ImportError as exc:
        res.note = f"not available: {exc}"
        return [res]
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QPdfWriter, QTextDocument

    from core.documents import render
    from core.journal.opening import open_store

    data, case_id = _pdf_case(work, events, images)
    finishing: list[float] = []
    real_finish = render._finish_pdf

    def timed_finish(*args: Any, **kwargs: Any) -> None:
        start = time.perf_counter()
        real_finish(*args, **kwargs)
        finishing.append((time.perf_counter() - start) * 1000)

    gathering: list[float] = []
    render._finish_pdf = timed_finish  # type: ignore[assignment]
    try:
        with open_store(data) as store:
            for i in range(reps):
                out = work / f"case-{i}.pdf"
                res.runs.append(timed(lambda out=out: case_report.export_case_report(store, case_id=case_id, fmt="pdf", out=out)))

                def qt_alone(i: int = i) -> None:
                    layout = case_report.build_report_layout(store, case_id=case_id)
                    doc = QTextDocument()
                    doc.setDefaultFont(render.body_font())
                    for name, image in layout.images.items():
                        doc.addResource(QTextDocument.ResourceType.ImageResource.value, QUrl(name), image)
                    for name, prepare in layout.lazy_images.items():
                        reader = prepare()
                        if reader is not None:
                            doc.addResource(QTextDocument.ResourceType.ImageResource.value, QUrl(name), reader.read())
                    doc.setHtml(layout.html)
                    writer = QPdfWriter(str(work / f"qt-{i}.pdf"))
                    writer.setPageLayout(render.page_layout("A4"))
                    writer.setResolution(render.PDF_RESOLUTION)
                    doc.print_(writer)
                    del writer

                res.baseline_runs.append(timed(qt_alone))
                gathering.append(timed(lambda: case_report.build_report_layout(store, case_id=case_id)))
    finally:
        render._finish_pdf = real_finish  # type: ignore[assignment]
    res.baseline = "Qt alone: the same HTML and images printed by QTextDocument.print_"
    if res.runs and finishing and gathering:
        total = statistics.median(res.runs)
        gather, finish = statistics.median(gathering), statistics.median(finishing)
        res.note = (f"where the time goes (medians): gathering the case and decoding the thumbnails {gather:,.0f} ms, "
                    f"layout and painting with the running header and full-size images {total - gather - finish:,.0f} ms, "
                    f"outline and metadata (pypdf) {finish:,.0f} ms")
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
    res = Result("startup", "launch to the full window, large store: store open, menus and workspace built, shown (process start until then)", "< 2x bare PySide6 and < 1.5 s")
    res.baseline = "a bare PySide6 window shown by the same Python"
    staged = Result("startup_staged_sketch", "a sketch of a staged start: window with the counts and the first "
                    "page read by plain sqlite3 (not Docket's window; a measure for it)", "< 2x bare PySide6")
    staged.baseline = res.baseline
    first = Result("startup_first_paint", "Docket's staged start (gui/shell/first_paint.py): launch to the first "
                   "paint of the counts and the first page (`benchmarks/probe.py first`)", "< 2x bare PySide6")
    first.baseline = res.baseline
    try:
        if reps > 1:  # warm-up: bytecode and file cache (for figures; not in a smoke run)
            _probe(["bare"]), _probe(["docket", str(data_dir)])
            _probe(["staged", str(data_dir)]), _probe(["first", str(data_dir)])
        for _ in range(reps):
            res.baseline_runs.append(_probe(["bare"])["wall_ms"])
            res.runs.append(_probe(["docket", str(data_dir)])["wall_ms"])
            staged.runs.append(_probe(["staged", str(data_dir)])["wall_ms"])
            staged.baseline_runs.append(res.baseline_runs[-1])
            first.runs.append(_probe(["first", str(data_dir)])["wall_ms"])
            first.baseline_runs.append(res.baseline_runs[-1])
    except RuntimeError as exc:
        res.note = str(exc)
    return [res, staged, first]


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


# The case list query as it was before keyset paging: "nulls last" through a CASE, which no
# index serves, and pages by OFFSET. Run on the same file with plain sqlite3 (the old code also
# built SQLAlchemy rows, so this slightly favours the old way).
OLD_LIST_SQL = (
    "SELECT cases.id, cases.title, coalesce(companies.name, ''), cases.status, cases.last_activity, "
    "cases.next_due, cases.amount, cases.currency, cases.opened_on, cases.company_id "
    "FROM cases LEFT OUTER JOIN companies ON companies.id = cases.company_id "
    "ORDER BY CASE WHEN (cases.last_activity IS NULL) THEN 1 ELSE 0 END, cases.last_activity DESC, "
    "cases.id DESC LIMIT ? OFFSET ?"
)
LIST_PAGE = 200


# The counts as the first paint read them before revision 0008: a scan of every case.
OLD_COUNTS_SQL = (
    "SELECT count(*), "
    "sum(CASE WHEN status NOT IN ('resolved', 'closed') AND next_due <= ? THEN 1 ELSE 0 END), "
    "sum(CASE WHEN status = 'open' THEN 1 ELSE 0 END), "
    "sum(CASE WHEN status = 'awaiting_reply' THEN 1 ELSE 0 END), "
    "sum(CASE WHEN status = 'escalated' THEN 1 ELSE 0 END), "
    "sum(CASE WHEN status IN ('resolved', 'closed') THEN 1 ELSE 0 END) FROM cases"
)


def bench_case_list(data_dir: Path, reps: int, cases: int) -> list[Result]:
    """The case list: the first page, every page while scrolling to the end, the whole scroll,
    in SQL and in the window's model; the old OFFSET query measured beside it."""
    from core.journal import queries
    from core.store.store import Store

    first = Result("case_list_first_page", f"case list, first page of {LIST_PAGE} (most recent activity first)",
                   "< 5 ms")
    page = Result("case_list_page", f"case list, every page of {LIST_PAGE} while scrolling to the end "
                  "(p95 and max over all pages and sorts)", "every page < 5 ms")
    scroll = Result("case_list_scroll", "case list, whole list scrolled page by page (SQL, most recent first)",
                    "< 2 s")
    model_scroll = Result("case_list_scroll_model", "case list in the window's model: fetchMore to the end", "< 2 s")
    pages = max(1, -(-cases // LIST_PAGE))
    raw = sqlite3.connect(f"file:{data_dir / 'docket.sqlite3'}?mode=ro", uri=True)
    page_times: list[float] = []
    page_cpu: list[float] = []  # this thread's CPU time (SQLite runs in it): less hit by other load
    scroll_cpu: list[float] = []
    model_cpu: list[float] = []
    counts = Result("sidebar_counts", "the sidebar's counts as the first paint reads them (plain sqlite3)",
                    "constant in the store size")
    from core.journal import case_list

    def run_raw(sql: str, params: Any) -> Any:
        return raw.execute(sql, params).fetchall()

    from datetime import date, timedelta

    week = (date.today() + timedelta(days=7)).isoformat()
    with Store.open(data_dir) as store:
        for _ in range(reps):
            counts.runs.append(timed(lambda: case_list.view_counts_on(run_raw)))
            counts.before_runs.append(timed(lambda: (raw.execute(OLD_COUNTS_SQL, (week,)).fetchall(),
                                                      raw.execute("SELECT count(*) FROM companies").fetchall())))
            first.runs.append(timed(lambda: queries.case_page(store, limit=LIST_PAGE)))
            first.before_runs.append(timed(lambda: raw.execute(OLD_LIST_SQL, (LIST_PAGE, 0)).fetchall()))
            for sort, descending in (("last_activity", True), ("title", False), ("company", False), ("amount", True)):
                after = None
                start, cpu_start = time.perf_counter(), time.thread_time()
                while True:
                    t0, c0 = time.perf_counter(), time.thread_time()
                    got = queries.case_page(store, sort=sort, descending=descending, limit=LIST_PAGE, after=after)
                    page_times.append((time.perf_counter() - t0) * 1000)
                    page_cpu.append((time.thread_time() - c0) * 1000)
                    if got.complete:
                        break
                    after = got.end
                if sort == "last_activity":
                    scroll.runs.append((time.perf_counter() - start) * 1000)
                    scroll_cpu.append((time.thread_time() - cpu_start) * 1000)
        # Before: every OFFSET page at 10,000 cases; at larger sizes pages at five depths, the
        # whole scroll estimated as their mean times the number of pages (it took minutes).
        depths = range(pages) if pages <= 60 else [int(pages * f) for f in (0, 0.25, 0.5, 0.75)] + [pages - 1]
        for _ in range(max(1, reps // 2) if pages > 60 else reps):
            times = [timed(lambda d=d: raw.execute(OLD_LIST_SQL, (LIST_PAGE, d * LIST_PAGE)).fetchall()) for d in depths]
            page.before_runs += times
            scroll.before_runs.append(sum(times) if pages <= 60 else statistics.mean(times) * pages)
        scroll.note = f"CPU time median {statistics.median(scroll_cpu):,.0f} ms" if scroll_cpu else ""
        if pages > 60:
            scroll.note += "; before: estimated from OFFSET pages at five depths x the number of pages"
        try:
            from PySide6.QtCore import QModelIndex
            from PySide6.QtWidgets import QApplication

            from gui.shell.case_list_model import CaseListModel

            QApplication.instance() or QApplication([])
            for _ in range(reps):
                start, cpu_start = time.perf_counter(), time.thread_time()
                model = CaseListModel(store)
                while model.canFetchMore(QModelIndex()):
                    model.fetchMore(QModelIndex())
                model_scroll.runs.append((time.perf_counter() - start) * 1000)
                model_cpu.append((time.thread_time() - cpu_start) * 1000)
            model_scroll.note = f"{model.rowCount():,} rows; CPU time median {statistics.median(model_cpu):,.0f} ms"
        except ImportError as exc:
            model_scroll.note = f"window not measured: {exc}"
    raw.close()
    page.runs = page_times
    page.p95 = p95(page_times)
    page.note = (f"wall: max {max(page_times):.1f} ms over {len(page_times):,} pages; CPU time: median "
                 f"{statistics.median(page_cpu):.2f} ms, p95 {p95(page_cpu):.2f} ms, max {max(page_cpu):.1f} ms; "
                 "before: OFFSET pages at several depths")
    first.before = page.before = scroll.before = "the old query (CASE for nulls last, OFFSET paging)"
    counts.before = "a scan of every case, as the first paint counted before revision 0008"
    return [counts, first, page, scroll, model_scroll]


def _before_code(rev: str, work: Path) -> Path:
    """The source tree at ``rev`` in ``work/before``, for measuring the old code in this run."""
    target = work / "before"
    if not target.exists():
        target.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def _store_for(code: Path, data_dir: Path, work: Path) -> Path:
    """A copy of the database stamped with the schema revision ``code`` knows (its extra
    indexes stay, unused), so the old code reads the same data without upgrading anything."""
    import re

    head = re.search(r'HEAD = "(\w+)"', (code / "core/store/migrations/__init__.py").read_text())
    target = work / f"store-{code.name}"
    if not target.exists():
        target.mkdir()
        (target / "evidence").mkdir()
        src = sqlite3.connect(data_dir / "docket.sqlite3")
        dst = sqlite3.connect(target / "docket.sqlite3")
        src.backup(dst)
        src.close()
        if head:
            dst.execute("UPDATE alembic_version SET version_num = ?", (head.group(1),))
            dst.commit()
        dst.close()
    return target


_CHILD_CPU: dict[int, float] = {}  # id of a Result's run list -> CPU times of its children


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def _run_cli(code: Path, args: list[str], cpu: list[float] | None = None) -> float:
    """Wall milliseconds of one command; its CPU time (user + system, which other load on the
    machine moves less) is appended to ``cpu``."""
    env = {k: v for k, v in os.environ.items() if k not in ("DOCKET_DATA_DIR", "DOCKET_TODAY", "PYTHONDONTWRITEBYTECODE")}
    env["PYTHONPATH"] = str(code)
    cpu_start, start = _child_cpu(), time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "core.cli.main", *args], cwd=code, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=1800)
    ms = (time.perf_counter() - start) * 1000
    if cpu is not None:
        cpu.append(_child_cpu() - cpu_start)
    if done.returncode != 0:
        raise RuntimeError(f"docket {' '.join(args)}: {done.stderr.decode()[-300:]}")
    return ms


def _cpu_note(now: list[float], then: list[float], then_name: str) -> str:
    if not now or not then:
        return ""
    a, b = statistics.median(now), statistics.median(then)
    return f"CPU time (user + system): {a:,.0f} ms against {b:,.0f} ms for {then_name}, {a / max(b, 1e-9):.2f}x"


def bench_cli(data_dir: Path, reps: int, work: Path, before: str | None, cases: int) -> list[Result]:
    """The command line's start and its commands, each paired run by run with its baseline."""
    version = Result("cli_version", "docket --version", "< 3x python -c pass")
    version.baseline = "python -c pass"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    old = _before_code(before, work) if before else None
    old_store = _store_for(old, data_dir, work) if old else None
    _run_cli(ROOT, ["--version"])  # bytecode written once, as an installed Docket has it
    cpu_now: list[float] = []
    cpu_pass: list[float] = []
    cpu_old: list[float] = []
    # Five runs at least for figures (a start is short and noisy); one in a smoke run, which
    # only checks that the harness works.
    for _ in range(1 if reps == 1 else max(reps, 5)):
        cpu_start, start = _child_cpu(), time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
        version.baseline_runs.append((time.perf_counter() - start) * 1000)
        cpu_pass.append(_child_cpu() - cpu_start)
        version.runs.append(_run_cli(ROOT, ["--version"], cpu_now))
        if old:
            version.before_runs.append(_run_cli(old, ["--version"], cpu_old))
    version.note = "; ".join(n for n in (_cpu_note(cpu_now, cpu_pass, "python -c pass"),
                                         _cpu_note(cpu_now, cpu_old, "the old code")) if n)
    results = [version]
    for name, args, what in (
        ("cli_cases_json", ["cases", "--json"], "docket cases --json (every case, streamed)"),
        ("cli_show", ["show", "1", "--json"], "docket show 1 --json (the case with the most events)"),
        ("cli_due", ["due", "--json"], "docket due --json"),
    ):
        res = Result(name, what, "30 % faster than before" if old else "")
        cpu_now, cpu_old = [], []
        for rep in range(reps):
            res.runs.append(_run_cli(ROOT, ["--data-dir", str(data_dir), *args], cpu_now))
            # The old code takes minutes on a large store: once is enough there.
            if old and old_store and (rep == 0 or cases <= 20_000):
                res.before_runs.append(_run_cli(old, ["--data-dir", str(old_store), *args], cpu_old))
        res.note = _cpu_note(cpu_now, cpu_old, "the old code")
        results.append(res)
    for r in results:
        if old:
            r.before = f"the code at {before}, same data"
    return results


def _backup_probe(args: list[str]) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "benchmarks.backup_probe", *args], cwd=ROOT,
                         capture_output=True, text=True, timeout=3600)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"backup probe {args[0]} failed: {out.stderr.strip()[-400:]}")
    return json.loads(lines[-1])


def bench_backup(data_dir: Path, reps: int, work: Path, cases: int) -> list[Result]:
    """Automatic backups and archives against doing it by hand (SQLite's backup API, then a
    copy of each evidence file), each in its own process for its peak memory."""
    auto = Result("backup_auto", "automatic backup: fingerprint, copy of the database, quick_check", "< 3x a plain sqlite3 backup")
    archive = Result("backup_archive", "whole archive: database, every evidence file, manifest of hashes",
                     "< 3x sqlite3 backup + file copies")
    auto_rss = Result("backup_auto_memory", "peak memory of the automatic backup's process", "flat in the store size", unit="MB")
    archive_rss = Result("backup_archive_memory", "peak memory of the archive's process", "flat in the store size", unit="MB")
    sizes = []
    read_back: dict[str, Any] = {"members": 0, "zip64": False}
    for i in range(reps if cases <= 20_000 else min(reps, 2)):  # minutes each on a large store
        plain = _backup_probe(["plain", str(data_dir), str(work / f"plain-{i}")])
        shutil.rmtree(work / f"plain-{i}", ignore_errors=True)
        made = _backup_probe(["auto", str(data_dir)])
        zipped = _backup_probe(["archive", str(data_dir), str(work / f"archive-{i}.zip")])
        if i == 0:  # a large store's archive needs the ZIP64 records: read it back
            read_back = _backup_probe(["members", str(work / f"archive-{i}.zip")])
        (work / f"archive-{i}.zip").unlink(missing_ok=True)
        auto.runs.append(made["ms"])
        auto.baseline_runs.append(plain["db_ms"])
        archive.runs.append(zipped["ms"])
        archive.baseline_runs.append(plain["ms"])
        auto_rss.runs.append(made["rss_mb"])
        archive_rss.runs.append(zipped["rss_mb"])
        auto_rss.baseline_runs.append(plain["rss_mb"])
        archive_rss.baseline_runs.append(plain["rss_mb"])
        sizes.append((zipped["bytes"], plain["bytes"]))
    auto.baseline = "sqlite3 backup API alone"
    archive.baseline = "sqlite3 backup + copy of every evidence file"
    auto_rss.baseline = archive_rss.baseline = "the plain copy's process"
    if sizes:
        archive.note = (f"archive {sizes[-1][0] / 1e6:,.0f} MB for {sizes[-1][1] / 1e6:,.0f} MB of data; "
                        f"{read_back['members']:,} members read back by Python's zipfile"
                        f"{' (ZIP64 end record)' if read_back['zip64'] else ''}")
    return [auto, archive, auto_rss, archive_rss]


def _encryption(data_dir: Path, reps: int, work: Path, file_mb: int) -> list[Result]:
    from benchmarks.encryption_bench import results

    return results(data_dir, reps, work, file_mb)


def environment() -> dict[str, str]:
    import PySide6

    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "qt": PySide6.__version__,
        "sqlite": sqlite3.sqlite_version,
        "date": time.strftime("%Y-%m-%d"),
    }


def dump_json(data: Any) -> str:
    """Indented JSON with each list of numbers on one line (a scroll times thousands of pages)."""
    import re

    text = json.dumps(data, indent=2, default=lambda v: round(v, 3) if isinstance(v, float) else str(v))
    return re.sub(r"\[\s+([-0-9.eE,\s]+?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)


def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "n/a"
    return f"{v:,.2f} {unit}" if v < 10 else f"{v:,.0f} {unit}"


def write_markdown(sizes: dict[str, Any], path: Path) -> None:
    """One table per store size, then the growth from the smallest to the largest size."""
    lines = ["# Performance", "",
             "Made by `python -m benchmarks.run --cases N` (raw figures in `performance.json`), one table per "
             "store size. The machine is shared and noisy: every figure is a median of several runs, and each "
             "baseline and each *before* figure was measured in the same run, interleaved run by run with the "
             "figure it is compared with, so read the ratios rather than the milliseconds.", ""]
    for key in sorted(sizes, key=int):
        run = sizes[key]
        size, env = run["size"], run["environment"]
        lines += [
            f"## {int(key):,} cases", "",
            f"Store: {size['cases']:,} cases, {size['companies']:,} companies, {size['events']:,} events, "
            f"{size['evidence']:,} evidence files, {size['letters']:,} letters (seed 1). Median of {run['reps']} runs unless noted."
            + (f" Generated in {run['generated']['seconds']:,.0f} s." if run.get("generated") else ""),
            "",
            f"Machine: {env['machine']}; Python {env['python']}; Qt (PySide6) {env['qt']}; SQLite {env['sqlite']}; {env['date']}.",
            "",
            "| benchmark | what | target | median | p95 | x baseline | before | gain | note |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for r in run["results"]:
            ratio = "" if r.get("ratio") is None else f"{r['ratio']}x {r['baseline']} ({_fmt(r.get('baseline_median'), r['unit'])})"
            before = "" if r.get("before_median") is None else f"{_fmt(r['before_median'], r['unit'])}: {r['before']}"
            speedup = r.get("speedup")
            gain = "" if not speedup else f"{speedup}x faster" if speedup >= 1 else f"{1 / speedup:.1f}x slower"
            p95_text = "" if r.get("p95") is None else _fmt(r["p95"], r["unit"])
            lines.append(f"| {r['name']} | {r['what']} | {r['target']} | {_fmt(r['median'], r['unit'])} | {p95_text} | "
                         f"{ratio} | {before} | {gain} | {r['note']} |")
        lines.append("")
    keys = sorted(sizes, key=int)
    if len(keys) >= 2:
        small, large = keys[0], keys[-1]
        factor = int(large) / int(small)
        lines += [f"## Growth from {int(small):,} to {int(large):,} cases ({factor:g}x the data)", "",
                  "Median at the larger size over the median at the smaller; anything above "
                  f"{factor:g} would grow faster than the store.", "",
                  "| benchmark | growth | " + f"{int(small):,} | {int(large):,} |", "|---|---|---|---|"]
        before = {r["name"]: r for r in sizes[small]["results"]}
        for r in sizes[large]["results"]:
            old = before.get(r["name"])
            if old and old.get("median") and r.get("median") is not None:
                lines.append(f"| {r['name']} | {r['median'] / old['median']:.2f}x | {_fmt(old['median'], r['unit'])} | "
                             f"{_fmt(r['median'], r['unit'])} |")
        lines.append("")
    notes = ROOT / "docs" / "performance-notes.md"
    if notes.exists():
        lines += [notes.read_text().strip()]
    path.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Docket's benchmarks.")
    parser.add_argument("--smoke", action="store_true", help="a tiny store and one run each (for the tests)")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, help="reuse a generated store (made if missing)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where performance.json/.md go")
    parser.add_argument("--only", nargs="*", help="run only these benchmarks")
    parser.add_argument("--before", metavar="REV", help="also measure the code at this git revision (command line)")
    args = parser.parse_args(argv)
    size = Size.scaled(60) if args.smoke else Size.scaled(args.cases)
    reps = 1 if args.smoke else args.reps
    with tempfile.TemporaryDirectory(prefix="docket-bench-") as tmp:
        work = Path(tmp)
        data_dir = args.data_dir or work / "store"
        generated: dict[str, float] | None = None
        if not (data_dir / "docket.sqlite3").exists():
            print(f"generating {size.cases:,} cases ...", flush=True)
            generated = generate(data_dir, size)
            print(generated, flush=True)
        only = set(args.only or [])
        plan: list[tuple[str, Callable[[], list[Result]]]] = [
            ("case_list", lambda: bench_case_list(data_dir, reps, size.cases)),
            ("cli", lambda: bench_cli(data_dir, reps, work, args.before, size.cases)),
            ("backup", lambda: bench_backup(data_dir, reps, work, size.cases)),
            ("startup", lambda: bench_startup(data_dir, reps)),
            ("search", lambda: bench_search(data_dir, reps)),
            ("open_case", lambda: bench_open_case(data_dir, reps)),
            ("due_list", lambda: bench_due(data_dir, reps)),
            ("import", lambda: bench_import(data_dir, reps, work, 20 if args.smoke else 1000)),
            ("pdf_export", lambda: bench_pdf(reps, work, *((40, 3) if args.smoke else (1000, 50)))),
            ("memory", lambda: bench_memory(data_dir)),
            ("encryption", lambda: _encryption(data_dir, reps, work, 1 if args.smoke else 300)),
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
    this_run = {"environment": env, "size": asdict(size), "reps": reps, "generated": generated,
                "results": [r.as_dict() for r in results]}
    # Each store size keeps its own table; a run at one size leaves the other's in place, so
    # the 10,000- and 100,000-case runs together give the growth factors.
    json_path = args.out / "performance.json"
    sizes: dict[str, Any] = {}
    if json_path.exists() and not args.smoke:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            sizes = dict(json.loads(json_path.read_text()).get("sizes", {}))
    earlier = sizes.get(str(size.cases))
    if only and earlier:  # a partial run replaces only what it measured
        fresh = {r["name"] for r in this_run["results"]}
        this_run["results"] = [r for r in earlier["results"] if r["name"] not in fresh] + this_run["results"]
        this_run["generated"] = this_run["generated"] or earlier.get("generated")
    sizes[str(size.cases)] = this_run
    json_path.write_text(dump_json({**this_run, "sizes": sizes}))
    write_markdown(sizes, args.out / "performance.md")
    print(f"wrote {args.out / 'performance.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
