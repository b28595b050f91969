"""The case history as the HTML subset Qt's text engine lays out (PDF, print, preview).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.documents.report.gather import LetterRow, Progress, Report, _tick, gather_report
from core.documents.report.images import (
    APPENDIX_MM,
    THUMB_MM,
    _fit,
    _full_image,
    _Images,
    _load_images,
    withheld_note,
)
from core.documents.report.labels import format_duration, meaning_label
from core.domain.dates_text import month_year
from core.i18n import N_, _, ngettext
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


def _nothing(r: Report, whole: str, period: str) -> str:
    """"No events." or, for a copy limited to some dates, "No events in this period."."""
    return _(period) if r.date_from or r.date_to else _(whole)


# The case history's headings, marked once: the PDF and the Markdown say the same.
HEADINGS = {
    "summary": N_("Summary"), "notes": N_("Notes"), "chronology": N_("Chronology"),
    "correspondence": N_("Correspondence"), "people": N_("People"), "evidence": N_("Evidence index"),
    "images": N_("Appendix: images"), "texts": N_("Appendix: text evidence"),
    "deadlines": N_("Deadlines and the rules behind them"),
}


def heading(key: str) -> str:
    """A heading of the case history in the current language."""
    return _(HEADINGS[key])


def _e(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def _lines(text: str) -> str:
    return "<br/>".join(_e(line) for line in (text or "").splitlines())


def _human_size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return ngettext("{n:,} byte", "{n:,} bytes", n).format(n=n) if unit == "bytes" else f"{n:,.1f} {unit}"
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
        period = _("{start} to {end}").format(start=r.date_from.isoformat() if r.date_from else _("the start"),
                                              end=r.date_to.isoformat() if r.date_to else _("today"))
    counts = _("{events}, {files}").format(
        events=ngettext("{n} event", "{n} events", len(r.chronology)).format(n=len(r.chronology)),
        files=ngettext("{n} evidence file", "{n} evidence files", len(r.evidence)).format(n=len(r.evidence)))
    rows = [
        (_("Company"), _e(r.company) + (f"<br/><span class='muted'>{_lines(r.company_address)}</span>" if r.company_address else "")),
        (_("Prepared by"), _e(r.user_name) + (f"<br/><span class='muted'>{_lines(r.user_address)}</span>" if r.user_address else "")),
        (_("Category"), _e(r.category)),
        (_("Status"), _e(r.status + (f" ({r.outcome.lower()})" if r.outcome else ""))),
        (_("Amount in dispute"), _e(r.amount)),
        (_("Recovered"), _e(r.recovered)),
        (_("Opened on"), _e(r.opened_on.isoformat())),
        (_("References"), _e(", ".join(r.references))),
        (_("First event"), _e(r.first_event.isoformat() if r.first_event else _("none"))),
        (_("Last event"), _e(r.last_event.isoformat() if r.last_event else _("none"))),
        (_("Period covered"), _e(period)),
        (_("Events / evidence"), _e(counts)),
        (_("Document made"), _e(r.made_at.strftime("%Y-%m-%d %H:%M UTC"))),
        (_("Case fingerprint"), f"<span class='mono'>{_e(r.fingerprint)}</span><br/><span class='muted small'>"
                                f"{_e(r.fingerprint_note)}</span>" if r.fingerprint else ""),
    ]
    notes = []
    if r.redacted:
        notes.append(_("Redacted copy: email addresses, phone numbers, account and card numbers and "
                       "chosen names are masked."))
    if not r.private_notes:
        notes.append(_("Private notes are left out of this copy."))
    notice = "".join(f"<p class='mark'>{_e(n)}</p>" for n in notes)
    top = _("CASE HISTORY · CASE {id}").format(id=r.case_id)
    return (f"<p class='muted small'>{_e(top)}</p>"
            f"<h1><span class='cover-title'>{_e(r.title)}</span></h1>"
            f"{notice}{_kv(rows)}"
            "<p class='muted small' style='margin-top: 14px'>"
            + _e(_("Made with Docket from the user's own record of this case. Every evidence file is identified "
                   "by its SHA-256 hash; a copy of a file with the same hash is byte for byte the original."))
            + "</p>")


def _chronology_html(r: Report) -> str:
    if not r.chronology:
        none = _nothing(r, N_("No events."), N_("No events in this period."))
        return f"<p class='muted'>{_e(none)}</p>"
    columns = ((4, "#"), (12, _("Date")), (11, _("Kind")), (10, _("Direction")), (10, _("Who")),
               (29, _("What happened")), (9, _("Time")), (9, _("Reference")), (6, _("Files")))
    head = "<thead><tr>" + "".join(f"<th width='{w}%'>{_e(t)}</th>" for w, t in columns) + "</tr></thead>"
    out: list[str] = []
    month = None
    body: list[str] = []

    def flush() -> None:
        if body:
            out.append("<table width='100%' cellspacing='0' cellpadding='3' class='small'>"
                       f"{head}{''.join(body)}</table>")
            body.clear()

    for i, row in enumerate(r.chronology):
        key = month_year(row.day)
        key = key[:1].upper() + key[1:]  # "novembre 2026" heads its month as "Novembre 2026"
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
            promised = _("Promised by {day}").format(day=row.promised_by.isoformat())
            what += f"<br/><span class='muted'>{_e(promised)}</span>"
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
        on_hold = _("{time} on hold").format(time=format_duration(waiting))
        lines.append(f"<span class='muted'>{_e(on_hold)}</span>")
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
        meta = letter_meta(letter)
        # The letter as sent, set off from the document around it by a grey rule at its side.
        subject = letter.subject or _("Letter")
        out.append(f"<h2>{_e(subject)}</h2><p class='muted small'>{_e(meta)}</p>"
                   "<table width='100%' cellspacing='0' cellpadding='8'><tr><td width='1%' bgcolor='#cccccc'></td>"
                   f"<td>{text_as_html(letter.body)}</td></tr></table>")
    none = _nothing(r, N_("No letters sent."), N_("No letters sent in this period."))
    return "".join(out) or f"<p class='muted'>{_e(none)}</p>"


def letter_meta(letter: LetterRow) -> str:
    """"sent 2026-11-02, to Jane Doe, via recorded delivery, tracking AB123"."""
    sent = letter.sent_on.isoformat() if letter.sent_on else _("date not recorded")
    return ", ".join(x for x in (_("sent {day}").format(day=sent),
                                 _("to {name}").format(name=letter.to) if letter.to else "",
                                 _("via {way}").format(way=letter.sent_via.lower()) if letter.sent_via else "",
                                 _("tracking {number}").format(number=letter.tracking) if letter.tracking else "")
                     if x)


def _people_html(r: Report) -> str:
    if not r.people:
        none = _("No contacts recorded.")
        return f"<p class='muted'>{_e(none)}</p>"
    rows = "".join(
        f"<tr><td><b>{_e(p.name)}</b></td><td>{_e(p.role)}</td><td>{_e(p.organisation)}</td>"
        f"<td>{'<br/>'.join(_e(x) for x in (p.email, p.phone) if x)}</td><td>{_lines(p.address)}"
        f"{'<br/><span class=muted>' + _lines(p.notes) + '</span>' if p.notes else ''}</td></tr>"
        for p in r.people
    )
    head = "".join(f"<th>{_e(t)}</th>" for t in (_("Name"), _("Role"), _("Organisation"), _("Email / phone"),
                                                 _("Address, notes")))
    return ("<table width='100%' cellspacing='0' cellpadding='3' class='small'><thead><tr>"
            f"{head}</tr></thead>{rows}</table>")


def _evidence_html(r: Report, images: _Images) -> str:
    if not r.evidence:
        none = _nothing(r, N_("No evidence files."), N_("No evidence files in this period."))
        return f"<p class='muted'>{_e(none)}</p>"
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
            _e(_("added {day}").format(day=item.added)
               + (", " + _("captured {day}").format(day=item.captured.isoformat()) if item.captured else "")),
            f"<span class='mono'>SHA-256 {_e(item.sha256)}</span>",
        ]
        note = images.notes.get(item.number, "")
        if note == withheld_note(item.sha256):
            # The note names the hash: it goes in the wide column, the thumbnail's says why.
            withheld = _("Image withheld")
            thumb = f"<span class='muted small'>{_e(withheld)}</span>"
            facts.append(f"<span class='mark'>{_e(note)}</span>")
        if item.description:
            facts.append(_e(item.description))
        if item.supports:
            facts.append(_e(_("supports events {events}").format(events=", ".join(item.supports))))
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
    return f"<h1 style='page-break-before: always'>{_e(heading('images'))}</h1>" + "".join(out)


def _text_appendix_html(r: Report) -> str:
    """Text evidence printed in full: a saved email or a chat transcript is read, not just
    named by its hash."""
    items = [item for item in r.evidence if item.text]
    if not items:
        return ""
    intro = _("Each item is printed as stored; its SHA-256 identifies the file.")
    if r.redacted:
        intro += " " + _("Personal details are masked in this redacted copy.")
    out = [f"<h1 style='page-break-before: always'>{_e(heading('texts'))}</h1>",
           f"<p class='muted small'>{_e(intro)}</p>"]
    for item in items:
        note = f"<p class='muted small'>{_e(item.text_note)}</p>" if item.text_note else ""
        out.append(f"<h2>{_e(item.number)} · {_e(item.name)}</h2>"
                   f"<p class='mono'>SHA-256 {_e(item.sha256)}</p>{note}"
                   f"<div class='small'>{text_as_html(item.text)}</div>")
    return "".join(out)


#: The English heading (kept for readers of the name); :func:`heading` gives it translated.
DEADLINES_TITLE = HEADINGS["deadlines"]


def _deadlines_html(r: Report) -> str:
    """The next step and each rule clock with its full wording, source and date checked."""
    d = r.deadlines
    if d is None:
        return ""
    as_of = _("Worked out as of {day}.").format(day=d.as_of)
    out = [f"<h1>{_e(heading('deadlines'))}</h1>", f"<p class='muted small'>{_e(as_of)}</p>"]
    if d.closed:
        history = _("No deadlines are running: the windows that applied to it are history.")
        out.append(f"<p>{_e(d.reason)} {_e(history)}</p>")
    else:
        if d.step:
            step = _("Next step: {step}.").format(step=d.step)
            out.append(f"<p><b>{_e(step)}</b> {_e(d.reason)}</p>")
        else:
            out.append(f"<p>{_e(d.reason)}</p>")
        if not d.clocks:
            none = _("No rule clock is running on this case with the facts recorded.")
            out.append(f"<p class='muted'>{_e(none)}</p>")

        for c in d.clocks:
            rule = _("Rule {id}, {provenance}").format(id=c.rule_id, provenance=c.provenance)
            # The address on a line of its own: a reader copies it whole.
            source = _("Source: {address}").format(address=c.source or _("not recorded"))
            out.append(f"<p><b>{_e(c.label)}: {_e(c.when)}</b><br/>{_e(c.sentence)}<br/>"
                       f"<span class='muted small'>{_e(rule)}<br/>{_e(source)}</span></p>")
    out.append(f"<p class='muted small'>{_e(d.disclaimer)}</p>")
    return "".join(out)


def report_html(r: Report, images: _Images) -> str:
    """The whole document as the HTML subset Qt's text engine lays out."""
    summary = "".join(f"<p>{_e(line)}</p>" for line in r.summary)
    if r.notes:
        summary += f"<h2>{_e(heading('notes'))}</h2><p>{_lines(r.notes)}</p>"
    parts = [
        f"<html><head><style>{STYLE}</style></head><body>",
        _cover_html(r),
        f"<h1 style='page-break-before: always'>{_e(heading('summary'))}</h1>", summary,
        _deadlines_html(r),
        f"<h1>{_e(heading('chronology'))}</h1>", _chronology_html(r),
        f"<h1 style='page-break-before: always'>{_e(heading('correspondence'))}</h1>", _letters_html(r),
        f"<h1>{_e(heading('people'))}</h1>", _people_html(r),
        f"<h1>{_e(heading('evidence'))}</h1>", _evidence_html(r, images),
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
        header_right=_("Redacted copy") if report.redacted else (report.company or _("Case history")),
        footer_left=_("Case history made {day} with Docket").format(day=made),
        page_label=_("page {n} of {m}"),
    )
    info = PdfInfo(
        title=_("Case history: {title}").format(title=report.title),
        author=report.user_name,
        subject=_("Dispute with {company}").format(company=report.company) if report.company else _("Dispute"),
        keywords=_("case history") + (", " + _("redacted") if report.redacted else ""),

        created=report.made_at,
    )
    lazy = {url: _full_image(path, key) for url, (path, _size, key) in images.full.items()}
    return ReportLayout(report, report_html(report, images), images.thumbs, lazy, running, info)

