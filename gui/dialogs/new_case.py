"""The form that opens a new case: title and company required, the amount read as money."""

from __future__ import annotations

import re

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from core.domain.errors import DocketError, ValidationError
from core.domain.models import Category
from core.domain.money import Money, check_currency, parse_amount
from core.i18n import _
from core.journal import cases, queries, settings
from core.store.store import Store
from gui.kit.fields import CurrencyPicker, JurisdictionPicker, OptionalDate


def category_labels() -> dict[str, str]:
    """Case categories in words."""
    return {
        Category.REFUND: _("Refund not paid"),
        Category.NON_DELIVERY: _("Not delivered"),
        Category.FAULTY_GOODS: _("Faulty goods"),
        Category.BILLING_ERROR: _("Billing error"),
        Category.SUBSCRIPTION: _("Subscription"),
        Category.CANCELLATION: _("Cancellation"),
        Category.WARRANTY: _("Warranty or guarantee"),
        Category.SERVICE: _("Poor service"),
        Category.OTHER: _("Other"),
    }


def parse_money(text: str, currency: str) -> Money | None:
    """Read an amount typed by a person, in their locale or with a dot, as money in ``currency``.

    Currency symbols and spaces are ignored. Raises ValidationError ("amount") when the text is
    not an amount or has more decimals than the currency has (e.g. cents of yen).
    """
    # Currency signs, the currency's code and spaces may be typed along with the number.
    cleaned = re.sub(r"[\s\u00a0$£€¥₹₪¢]", "", text).upper().replace(currency.strip().upper(), "")
    if not cleaned:
        return None
    if not re.fullmatch(r"-?[\d.,]+", cleaned):
        raise ValidationError("amount", _("“%1” is not an amount; write it like 129.00")
                              .replace("%1", text.strip()))
    cleaned = _normalise_number(cleaned, QLocale().decimalPoint())
    try:
        # The decimals are checked below, with the window's own message.
        money = Money(parse_amount(cleaned, "amount.value"), check_currency(currency, "amount.currency"))
    except ValidationError as exc:
        if exc.path.endswith("currency"):
            raise ValidationError("currency", _("choose a three-letter currency code such as EUR, GBP or USD")) from None
        if cleaned.startswith("-"):
            raise ValidationError("amount", _("an amount in dispute cannot be negative")) from None
        raise ValidationError("amount", _("“%1” is not an amount; write it like 129.00")
                              .replace("%1", text.strip())) from None
    if money.quantized() != money.value:
        raise ValidationError("amount", _("%1 does not have that many decimal places")
                              .replace("%1", money.currency))
    return money


def _normalise_number(text: str, locale_point: str) -> str:
    """Digits with one "." as decimal point: "1,234.50", "1.234,50" and "12,50" all read right."""
    if "." in text and "," in text:
        point = "." if text.rfind(".") > text.rfind(",") else ","
    elif "," in text:
        point = "," if locale_point == "," or not re.fullmatch(r"-?\d{1,3}(,\d{3})+", text) else ""
    elif "." in text:
        point = "" if locale_point == "," and re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text) else "."
    else:
        point = ""
    group = {".": ",", ",": "."}.get(point, ",.")
    for separator in group:
        text = text.replace(separator, "")
    return text.replace(",", ".")


class NewCaseDialog(QDialog):
    """Ask for what a new case needs; on OK the case is opened and ``case_id`` is set."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("New case"))
        self._store = store
        self.case_id: int | None = None
        defaults = settings.get_all(store)

        self.title = QLineEdit()
        self.title.setPlaceholderText(_("e.g. Refund for a returned coat never paid"))
        self.company = QComboBox()
        self.company.setEditable(True)
        self.company.addItems([""] + [c.name for c in queries.company_records(store)])
        self.company.lineEdit().setPlaceholderText(_("Who is the dispute with?"))
        self.category = QComboBox()
        for value, label in category_labels().items():
            self.category.addItem(label, str(value))
        self.category.setCurrentIndex(self.category.findData(Category.OTHER.value))
        self.currency = CurrencyPicker()
        self.currency.set_code(defaults["default_currency"])
        self.amount = QLineEdit()
        self.amount.setPlaceholderText(QLocale().toString(129.0, "f", 2))
        self.jurisdiction = JurisdictionPicker()
        self.jurisdiction.set_code(defaults["default_jurisdiction"])
        self.jurisdiction.setToolTip(_("Whose consumer rules apply: type part of a country's name or code"))
        # Unticked, the case is dated by its first event (the order, the first call), not by
        # the day it was typed in.
        self.opened_on = OptionalDate(_("Opened on"))
        self.opened_on.setToolTip(_("When the dispute began. Leave unticked: the date of the first "
                                          "event you log"))
        self.references = QLineEdit()
        self.references.setPlaceholderText(_("Order, account or ticket numbers, separated by commas"))
        self.desired = QPlainTextEdit()
        self.desired.setPlaceholderText(_("What would put this right? e.g. a refund of 129.00"))
        self.desired.setTabChangesFocus(True)
        self.desired.setFixedHeight(self.fontMetrics().lineSpacing() * 4)

        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        rows = [
            ("title", _("&Title"), self.title),
            ("company", _("&Company"), self.company),
            ("category", _("C&ategory"), self.category),
            ("amount", _("A&mount in dispute"), self.amount),
            ("currency", _("C&urrency"), self.currency),
            ("jurisdiction", _("&Jurisdiction"), self.jurisdiction),
            ("opened_on", _("&Opened on"), self.opened_on),
            ("references", _("&References"), self.references),
            ("desired_outcome", _("&Desired outcome"), self.desired),
        ]
        for key, label, widget in rows:
            widget.setAccessibleName(label.replace("&", ""))
            form.addRow(label, widget)
            error = QLabel()
            error.setWordWrap(True)
            error.setAccessibleName(_("%1: problem").replace("%1", label.replace("&", "")))
            error.hide()
            self.errors[key] = error
            form.addRow("", error)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Open case"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(520, self.sizeHint().height())

    def show_error(self, field: str, message: str) -> None:
        label = self.errors.get(field) or self.errors["title"]
        # Bold text with a sign, not a colour: readable in light and dark palettes alike.
        label.setText("⚠ " + message)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        label.show()

    def _clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()

    def _check(self) -> Money | None:
        """Check the form; show every problem beside its field. Returns the amount if all is well."""
        problems: dict[str, str] = {}
        if not self.title.text().strip():
            problems["title"] = _("Give the case a title: a few words about what went wrong.")
        if not self.company.currentText().strip():
            problems["company"] = _("Name the company the dispute is with.")
        money = None
        try:
            money = parse_money(self.amount.text(), self.currency.currentText())
        except ValidationError as exc:
            problems[exc.path] = exc.message
        for field, message in problems.items():
            self.show_error(field, message)
        if problems:
            first = next(iter(problems))
            {"title": self.title, "company": self.company, "amount": self.amount,
             "currency": self.currency}.get(first, self.title).setFocus()
            raise ValidationError(first, problems[first])
        return money

    def accept(self) -> None:
        """Open the case in the store if the form is valid; otherwise show what is wrong."""
        self._clear_errors()
        try:
            money = self._check()
            self.case_id = cases.open_case(
                self._store,
                title=self.title.text(),
                company=self.company.currentText(),
                category=self.category.currentData(),
                currency=money.currency if money else self.currency.currentText(),
                amount=money.value if money else None,
                jurisdiction=self.jurisdiction.code(),
                opened_on=self.opened_on.value(),
                references=[r.strip() for r in self.references.text().split(",") if r.strip()],
                desired_outcome=self.desired.toPlainText(),
            )
        except ValidationError as exc:
            field = exc.path.split(".")[-1]
            if not self.errors[field if field in self.errors else "title"].isVisible():
                self.show_error(field, exc.message)
            return
        except DocketError as exc:
            self.show_error("title", str(exc))
            return
        super().accept()
