"""Export or print a case's history: choose what goes in, preview it, print it or save it.

The dialog only gathers choices. The document comes from :mod:`core.case_report` and is drawn
by :mod:`core.render`, so the preview, the paper and the PDF are one layout. Saving and
preparing a preview run off the window's thread with progress and a Cancel button.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QEventLoop, QStandardPaths, QTimer
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.documents import render
from core.documents import report as case_report
from core.domain import clock
from core.i18n import N_, _
from core.journal import queries, settings
from core.store.store import Store
from gui.kit.formatting import date_display_format
from gui.kit.workers import Task, run_task

FORMATS = {"pdf": N_("PDF document (*.pdf)"), "md": N_("Markdown (*.md)"), "csv": N_("CSV spreadsheet (*.csv)")}


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _safe_file_stem(title: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in " -_" else " " for ch in title)
    return "-".join(keep.split())[:60] or "case"


def _looks_like_a_person(name: str) -> bool:
    """A first guess at which contacts to mask: names of two or more capitalised words
    ("Claire Dubois"), not departments ("Service client", "billing"). The user edits the list;
    every word of a listed name is masked on its own too."""
    words = name.split()
    return len(words) >= 2 and all(w[:1].isupper() for w in words)


class ExportDialog(QDialog):
    """Options for a case history, with Print preview, Print and Save.

    ``last_saved`` holds the path of the last file written; ``preview_dialog`` the open
    print preview, if any.
    """

    def __init__(self, store: Store, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._case_id = case_id
        self._task: Task | None = None
        self._layout: case_report.ReportLayout | None = None
        self.last_saved: Path | None = None
        self.preview_dialog: QPrintPreviewDialog | None = None
        self._preview_printer: QPrinter | None = None
        case = queries.load_case(store, case_id)
        self._title = case.title
        self.setWindowTitle(_("Export case history: %s") % case.title)

        self.limit_dates = QCheckBox(_("Only events &between"))
        today = clock.today()
        self.date_from = QDateEdit(_qdate(case.opened_on if case.opened_on <= today else today - timedelta(days=365)))
        self.date_to = QDateEdit(_qdate(today))
        for edit, name in ((self.date_from, _("From")), (self.date_to, _("To"))):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(date_display_format())
            edit.setEnabled(False)
            edit.setAccessibleName(name)
        self.limit_dates.toggled.connect(self.date_from.setEnabled)
        self.limit_dates.toggled.connect(self.date_to.setEnabled)
        dates = QHBoxLayout()
        dates.addWidget(self.limit_dates)
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel(_("and")))
        dates.addWidget(self.date_to)
        dates.addStretch()

        self.private_notes = QCheckBox(_("Include my private &notes"))
        self.private_notes.setChecked(True)
        self.private_notes.setToolTip(_("Notes to yourself: note events, the case's notes, notes on contacts"))
        self.appendix = QCheckBox(_("Add full-size &images at the end (PDF and print)"))
        self.appendix.setChecked(True)
        self.paper = QComboBox()
        self.paper.addItems(list(case_report.PAPERS))
        self.paper.setCurrentText(settings.get(store, "paper_size"))
        self.paper.setAccessibleName(_("Paper size"))
        self.format = QComboBox()
        for fmt, label in (("pdf", _("PDF")), ("md", _("Markdown")), ("csv", _("CSV (chronology only)"))):
            self.format.addItem(label, fmt)
        self.format.setAccessibleName(_("Format"))

        self.redact = QCheckBox(_("&Redacted copy for sharing in public"))
        self.redact.setToolTip(_("Masks email addresses, phone numbers, account and card numbers, "
                                       "your name and the names below"))
        self.redact_names = QPlainTextEdit("\n".join(c.name for c in case.contacts if _looks_like_a_person(c.name)))
        self.redact_names.setAccessibleName(_("Names to mask, one per line"))
        self.redact_names.setPlaceholderText(_("Names to mask, one per line"))
        self.redact_names.setToolTip(_("Each name is masked whole and word by word (a surname alone too)"))
        self.redact_names.setMaximumHeight(80)
        self.redact_names.setEnabled(False)
        self.redact.toggled.connect(self.redact_names.setEnabled)

        form = QFormLayout()
        form.addRow(_("Period"), dates)
        form.addRow("", self.private_notes)
        form.addRow("", self.appendix)
        form.addRow(_("&Paper"), self.paper)
        form.addRow(_("&Format"), self.format)
        form.addRow("", self.redact)
        form.addRow(_("Names to mask"), self.redact_names)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(self.status.textInteractionFlags())
        self.cancel_button = QPushButton(_("Cancel export"))
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.preview_button = buttons.addButton(_("Print pre&view…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button = buttons.addButton(_("&Print…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button = buttons.addButton(_("&Save…"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.preview_button.clicked.connect(self.preview)
        self.print_button.clicked.connect(self.print_)
        self.save_button.clicked.connect(self.save)
        self.format.currentIndexChanged.connect(self._format_changed)
        self._format_changed()

        running = QHBoxLayout()
        running.addWidget(self.progress, 1)
        running.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        if store.key is not None:
            # The passphrase protects what Docket keeps, not what it hands over.
            self.clear_note = QLabel(_("Your data is protected with a passphrase, but the file you save here is "
                                       "not: anyone who gets it can read it."))
            self.clear_note.setWordWrap(True)
            layout.addWidget(self.clear_note)
        layout.addLayout(running)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    # -- choices ----------------------------------------------------------------------------
    def options(self) -> dict[str, Any]:
        """The keyword arguments for :func:`core.case_report.export_case_report` (all but
        ``fmt`` and ``out``)."""
        names = [line.strip() for line in self.redact_names.toPlainText().splitlines() if line.strip()]
        limited = self.limit_dates.isChecked()
        return {
            "case_id": self._case_id,
            "redact": self.redact.isChecked(),
            "redact_names": names if self.redact.isChecked() else [],
            "date_from": _pydate(self.date_from.date()) if limited else None,
            "date_to": _pydate(self.date_to.date()) if limited else None,
            "include_private_notes": self.private_notes.isChecked(),
            "paper": self.paper.currentText(),
            "appendix": self.appendix.isChecked(),
        }

    def fmt(self) -> str:
        return str(self.format.currentData())

    def _format_changed(self) -> None:
        labels = {"pdf": _("&Save as PDF…"), "md": _("&Save as Markdown…"), "csv": _("&Save as CSV…")}
        self.save_button.setText(labels[self.fmt()])

    def _suggested_path(self) -> str:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        suffix = "-redacted" if self.redact.isChecked() else ""
        return str(Path(folder) / f"{_safe_file_stem(self._title)}{suffix}.{self.fmt()}")

    # -- background work ----------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._task is not None

    def _start(self, work: Any, on_success: Any, message: str) -> Task:
        self._set_busy(True, message)
        task = run_task(work, self)
        task.progressed.connect(self._progressed)
        task.succeeded.connect(on_success)
        task.failed.connect(self._failed)
        task.cancelled.connect(lambda: self.status.setText(_("Cancelled; no file was written.")))
        task.finished.connect(lambda: self._set_busy(False))
        self._task = task
        return task

    def _set_busy(self, busy: bool, message: str = "") -> None:
        if not busy:
            self._task = None
        self.progress.setVisible(busy)
        self.progress.setValue(0)
        self.cancel_button.setVisible(busy)
        for button in (self.preview_button, self.print_button, self.save_button):
            button.setEnabled(not busy)
        if message:
            self.status.setText(message)

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setValue(round(1000 * done / max(total, 1)))

    def _failed(self, message: str) -> None:
        self.status.setText(_("Could not export: %s") % message)

    def cancel(self) -> None:
        """Stop the running export; it leaves no file behind."""
        if self._task is not None:
            self._task.cancel()

    def done(self, result: int) -> None:
        """Closing stops a running export first: it cancels at its next page and leaves no file."""
        task = self._task
        if task is not None:
            task.cancel()
            loop = QEventLoop()
            task.finished.connect(loop.quit)
            QTimer.singleShot(15_000, loop.quit)  # never hang the window on a stuck export
            if self._task is not None:
                loop.exec()
        super().done(result)

    # -- save -----------------------------------------------------------------------------------
    def save(self) -> None:
        """Ask where to save, then export there in the background."""
        fmt = self.fmt()
        path, _filter = QFileDialog.getSaveFileName(self, _("Save case history"), self._suggested_path(),
                                                    _(FORMATS[fmt]))
        if path:
            self.save_to(Path(path), fmt)

    def save_to(self, out: Path, fmt: str | None = None) -> Task:
        """Export to ``out`` in the background; ``last_saved`` is set when it is written."""
        fmt = fmt or self.fmt()
        if out.suffix.lower() != "." + fmt:
            out = out.with_name(out.name + "." + fmt)
        options = self.options()
        store = self._store

        def work(progress: Any) -> Path:
            return case_report.export_case_report(store, fmt=fmt, out=out, progress=progress, **options)

        return self._start(work, self._saved, _("Writing %s…") % out.name)

    def _saved(self, out: Path) -> None:
        self.last_saved = out
        self.status.setText(_("Saved to %s") % out)

    # -- preview and print --------------------------------------------------------------------
    def _prepare(self, then: Any) -> Task:
        """Gather the case and its images in the background, then call ``then(layout)``."""
        options = self.options()
        options.pop("paper")
        store = self._store

        def work(progress: Any) -> case_report.ReportLayout:
            return case_report.build_report_layout(store, progress=progress, **options)

        def done(layout: case_report.ReportLayout) -> None:
            self._layout = layout
            self.status.setText("")
            then(layout)

        return self._start(work, done, _("Preparing the document…"))

    def printer(self) -> QPrinter:
        """A printer set to the chosen paper, with the same margins as the PDF."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(render.page_layout(self.paper.currentText()))
        printer.setDocName(_("Case history: %s") % self._title)
        return printer

    def paint(self, printer: QPrinter, layout: case_report.ReportLayout | None = None) -> int:
        """Draw the document on ``printer`` (a preview's, a real printer's); returns pages."""
        layout = layout or self._layout
        if layout is None:
            return 0
        doc = layout.document()
        return render.paint_document(doc, printer, running=layout.running).pages

    def preview(self) -> Task:
        """Open a print preview of the document with the chosen options."""

        def show(layout: case_report.ReportLayout) -> None:
            # The preview draws on this printer for as long as it is open: keep it alive.
            self._preview_printer = self.printer()
            dialog = QPrintPreviewDialog(self._preview_printer, self)
            dialog.setWindowTitle(_("Print preview: %s") % self._title)
            screen = self.screen().availableGeometry()
            dialog.resize(min(1000, int(screen.width() * 0.8)), int(screen.height() * 0.9))
            dialog.paintRequested.connect(lambda printer: self.paint(printer, layout))
            self.preview_dialog = dialog
            dialog.open()

        return self._prepare(show)

    def print_(self) -> Task:
        """Choose a printer, then print the document."""

        def ask(layout: case_report.ReportLayout) -> None:
            printer = self.printer()
            dialog = QPrintDialog(printer, self)
            if dialog.exec() == QDialog.DialogCode.Accepted:
                pages = self.paint(printer, layout)
                self.status.setText(_("Sent %d pages to the printer.") % pages)

        return self._prepare(ask)
