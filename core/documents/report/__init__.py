"""The case history: one document a bank, an ombudsman or a court can read.

A case is gathered once into a :class:`Report` (:mod:`.gather`; plain values, already filtered
by date range, private notes left out if asked, and redacted if asked with :mod:`.redact`),
then written out as PDF (:mod:`.html` through the one renderer, :mod:`core.documents.render`,
with :mod:`.images`), Markdown or CSV (:mod:`.text_formats`). The window's print preview uses
:func:`build_report_layout`, so preview, paper and PDF are the same layout.

Nothing in the store changes: exporting only reads. Output files appear only when complete.
"""

from core.documents.report.export import export_case_report
from core.documents.report.gather import (
    FORMATS,
    PAPERS,
    ChronologyRow,
    EvidenceRow,
    LetterRow,
    PersonRow,
    Progress,
    Report,
    gather_report,
)
from core.documents.report.html import (
    ReportLayout,
    build_report_html,
    build_report_layout,
    report_html,
)
from core.documents.report.redact import Redactor
from core.documents.report.text_formats import CSV_COLUMNS, report_markdown, write_chronology_csv
from core.documents.wording import DIRECTION_LABELS, label, time_text

__all__ = [
    "CSV_COLUMNS", "DIRECTION_LABELS", "FORMATS", "PAPERS", "ChronologyRow", "EvidenceRow", "LetterRow",
    "PersonRow", "Progress", "Redactor", "Report", "ReportLayout", "build_report_html", "build_report_layout",
    "export_case_report", "gather_report", "label", "report_html", "report_markdown", "time_text",
    "write_chronology_csv",
]
