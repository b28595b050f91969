"""The case history as Markdown, and its chronology as CSV.
"""

from __future__ import annotations

import csv
import re
from typing import Any

from core.documents.report.gather import Report
from core.documents.report.html import _nothing, heading, letter_meta
from core.documents.report.labels import time_text
from core.i18n import N_, _

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str | None) -> str:
    """Inline Markdown text: special characters escaped, line breaks kept inside table cells."""
    return _MD_SPECIAL.sub(r"\\\1", text or "").replace("\r", "").replace("\n", "<br>")


def report_markdown(r: Report) -> str:
    """The case history as readable Markdown (same sections as the PDF, without images)."""
    out = ["# " + _md(_("Case history: {title}").format(title=r.title)), ""]
    if r.redacted:
        out += ["*" + _("Redacted copy: email addresses, phone numbers, account and card numbers and chosen names "
                        "are masked.") + "*", ""]
    if not r.private_notes:
        out += ["*" + _("Private notes are left out of this copy.") + "*", ""]
    fingerprint = f"`{r.fingerprint}`" if r.fingerprint else ""
    facts = [
        (_("Case"), _md(str(r.case_id))), (_("Company"), _md(r.company)), (_("Prepared by"), _md(r.user_name)),
        (_("Category"), _md(r.category)),
        (_("Status"), _md(r.status + (f" ({r.outcome.lower()})" if r.outcome else ""))),
        (_("Amount in dispute"), _md(r.amount)), (_("Recovered"), _md(r.recovered)),
        (_("Opened on"), _md(r.opened_on.isoformat())),
        (_("References"), _md(", ".join(r.references))),
        (_("First event"), _md(r.first_event.isoformat() if r.first_event else _("none"))),
        (_("Last event"), _md(r.last_event.isoformat() if r.last_event else _("none"))),
        (_("Document made"), _md(r.made_at.strftime("%Y-%m-%d %H:%M UTC"))),
        (_("Case fingerprint"), fingerprint),
    ]
    out += ["| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in facts if v]
    out += ["", "## " + heading("summary"), ""] + [_md(line) + "  " for line in r.summary]
    if r.notes:
        out += ["", "### " + heading("notes"), "", _md(r.notes)]
    out += _deadlines_markdown(r)
    out += ["", "## " + heading("chronology"), ""]
    if r.chronology:
        out += [_row("#", _("Date"), _("Kind"), _("Direction"), _("Who"), _("What happened"), _("Time"),
                     _("Reference"), _("Evidence")),
                "|---:|---|---|---|---|---|---|---|---|"]
        for row in r.chronology:
            when = row.day.isoformat() + (f" {row.time} {row.offset}" if row.time else "")
            what = f"**{_md(row.summary)}**" + (f"<br>{_md(row.details)}" if row.details else "")
            if row.promised_by:
                what += "<br>" + _md(_("Promised by {day}").format(day=row.promised_by.isoformat()))
            out.append(f"| {row.number} | {when} | {_md(row.kind)} | {_md(row.direction)} | {_md(row.who)} | {what} | "
                       f"{time_text(row.duration_minutes, row.waiting_minutes)} | {_md(row.reference)} | "
                       f"{', '.join(row.evidence)} |")
    else:
        out.append(_nothing(r, N_("No events."), N_("No events in this period.")))
    out += ["", "## " + heading("correspondence"), ""]
    for letter in r.letters:
        meta = letter_meta(letter)
        out += ["### " + _md(letter.subject or _("Letter")), "", "*" + _md(meta[:1].upper() + meta[1:]) + "*", ""]
        out += [("> " + _MD_SPECIAL.sub(r"\\\1", line)) if line.strip() else ">" for line in letter.body.splitlines()]
        out.append("")
    if not r.letters:
        out.append(_nothing(r, N_("No letters sent."), N_("No letters sent in this period.")))
    out += ["", "## " + heading("people"), ""]
    if r.people:
        out += [_row(_("Name"), _("Role"), _("Organisation"), _("Email"), _("Phone"), _("Address"), _("Notes")),
                "|---|---|---|---|---|---|---|"]
        out += [f"| {_md(p.name)} | {_md(p.role)} | {_md(p.organisation)} | {_md(p.email)} | {_md(p.phone)} | "
                f"{_md(p.address)} | {_md(p.notes)} |" for p in r.people]
    else:
        out.append(_("No contacts recorded."))
    out += ["", "## " + heading("evidence"), ""]
    if r.evidence:
        out += [_row(_("No."), _("File"), _("Type"), _("Size"), "SHA-256", _("Added"), _("Captured"), _("Supports")),
                "|---|---|---|---:|---|---|---|---|"]
        out += [f"| {e.number} | {_md(e.name)} | {_md(e.media_type)} | {e.size:,} | `{e.sha256}` | {e.added} | "
                f"{e.captured.isoformat() if e.captured else ''} | {', '.join(e.supports)} |" for e in r.evidence]
    else:
        out.append(_nothing(r, N_("No evidence files."), N_("No evidence files in this period.")))
    if r.fingerprint:
        out += ["", "*" + _md(r.fingerprint_note) + "*"]
    texts = [e for e in r.evidence if e.text]
    if texts:
        out += ["", "## " + heading("texts"), ""]
        for e in texts:
            out += [f"### {e.number} · {_md(e.name)}", "", f"SHA-256 `{e.sha256}`" + (f" ({e.text_note})" if e.text_note else ""), ""]
            out += ["```text", e.text.replace("```", "` ` `"), "```", ""]
    out.append("")
    return "\n".join(out)


def _deadlines_markdown(r: Report) -> list[str]:
    d = r.deadlines
    if d is None:
        return []
    out = ["", "## " + heading("deadlines"), "", "*" + _md(_("Worked out as of {day}.").format(day=d.as_of)) + "*", ""]
    if d.closed:
        out.append(_md(d.reason) + " " + _("No deadlines are running: the windows that applied to it are history."))
    else:
        step = "**" + _md(_("Next step: {step}.").format(step=d.step)) + "** " if d.step else ""
        out.append(step + _md(d.reason))
        if not d.clocks:
            out += ["", _("No rule clock is running on this case with the facts recorded.")]
        for c in d.clocks:
            source = f"<{c.source}>" if c.source else _("not recorded")
            out += ["", f"- **{_md(c.label)}: {_md(c.when)}**  ", f"  {_md(c.sentence)}  ",
                    "  " + _md(_("Rule {id}, {provenance}").format(id=c.rule_id, provenance=c.provenance)) + "  ",
                    "  " + _("Source: {address}").format(address=source)]
    out += ["", f"*{_md(d.disclaimer)}*"]
    return out


def _row(*cells: str) -> str:
    """A Markdown table's header row."""
    return "| " + " | ".join(_md(c) if c != "#" else c for c in cells) + " |"


# The CSV's column names are data keys (a spreadsheet formula may name them): they stay English.
CSV_COLUMNS = [
"number", "date", "time", "utc_offset", "kind", "direction", "who", "summary", "details",
               "duration_minutes", "waiting_minutes", "reference", "promised_by", "evidence", "meaning", "amount"]


def _cell(text: str) -> str:
    # A spreadsheet would run a cell starting with these as a formula (text pasted from a
    # company's email could do anything); a leading apostrophe keeps it as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_chronology_csv(r: Report, fh: Any) -> None:
    """The chronology, one row per event, with a header row."""
    writer = csv.writer(fh)
    writer.writerow(CSV_COLUMNS)
    for row in r.chronology:
        writer.writerow([
            row.number, row.day.isoformat(), row.time, row.offset, row.kind, row.direction, _cell(row.who),
            _cell(row.summary), _cell(row.details), row.duration_minutes if row.duration_minutes is not None else "",
            row.waiting_minutes if row.waiting_minutes is not None else "", _cell(row.reference),
            row.promised_by.isoformat() if row.promised_by else "", " ".join(row.evidence),
            row.meaning, row.amount,
        ])

