"""The letter editor: pick a template, tick events and evidence, edit, preview, print, send.

Opened from a case's Letters tab and from the next-step banner. The letter is drafted by
:mod:`core.letters`; this dialog only gathers the choices, shows the text for editing beside a
page preview laid out by the same renderer as the PDF, and calls the core functions to keep,
print, save or send it. Facts still missing are listed above the text; a letter cannot be
marked as sent while any remain.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QRectF, QSize, QSizeF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QGuiApplication,
    QImage,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from core.documents import letters, render
from core.domain import clock
from core.domain.errors import DocketError
from core.domain.when import When
from core.escalation import reminders
from core.i18n import N_, _, current_language
from core.journal import queries, settings
from core.store.store import Store
from gui.case.timeline_model import kind_label
from gui.kit.formatting import date_display_format, format_date

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def suggested_template(store: Store, case_id: int) -> str:
    """The template the escalation ladder suggests for the case, else a first complaint."""
    try:
        step = reminders.next_step(store, case_id=case_id)
    except DocketError:
        return "first_complaint"
    return step.template_id or "first_complaint"


class PagePreview(QScrollArea):
    """The letter's pages as they will print: the same layout as the PDF, drawn small."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setAccessibleName(_("Page preview"))
        self._pages = QWidget(self)
        self._column = QVBoxLayout(self._pages)
        self._column.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setWidget(self._pages)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page_count = 0
        self._images: list[QImage] = []
        self._labels: list[QLabel] = []

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        # The pages follow the pane's width, never the other way round.
        return QSize(360, 480)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(160, 200)

    def resizeEvent(self, event: object) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._fit()

    def _fit(self) -> None:
        """Scale each page to the width available, so a whole page is always in view."""
        width = max(120, self.viewport().width() - 16)
        for image, label in zip(self._images, self._labels, strict=True):
            label.setPixmap(QPixmap.fromImage(image).scaledToWidth(width, Qt.TransformationMode.SmoothTransformation))

    def show_html(self, html: str, paper: str, subject: str, language: str) -> None:
        """Lay ``html`` out on ``paper`` and show every page."""
        while self._column.count():
            item = self._column.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self._images, self._labels = [], []
        layout = render.page_layout(paper)
        dpi = 110  # sharp enough to read once scaled to the panel
        full = layout.fullRectPixels(dpi)
        paint = layout.paintRectPixels(dpi)
        header = render.HEADER_MM / 25.4 * dpi
        footer = render.FOOTER_MM / 25.4 * dpi
        body_h = paint.height() - header - footer
        doc = render.make_document(html)
        image_probe = QImage(1, 1, QImage.Format.Format_RGB32)
        image_probe.setDotsPerMeterX(int(dpi / 0.0254))
        image_probe.setDotsPerMeterY(int(dpi / 0.0254))
        doc.documentLayout().setPaintDevice(image_probe)
        doc.setPageSize(QSizeF(paint.width(), body_h))
        self.page_count = doc.pageCount()
        running = letters.running_footer(subject, language)
        for index in range(self.page_count):
            image = QImage(full.width(), full.height(), QImage.Format.Format_RGB32)
            image.setDotsPerMeterX(int(dpi / 0.0254))
            image.setDotsPerMeterY(int(dpi / 0.0254))
            image.fill(QColor("white"))
            painter = QPainter(image)
            painter.setPen(QColor("#b0b0b0"))
            painter.drawRect(0, 0, full.width() - 1, full.height() - 1)
            painter.translate(paint.left(), paint.top() + header - index * body_h)
            clip = QRectF(0, index * body_h, paint.width(), body_h)
            painter.setClipRect(clip)
            # Paper is white and ink is dark, whatever the window's palette (a dark palette's
            # light text would vanish on the page).
            context = QAbstractTextDocumentLayout.PaintContext()
            context.clip = clip
            context.palette.setColor(QPalette.ColorRole.Text, QColor("black"))
            doc.documentLayout().draw(painter, context)
            painter.setClipping(False)
            painter.translate(0, index * body_h)
            painter.setPen(QColor("#555555"))
            label = running.page_label.format(n=index + 1, m=self.page_count)
            painter.drawText(0, int(body_h + footer * 0.8), int(paint.width()), int(footer),
                             int(Qt.AlignmentFlag.AlignRight), label)
            painter.end()
            page = QLabel(self._pages)
            self._images.append(image)
            self._labels.append(page)
            page.setAccessibleName(_("Page %1 of %2").replace("%1", str(index + 1)).replace("%2", str(self.page_count)))
            self._column.addWidget(page)
        self._fit()


class SendDialog(QDialog):
    """How, when and with which tracking number the letter went out."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Mark as sent"))
        form = QFormLayout(self)
        self.via = QComboBox(self)
        labels = {"email": _("Email"), "post": _("Post"), "recorded_post": _("Recorded post"),
                  "certified_post": _("Certified post"), "by_hand": _("By hand"),
                  "web_form": _("Web form")}
        for key in letters.SENT_VIA:
            self.via.addItem(labels[key], key)
        self.via.setCurrentIndex(self.via.findData("recorded_post"))
        self.via.setAccessibleName(_("How it was sent"))
        self.tracking = QLineEdit(self)
        self.tracking.setAccessibleName(_("Tracking number"))
        self.tracking.setPlaceholderText(_("e.g. RR123456789GB"))
        today = clock.today()
        self.sent_on = QDateEdit(QDate(today.year, today.month, today.day), self)
        self.sent_on.setCalendarPopup(True)
        self.sent_on.setMaximumDate(QDate(today.year, today.month, today.day))
        self.sent_on.setDisplayFormat(date_display_format())
        self.sent_on.setAccessibleName(_("Date sent"))
        form.addRow(_("&How:"), self.via)
        form.addRow(_("&Tracking number:"), self.tracking)
        form.addRow(_("&Date:"), self.sent_on)
        note = QLabel(_("The letter's text is then frozen, a letter event with the PDF is added "
                              "to the timeline, and the reply clock starts."), self)
        note.setWordWrap(True)
        form.addRow(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, date, str]:
        d = self.sent_on.date()
        return self.via.currentData(), date(d.year(), d.month(), d.day()), self.tracking.text().strip()


# Labels of the facts a letter may need that the case does not hold (letters.EXTRA_FACTS).
FACT_LABELS = {
    "card_last4": N_("Last four digits of the card"),
    "card_issuer": N_("Card issuer's name"),
    "card_issuer_address": N_("Card issuer's postal address"),
    "cardholder": N_("Cardholder's name"),
    "purchase": N_("What you bought"),
    "statement_date": N_("Date of the statement showing the charge"),
    "platform": N_("Platform name (e.g. PayPal)"),
    "platform_case": N_("Platform dispute or case number"),
    "regulator": N_("Regulator or ombudsman"),
    "regulator_address": N_("Regulator or ombudsman's postal address"),
    "regulator_reference": N_("Your reference with the regulator"),
    "court": N_("Court you would file in"),
}


class LetterEditor(QDialog):
    """Draft, edit and send one letter of a case (a new one, or the kept ``letter_id``)."""

    letter_saved = Signal(int)
    letter_sent = Signal(int)

    def __init__(self, store: Store, case_id: int, parent: QWidget | None = None,
                 template_id: str | None = None, letter_id: int | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._case_id = case_id
        self.letter_id = letter_id
        self._draft: letters.Draft | None = None
        self._edited = False
        self._loading = False
        self._paper = settings.get(store, "paper_size")
        kept = letters.get_letter(store, letter_id=letter_id) if letter_id is not None else None
        case = queries.load_case(store, case_id)
        self.setWindowTitle(_("Letter: %1").replace("%1", case.title))
        # Large enough for text and page side by side, never larger than the screen.
        available = self.screen().availableGeometry()
        self.resize(min(1200, int(available.width() * 0.95)), min(800, int(available.height() * 0.9)))

        self._build_choices(case)
        self._build_text()
        self._preview = PagePreview(self)
        self._preview_timer = QTimer(self, singleShot=True, interval=300)
        self._preview_timer.timeout.connect(self._refresh_preview)

        splitter = QSplitter(self)
        splitter.addWidget(self._choices)
        splitter.addWidget(self._text_pane)
        splitter.addWidget(self._preview)
        width = self.width()
        splitter.setSizes([int(width * 0.26), int(width * 0.42), int(width * 0.32)])
        splitter.setStretchFactor(1, 1)  # the text takes what the window gains
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(self._build_buttons())

        self._loading = True
        if kept is not None:
            self._restore(kept)
        else:
            self._select_template(template_id or suggested_template(store, case_id))
            self._loading = False
            self.redraft()
        self._loading = False
        problems = letters.template_problems(store)
        if problems:
            self.status_label.setText(_("Some of your templates were left out: %1").replace("%1", " ".join(problems)))
        self._update_state()

    # -- building -------------------------------------------------------------------------------
    def _build_choices(self, case: object) -> None:
        self._choices = QWidget(self)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.template_box = QComboBox(self._choices)
        self.template_box.setAccessibleName(_("Template"))
        self._templates = letters.list_templates(self._store)
        for tpl_id, title in letters.template_titles(self._templates, current_language()).items():
            self.template_box.addItem(title, tpl_id)
        self.template_box.currentIndexChanged.connect(self._template_changed)
        self.language_box = QComboBox(self._choices)
        self.language_box.setAccessibleName(_("Language of the letter"))
        self.language_box.currentIndexChanged.connect(self._choice_changed)
        self.recipient_box = QComboBox(self._choices)
        self.recipient_box.setAccessibleName(_("Recipient"))
        self.recipient_box.addItem(_("The organisation (no named person)"), None)
        for contact in case.contacts:  # type: ignore[attr-defined]
            label = contact.name + (f" ({contact.role})" if contact.role else "")
            self.recipient_box.addItem(label, contact.id)
        self.recipient_box.currentIndexChanged.connect(self._choice_changed)
        for box in (self.template_box, self.language_box, self.recipient_box):
            # Long template titles must not widen the panel past the letter itself.
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(14)
        form.addRow(_("&Template:"), self.template_box)
        form.addRow(_("&Language:"), self.language_box)
        form.addRow(_("&To:"), self.recipient_box)

        self.events_list = QListWidget(self._choices)
        self.events_list.setAccessibleName(_("Events for the chronology"))
        defaults = set(letters.default_event_ids(case))  # type: ignore[arg-type]
        for event in case.events:  # type: ignore[attr-defined]
            when = When.parse(event.at)
            item = QListWidgetItem(f"{format_date(when.day)}  {kind_label(event.kind)}  {event.summary}",
                                   self.events_list)
            item.setData(ID_ROLE, event.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if event.id in defaults else Qt.CheckState.Unchecked)
        self.events_list.itemChanged.connect(self._choice_changed)
        self.evidence_list = QListWidget(self._choices)
        self.evidence_list.setAccessibleName(_("Evidence to enclose"))
        for item_ in case.evidence:  # type: ignore[attr-defined]
            item = QListWidgetItem(item_.original_name + (f" – {item_.description}" if item_.description else ""),
                                   self.evidence_list)
            item.setData(ID_ROLE, item_.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.evidence_list.itemChanged.connect(self._choice_changed)

        # A plain panel under a label that wraps: a group box's title would set the column's
        # narrowest width, and a longer language would push the fields off its edge.
        facts_title = QLabel(_("Other facts (card, issuer, regulator…)"), self._choices)
        facts_title.setWordWrap(True)
        facts_box = QWidget(self._choices)
        # Each label above its field, as wide as the column: long labels (and longer
        # languages) fit the narrow column.
        facts_form = QVBoxLayout(facts_box)
        self.fact_fields: dict[str, QLineEdit] = {}
        for key, label in letters.EXTRA_FACTS.items():
            field = QLineEdit(facts_box)
            # The window's words for the field (the letter's own gap marker is in the letter's
            # language); a fact added to the letters without a label here shows theirs.
            label = _(FACT_LABELS[key]) if key in FACT_LABELS else label[:1].upper() + label[1:]
            field.setAccessibleName(label)
            field.editingFinished.connect(self._choice_changed)
            self.fact_fields[key] = field
            # Translators: a label before its field (French puts a space before the colon).
            name = QLabel(_("%1:").replace("%1", label), facts_box)
            name.setWordWrap(True)
            name.setBuddy(field)
            facts_form.addWidget(name)
            facts_form.addWidget(field)
            facts_form.addSpacing(4)
        facts_scroll = QScrollArea(self._choices)
        facts_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        facts_scroll.setWidgetResizable(True)
        facts_scroll.setWidget(facts_box)

        column = QVBoxLayout(self._choices)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(form)
        column.addWidget(QLabel(_("Events in the chronology:"), self._choices))
        column.addWidget(self.events_list, 2)
        column.addWidget(QLabel(_("Enclosures:"), self._choices))
        column.addWidget(self.evidence_list, 1)
        column.addWidget(facts_title)
        column.addWidget(facts_scroll, 2)
        self.redraft_button = QPushButton(_("&Redraft from the case"), self._choices)
        self.redraft_button.setAccessibleName(_("Redraft the letter from the case, replacing your edits"))
        self.redraft_button.clicked.connect(self.redraft)
        column.addWidget(self.redraft_button)

    def _build_text(self) -> None:
        self._text_pane = QWidget(self)
        column = QVBoxLayout(self._text_pane)
        column.setContentsMargins(0, 0, 0, 0)
        self.missing_label = QLabel(self._text_pane)
        self.missing_label.setWordWrap(True)
        self.missing_label.setAccessibleName(_("Missing facts"))
        # The tooltip colours are a pair every palette (light, dark, high contrast) keeps readable.
        self.missing_label.setAutoFillBackground(True)
        self.missing_label.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.missing_label.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.missing_label.setMargin(6)
        self.status_label = QLabel(self._text_pane)
        self.status_label.setWordWrap(True)
        self.editor = QTextEdit(self._text_pane)
        self.editor.setAccessibleName(_("Letter text"))
        self.editor.document().setDefaultFont(render.body_font())
        self.editor.textChanged.connect(self._text_changed)
        column.addWidget(self.missing_label)
        column.addWidget(self.status_label)
        column.addWidget(self.editor, 1)

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.print_button = QPushButton(_("&Print…"), self)
        self.print_button.clicked.connect(self.print_letter)
        self.pdf_button = QPushButton(_("Save as P&DF…"), self)
        self.pdf_button.clicked.connect(lambda: self.save_pdf())
        self.copy_button = QPushButton(_("&Copy as plain text"), self)
        self.copy_button.clicked.connect(self.copy_text)
        self.save_button = QPushButton(_("&Save draft"), self)
        self.save_button.clicked.connect(self.save_draft)
        self.send_button = QPushButton(_("&Mark as sent…"), self)
        self.send_button.clicked.connect(lambda: self.mark_as_sent())
        close = QPushButton(_("Close"), self)
        close.clicked.connect(self.reject)
        for button in (self.print_button, self.pdf_button, self.copy_button, self.save_button, self.send_button):
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(close)
        return row

    # -- choices --------------------------------------------------------------------------------
    def _select_template(self, template_id: str, language: str | None = None) -> None:
        index = self.template_box.findData(template_id)
        if index < 0:
            index = max(0, self.template_box.findData("first_complaint"))
        blocked = self.template_box.blockSignals(True)
        self.template_box.setCurrentIndex(index)
        self.template_box.blockSignals(blocked)
        self._fill_languages(language)

    def _fill_languages(self, wanted: str | None = None) -> None:
        tpl_id = self.template_box.currentData()
        available = [t.language for t in self._templates if t.id == tpl_id]
        wanted = wanted or self.language_box.currentData() or letters.letter_language(self._store, case_id=self._case_id, template_id=tpl_id)
        blocked = self.language_box.blockSignals(True)
        self.language_box.clear()
        for code in available:
            self.language_box.addItem(letters.LANGUAGE_NAMES.get(code, code), code)
        self.language_box.setCurrentIndex(max(0, self.language_box.findData(wanted)))
        self.language_box.blockSignals(blocked)

    def _template_changed(self) -> None:
        self._fill_languages()
        self._choice_changed()

    def _checked(self, widget: QListWidget) -> list[int]:
        return [widget.item(i).data(ID_ROLE) for i in range(widget.count())
                if widget.item(i).checkState() == Qt.CheckState.Checked]

    def _facts(self) -> dict[str, str]:
        return {k: f.text().strip() for k, f in self.fact_fields.items() if f.text().strip()}

    def _choice_changed(self, *_ignored: object) -> None:
        if self._loading or self._is_sent():
            return
        if self._edited:
            # The user's own words win: choices apply only when they ask to redraft.
            self.status_label.setText(_("You have edited the text. Your new choices apply when you "
                                              "press Redraft from the case (which replaces your edits)."))
            return
        self.redraft()

    def redraft(self) -> None:
        """Draft the letter again from the case and the current choices (edits are replaced)."""
        try:
            self._draft = letters.draft_letter(
                self._store, case_id=self._case_id, template_id=self.template_box.currentData(),
                language=self.language_box.currentData() or "en", event_ids=self._checked(self.events_list),
                evidence_ids=self._checked(self.evidence_list), contact_id=self.recipient_box.currentData(),
                facts=self._facts(),
            )
        except DocketError as exc:
            QMessageBox.warning(self, _("Letter"), str(exc))
            return
        self._loading = True
        self.editor.setHtml(self._draft.html)
        self._loading = False
        self._edited = False
        self.status_label.setText(_("Reply requested by %1.").replace("%1", format_date(self._draft.reply_by)))
        self._update_state()

    def _restore(self, kept: letters.LetterInfo) -> None:
        options = kept.options
        self._select_template(kept.template_id, kept.language)
        self.recipient_box.setCurrentIndex(max(0, self.recipient_box.findData(kept.contact_id)))
        for widget, key in ((self.events_list, "event_ids"), (self.evidence_list, "evidence_ids")):
            chosen = set(options.get(key, []))
            for i in range(widget.count()):
                item = widget.item(i)
                item.setCheckState(Qt.CheckState.Checked if item.data(ID_ROLE) in chosen else Qt.CheckState.Unchecked)
        for key, value in (options.get("facts") or {}).items():
            if key in self.fact_fields:
                self.fact_fields[key].setText(value)
        self._draft = letters.draft_from_kept(self._store, kept=kept)
        self.editor.setHtml(kept.body)
        self._edited = True
        self._sent_info = kept
        if kept.sent:
            self.editor.setReadOnly(True)
            self.status_label.setText(_("Sent on %1 by %2. A sent letter is kept as it was sent.")
                                      .replace("%1", str(kept.sent_on)).replace("%2", kept.sent_via.replace("_", " ")))
        else:
            self.status_label.setText(_("Kept draft. Reply requested by %1.")
                                      .replace("%1", str(kept.reply_by)))

    def _is_sent(self) -> bool:
        info = getattr(self, "_sent_info", None)
        return bool(info is not None and info.sent)

    # -- text and state -------------------------------------------------------------------------
    def _text_changed(self) -> None:
        if self._loading:
            return
        self._edited = True
        self._update_state()

    def missing_facts(self) -> list[str]:
        """The facts still marked missing in the text as it stands (edits included)."""
        return letters.missing_facts(self.editor.toPlainText())

    def _refuse_if_missing(self) -> bool:
        """True (and say so) when the letter still has ``[missing: …]`` in it: such a letter is
        not printed or saved as PDF, as it is not sent."""
        missing = self.missing_facts()
        if missing:
            self.status_label.setText(_("Fill in the missing facts first: %1.").replace("%1", "; ".join(missing)))
        return bool(missing)

    def _update_state(self) -> None:
        missing = self.missing_facts()
        if missing:
            self.missing_label.setText(_("Missing facts: fill these in (in the case or in the text) "
                                               "before sending: %1").replace("%1", "; ".join(missing)))
        self.missing_label.setVisible(bool(missing))
        sent = self._is_sent()
        for widget in (self.save_button, self.template_box, self.language_box, self.recipient_box,
                       self.events_list, self.evidence_list, self.redraft_button):
            widget.setEnabled(not sent)
        self.send_button.setEnabled(not sent and not missing)
        self.send_button.setToolTip(_("Fill in the missing facts first") if missing else "")
        self._preview_timer.start()

    def current_draft(self) -> letters.Draft:
        """The letter as it stands in the editor, the user's edits included."""
        assert self._draft is not None
        html = self.editor.toHtml()
        return dataclasses.replace(self._draft, html=html, text=letters.html_to_text(html),
                                   missing=self.missing_facts())

    def _refresh_preview(self) -> None:
        if self._draft is None:
            return
        self._preview.show_html(self.editor.toHtml(), self._paper, self._draft.subject, self._draft.language)

    # -- actions --------------------------------------------------------------------------------
    def save_draft(self) -> int | None:
        """Keep the letter, as edited, with the case. Returns its id."""
        if self._draft is None:
            return None
        try:
            self.letter_id = letters.save_draft(self._store, case_id=self._case_id, draft=self.current_draft(),
                                                letter_id=self.letter_id)
        except DocketError as exc:
            QMessageBox.warning(self, _("Letter"), str(exc))
            return None
        self.status_label.setText(_("Draft kept with the case."))
        self.letter_saved.emit(self.letter_id)
        return self.letter_id

    def save_pdf(self, path: str | None = None) -> Path | None:
        """Write the letter as a PDF (asks where unless ``path`` is given); not while facts are missing."""
        if not self._is_sent() and self._refuse_if_missing():
            return None
        if path is None:
            path, _ignored = QFileDialog.getSaveFileName(self, _("Save letter as PDF"),
                                                  f"{self.template_box.currentData()}.pdf", _("PDF (*.pdf)"))
            if not path:
                return None
        out = Path(path)
        try:
            if self._is_sent() and self.letter_id is not None:
                letters.letter_pdf(self._store, letter_id=self.letter_id, out=out)
            else:
                letters.draft_pdf(self._store, draft=self.current_draft(), out=out)
        except (DocketError, OSError) as exc:
            QMessageBox.warning(self, _("Letter"), str(exc))
            return None
        self.status_label.setText(_("Saved %1.").replace("%1", str(out)))
        return out

    def copy_text(self) -> str:
        """Put the letter's plain text on the clipboard, for an email."""
        plain = self.current_draft().text
        QGuiApplication.clipboard().setText(plain)
        self.status_label.setText(_("The letter's text is on the clipboard."))
        return plain

    def paint_on(self, printer: QPrinter) -> int:
        """Lay the letter out on ``printer`` exactly as for the PDF. Returns the page count."""
        printer.setPageLayout(render.page_layout(self._paper))
        draft = self.current_draft()
        doc = render.make_document(draft.html)
        return render.paint_document(doc, printer, running=letters.running_footer(draft.subject, draft.language)).pages

    def print_letter(self) -> None:
        if not self._is_sent() and self._refuse_if_missing():
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(render.page_layout(self._paper))
        dialog = QPrintPreviewDialog(printer, self)
        dialog.paintRequested.connect(self.paint_on)
        dialog.exec()

    def mark_as_sent(self, via: str | None = None, sent_on: date | None = None, tracking: str = "") -> int | None:
        """Keep the letter if needed and record it as sent (asks how unless ``via`` is given).
        Returns the new timeline event's id."""
        if self.missing_facts():
            QMessageBox.information(self, _("Letter"), _("Fill in the missing facts first."))
            return None
        if via is None:
            dialog = SendDialog(self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            via, sent_on, tracking = dialog.values()
        if self.save_draft() is None:
            return None
        try:
            event_id = letters.mark_as_sent(self._store, letter_id=self.letter_id, via=via, sent_on=sent_on,
                                            tracking=tracking)
        except DocketError as exc:
            QMessageBox.warning(self, _("Letter"), str(exc))
            return None
        self._loading = True
        self._restore(letters.get_letter(self._store, letter_id=self.letter_id))
        self._loading = False
        self._update_state()
        self.letter_sent.emit(self.letter_id)
        return event_id
