"""The guided start: a new case in a few plain questions, one per page.

Every page may be skipped, *Back* goes back, and the last page shows the case as Docket
understands it (clocks running, facts missing, the first step) before anything is written.
*Finish* opens the case with :func:`core.journal.intake.start_case`, in one transaction;
*Cancel* writes nothing. The questions' wording and what the answers mean live in
:mod:`core.journal.intake`, shared with ``docket new --ask``; the words are passed through
``tr()`` here so that they can be translated with the rest of the window.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from core.domain import clock
from core.domain.errors import DocketError, ValidationError
from core.domain.money import COMMON_CURRENCIES
from core.i18n import _
from core.journal import intake, queries, settings
from core.journal.intake import Answers, DoneEntry, Preview
from core.store.store import Store
from gui.dialogs.new_case import parse_money
from gui.kit.formatting import format_date

CONTEXT = "Intake"  # the translation context of the questions' words


def tr_words(text: str) -> str:
    """The core's plain English words for a question or a choice, translated."""
    return _(text)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class OptionalDate(QWidget):
    """A date the user may not know: a tick box beside a date field."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.known = QCheckBox(label, self)
        self.edit = QDateEdit(self)
        self.edit.setCalendarPopup(True)
        self.edit.setDate(_qdate(clock.today()))
        if QLocale().language() == QLocale.Language.C:
            self.edit.setDisplayFormat("d MMM yyyy")
        self.edit.setEnabled(False)
        self.edit.setAccessibleName(label)
        self.known.toggled.connect(self.edit.setEnabled)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.known)
        row.addWidget(self.edit)
        row.addStretch(1)

    def value(self) -> date | None:
        if not self.known.isChecked():
            return None
        d = self.edit.date()
        return date(d.year(), d.month(), d.day())

    def set_value(self, day: date | None) -> None:
        self.known.setChecked(day is not None)
        if day is not None:
            self.edit.setDate(_qdate(day))


class _Page(QWizardPage):
    """A question's page: its words from core, a hint, and room for the answer."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        question = next(q for q in intake.QUESTIONS if q.key == key)
        self.question = question
        self.setTitle(tr_words(question.text))
        self.setSubTitle(tr_words(question.hint) + " " + _("You may skip this question."))
        self.body = QVBoxLayout(self)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.hide()

    def show_error(self, message: str) -> None:
        # Bold text with a sign, not a colour: readable in light and dark palettes alike.
        self.error.setText("⚠ " + message)
        font = self.error.font()
        font.setBold(True)
        self.error.setFont(font)
        self.error.show()


class GuidedStart(QWizard):
    """Ask what happened, page by page; on Finish the case is opened and ``case_id`` set.

    ``draft_requested`` is set when the user chose to draft the suggested letter, and
    ``letter_editor`` then holds the letter editor opened on the new case.
    """

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("New case"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self._store = store
        self.case_id: int | None = None
        self.draft_requested = False
        self.letter_editor: QWidget | None = None
        self.current_preview: Preview | None = None
        self._defaults = settings.get_all(store)
        for page in (self._situation_page(), self._company_page(), self._purchase_page(),
                     self._promise_page(), self._done_page(), self._want_page(), self._where_page(),
                     self._preview_page()):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.FinishButton, _("Open case"))
        self.resize(640, 560)

    # -- pages ------------------------------------------------------------------------------
    def _situation_page(self) -> QWizardPage:
        page = _Page("what_happened", self)
        self.situations = QButtonGroup(page)
        self.situation_buttons: dict[str, QRadioButton] = {}
        for choice in page.question.choices:
            button = QRadioButton(tr_words(choice.label), page)
            self.situations.addButton(button)
            self.situation_buttons[choice.value] = button
            page.body.addWidget(button)
        page.body.addStretch(1)
        return page

    def _company_page(self) -> QWizardPage:
        page = _Page("who", self)
        self.company = QLineEdit(page)
        self.company.setPlaceholderText(_("e.g. Maison Parfum Paris"))
        names = [c.name for c in queries.company_records(self._store)]
        completer = QCompleter(names, self.company)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.company.setCompleter(completer)
        self.company_kind = QComboBox(page)
        self.company_kind.addItem(_("Not sure"), None)
        for choice in intake.COMPANY_KINDS:
            self.company_kind.addItem(tr_words(choice.label), choice.value)
        form = QFormLayout()
        form.addRow(_("Company &name"), self.company)
        form.addRow(_("&Kind of company"), self.company_kind)
        page.body.addLayout(form)
        page.body.addStretch(1)
        return page

    def _purchase_page(self) -> QWizardPage:
        page = _Page("purchase", self)
        self.purchase = QComboBox(page)
        self.purchase.addItem(_("Not sure"), None)
        for choice in intake.PURCHASES:
            self.purchase.addItem(tr_words(choice.label), choice.value)
        self.paid_on = OptionalDate(_("I paid on"), page)
        self.amount = QLineEdit(page)
        self.amount.setPlaceholderText(QLocale().toString(129.0, "f", 2))
        self.currency = QComboBox(page)
        self.currency.setEditable(True)
        self.currency.addItems(COMMON_CURRENCIES)
        self.currency.setCurrentText(self._defaults["default_currency"])
        self.paid_by = QComboBox(page)
        self.paid_by.addItem(_("Not sure"), None)
        for paid in intake.PAID_BY:
            self.paid_by.addItem(tr_words(paid.label), paid.value)
        self.card_scheme = QComboBox(page)
        self.card_scheme.addItem(_("Not sure"), None)
        for choice in intake.CARD_SCHEMES:
            self.card_scheme.addItem(tr_words(choice.label), choice.value)
        self.card_scheme.setEnabled(False)
        self.paid_by.currentIndexChanged.connect(self._card_or_not)
        self.expected_by = OptionalDate(_("It was due by"), page)
        self.delivered_on = OptionalDate(_("It arrived, or was done, on"), page)
        form = QFormLayout()
        form.addRow(_("&What you bought"), self.purchase)
        form.addRow(_("When"), self.paid_on)
        form.addRow(_("&Amount"), self.amount)
        form.addRow(_("C&urrency"), self.currency)
        form.addRow(_("&How you paid"), self.paid_by)
        form.addRow(_("Card &network"), self.card_scheme)
        form.addRow(_("Delivery"), self.expected_by)
        form.addRow("", self.delivered_on)
        page.body.addLayout(form)
        page.body.addWidget(page.error)
        page.body.addStretch(1)
        page.validatePage = lambda: self._check_money(page, self.amount)  # type: ignore[method-assign]
        return page

    def _card_or_not(self) -> None:
        card = self.paid_by.currentData() in ("card:credit", "card:debit")
        self.card_scheme.setEnabled(card)
        if not card:
            self.card_scheme.setCurrentIndex(0)

    def _promise_page(self) -> QWizardPage:
        page = _Page("promise", self)
        self.promise = QLineEdit(page)
        self.promise.setPlaceholderText(_("e.g. A refund to my card"))
        self.promised_on = OptionalDate(_("They said it on"), page)
        self.promised_by = OptionalDate(_("By"), page)
        form = QFormLayout()
        form.addRow(_("&What they promised"), self.promise)
        form.addRow("", self.promised_on)
        form.addRow(_("When"), self.promised_by)
        page.body.addLayout(form)
        page.body.addStretch(1)
        return page

    def _done_page(self) -> QWizardPage:
        page = _Page("done", self)
        self.done_kind = QComboBox(page)
        for choice in page.question.choices:
            self.done_kind.addItem(tr_words(choice.label), choice.value)
        self.done_on = QDateEdit(page)
        self.done_on.setCalendarPopup(True)
        self.done_on.setDate(_qdate(clock.today()))
        if QLocale().language() == QLocale.Language.C:
            self.done_on.setDisplayFormat("d MMM yyyy")
        self.done_note = QLineEdit(page)
        self.done_note.setPlaceholderText(_("A note, e.g. who you spoke to"))
        self.add_done = QPushButton(_("&Add"), page)
        self.add_done.clicked.connect(self._add_done_entry)
        self.done_list = QListWidget(page)
        self.done_list.setAccessibleName(_("What you have done"))
        self.remove_done = QPushButton(_("&Remove"), page)
        self.remove_done.clicked.connect(lambda: self.done_list.takeItem(self.done_list.currentRow()))
        row = QHBoxLayout()
        for widget in (self.done_kind, self.done_on, self.done_note, self.add_done):
            row.addWidget(widget)
        page.body.addLayout(row)
        page.body.addWidget(self.done_list, 1)
        page.body.addWidget(self.remove_done, 0, Qt.AlignmentFlag.AlignLeft)
        return page

    def _add_done_entry(self) -> None:
        d = self.done_on.date()
        self.add_done_entry(self.done_kind.currentData(), date(d.year(), d.month(), d.day()), self.done_note.text())
        self.done_note.clear()

    def add_done_entry(self, kind: str, on: date, note: str = "") -> None:
        """Add one thing the user did to the list (what the Add button does)."""
        entry = DoneEntry(kind, on, note.strip())
        label = next(k.label for k in intake.DONE_KINDS if k.value == kind)
        text = f"{format_date(on)}: {tr_words(label)}" + (f" ({entry.note})" if entry.note else "")
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, entry)
        self.done_list.addItem(item)

    def _want_page(self) -> QWizardPage:
        page = _Page("want", self)
        self.wants: dict[str, QCheckBox] = {}
        for choice in intake.REMEDIES:
            box = QCheckBox(tr_words(choice.label), page)
            self.wants[choice.value] = box
            page.body.addWidget(box)
        self.wanted_amount = QLineEdit(page)
        self.wanted_amount.setPlaceholderText(_("Leave empty for the price paid"))
        form = QFormLayout()
        form.addRow(_("A&mount"), self.wanted_amount)
        page.body.addLayout(form)
        page.body.addWidget(page.error)
        page.body.addStretch(1)
        page.validatePage = lambda: self._check_money(page, self.wanted_amount)  # type: ignore[method-assign]
        return page

    def _where_page(self) -> QWizardPage:
        page = _Page("where", self)
        self.region = QComboBox(page)
        for choice in intake.REGIONS:
            self.region.addItem(tr_words(choice.label), choice.value)
        preselect = intake.preselected_region(QLocale().name(), self._defaults["default_jurisdiction"])
        index = self.region.findData(preselect)
        self.region.setCurrentIndex(index if index >= 0 else self.region.count() - 1)
        form = QFormLayout()
        form.addRow(_("&Country or region"), self.region)
        page.body.addLayout(form)
        page.body.addStretch(1)
        return page

    def _preview_page(self) -> QWizardPage:
        page = QWizardPage(self)
        page.setTitle(_("Your case, as Docket understands it"))
        page.setSubTitle(_("Nothing is saved until you open the case."))
        self.summary = QTextBrowser(page)
        self.summary.setOpenExternalLinks(True)
        self.summary.setAccessibleName(_("What Docket understands"))
        self.draft_button = QPushButton(_("Open the case and &draft this letter"), page)
        self.draft_button.clicked.connect(self.open_and_draft)
        layout = QVBoxLayout(page)
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.draft_button, 0, Qt.AlignmentFlag.AlignLeft)
        page.initializePage = self._show_preview  # type: ignore[method-assign]
        return page

    # -- answers ----------------------------------------------------------------------------
    def _check_money(self, page: _Page, field: QLineEdit) -> bool:
        page.error.hide()
        try:
            parse_money(field.text(), self.currency.currentText())
        except ValidationError as exc:
            page.show_error(exc.message)
            field.setFocus()
            return False
        return True

    def answers(self) -> Answers:
        """The answers given so far (what was skipped is left out)."""
        checked = self.situations.checkedButton()
        situation = next((v for v, b in self.situation_buttons.items() if b is checked), None)
        currency = self.currency.currentText().strip().upper()
        price = parse_money(self.amount.text(), currency)
        wanted = parse_money(self.wanted_amount.text(), currency)
        return Answers(
            situation=situation,
            company=self.company.text().strip(),
            company_kind=self.company_kind.currentData(),
            purchase=self.purchase.currentData(),
            amount=None if price is None else price.value,
            currency=currency,
            paid_on=self.paid_on.value(),
            paid_by=self.paid_by.currentData(),
            card_scheme=self.card_scheme.currentData(),
            expected_by=self.expected_by.value(),
            delivered_on=self.delivered_on.value(),
            promise=self.promise.text().strip(),
            promised_on=self.promised_on.value(),
            promised_by=self.promised_by.value(),
            done=[self.done_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.done_list.count())],
            wants=[value for value, box in self.wants.items() if box.isChecked()],
            wanted_amount=None if wanted is None else wanted.value,
            jurisdiction=self.region.currentData() or "",
        )

    def _show_preview(self) -> None:
        self.current_preview = None
        try:
            seen = intake.preview(self._store, answers=self.answers())
        except DocketError as exc:
            self.summary.setHtml("<p><b>⚠ " + _escape(str(exc)) + "</b></p><p>"
                                 + _("Go back and correct this answer, or skip it.") + "</p>")
            self.draft_button.setEnabled(False)
            return
        self.current_preview = seen
        self.summary.setHtml(self._preview_html(seen))
        self.draft_button.setEnabled(seen.template_id is not None)
        if seen.step:
            self.draft_button.setText(_("Open the case and &draft the letter: %1").replace("%1", seen.step))

    def _preview_html(self, seen: Preview) -> str:
        parts = [f"<h3>{_escape(seen.title)}</h3>"]
        if seen.clocks:
            parts.append("<p><b>" + _("Clocks running now") + "</b></p><ul>")
            for c in seen.clocks:
                source = ""
                if c.provenance:
                    # Where the rule comes from, and whether it was read there (checked when).
                    confirmed = (_("checked %1").replace("%1", format_date(c.checked)) if c.checked
                                 and c.confidence == "primary" else _("not yet confirmed at the source"))
                    link = _("source")
                    source = f' (<a href="{_escape(c.source)}">{link}</a>, {_escape(confirmed)})'
                parts.append(f"<li>{_escape(c.text)}{source}</li>")
            parts.append("</ul>")
        else:
            parts.append("<p>" + _("No deadline is running yet from what you have said.") + "</p>")
        if seen.unlocked:
            parts.append("<p><b>" + _("What your answers unlock") + "</b></p><ul>")
            parts += [f"<li>{_escape(u.text)}</li>" for u in seen.unlocked]
            parts.append("</ul>")
        if seen.missing:
            parts.append("<p><b>" + _("Missing, and what it would unlock") + "</b></p><ul>")
            parts += [f"<li>{_escape(m.text)}</li>" for m in seen.missing]
            parts.append("</ul>")
        if seen.step:
            due = (" " + _("by %1").replace("%1", format_date(seen.due))) if seen.due else ""
            parts.append("<p><b>" + _("Suggested next step") + "</b>: "
                         f"{_escape(seen.step)}{_escape(due)}<br>{_escape(seen.reason)}</p>")
        parts.append(f"<p><i>{_escape(_(seen.disclaimer))}</i></p>")
        return "".join(parts)

    # -- finishing ----------------------------------------------------------------------------
    def accept(self) -> None:
        """Open the case from the answers (one transaction); on a problem, say so and stay."""
        try:
            self.case_id = intake.start_case(self._store, answers=self.answers())
        except DocketError as exc:
            self.summary.setHtml("<p><b>⚠ " + _escape(str(exc)) + "</b></p>")
            self.draft_requested = False
            return
        super().accept()
        if self.draft_requested:
            self._open_letter_editor()

    def open_and_draft(self) -> None:
        """Open the case, then the letter editor on the suggested letter."""
        self.draft_requested = True
        self.accept()

    def _open_letter_editor(self) -> None:
        from gui.dialogs.letter_editor import LetterEditor  # imported here: keeps start-up quick

        assert self.case_id is not None
        template = self.current_preview.template_id if self.current_preview else None
        editor = LetterEditor(self._store, self.case_id, self.parentWidget(), template_id=template)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.letter_editor = editor
        editor.open()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
