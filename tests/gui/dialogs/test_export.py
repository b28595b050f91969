"""The export dialog: a user picks what goes into the case history, previews, prints, saves."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewWidget
from PySide6.QtWidgets import QFileDialog

from core.exchange.demo import receipt_png
from core.journal import cases, settings
from core.store.store import Store
from gui.dialogs.export import ExportDialog

# The offscreen test platform cannot pass size hints to a window manager it does not have.
pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support (propagateSizeHints|raise)\(\)$")


@pytest.fixture
def case_id(store: Store, tmp_path: Path) -> int:
    settings.update(store, your_name="Dana Cohen", paper_size="Letter")
    cid = cases.open_case(store, title="Gym membership still charged", company="FitCo", amount="59.00")
    contact = cases.add_contact(store, case_id=cid, name="Rob Miller", email="rob.miller@fitco.example")
    photo = tmp_path / "letter.png"
    photo.write_bytes(receipt_png(["CANCELLATION", "RECEIVED"]))
    evidence = cases.attach_evidence(store, case_id=cid, path=photo)
    with store.write() as session:
        for i in range(120):
            cases.log_event(session, case_id=cid, at=f"2024-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}",
                            kind="call" if i % 2 else "note", summary=f"Call {i:03d} about the charge",
                            contact_id=contact if i % 2 else None, evidence_ids=[evidence] if i == 5 else [])
    return cid


def _text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_choices_start_from_the_settings_and_the_case(qtbot, store: Store, case_id: int) -> None:
    dialog = ExportDialog(store, case_id)
    qtbot.addWidget(dialog)

    assert dialog.paper.currentText() == "Letter"
    assert dialog.redact_names.toPlainText() == "Rob Miller"
    assert not dialog.redact_names.isEnabled() and not dialog.date_from.isEnabled()
    assert dialog.options()["redact"] is False and dialog.options()["date_from"] is None

    dialog.redact.setChecked(True)
    dialog.limit_dates.setChecked(True)
    dialog.date_from.setDate(QDate(2024, 2, 1))
    dialog.date_to.setDate(QDate(2024, 2, 29))
    dialog.private_notes.setChecked(False)
    dialog.format.setCurrentIndex(dialog.format.findData("md"))

    options = dialog.options()
    assert dialog.redact_names.isEnabled()
    assert options["redact"] and options["redact_names"] == ["Rob Miller"]
    assert str(options["date_from"]) == "2024-02-01" and str(options["date_to"]) == "2024-02-29"
    assert options["include_private_notes"] is False
    assert dialog.save_button.text() == "&Save as Markdown…"


def test_saving_a_redacted_pdf_in_the_background(qtbot, store: Store, case_id: int, tmp_path: Path) -> None:
    dialog = ExportDialog(store, case_id)
    qtbot.addWidget(dialog)
    dialog.redact.setChecked(True)

    task = dialog.save_to(tmp_path / "public")
    assert dialog.busy and not dialog.save_button.isEnabled() and dialog.cancel_button.isVisibleTo(dialog)
    with qtbot.waitSignal(task.finished, timeout=30_000):
        pass

    out = tmp_path / "public.pdf"
    assert dialog.last_saved == out and out.exists()
    assert "Saved to" in dialog.status.text()
    assert dialog.save_button.isEnabled() and not dialog.cancel_button.isVisibleTo(dialog)
    text = _text(out)
    assert "Call 000 about the charge" in text and "Call 119 about the charge" in text
    assert "Rob Miller" not in text and "rob.miller" not in text and "Dana Cohen" not in text
    assert round(float(PdfReader(out).pages[0].mediabox.width)) == 612  # Letter, from the settings


def test_save_button_asks_where_and_writes_that_format(qtbot, store: Store, case_id: int, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = ExportDialog(store, case_id)
    qtbot.addWidget(dialog)
    dialog.format.setCurrentIndex(dialog.format.findData("csv"))
    asked: list[str] = []

    def choose(parent, caption, suggested, filters):  # noqa: ANN001 (QFileDialog's signature)
        asked.append(suggested)
        return str(tmp_path / "chronology.csv"), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(choose))
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.last_saved is not None, timeout=30_000)

    assert asked and asked[0].endswith("Gym-membership-still-charged.csv")
    lines = (tmp_path / "chronology.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 121


def test_cancel_leaves_no_file(qtbot, store: Store, case_id: int, tmp_path: Path) -> None:
    dialog = ExportDialog(store, case_id)
    qtbot.addWidget(dialog)

    task = dialog.save_to(tmp_path / "history.pdf")
    dialog.cancel_button.click()
    with qtbot.waitSignal(task.finished, timeout=30_000):
        pass

    assert not (tmp_path / "history.pdf").exists()
    assert not list(tmp_path.glob(".docket-*"))
    assert dialog.status.text() == "Cancelled; no file was written."
    assert dialog.last_saved is None and not dialog.busy


def test_preview_shows_the_same_pages_as_the_pdf(qtbot, store: Store, case_id: int, tmp_path: Path) -> None:
    dialog = ExportDialog(store, case_id)
    qtbot.addWidget(dialog)
    saved = dialog.save_to(tmp_path / "history.pdf")
    with qtbot.waitSignal(saved.finished, timeout=30_000):
        pass
    pdf_pages = len(PdfReader(tmp_path / "history.pdf").pages)

    task = dialog.preview()
    with qtbot.waitSignal(task.finished, timeout=30_000):
        pass

    preview = dialog.preview_dialog
    assert preview is not None and preview.isVisible()
    widget = preview.findChild(QPrintPreviewWidget)
    qtbot.waitUntil(lambda: widget.pageCount() > 0, timeout=10_000)
    assert widget.pageCount() == pdf_pages
    preview.close()


def test_printing_draws_the_document_with_page_numbers(qtbot, store: Store, case_id: int, tmp_path: Path) -> None:
    dialog = ExportDialog(store, case_id)
    qtbot.addWidget(dialog)
    printed: list[int] = []
    task = dialog._prepare(lambda layout: printed.append(0))
    with qtbot.waitSignal(task.finished, timeout=30_000):
        pass

    printer = dialog.printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    pages = dialog.paint(printer)

    assert printed == [0]
    text = _text(tmp_path / "printed.pdf")
    assert pages >= 2 and f"page {pages} of {pages}" in text
    assert "Call 000 about the charge" in text and "Call 119 about the charge" in text


def test_closing_while_saving_stops_the_export(qtbot, store: Store, case_id: int, tmp_path: Path) -> None:
    dialog = ExportDialog(store, case_id)
    qtbot.addWidget(dialog)
    dialog.show()
    task = dialog.save_to(tmp_path / "history.pdf")
    finished: list[bool] = []
    task.finished.connect(lambda: finished.append(True))

    dialog.reject()

    assert finished == [True] and not dialog.busy and not dialog.isVisible()
    assert not (tmp_path / "history.pdf").exists()
    assert not list(tmp_path.glob(".docket-*"))
