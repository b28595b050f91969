"""Form fields the case, company and event forms share: an optional date, a searchable
jurisdiction picker, an ISO 4217 currency picker, and the domain's choices in words."""

from __future__ import annotations

from datetime import date
from functools import cache

from PySide6.QtCore import QDate, QLocale, QSortFilterProxyModel, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QWidget,
)

from core.domain import clock
from core.domain.models import CardScheme, CompanyKind, EventMeaning, PaymentMethod, Purchase
from core.domain.money import COMMON_CURRENCIES
from core.i18n import _
from gui.kit.formatting import date_display_format


def payment_method_labels() -> dict[str, str]:
    return {
        PaymentMethod.CREDIT_CARD: _("Credit card"), PaymentMethod.DEBIT_CARD: _("Debit card"),
        PaymentMethod.PAYPAL: _("PayPal or similar"), PaymentMethod.BANK_TRANSFER: _("Bank transfer"),
        PaymentMethod.DIRECT_DEBIT: _("Direct debit"), PaymentMethod.CASH: _("Cash"),
        PaymentMethod.OTHER: _("Other"),
    }


def card_scheme_labels() -> dict[str, str]:
    return {
        CardScheme.VISA: "Visa", CardScheme.MASTERCARD: "Mastercard", CardScheme.AMEX: "American Express",
        CardScheme.DISCOVER: "Discover", CardScheme.DOMESTIC_DEBIT: _("A national debit scheme (e.g. Girocard, Interac)"),
        CardScheme.OTHER: _("Other"),
    }


def purchase_labels() -> dict[str, str]:
    return {
        Purchase.GOODS: _("Goods (something delivered or taken away)"),
        Purchase.SERVICES: _("A service (work done, a trip, a repair)"),
        Purchase.DIGITAL: _("Digital content (an app, a download, a game)"),
        Purchase.SUBSCRIPTION: _("A subscription or membership"),
    }


def company_kind_labels() -> dict[str, str]:
    return {
        CompanyKind.TRADER: _("A shop or trader"), CompanyKind.BANK: _("A bank or card issuer"),
        CompanyKind.PAYMENT_SERVICE: _("A payment service (PayPal…)"), CompanyKind.LENDER: _("A lender"),
        CompanyKind.INSURER: _("An insurer"), CompanyKind.TELECOMS: _("Phone, internet or TV"),
        CompanyKind.ENERGY: _("Energy or water"), CompanyKind.CLUB: _("A gym or club"),
        CompanyKind.PUBLIC_BODY: _("A public body"), CompanyKind.OTHER: _("Other"),
    }


def meaning_labels() -> dict[str, str]:
    """What an event was, as the event form asks it ("What was it?")."""
    return {
        EventMeaning.PURCHASE: _("My order or payment"),
        EventMeaning.CHARGE: _("They took money (charge, direct debit, renewal)"),
        EventMeaning.REFUND: _("Money came back (refund)"),
        EventMeaning.INVOICE: _("They billed me"),
        EventMeaning.PROBLEM: _("The problem began"),
        EventMeaning.COMPLAINT: _("I complained"),
        EventMeaning.FORMAL_COMPLAINT: _("I made a formal complaint"),
        EventMeaning.CANCELLATION: _("I cancelled"),
        EventMeaning.REPLY: _("They replied"),
        EventMeaning.ACKNOWLEDGEMENT: _("They acknowledged it"),
        EventMeaning.PROMISE: _("They promised something"),
        EventMeaning.PARTIAL_OFFER: _("They offered part of it"),
        EventMeaning.REFUSAL: _("They refused"),
        EventMeaning.FINAL_RESPONSE: _("Their final response"),
        EventMeaning.RESOLVED: _("Resolved in full"),
    }


def fill_combo(combo: QComboBox, labels: dict[str, str], *, blank: str | None = None) -> None:
    """Put ``labels`` (value → words) in ``combo``, after a blank choice if ``blank`` is given."""
    if blank is not None:
        combo.addItem(blank, None)
    for value, label in labels.items():
        combo.addItem(label, str(value))


def select_data(combo: QComboBox, value: object) -> None:
    """Select the item holding ``value`` (the blank one for None or an unknown value)."""
    combo.setCurrentIndex(max(0, combo.findData(value)))


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class OptionalDate(QWidget):
    """A date that may be unknown: a tick box and a calendar, the calendar off until ticked."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.known = QCheckBox(self)
        self.known.setAccessibleName(label)
        self.known.setToolTip(_("Tick when you know the date"))
        self.edit = QDateEdit(self)
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat(date_display_format())
        self.edit.setAccessibleName(label)
        self.edit.setDate(to_qdate(clock.today()))
        self.edit.setEnabled(False)
        self.known.toggled.connect(self.edit.setEnabled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.known)
        layout.addWidget(self.edit, 1)
        self.setFocusProxy(self.edit)

    def value(self) -> date | None:
        return from_qdate(self.edit.date()) if self.known.isChecked() else None

    def set_value(self, value: date | None) -> None:
        self.known.setChecked(value is not None)
        if value is not None:
            self.edit.setDate(to_qdate(value))


def _searchable(combo: QComboBox) -> None:
    """Typing any part of a choice's words (not only its start) finds it."""
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = QCompleter(combo.model(), combo)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    combo.setCompleter(completer)


@cache
def known_jurisdictions() -> tuple[tuple[str, str], ...]:
    """(code, words) for every country and region the rule packs know, as core lists them
    (:func:`core.escalation.rules.known_places`): a pack that learns a region appears here."""
    from core.escalation import rules

    return tuple((place.code, f"{place.full_name} ({place.code})") for place in rules.known_places())


def jurisdiction_name(code: str) -> str:
    """A jurisdiction code in words: GB → United Kingdom, GB-SCT → United Kingdom: Scotland."""
    from core.escalation import rules

    return rules.place_name(code)


class JurisdictionPicker(QComboBox):
    """The country or region whose consumer rules apply, from those the rule packs know;
    type any part of its name or code to find it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.addItem(_("(not set: general rules)"), "")
        for code, words in known_jurisdictions():
            self.addItem(words, code)
        _searchable(self)

    def code(self) -> str:
        index = self.findText(self.currentText(), Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            return str(self.itemData(index))
        # A typed code the packs do not know yet is kept; core decides if it is valid.
        return self.currentText().strip().upper()

    def set_code(self, code: str) -> None:
        index = self.findData((code or "").upper())
        if index < 0 and code:
            self.addItem(f"{jurisdiction_name(code.upper())} ({code.upper()})", code.upper())
            index = self.count() - 1
        self.setCurrentIndex(max(0, index))


@cache
def iso_currencies() -> tuple[str, ...]:
    """ISO 4217 codes of the currencies in use (those some locale pays in), common ones first."""
    codes: set[str] = set()
    for locale in QLocale.matchingLocales(QLocale.Language.AnyLanguage, QLocale.Script.AnyScript,
                                          QLocale.Country.AnyCountry):
        code = locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencyIsoCode)
        if len(code) == 3 and code.isalpha():
            codes.add(code.upper())
    rest = sorted(codes - set(COMMON_CURRENCIES))
    return tuple(COMMON_CURRENCIES) + tuple(rest)


class CurrencyPicker(QComboBox):
    """An ISO 4217 currency; type the code or any part of it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for code in iso_currencies():
            self.addItem(code, code)
        _searchable(self)
        self.setToolTip(_("The currency of the amounts (ISO 4217 code, e.g. EUR, GBP, USD)"))

    def code(self) -> str:
        return self.currentText().strip().upper()

    def set_code(self, code: str) -> None:
        index = self.findData(code.upper())
        if index >= 0:
            self.setCurrentIndex(index)
        else:
            self.setEditText(code.upper())


class FilterProxy(QSortFilterProxyModel):
    """Case-insensitive filtering on every column, for searchable lists."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)


class ElidedLabel(QLabel):
    """One line of text cut with "…" to the width it gets; the whole text in its tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        self.set_full_text(text)

    def text(self) -> str:
        """The whole text (what is painted may be cut)."""
        return self._full

    def clear(self) -> None:
        self.set_full_text("")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        QLabel.setText(self, self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(40, self.width())))
