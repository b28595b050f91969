"""The case history as the HTML subset Qt's text engine lays out (PDF, print, preview).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.documents.report.gather import Progress, Report, _tick, gather_report
from core.documents.report.images import (
    APPENDIX_MM,
    THUMB_MM,
    _fit,
    _full_image,
    _Images,
    _load_images,
)
from core.documents.wording import format_duration, meaning_label
from core.store.store import Store

STYLE = """
body { color: #1a1a1a; }
h1 { font-size: 14pt; font-weight: 600; margin-top: 22px; margin-bottom: 8px; color: #111; }
h2 { font-size: 11pt; font-weight: 600; margin-top: 14px; margin-bottom: 5px; color: #222; }
p { margin-top: 0; margin-bottom: 5px; }
.cover-title { font-size: 20pt; font-weight: 600; }
.muted { color: #5a5a5a; }
.small { font-size: 8pt; }
.mono { font-family: "Noto Sans Mono", "DejaVu Sans Mono", "Consolas", "Menlo", monospace; font-size: 7.5pt; }
th { font-weight: 600; text-align: left; color: #333; background-color: #ececec; }
td { vertical-align: top; }
.mark { color: #8a1c1c; font-weight: 600; }
"""


def _period(r: Report) -> str:
    return " in this period" if r.date_from or r.date_to else ""


def _e(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def _lines(text: str) -> str:
    return "<br/>".join(_e(line) for line in (text or "").splitlines())


def _human_size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _kv(rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f'<tr><td width="24%" class="muted">{_e(k)}</td><td width="76%">{v}</td></tr>' for k, v in rows if v
    )
    return f'<table width="100%" cellspacing="0" cellpadding="3">{cells}</table>'


def _cover_html(r: Report) -> str:
    period = ""
    if r.date_from or r.date_to:
        period = f"{r.date_from.isoformat() if r.date_from else 'the start'} to {r.date_to.isoformat() if r.date_to else 'today'}"
    rows = [
        ("Company", _e(r.company) + (f"<br/><span class='muted'>{_lines(r.company_address)}</span>" if r.company_address else "")),
        ("Prepared by", _e(r.user_name) + (f"<br/><span class='muted'>{_lines(r.user_address)}</span>" if r.user_address else "")),
        ("Category", _e(r.category)),
        ("Status", _e(r.status + (f" ({r.outcome.lower()})" if r.outcome else ""))),
        ("Amount in dispute", _e(r.amount)),
        ("Recovered", _e(r.recovered)),
        ("Opened on", _e(r.opened_on.isoformat())),
        ("References", _e(", ".join(r.references))),
        ("First event", _e(r.first_event.isoformat() if r.first_event else "none")),
        ("Last event", _e(r.last_event.isoformat() if r.last_event else "none")),
        ("Period covered", _e(period)),
        ("Events / evidence", _e(f"{len(r.chronology)} events, {len(r.evidence)} evidence files")),
        ("Document made", _e(r.made_at.strftime("%Y-%m-%d %H:%M UTC"))),
        ("Case fingerprint", f"<span class='mono'>{_e(r.fingerprint)}</span><br/><span class='muted small'>"
                             f"{_e(r.fingerprint_note)}</span>" if r.fingerprint else ""),
    ]
    notes = []
    if r.redacted:
        notes.append("Redacted copy: email addresses, phone numbers, account and card numbers and "
                     "chosen names are masked.")
    if not r.private_notes:
        notes.append("Private notes are left out of this copy.")
    notice = "".join(f"<p class='mark'>{_e(n)}</p>" for n in notes)
    return (f"<p class='muted small'>CASE HISTORY · CASE {r.case_id}</p>"
            f"<h1><span class='cover-title'>{_e(r.title)}</span></h1>"
            f"{notice}{_kv(rows)}"
            "<p class='muted small' style='margin-top: 14px'>Made with Docket from the user's own record of this case. "
            "Every evidence file is identified by its SHA-256 hash; a copy of a file with the same "
            "hash is byte for byte the original.</p>")


def _chronology_html(r: Report) -> str:
    if not r.chronology:
        return f"<p class='muted'>No events{_period(r)}.</p>"
    head = ("<thead><tr><th width='4%'>#</th><th width='12%'>Date</th><th width='11%'>Kind</th>"
            "<th width='10%'>Direction</th><th width='10%'>Who</th><th width='29%'>What happened</th>"
            "<th width='9%'>Time</th><th width='9%'>Reference</th><th width='6%'>Files</th></tr></thead>")
    out: list[str] = []
    month = None
    body: list[str] = []

    def flush() -> None:
        if body:
            out.append("<table width='100%' cellspacing='0' cellpadding='3' class='small'>"
                       f"{head}{''.join(body)}</table>")
            body.clear()

    for i, row in enumerate(r.chronology):
        key = row.day.strftime("%B %Y")
        if key != month:
            flush()
            out.append(f"<h2>{_e(key)}</h2>")
            month = key
        shade = " bgcolor='#f6f6f6'" if i % 2 else ""
        when = row.day.isoformat() + (f"<br/>{row.time} <span class='muted'>{row.offset}</span>" if row.time else "")
        what = f"<b>{_e(row.summary)}</b>"
        if row.meaning:
            what = (f"<span class='muted'>{_e(meaning_label(row.meaning))}"
                    f"{': ' + _e(row.amount) if row.amount else ''}</span><br/>{what}")
        if row.details:
            what += f"<br/>{_lines(row.details)}"
        if row.promised_by:
            what += f"<br/><span class='muted'>Promised by {row.promised_by.isoformat()}</span>"
        body.append(
            f"<tr{shade}><td class='muted'>{row.number}</td><td>{when}</td><td>{_e(row.kind)}</td>"
            f"<td>{_e(row.direction)}</td><td>{_e(row.who)}</td><td>{what}</td>"
            f"<td>{_time_cell(row.duration_minutes, row.waiting_minutes)}</td>"
            f"<td>{_e(row.reference)}</td><td>{_e(', '.join(row.evidence))}</td></tr>"
        )
    flush()
    return "".join(out)


def _time_cell(duration: int | None, waiting: int | None) -> str:
    lines = [_e(format_duration(duration))] if duration else []
    if waiting:
        lines.append(f"<span class='muted'>{_e(format_duration(waiting))} on hold</span>")
    return "<br/>".join(lines)


def text_as_html(text: str) -> str:
    """Plain text as paragraphs: blank lines separate paragraphs, single line breaks stay,
    "- " lines become a list. How a sent letter and a text item are printed."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in para.split("\n")]
        if lines and all(line.startswith("- ") for line in lines):
            out.append("<ul>" + "".join(f"<li>{_e(line[2:])}</li>" for line in lines) + "</ul>")
        else:
            out.append(f"<p>{'<br/>'.join(_e(line) for line in lines)}</p>")
    return "".join(out)


def _letters_html(r: Report) -> str:
    out = []
    for letter in r.letters:
        sent = letter.sent_on.isoformat() if letter.sent_on else "date not recorded"
        meta = ", ".join(x for x in (f"sent {sent}", f"to {letter.to}" if letter.to else "",
                                      f"via {letter.sent_via.lower()}" if letter.sent_via else "",
                                      f"tracking {letter.tracking}" if letter.tracking else "") if x)
        # The letter as sent, set off from the document around it by a grey rule at its side.
        out.append(f"<h2>{_e(letter.subject or 'Letter')}</h2><p class='muted small'>{_e(meta)}</p>"
                   "<table width='100%' cellspacing='0' cellpadding='8'><tr><td width='1%' bgcolor='#cccccc'></td>"
                   f"<td>{text_as_html(letter.body)}</td></tr></table>")
    return "".join(out) or f"<p class='muted'>No letters sent{_period(r)}.</p>"


def _people_html(r: Report) -> str:
    if not r.people:
        return "<p class='muted'>No contacts recorded.</p>"
    rows = "".join(
        f"<tr><td><b>{_e(p.name)}</b></td><td>{_e(p.role)}</td><td>{_e(p.organisation)}</td>"
        f"<td>{'<br/>'.join(_e(x) for x in (p.email, p.phone) if x)}</td><td>{_lines(p.address)}"
        f"{'<br/><span class=muted>' + _lines(p.notes) + '</span>' if p.notes else ''}</td></tr>"
        for p in r.people
    )
    return ("<table width='100%' cellspacing='0' cellpadding='3' class='small'><thead><tr><th>Name</th><th>Role</th>"
            f"<th>Organisation</th><th>Email / phone</th><th>Address, notes</th></tr></thead>{rows}</table>")


def _evidence_html(r: Report, images: _Images) -> str:
    if not r.evidence:
        return f"<p class='muted'>No evidence files{_period(r)}.</p>"
    rows = []
    for item in r.evidence:
        name = f"docket-thumb:{item.number}"
        if name in images.thumbs:
            w, h = _fit(images.sizes[item.number], THUMB_MM)
            thumb = f"<img src='{name}' width='{w}' height='{h}'/>"
        else:
            thumb = f"<span class='muted small'>{_e(images.notes.get(item.number, ''))}</span>"
        facts = [
            f"<b>{_e(item.number)} · {_e(item.name)}</b>",
            _e(f"{item.media_type}, {_human_size(item.size)}"),
            _e(f"added {item.added}" + (f", captured {item.captured.isoformat()}" if item.captured else "")),
            f"<span class='mono'>SHA-256 {_e(item.sha256)}</span>",
        ]
        note = images.notes.get(item.number, "")
        if note.startswith("Image withheld"):
            # The note names the hash: it goes in the wide column, the thumbnail's says why.
            thumb = "<span class='muted small'>Image withheld</span>"
            facts.append(f"<span class='mark'>{_e(note)}</span>")
        if item.description:
            facts.append(_e(item.description))
        if item.supports:
            facts.append(_e("supports events " + ", ".join(item.supports)))
        # A grey mat around the thumbnail keeps a white page visible on white paper.
        mat = " bgcolor='#eeeeee' align='center'" if name in images.thumbs else ""
        rows.append(f"<tr><td width='28%'{mat}>{thumb}</td><td width='2%'></td><td>{'<br/>'.join(facts)}</td></tr>")
    return f"<table width='100%' cellspacing='4' cellpadding='4' class='small'>{''.join(rows)}</table>"


def _appendix_html(r: Report, images: _Images) -> str:
    out: list[str] = []
    for item in r.evidence:
        url = f"docket-full:{item.number}"
        if url not in images.full:
            continue
        w, h = _fit(images.full[url][1], APPENDIX_MM)
        # One image per page; the first shares its page with the appendix's title.
        brk = " style='page-break-before: always'" if out else ""
        out.append(f"<h2{brk}>{_e(item.number)} · {_e(item.name)}</h2>"
                   f"<p class='mono'>SHA-256 {_e(item.sha256)}</p><p><img src='{url}' width='{w}' height='{h}'/></p>")
    if not out:
        return ""
    return "<h1 style='page-break-before: always'>Appendix: images</h1>" + "".join(out)


def _text_appendix_html(r: Report) -> str:
    """Text evidence printed in full: a saved email or a chat transcript is read, not just
    named by its hash."""
    items = [item for item in r.evidence if item.text]
    if not items:
        return ""
    out = ["<h1 style='page-break-before: always'>Appendix: text evidence</h1>",
           "<p class='muted small'>Each item is printed as stored; its SHA-256 identifies the file."
           + (" Personal details are masked in this redacted copy." if r.redacted else "") + "</p>"]
    for item in items:
        note = f"<p class='muted small'>{_e(item.text_note)}</p>" if item.text_note else ""
        out.append(f"<h2>{_e(item.number)} · {_e(item.name)}</h2>"
                   f"<p class='mono'>SHA-256 {_e(item.sha256)}</p>{note}"
                   f"<div class='small'>{text_as_html(item.text)}</div>")
    return "".join(out)


DEADLINES_TITLE = "Deadlines and the rules behind them"


def _deadlines_html(r: Report) -> str:
    """The next step and each rule clock with its full wording, source and date checked."""
    d = r.deadlines
    if d is None:
        return ""
    out = [f"<h1>{DEADLINES_TITLE}</h1>", f"<p class='muted small'>Worked out as of {_e(d.as_of)}.</p>"]
    if d.closed:
        out.append(f"<p>{_e(d.reason)} No deadlines are running: the windows that applied to it are history.</p>")
    else:
        if d.step:
            out.append(f"<p><b>Next step: {_e(d.step)}.</b> {_e(d.reason)}</p>")
        else:
            out.append(f"<p>{_e(d.reason)}</p>")
        if not d.clocks:
            out.append("<p class='muted'>No rule clock is running on this case with the facts recorded.</p>")
        for c in d.clocks:
            out.append(f"<p><b>{_e(c.label)}: {_e(c.when)}</b><br/>{_e(c.sentence)}<br/>"
                       f"<span class='muted small'>Rule {_e(c.rule_id)}, {_e(c.provenance)}<br/>"
                       # The address on a line of its own: a reader copies it whole.
                       f"Source: {_e(c.source or 'not recorded')}</span></p>")
    out.append(f"<p class='muted small'>{_e(d.disclaimer)}</p>")
    return "".join(out)


def report_html(r: Report, images: _Images) -> str:
    """The whole document as the HTML subset Qt's text engine lays out."""
    summary = "".join(f"<p>{_e(line)}</p>" for line in r.summary)
    if r.notes:
        summary += f"<h2>Notes</h2><p>{_lines(r.notes)}</p>"
    parts = [
        f"<html><head><style>{STYLE}</style></head><body>",
        _cover_html(r),
        "<h1 style='page-break-before: always'>Summary</h1>", summary,
        _deadlines_html(r),
        "<h1>Chronology</h1>", _chronology_html(r),
        "<h1 style='page-break-before: always'>Correspondence</h1>", _letters_html(r),
        "<h1>People</h1>", _people_html(r),
        "<h1>Evidence index</h1>", _evidence_html(r, images),
        _appendix_html(r, images),
        _text_appendix_html(r),
        "</body></html>",
    ]
    return "".join(parts)


@dataclass(slots=True)
class ReportLayout:
    """What the renderer needs: the HTML, its images, the running header and footer, and the
    PDF's metadata. :meth:`document` builds the QTextDocument for a print preview."""

    report: Report
    html: str
    images: dict[str, Any]
    lazy_images: dict[str, Callable[[], Any]]
    running: Any  # core.render.Running
    info: Any  # core.render.PdfInfo

    def document(self) -> Any:
        from core.documents.render import make_document

        return make_document(self.html, images=self.images, lazy_images=self.lazy_images)


def build_report_html(store: Store, *, case_id: int, redact: bool = False, redact_names: Iterable[str] = (),
                      date_from: date | None = None, date_to: date | None = None,
                      include_private_notes: bool = True, appendix: bool = True) -> str:
    """The case history as HTML for Qt's text engine. Images are named ``docket-thumb:E1`` and
    ``docket-full:E1``; to render them, use :func:`build_report_layout`. Reads only."""
    return build_report_layout(store, case_id=case_id, redact=redact, redact_names=redact_names,
                               date_from=date_from, date_to=date_to,
                               include_private_notes=include_private_notes, appendix=appendix).html


def build_report_layout(store: Store, *, case_id: int, redact: bool = False, redact_names: Iterable[str] = (),
                        date_from: date | None = None, date_to: date | None = None,
                        include_private_notes: bool = True, appendix: bool = True,
                        progress: Progress | None = None) -> ReportLayout:
    """Gather a case and lay its history out for the renderer: the HTML with its images, the
    running header and footer and the PDF metadata. The print preview, the printer and the
    PDF all draw ``layout.document()``. Reads only. Raises :class:`~core.evidence.Cancelled`
    if ``progress`` returns False."""
    from core.documents.render import PdfInfo, Running, ensure_gui_app

    ensure_gui_app()
    report = gather_report(store, case_id=case_id, redact=redact, redact_names=redact_names,
                           date_from=date_from, date_to=date_to, include_private_notes=include_private_notes)
    _tick(progress, 50)

    def image_progress(done: int, total: int) -> None:
        _tick(progress, 50 + 250 * done // max(total, 1))

    images = _load_images(report, appendix, image_progress)
    made = report.made_at.strftime("%Y-%m-%d")
    running = Running(
        header_left=report.reference,
        header_right="Redacted copy" if report.redacted else (report.company or "Case history"),
        footer_left=f"Case history made {made} with Docket",
    )
    info = PdfInfo(
        title=f"Case history: {report.title}",
        author=report.user_name,
        subject=f"Dispute with {report.company}" if report.company else "Dispute",
        keywords="case history" + (", redacted" if report.redacted else ""),
        created=report.made_at,
    )
    lazy = {url: _full_image(path, key) for url, (path, _size, key) in images.full.items()}
    return ReportLayout(report, report_html(report, images), images.thumbs, lazy, running, info)

