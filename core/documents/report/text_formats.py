"""The case history as Markdown, and its chronology as CSV.
"""

from __future__ import annotations

import csv
import re
from typing import Any

from core.documents.report.gather import Report
from core.documents.report.html import DEADLINES_TITLE, _period
from core.documents.wording import time_text

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str | None) -> str:
    """Inline Markdown text: special characters escaped, line breaks kept inside table cells."""
    return _MD_SPECIAL.sub(r"\\\1", text or "").replace("\r", "").replace("\n", "<br>")


def report_markdown(r: Report) -> str:
    """The case history as readable Markdown (same sections as the PDF, without images)."""
    out = [f"# Case history: {_md(r.title)}", ""]
    if r.redacted:
        out += ["*Redacted copy: email addresses, phone numbers, account and card numbers and chosen names are masked.*", ""]
    if not r.private_notes:
        out += ["*Private notes are left out of this copy.*", ""]
    facts = [
        ("Case", str(r.case_id)), ("Company", r.company), ("Prepared by", r.user_name),
        ("Category", r.category), ("Status", r.status + (f" ({r.outcome.lower()})" if r.outcome else "")),
        ("Amount in dispute", r.amount), ("Recovered", r.recovered), ("Opened on", r.opened_on.isoformat()),
        ("References", ", ".join(r.references)),
        ("First event", r.first_event.isoformat() if r.first_event else "none"),
        ("Last event", r.last_event.isoformat() if r.last_event else "none"),
        ("Document made", r.made_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("Case fingerprint", f"`{r.fingerprint}`" if r.fingerprint else ""),
    ]
    out += ["| | |", "|---|---|"] + [f"| {k} | {v if k == 'Case fingerprint' else _md(v)} |" for k, v in facts if v]
    out += ["", "## Summary", ""] + [_md(line) + "  " for line in r.summary]
    if r.notes:
        out += ["", "### Notes", "", _md(r.notes)]
    out += _deadlines_markdown(r)
    out += ["", "## Chronology", ""]
    if r.chronology:
        out += ["| # | Date | Kind | Direction | Who | What happened | Time | Reference | Evidence |",
                "|---:|---|---|---|---|---|---|---|---|"]
        for row in r.chronology:
            when = row.day.isoformat() + (f" {row.time} {row.offset}" if row.time else "")
            what = f"**{_md(row.summary)}**" + (f"<br>{_md(row.details)}" if row.details else "")
            if row.promised_by:
                what += f"<br>Promised by {row.promised_by.isoformat()}"
            out.append(f"| {row.number} | {when} | {_md(row.kind)} | {_md(row.direction)} | {_md(row.who)} | {what} | "
                       f"{time_text(row.duration_minutes, row.waiting_minutes)} | {_md(row.reference)} | "
                       f"{', '.join(row.evidence)} |")
    else:
        out.append(f"No events{_period(r)}.")
    out += ["", "## Correspondence", ""]
    for letter in r.letters:
        sent = letter.sent_on.isoformat() if letter.sent_on else "date not recorded"
        out += [f"### {_md(letter.subject or 'Letter')}", "", f"*Sent {sent}" + (f", to {_md(letter.to)}" if letter.to else "")
                + (f", via {_md(letter.sent_via.lower())}" if letter.sent_via else "") + "*", ""]
        out += [("> " + _MD_SPECIAL.sub(r"\\\1", line)) if line.strip() else ">" for line in letter.body.splitlines()]
        out.append("")
    if not r.letters:
        out.append(f"No letters sent{_period(r)}.")
    out += ["", "## People", ""]
    if r.people:
        out += ["| Name | Role | Organisation | Email | Phone | Address | Notes |", "|---|---|---|---|---|---|---|"]
        out += [f"| {_md(p.name)} | {_md(p.role)} | {_md(p.organisation)} | {_md(p.email)} | {_md(p.phone)} | "
                f"{_md(p.address)} | {_md(p.notes)} |" for p in r.people]
    else:
        out.append("No contacts recorded.")
    out += ["", "## Evidence index", ""]
    if r.evidence:
        out += ["| No. | File | Type | Size | SHA-256 | Added | Captured | Supports |", "|---|---|---|---:|---|---|---|---|"]
        out += [f"| {e.number} | {_md(e.name)} | {_md(e.media_type)} | {e.size:,} | `{e.sha256}` | {e.added} | "
                f"{e.captured.isoformat() if e.captured else ''} | {', '.join(e.supports)} |" for e in r.evidence]
    else:
        out.append(f"No evidence files{_period(r)}.")
    if r.fingerprint:
        out += ["", "*" + _md(r.fingerprint_note) + "*"]
    texts = [e for e in r.evidence if e.text]
    if texts:
        out += ["", "## Appendix: text evidence", ""]
        for e in texts:
            out += [f"### {e.number} · {_md(e.name)}", "", f"SHA-256 `{e.sha256}`" + (f" ({e.text_note})" if e.text_note else ""), ""]
            out += ["```text", e.text.replace("```", "` ` `"), "```", ""]
    out.append("")
    return "\n".join(out)


def _deadlines_markdown(r: Report) -> list[str]:
    d = r.deadlines
    if d is None:
        return []
    out = ["", f"## {DEADLINES_TITLE}", "", f"*Worked out as of {_md(d.as_of)}.*", ""]
    if d.closed:
        out.append(f"{_md(d.reason)} No deadlines are running: the windows that applied to it are history.")
    else:
        out.append((f"**Next step: {_md(d.step)}.** " if d.step else "") + _md(d.reason))
        if not d.clocks:
            out += ["", "No rule clock is running on this case with the facts recorded."]
        for c in d.clocks:
            out += ["", f"- **{_md(c.label)}: {_md(c.when)}**  ", f"  {_md(c.sentence)}  ",
                    f"  Rule {_md(c.rule_id)}, {_md(c.provenance)}  ",
                    "  Source: " + (f"<{c.source}>" if c.source else "not recorded")]
    out += ["", f"*{_md(d.disclaimer)}*"]
    return out


CSV_COLUMNS = ["number", "date", "time", "utc_offset", "kind", "direction", "who", "summary", "details",
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

