"""A company's details: name, what kind of firm it is, postal address, email, phone, website,
account numbers and notes. One company is shared by every case with it, so an address typed
here reaches every letter to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
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

from core.domain.models import Company
from core.i18n import _
from gui.kit.fields import company_kind_labels, fill_combo, select_data
from gui.kit.forms import last_part, show_error, submitted


def company_values(company: Company) -> dict[str, Any]:
    """A company's editable fields as :func:`core.journal.cases.update_company` takes them."""
    return {
        "name": company.name, "kind": company.kind, "address": company.address, "email": company.email,
        "phone": company.phone, "website": company.website,
        "account_numbers": list(company.account_numbers or []), "notes": company.notes,
    }


class CompanyDialog(QDialog):
    """Edit a company. ``submit(values)`` may raise; the message is shown in the form."""

    def __init__(self, company: Company, submit: Callable[[dict[str, Any]], None], *, cases: int = 0,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._submit = submit
        self.setWindowTitle(_("Company details"))
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        font = self.error.font()
        font.setBold(True)
        self.error.setFont(font)
        self.error.hide()
        self.shared = shared = QLabel(self)
        shared.setWordWrap(True)
        if cases > 1:
            shared.setText(_("These details are used by all %1 cases with this company.")
                           .replace("%1", str(cases)))
        shared.setVisible(cases > 1)

        self.name = QLineEdit(company.name, self)
        self.kind = QComboBox(self)
        fill_combo(self.kind, company_kind_labels(), blank=_("(not said)"))
        select_data(self.kind, company.kind)
        self.kind.setToolTip(_("Ombudsmen and regulators differ for banks, insurers and other firms"))
        self.address = QPlainTextEdit(company.address, self)
        self.address.setTabChangesFocus(True)
        self.address.setPlaceholderText(_("The postal address letters go to"))
        self.address.setFixedHeight(self.address.fontMetrics().lineSpacing() * 5)
        self.email = QLineEdit(company.email, self)
        self.phone = QLineEdit(company.phone, self)
        self.website = QLineEdit(company.website, self)
        self.accounts = QLineEdit(", ".join(company.account_numbers or []), self)
        self.accounts.setPlaceholderText(_("Your customer or account numbers, separated by commas"))
        self.notes = QPlainTextEdit(company.notes, self)
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(self.notes.fontMetrics().lineSpacing() * 4)

        form = QFormLayout()
        self._fields: dict[str, QWidget] = {}
        for key, label, widget in (
            ("name", _("&Name:"), self.name), ("kind", _("&Kind:"), self.kind),
            ("address", _("Postal &address:"), self.address), ("email", _("&Email:"), self.email),
            ("phone", _("&Phone:"), self.phone), ("website", _("&Website:"), self.website),
            ("account_numbers", _("A&ccount numbers:"), self.accounts),
            ("notes", _("N&otes:"), self.notes),
        ):
            widget.setAccessibleName(label.replace("&", "").rstrip(":"))
            form.addRow(label, widget)
            self._fields[key] = widget
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.error)
        layout.addWidget(shared)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.text().strip(), "kind": self.kind.currentData(),
            "address": self.address.toPlainText().strip(), "email": self.email.text().strip(),
            "phone": self.phone.text().strip(), "website": self.website.text().strip(),
            "account_numbers": [a.strip() for a in self.accounts.text().split(",") if a.strip()],
            "notes": self.notes.toPlainText(),
        }

    def _show(self, message: str, key: str | None) -> None:
        show_error(self.error, message)
        if key in self._fields:
            self._fields[key].setFocus()

    def accept(self) -> None:
        self.error.hide()
        if not self.name.text().strip():
            self._show(_("The company needs a name."), "name")
            return
        if submitted(lambda: self._submit(self.values()), lambda message, path: self._show(message, last_part(path))):
            super().accept()
