"""The letter editor on a real store: tick, edit, save, print, send."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtPrintSupport import QPrinter
from sqlalchemy import select

from core.documents import letters
from core.domain import clock
from core.domain.models import Event, Letter, LetterStatus
from core.journal import cases, settings
from core.store.store import Store
from gui.dialogs.letter_editor import LetterEditor

# The offscreen platform cannot pass size hints to a window manager it does not have.
pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support (propagateSizeHints|raise)\(\)$")


@pytest.fixture
def case_ids(store: Store, tmp_path: Path) -> dict[str, int]:
    clock.set_today("2026-11-23")
    settings.update(store, your_name="Anna Keller", your_address="Rue du Marché 12\n1204 Genève")
    case_id = cases.open_case(store, title="Refund for a returned coat never paid", company="Maison Lumière SARL",
                              amount="129.00", currency="EUR", references=["Order 48213"],
                              desired_outcome="a refund of EUR 129.00 to my card", jurisdiction="GB")
    with store.write() as session:
        from core.domain.models import Case

        company_id = session.get(Case, case_id).company_id
    cases.update_company(store, company_id=company_id, address="14 rue de Rivoli\n75004 Paris")
    contact = cases.add_contact(store, case_id=case_id, name="Claire Martin", role="Customer service")
    returned = cases.log_event(store, case_id=case_id, at="2026-09-20", kind="letter", direction="to_company",
                               summary="Returned the coat by tracked post")
    call = cases.log_event(store, case_id=case_id, at="2026-10-01", kind="call", direction="to_company",
                           summary="They promised a refund within 5 days", promised_by="2026-10-06")
    receipt = tmp_path / "receipt.txt"
    receipt.write_text("receipt")
    evidence = cases.attach_evidence(store, case_id=case_id, path=receipt, description="Receipt")
    return {"case": case_id, "contact": contact, "returned": returned, "call": call, "evidence": evidence}


def _item(widget, item_id):  # noqa: ANN001, ANN202
    for i in range(widget.count()):
        if widget.item(i).data(Qt.ItemDataRole.UserRole + 1) == item_id:
            return widget.item(i)
    raise AssertionError(item_id)


def test_tick_an_event_and_save_the_letter_as_pdf(qtbot, store: Store, case_ids: dict[str, int], tmp_path: Path) -> None:  # noqa: ANN001
    editor = LetterEditor(store, case_ids["case"], template_id="chaser")
    qtbot.addWidget(editor)
    editor.show()
    assert editor.template_box.currentData() == "chaser"
    # Only the returned coat at first: untick the call, then tick it again.
    _item(editor.events_list, case_ids["call"]).setCheckState(Qt.CheckState.Unchecked)
    assert "They promised a refund within 5 days" not in editor.editor.toPlainText()
    _item(editor.events_list, case_ids["call"]).setCheckState(Qt.CheckState.Checked)
    assert "They promised a refund within 5 days" in editor.editor.toPlainText()
    _item(editor.evidence_list, case_ids["evidence"]).setCheckState(Qt.CheckState.Checked)
    assert "receipt.txt" in editor.editor.toPlainText()
    qtbot.waitUntil(lambda: editor._preview.page_count >= 1)

    out = tmp_path / "chaser.pdf"
    assert editor.save_pdf(str(out)) == out
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "They promised a refund within 5 days" in flat
    assert "Order 48213" in flat and "EUR 129.00" in flat and "30 November 2026" in flat


def test_missing_facts_are_listed_and_block_sending_until_filled(qtbot, store: Store, case_ids: dict[str, int]) -> None:  # noqa: ANN001
    editor = LetterEditor(store, case_ids["case"], template_id="chargeback_request")
    qtbot.addWidget(editor)
    assert "last four digits of the card" in editor.missing_facts()
    assert editor.missing_label.isVisibleTo(editor)
    assert not editor.send_button.isEnabled()
    editor.fact_fields["card_last4"].setText("4242")
    editor.fact_fields["card_last4"].editingFinished.emit()
    assert "ending 4242" in editor.editor.toPlainText()
    assert "last four digits of the card" not in editor.missing_facts()
    # The plain text for an email keeps each table row on one line.
    lines = editor.copy_text().splitlines()
    assert any(line.startswith("Card:") and line.endswith("ending 4242") for line in lines), lines


def test_edits_are_kept_and_the_draft_reopens(qtbot, store: Store, case_ids: dict[str, int]) -> None:  # noqa: ANN001
    editor = LetterEditor(store, case_ids["case"], template_id="first_complaint")
    qtbot.addWidget(editor)
    editor.recipient_box.setCurrentIndex(editor.recipient_box.findData(case_ids["contact"]))
    assert "Dear Claire Martin," in editor.editor.toPlainText()
    _item(editor.events_list, case_ids["returned"]).setCheckState(Qt.CheckState.Unchecked)
    assert "Returned the coat" not in editor.editor.toPlainText()
    editor.editor.append("I also enclose my bank statement.")
    # Choices made after an edit do not silently throw the edit away.
    _item(editor.evidence_list, case_ids["evidence"]).setCheckState(Qt.CheckState.Checked)
    assert "I also enclose my bank statement." in editor.editor.toPlainText()
    assert "receipt.txt" not in editor.editor.toPlainText()
    assert "Redraft" in editor.status_label.text()
    with qtbot.waitSignal(editor.letter_saved) as saved:
        letter_id = editor.save_draft()
    assert saved.args == [letter_id]
    assert "I also enclose my bank statement." in letters.get_letter(store, letter_id=letter_id).body

    reopened = LetterEditor(store, case_ids["case"], letter_id=letter_id)
    qtbot.addWidget(reopened)
    assert reopened.template_box.currentData() == "first_complaint"
    assert reopened.recipient_box.currentData() == case_ids["contact"]
    assert "I also enclose my bank statement." in reopened.editor.toPlainText()
    assert _item(reopened.events_list, case_ids["returned"]).checkState() == Qt.CheckState.Unchecked
    assert reopened.copy_text() == QGuiApplication.clipboard().text()
    assert "Dear Claire Martin," in QGuiApplication.clipboard().text()


def test_french_version_and_printing_use_the_same_layout(qtbot, store: Store, case_ids: dict[str, int], tmp_path: Path) -> None:  # noqa: ANN001
    editor = LetterEditor(store, case_ids["case"], template_id="final_notice")
    qtbot.addWidget(editor)
    editor.language_box.setCurrentIndex(editor.language_box.findData("fr"))
    assert "Mise en demeure" in editor.editor.toPlainText()
    assert "129,00 €" in editor.editor.toPlainText()  # Qt shows the no-break space as a space
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    assert editor.paint_on(printer) == 1
    del printer
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Mise en demeure" in text and "page 1 sur 1" in text


def test_mark_as_sent_logs_the_letter_and_freezes_the_editor(qtbot, store: Store, case_ids: dict[str, int]) -> None:  # noqa: ANN001
    editor = LetterEditor(store, case_ids["case"], template_id="final_notice")
    qtbot.addWidget(editor)
    assert editor.missing_facts() == []
    with qtbot.waitSignal(editor.letter_sent):
        event_id = editor.mark_as_sent(via="recorded_post", sent_on=date(2026, 11, 23), tracking="RR1GB")
    assert event_id is not None
    with store.read() as session:
        event = session.get(Event, event_id)
        assert event.kind == "letter" and event.direction == "to_company" and len(event.evidence) == 1
        letter = session.scalars(select(Letter)).one()
        assert letter.status == LetterStatus.SENT and letter.reply_by == date(2026, 12, 7)
    assert editor.editor.isReadOnly()
    assert not editor.send_button.isEnabled() and not editor.save_button.isEnabled()
    assert "Sent by recorded post on 23 November 2026" in editor.editor.toPlainText()


def test_the_ladder_suggests_the_template(qtbot, store: Store, case_ids: dict[str, int]) -> None:  # noqa: ANN001
    """A refund case where letters already went out: the editor opens on the ladder's next
    letter, not always on a first complaint."""
    from core.escalation import reminders

    expected = reminders.next_step(store, case_id=case_ids["case"]).template_id
    assert expected != "first_complaint"  # two messages went unanswered
    editor = LetterEditor(store, case_ids["case"])
    qtbot.addWidget(editor)
    assert editor.template_box.currentData() == expected
    assert expected in {t.id for t in letters.list_templates(store)}


def test_a_letter_with_missing_facts_is_neither_saved_as_pdf_nor_printed(qtbot, store: Store,  # noqa: ANN001
                                                                         case_ids: dict[str, int],
                                                                         tmp_path: Path) -> None:
    editor = LetterEditor(store, case_ids["case"], template_id="chargeback_request")
    qtbot.addWidget(editor)
    assert editor.missing_facts()
    out = tmp_path / "chargeback.pdf"
    assert editor.save_pdf(str(out)) is None
    assert not out.exists()
    assert "Fill in the missing facts first" in editor.status_label.text()
    assert "last four digits of the card" in editor.status_label.text()
    editor.fact_fields["card_last4"].setText("4242")
    editor.fact_fields["card_last4"].editingFinished.emit()
    if not editor.missing_facts():
        assert editor.save_pdf(str(out)) == out


def test_the_letter_reads_in_a_dark_palette(qtbot, store: Store, case_ids: dict[str, int]) -> None:  # noqa: ANN001
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    before = app.palette()
    dark = QPalette(before)
    for role, colour in ((QPalette.ColorRole.Window, "#202124"), (QPalette.ColorRole.WindowText, "#e8eaed"),
                         (QPalette.ColorRole.Base, "#121212"), (QPalette.ColorRole.Text, "#e8eaed"),
                         (QPalette.ColorRole.ToolTipBase, "#3c3c3c"), (QPalette.ColorRole.ToolTipText, "#f0f0f0")):
        dark.setColor(role, QColor(colour))
    app.setPalette(dark)
    try:
        editor = LetterEditor(store, case_ids["case"], template_id="chargeback_request")
        qtbot.addWidget(editor)
        editor.show()
        qtbot.waitUntil(lambda: editor._preview.page_count >= 1)
        # The missing-facts note: its text and background from the palette, far apart in lightness.
        label = editor.missing_label
        text, back = label.palette().color(label.foregroundRole()), label.palette().color(label.backgroundRole())
        assert abs(text.lightness() - back.lightness()) > 120
        # The page preview is a white page with dark ink, whatever the window's palette.
        page = editor._preview._images[0]
        body = range(page.height() // 10, page.height() * 8 // 10, 3)  # above the footer
        inks = [page.pixelColor(x, y).lightness() for y in body for x in range(0, page.width(), 3)]
        assert min(inks) < 90, "the letter's text is drawn dark on the white page"
    finally:
        app.setPalette(before)


def test_a_french_company_gets_a_french_letter_and_a_french_window_french_titles(
        qtbot, store: Store, case_ids: dict[str, int]) -> None:  # noqa: ANN001
    from core import i18n

    french_case = cases.open_case(store, title="Manteau jamais remboursé", company="Maison Lumière SARL",
                                  amount="129.00", currency="EUR", jurisdiction="FR")
    before = i18n.current_language()
    try:
        i18n.set_language("fr")
        editor = LetterEditor(store, french_case, template_id="final_notice")
        qtbot.addWidget(editor)
        assert editor.language_box.currentData() == "fr"
        assert "Madame, Monsieur," in editor.editor.toPlainText()
        assert editor.template_box.currentText() == "Mise en demeure"
        # A British company's letter follows the window's language; the US-only notice is English.
        british = LetterEditor(store, case_ids["case"], template_id="final_notice")
        qtbot.addWidget(british)
        assert british.language_box.currentData() == "fr"
        british.template_box.setCurrentIndex(british.template_box.findData("us_billing_error"))
        assert british.language_box.currentData() == "en"
    finally:
        i18n.set_language(before)


def test_every_fact_a_letter_may_need_has_a_label_in_the_windows_language() -> None:
    from core.documents import letters
    from gui.dialogs.letter_editor import FACT_LABELS

    assert set(FACT_LABELS) == set(letters.EXTRA_FACTS)
