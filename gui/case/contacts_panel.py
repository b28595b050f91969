"""The people and departments of a case, with the company's own details above them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.domain.errors import DocketError
from core.domain.models import Company, Contact
from core.i18n import _
from core.journal import queries
from core.store.store import Store
from gui.case import undo
from gui.kit.forms import last_part, show_error, submitted
from gui.kit.table_model import RowsTableModel

Index = QModelIndex | QPersistentModelIndex
NAME, ROLE, ORGANISATION, EMAIL, PHONE = range(5)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
OBJECT_ROLE = Qt.ItemDataRole.UserRole + 2


class ContactsModel(RowsTableModel):
    """Contacts of one case (a handful; loaded at once)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Contact] = []
        self._headers = [_("Name"), _("Role"), _("Organisation"), _("Email"),
                         _("Phone")]

    def set_contacts(self, contacts: list[Contact]) -> None:
        self.beginResetModel()
        self._rows = list(contacts)
        self.endResetModel()

    def contacts(self) -> list[Contact]:
        return list(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        contact = self._rows[index.row()]
        values = (contact.name, contact.role, contact.organisation, contact.email, contact.phone)
        if role == Qt.ItemDataRole.DisplayRole:
            return values[index.column()]
        if role == SORT_ROLE:
            return values[index.column()].lower()
        if role == OBJECT_ROLE:
            return contact
        if role == Qt.ItemDataRole.ToolTipRole and (contact.address or contact.notes):
            return "\n\n".join(t for t in (contact.address, contact.notes) if t)
        return None


class ContactDialog(QDialog):
    """Add or edit a contact. ``submit(values)`` may raise; the message is shown in the form."""

    def __init__(self, submit: Callable[[dict[str, str]], None], contact: Contact | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._submit = submit
        self.setWindowTitle(_("Edit contact") if contact else _("Add a contact"))
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        # A sign, bold text and a frame in the palette's own colours: readable in light, dark
        # and high-contrast palettes alike.
        self.error.setStyleSheet("QLabel { border: 1px solid palette(text); border-radius: 3px; padding: 4px;"
                                 " font-weight: bold; }")
        self.error.hide()
        self.fields: dict[str, QLineEdit | QPlainTextEdit] = {}
        form = QFormLayout()
        labels = {"name": _("&Name or department:"), "role": _("&Role:"),
                  "organisation": _("&Organisation:"), "email": _("&Email:"),
                  "phone": _("&Phone:"), "address": _("&Address:"), "notes": _("N&otes:")}
        for key, label in labels.items():
            widget: QLineEdit | QPlainTextEdit
            widget = QPlainTextEdit(self) if key in ("address", "notes") else QLineEdit(self)
            if isinstance(widget, QPlainTextEdit):
                widget.setTabChangesFocus(True)
                widget.setFixedHeight(widget.fontMetrics().lineSpacing() * 4)
                widget.setPlainText(getattr(contact, key, "") if contact else "")
            else:
                widget.setText(getattr(contact, key, "") if contact else "")
            widget.setAccessibleName(label.replace("&", "").rstrip(":"))
            self.fields[key] = widget
            form.addRow(label, widget)
        self.fields["role"].setPlaceholderText(_("e.g. complaints team, store manager"))  # type: ignore[union-attr]
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.error)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def values(self) -> dict[str, str]:
        return {key: (w.toPlainText() if isinstance(w, QPlainTextEdit) else w.text().strip())
                for key, w in self.fields.items()}

    def accept(self) -> None:
        values = self.values()
        if not values["name"]:
            self._show(_("Give a name, or the department (e.g. Customer service)."), "name")
            return
        if submitted(lambda: self._submit(values), lambda message, path: self._show(message, last_part(path))):
            super().accept()

    def _show(self, message: str, field: str | None) -> None:
        show_error(self.error, message)
        if field in self.fields:
            self.fields[field].setFocus()


class ContactsPanel(QWidget):
    """Company details and the case's contacts; add, edit and delete are undoable."""

    contacts_changed = Signal()
    company_requested = Signal()  # the user wants to edit the company's details

    def __init__(self, store: Store, stack: QUndoStack, changed: undo.Changed, failed: undo.Failed,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._stack = stack
        self._changed = changed
        self._failed = failed
        self._case_id: int | None = None

        self.company = QLabel(self)
        self.company.setAccessibleName(_("Company details"))
        self.company.setWordWrap(True)
        self.company.setTextFormat(Qt.TextFormat.PlainText)
        self.company.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.model = ContactsModel(self)
        self.table = QTableView(self)
        self.table.setAccessibleName(_("Contacts"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _ignored: self.edit_selected())

        self.add_button = QPushButton(_("&Add contact…"), self)
        self.add_button.clicked.connect(self.add_contact)
        self.edit_button = QPushButton(_("&Edit…"), self)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button = QPushButton(_("&Delete"), self)
        self.delete_button.clicked.connect(self.delete_selected)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.company_button = QPushButton(_("Edit &company details…"), self)
        self.company_button.clicked.connect(self.company_requested.emit)
        company_row = QHBoxLayout()
        company_row.addWidget(self.company, 1)
        company_row.addWidget(self.company_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(company_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def show_case(self, case_id: int | None, company: Company | None = None) -> None:
        """Show the contacts of ``case_id`` and the details of its company."""
        self._case_id = case_id
        self.model.set_contacts([] if case_id is None else queries.list_contacts(self._store, case_id))
        self.company_button.setEnabled(company is not None)
        if company is None:
            self.company.setText("")
        else:
            address = company.address or _("No postal address yet: letters need one")
            lines = [company.name, address, company.phone, company.email, company.website]
            if company.account_numbers:
                lines.append(_("Account: %1").replace("%1", ", ".join(company.account_numbers)))
            self.company.setText("\n".join(line for line in lines if line))
        self.contacts_changed.emit()

    def selected_contact(self) -> Contact | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(OBJECT_ROLE) if rows else None

    def add_contact(self) -> None:
        if self._case_id is None:
            return
        case_id = self._case_id

        def submit(values: dict[str, str]) -> None:
            undo.push(self._stack, undo.AddContact(self._store, self._changed, case_id=case_id, values=values,
                                                   failed=self._failed, text=_("Add contact")))

        ContactDialog(submit, parent=self).exec()

    def edit_selected(self) -> None:
        contact = self.selected_contact()
        if contact is None:
            return
        before = {key: getattr(contact, key) for key in ("name", "role", "organisation", "email", "phone",
                                                          "address", "notes")}

        def submit(values: dict[str, str]) -> None:
            after = {k: v for k, v in values.items() if v != before[k]}
            if after:
                undo.push(self._stack, undo.EditContact(self._store, self._changed, contact_id=contact.id,
                                                        before=before, after=after, failed=self._failed,
                                                        text=_("Edit contact")))

        ContactDialog(submit, contact, parent=self).exec()

    def delete_selected(self) -> None:
        contact = self.selected_contact()
        if contact is None or self._case_id is None:
            return
        try:
            undo.push(self._stack, undo.DeleteContact(self._store, self._changed, case_id=self._case_id,
                                                      contact_id=contact.id, failed=self._failed,
                                                      text=_("Delete contact %1").replace("%1", contact.name)))
        except DocketError as exc:
            QMessageBox.warning(self, _("Contact not deleted"), str(exc))
