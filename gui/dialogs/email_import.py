"""The preview shown when saved emails are dropped on a case: what will be created, editable.

One row per message: date, direction, contact, summary, attachments and notes of what could
not be read. Direction, contact and summary can be changed in place; *Add* then imports the
lot in one transaction. Reading and importing run off the window's thread
(:mod:`gui.workers`); the core functions in :mod:`core.email_import` do the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QDate,
    QDateTime,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTime,
    QTimeZone,
    Signal,
)
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.domain.errors import ValidationError
from core.domain.models import Direction
from core.exchange import emails as email_import
from core.exchange.emails import Address, ImportResult, ParsedEmail
from core.i18n import N_, _
from core.journal.queries import list_contacts
from core.store.store import Store
from gui.case.timeline_model import direction_label
from gui.kit.formatting import count_text, format_date, format_datetime
from gui.kit.workers import Task, run_task

Index = QModelIndex | QPersistentModelIndex

DATE, DIRECTION, CONTACT, SUMMARY, ATTACHMENTS, NOTES = range(6)
HEADERS = (N_("Date"), N_("Direction"), N_("Contact"), N_("Summary"), N_("Attachments"), N_("Notes"))
ObjectRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2
ChoicesRole = Qt.ItemDataRole.UserRole + 3  # [(label, value)] an editor offers for a cell


@dataclass(frozen=True, slots=True)
class ContactOption:
    """A contact of the case that an email can be linked to."""

    id: int
    name: str
    email: str

    def label(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name


@dataclass(slots=True)
class Preview:
    """What the worker reads for the dialog: the messages, which are already in the case,
    the case's contacts and the user's own addresses."""

    items: list[ParsedEmail]
    known: list[bool]
    contacts: list[ContactOption]
    own: set[str]


def read_preview(store: Store, case_id: int, paths: list[Path], progress: Any = None) -> Preview:
    """Read the files and work out each message's direction and contact (no store changes)."""
    found = email_import.preview_emails(store, case_id=case_id, paths=paths, progress=progress)
    contacts = [ContactOption(c.id, c.name, c.email) for c in list_contacts(store, case_id)]
    return Preview(found.items, found.already_imported, contacts, found.own_addresses)


def _date_label(item: ParsedEmail) -> str:
    """The date as sent, in the sender's time zone, as the rest of the window writes dates:
    ``1 Jul 2024 09:00 (+01:00)`` (the editor takes ISO text)."""
    moment = item.when.moment
    if moment is None:
        note = (_(" (no time)") if item.date_known
                else _(" (date guessed)"))
        return format_date(item.when.day) + note
    offset = moment.utcoffset()
    seconds = int(offset.total_seconds()) if offset else 0
    wall = QDateTime(QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute),
                     QTimeZone.fromSecondsAheadOfUtc(seconds))
    return format_datetime(wall) + f" ({moment.strftime('%z')[:3]}:{moment.strftime('%z')[3:]})"


def _contact_value(item: ParsedEmail) -> tuple[str, Any]:
    if item.contact_id is not None:
        return ("contact", item.contact_id)
    if item.new_contact is not None:
        return ("new", item.new_contact)
    return ("none", None)


class EmailPreviewModel(QAbstractTableModel):
    """The messages about to be imported; direction, contact and summary are editable."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[ParsedEmail] = []
        self._known: list[bool] = []
        self._contacts: list[ContactOption] = []
        self._own: set[str] = set()
        self._contact_picked: set[int] = set()  # rows whose contact the user chose

    def set_preview(self, preview: Preview) -> None:
        self.beginResetModel()
        self._items, self._known = preview.items, preview.known
        self._contacts, self._own = preview.contacts, preview.own
        self._contact_picked = set()
        self.endResetModel()

    def items(self) -> list[ParsedEmail]:
        return list(self._items)

    def to_import(self) -> list[ParsedEmail]:
        """The messages that will be added: those not already in the case."""
        return [i for i, k in zip(self._items, self._known, strict=True) if not k]

    def is_known(self, row: int) -> bool:
        return self._known[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(HEADERS[section])
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in (DATE, DIRECTION, CONTACT, SUMMARY) and not self._known[index.row()]:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def _suggest_contact(self, item: ParsedEmail) -> None:
        other = email_import.counterpart(item, item.direction or Direction.INTERNAL.value, self._own)
        key = other.email.lower() if other and other.email else ""
        match = next((c.id for c in self._contacts if key and c.email.lower() == key), None)
        item.contact_id = match
        item.new_contact = other if match is None else None

    def contact_label(self, item: ParsedEmail) -> str:
        kind, value = _contact_value(item)
        if kind == "contact":
            found = next((c for c in self._contacts if c.id == value), None)
            return found.label() if found else _("contact %1").replace("%1", str(value))
        if kind == "new":
            return _("New: %1").replace("%1", value.label())
        return _("(none)")

    def contact_choices(self, item: ParsedEmail) -> list[tuple[str, tuple[str, Any]]]:
        """No contact, the case's contacts, and new contacts from this email's From/To/Cc."""
        choices: list[tuple[str, tuple[str, Any]]] = [(_("(none)"), ("none", None))]
        choices += [(c.label(), ("contact", c.id)) for c in self._contacts]
        known_emails = {c.email.lower() for c in self._contacts if c.email}
        offered: list[Address] = []
        for a in [*([item.sender] if item.sender else []), *item.recipients]:
            key = a.email.lower()
            if key in self._own or (key and key in known_emails) or a in offered:
                continue
            offered.append(a)
        if item.new_contact is not None and item.new_contact not in offered:
            offered.insert(0, item.new_contact)
        choices += [(_("New: %1").replace("%1", a.label()), ("new", a)) for a in offered]
        return choices

    def _notes(self, row: int) -> str:
        notes = list(self._items[row].notes)
        if self._known[row]:
            notes.insert(0, _("Already in this case; it will be skipped."))
        return "\n".join(notes)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item, col, row = self._items[index.row()], index.column(), index.row()
        if role == ObjectRole:
            return item
        if role == SortRole:
            return {DATE: item.when.sort_key(), DIRECTION: item.direction or "",
                    CONTACT: self.contact_label(item), SUMMARY: item.summary,
                    ATTACHMENTS: len(item.attachments), NOTES: len(item.notes)}[col]
        if role == Qt.ItemDataRole.DisplayRole:
            if col == DATE:
                return _date_label(item)
            if col == DIRECTION:
                return direction_label(item.direction or Direction.INTERNAL.value)
            if col == CONTACT:
                return self.contact_label(item)
            if col == SUMMARY:
                return item.summary
            if col == ATTACHMENTS:
                return ", ".join(a.name for a in item.attachments) or "-"
            if col == NOTES:
                notes = self._notes(row)
                return notes.splitlines()[0] + (_(" (+more)") if "\n" in notes else "") if notes else ""
        if role == Qt.ItemDataRole.EditRole:
            if col == DATE:
                return item.at
            if col == DIRECTION:
                return item.direction
            if col == CONTACT:
                return _contact_value(item)
            if col == SUMMARY:
                return item.summary
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        if role == ChoicesRole:
            if col == DIRECTION:
                return [(direction_label(d.value), d.value) for d in Direction]
            if col == CONTACT:
                return self.contact_choices(item)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == NOTES:
                return self._notes(row) or None
            if col == ATTACHMENTS and item.attachments:
                return "\n".join(_("%1 (%2, %3 bytes)").replace("%1", a.name).replace("%2", a.media_type)
                                 .replace("%3", QLocale().toString(a.size))
                                 + ("" if a.stored else _(" - kept inside the original only"))
                                 for a in item.attachments)
            if col == CONTACT and item.sender:
                return _("From: %1").replace("%1", item.sender.label())
        if role == Qt.ItemDataRole.DecorationRole and col == NOTES and self._notes(row):
            return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        if role == Qt.ItemDataRole.ForegroundRole and self._known[row]:
            return QBrush(QPalette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        item = self._items[index.row()]
        if index.column() == DATE:
            if str(value).strip() == item.at:
                return False
            try:  # a date, or a date-time with its offset, as the timeline keeps it
                item.set_date(str(value))
            except ValidationError:
                return False
            notes = self.index(index.row(), NOTES)
            self.dataChanged.emit(notes, notes, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole])
        elif index.column() == DIRECTION:
            if value not in {d.value for d in Direction} or value == item.direction:
                return False
            item.direction = value
            if index.row() not in self._contact_picked:
                # The other side changes with the direction, unless the user chose a contact.
                self._suggest_contact(item)
                contact = self.index(index.row(), CONTACT)
                self.dataChanged.emit(contact, contact, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        elif index.column() == CONTACT:
            kind, chosen = value
            item.contact_id = chosen if kind == "contact" else None
            item.new_contact = chosen if kind == "new" else None
            item.contact_decided = True
            self._contact_picked.add(index.row())
        elif index.column() == SUMMARY:
            text = str(value).strip()
            if not text or text == item.summary:
                return False
            item.summary = text
        else:
            return False
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        return True


class ChoiceDelegate(QStyledItemDelegate):
    """A drop-down of the choices the model offers for a cell (direction, contact). A pick is
    committed at once, so the change shows without leaving the cell."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        combo = QComboBox(parent)
        for label, value in index.data(ChoicesRole) or []:
            combo.addItem(label, value)
        combo.activated.connect(lambda _ignored=0, c=combo: self.commitData.emit(c))
        combo.currentIndexChanged.connect(lambda _ignored=0, c=combo: self.commitData.emit(c))
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        current = index.data(Qt.ItemDataRole.EditRole)
        editor.blockSignals(True)
        for n in range(editor.count()):
            if editor.itemData(n) == current:
                editor.setCurrentIndex(n)
                break
        editor.blockSignals(False)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        assert isinstance(editor, QComboBox)
        if editor.currentIndex() >= 0:
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class EmailImportDialog(QDialog):
    """Preview and add saved emails (.eml, .msg, .mbox) to one case.

    Emits ``previewed()`` once the files were read, and ``imported(ImportResult)`` after the
    events were added (the dialog then closes).
    """

    imported = Signal(object)
    previewed = Signal()  # the files were read (or could not be); the table is filled


    def __init__(self, store: Store, case_id: int, paths: list[Path] | list[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Add emails to the timeline"))
        self.resize(980, 520)
        self._store, self._case_id = store, case_id
        self._paths = [Path(p) for p in paths]
        self._task: Task | None = None
        self.result_of_import: ImportResult | None = None
        self.is_previewed = False

        self.status = QLabel(count_text("Reading %n file…", "Reading %n files…", len(self._paths)))
        self.status.setWordWrap(True)
        self.model = EmailPreviewModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.SelectedClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self._choices = ChoiceDelegate(self.view)
        self.view.setItemDelegateForColumn(DIRECTION, self._choices)
        self.view.setItemDelegateForColumn(CONTACT, self._choices)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in ((DATE, 170), (DIRECTION, 110), (CONTACT, 200), (SUMMARY, 240), (ATTACHMENTS, 130)):
            self.view.setColumnWidth(col, width)
        self.view.selectionModel().currentRowChanged.connect(self._show_details)

        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setPlaceholderText(_("Select a message to see its text and notes."))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(self.details)
        split.setSizes([330, 140])

        self.progress = QProgressBar()
        self.progress.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = self.buttons.addButton(_("Add"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setEnabled(False)
        self.buttons.accepted.connect(self._add)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)

        self.progress.show()
        self._start(lambda progress: read_preview(store, case_id, self._paths, progress), self._previewed)

    # -- work off the window's thread -----------------------------------------------------
    def _start(self, work: Any, done: Any) -> None:
        task = run_task(work, self)
        self._task = task

        def settle() -> None:
            # Cleared before the result is handled, so that Add works straight after a preview.
            if self._task is task:
                self._task = None
                self.progress.hide()

        task.succeeded.connect(lambda result: (settle(), done(result)))
        task.failed.connect(lambda message: (settle(), self._failed(message)))
        task.cancelled.connect(lambda: (settle(), self._cancelled()))
        task.progressed.connect(self._progressed)

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _failed(self, message: str) -> None:
        self.status.setText(message)
        self.add_button.setEnabled(bool(self.model.to_import()))
        self._mark_previewed()

    def _mark_previewed(self) -> None:
        if not self.is_previewed:
            self.is_previewed = True
            self.previewed.emit()

    def _cancelled(self) -> None:
        self.status.setText(_("Cancelled; no email was added."))
        self.add_button.setEnabled(bool(self.model.to_import()))

    def _previewed(self, preview: Preview) -> None:
        self.model.set_preview(preview)
        new = len(self.model.to_import())
        total = self.model.rowCount()
        if total == 0:
            self.status.setText(_("No messages were found in these files."))
        else:
            text = count_text("%n message will be added as an email event with its attachments.", "%n messages will be added as email events with their attachments.", new)
            if total > new:
                text += " " + count_text("%n already in this case will be skipped.", "%n already in this case will be skipped.", total - new)
            text += " " + _("Double-click a date, direction, contact or summary to change it.")
            self.status.setText(text)
        self.add_button.setText(count_text("Add %n email", "Add %n emails", new))
        self.add_button.setEnabled(new > 0)
        if total:
            self.view.selectRow(0)
        self._mark_previewed()

    def _show_details(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = current.data(ObjectRole) if current.isValid() else None
        if item is None:
            self.details.clear()
            return
        lines = [_("From: %1").replace("%1", item.sender.label() if item.sender else "-"),
                 _("To: %1").replace("%1", ", ".join(a.label() for a in item.recipients) or "-"),
                 _("File: %1").replace("%1", item.label)]
        notes = self.model.data(self.model.index(current.row(), NOTES), Qt.ItemDataRole.ToolTipRole)
        if notes:
            lines += ["", _("Notes:"), *[f"- {n}" for n in notes.splitlines()]]
        lines += ["", item.body[:5000] or _("(no text)")]
        self.details.setPlainText("\n".join(lines))

    def _add(self) -> None:
        items = self.model.to_import()
        if not items or self._task is not None:
            return
        self.add_button.setEnabled(False)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.status.setText(count_text("Adding %n email…", "Adding %n emails…", len(items)))
        self.progress.show()
        store, case_id = self._store, self._case_id
        self._start(lambda progress: email_import.import_emails(store, case_id=case_id, items=items,
                                                                progress=progress), self._added)

    def _added(self, result: ImportResult) -> None:
        self.result_of_import = result
        self.imported.emit(result)
        self.accept()

    def reject(self) -> None:
        if self._task is not None:
            self._task.cancel()  # the import rolls back; the dialog closes once it has
            self._task.finished.connect(super().reject)
            return
        super().reject()

