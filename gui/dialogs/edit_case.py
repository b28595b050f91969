"""Edit everything the user said about a case: the dispute, the purchase and payment, and what
they want. Three tabs, so the form fits a laptop screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.domain.models import Case, PaymentMethod
from core.i18n import _
from gui.dialogs.new_case import category_labels, parse_money
from gui.kit.fields import (
    CurrencyPicker,
    JurisdictionPicker,
    OptionalDate,
    card_scheme_labels,
    fill_combo,
    from_qdate,
    payment_method_labels,
    purchase_labels,
    select_data,
    to_qdate,
)
from gui.kit.formatting import date_display_format
from gui.kit.forms import show_error, submitted

CARD_METHODS = {PaymentMethod.CREDIT_CARD.value, PaymentMethod.DEBIT_CARD.value}


def case_values(case: Case) -> dict[str, Any]:
    """A case's editable fields as :func:`core.journal.cases.update_case` takes them."""
    return {
        "title": case.title, "company": case.company.name if case.company else "",
        "category": case.category, "currency": case.currency, "amount": case.amount,
        "opened_on": case.opened_on, "purchase": case.purchase, "payment_method": case.payment_method,
        "card_scheme": case.card_scheme, "payment_date": case.payment_date,
        "expected_by": case.expected_by, "references": list(case.references or []),
        "tags": list(case.tags or []), "desired_outcome": case.desired_outcome,
        "impact": case.impact, "jurisdiction": case.jurisdiction, "notes": case.notes,
    }


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class EditCaseDialog(QDialog):
    """The case's fields in a form. On OK ``submit(values)`` is called with every field; if it
    raises a :class:`DocketError` the message is shown beside the form and it stays open."""

    def __init__(self, case: Case, companies: list[str], submit: Callable[[dict[str, Any]], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._submit = submit
        self.setWindowTitle(_("Edit case"))
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setAccessibleName(_("Problem"))
        bold = self.error.font()
        bold.setBold(True)
        self.error.setFont(bold)
        self.error.hide()

        # -- the dispute
        self.title = QLineEdit(case.title, self)
        self.company = QComboBox(self)
        self.company.setEditable(True)
        self.company.addItems(["", *companies])
        self.company.setCurrentText(case.company.name if case.company else "")
        self.category = QComboBox(self)
        fill_combo(self.category, category_labels())
        select_data(self.category, case.category)
        self.amount = QLineEdit(self)
        self.amount.setPlaceholderText(_("e.g. 129.00"))
        if case.amount is not None:
            self.amount.setText(format(case.amount, "f"))
        self.currency = CurrencyPicker(self)
        self.currency.set_code(case.currency)
        self.jurisdiction = JurisdictionPicker(self)
        self.jurisdiction.set_code(case.jurisdiction)
        self.jurisdiction.setToolTip(_("Whose consumer rules apply: where you live, or where you bought. "
                                             "Type part of a name or a code."))
        self.opened_on = QDateEdit(self)
        self.opened_on.setCalendarPopup(True)
        self.opened_on.setDisplayFormat(date_display_format())
        self.opened_on.setDate(to_qdate(case.opened_on))
        self.opened_on.setToolTip(_("When the dispute began: the case history starts here"))
        self.references = QLineEdit(", ".join(case.references or []), self)
        self.references.setPlaceholderText(_("Order, account or ticket numbers, separated by commas"))
        self.tags = QLineEdit(", ".join(case.tags or []), self)
        self.tags.setPlaceholderText(_("Words to find it by, separated by commas"))

        # -- the purchase and the payment
        self.purchase = QComboBox(self)
        fill_combo(self.purchase, purchase_labels(), blank=_("(not said)"))
        select_data(self.purchase, case.purchase)
        self.payment_method = QComboBox(self)
        fill_combo(self.payment_method, payment_method_labels(), blank=_("(not said)"))
        select_data(self.payment_method, case.payment_method)
        self.card_scheme = QComboBox(self)
        fill_combo(self.card_scheme, card_scheme_labels(), blank=_("(not said)"))
        select_data(self.card_scheme, case.card_scheme)
        self.card_scheme.setToolTip(_("The logo on the card: the chargeback deadlines are the network's"))
        self.payment_date = OptionalDate(_("Payment date"), self)
        self.payment_date.set_value(case.payment_date)
        self.expected_by = OptionalDate(_("Expected by"), self)
        self.expected_by.set_value(case.expected_by)
        self.expected_by.setToolTip(_("When the goods should have arrived or the service been done"))

        # -- what the user wants
        self.desired = self._text_box(case.desired_outcome, _("What would put this right? e.g. a refund of 129.00"))
        self.impact = self._text_box(case.impact, _("What this has cost you besides the money: time, stress, extra costs"))
        self.notes = self._text_box(case.notes, "")

        self.tabs = QTabWidget(self)
        dispute = self._page([
            (_("&Title:"), self.title), (_("&Company:"), self.company),
            (_("C&ategory:"), self.category), (_("A&mount in dispute:"), self.amount),
            (_("C&urrency:"), self.currency), (_("&Jurisdiction:"), self.jurisdiction),
            (_("&Opened on:"), self.opened_on), (_("&References:"), self.references),
            (_("Ta&gs:"), self.tags),
        ])
        money = self._page([
            (_("What was &bought:"), self.purchase), (_("&Paid by:"), self.payment_method),
            (_("Card &network:"), self.card_scheme), (_("Pa&yment date:"), self.payment_date),
            (_("E&xpected by:"), self.expected_by),
        ])
        wants = self._page([
            (_("&Desired outcome:"), self.desired), (_("&Impact on you:"), self.impact),
            (_("&Notes:"), self.notes),
        ])
        self.tabs.addTab(dispute, _("The dispute"))
        self.tabs.addTab(money, _("Purchase and payment"))
        self.tabs.addTab(wants, _("What you want"))
        self.payment_method.currentIndexChanged.connect(self._method_changed)
        self._method_changed()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.title.setFocus()

    def _text_box(self, text: str, placeholder: str) -> QPlainTextEdit:
        box = QPlainTextEdit(text, self)
        box.setPlaceholderText(placeholder)
        box.setTabChangesFocus(True)
        box.setMinimumHeight(box.fontMetrics().lineSpacing() * 3)
        return box

    def _page(self, rows: list[tuple[str, QWidget]]) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, widget in rows:
            widget.setAccessibleName(label.replace("&", "").rstrip(":"))
            form.addRow(label, widget)
        return page

    def _method_changed(self) -> None:
        self.card_scheme.setEnabled(self.payment_method.currentData() in CARD_METHODS)

    def values(self) -> dict[str, Any]:
        """Every field as :func:`core.journal.cases.update_case` takes it (the amount read in the
        user's locale; raises ValidationError when it is not an amount)."""
        currency = self.currency.code()
        money = parse_money(self.amount.text(), currency)
        amount: Decimal | None = money.value if money else None
        opened: date = from_qdate(self.opened_on.date())
        card = self.card_scheme.currentData() if self.card_scheme.isEnabled() else None
        return {
            "title": self.title.text().strip(), "company": self.company.currentText().strip(),
            "category": self.category.currentData(), "currency": currency, "amount": amount,
            "opened_on": opened, "purchase": self.purchase.currentData(),
            "payment_method": self.payment_method.currentData(), "card_scheme": card,
            "payment_date": self.payment_date.value(), "expected_by": self.expected_by.value(),
            "references": _split(self.references.text()), "tags": _split(self.tags.text()),
            "desired_outcome": self.desired.toPlainText(), "impact": self.impact.toPlainText(),
            "jurisdiction": self.jurisdiction.code(), "notes": self.notes.toPlainText(),
        }

    def _field(self, path: str) -> QWidget | None:
        name = path.rsplit(".", 1)[-1]
        return {
            "title": self.title, "company": self.company, "category": self.category, "amount": self.amount,
            "currency": self.currency, "jurisdiction": self.jurisdiction, "opened_on": self.opened_on,
            "references": self.references, "tags": self.tags, "purchase": self.purchase,
            "payment_method": self.payment_method, "card_scheme": self.card_scheme,
            "payment_date": self.payment_date, "expected_by": self.expected_by,
            "desired_outcome": self.desired, "impact": self.impact, "notes": self.notes,
        }.get(name)

    def show_error(self, message: str, path: str | None = "") -> None:
        show_error(self.error, message)
        field = self._field(path or "")
        if field is not None:
            page = field.parentWidget()
            while page is not None and self.tabs.indexOf(page) < 0:
                page = page.parentWidget()
            if page is not None:
                self.tabs.setCurrentWidget(page)
            field.setFocus()

    def accept(self) -> None:
        self.error.hide()
        if not self.title.text().strip():
            self.show_error(_("Give the case a title: a few words about what went wrong."), "title")
            return
        if submitted(lambda: self._submit(self.values()), self.show_error):
            super().accept()
