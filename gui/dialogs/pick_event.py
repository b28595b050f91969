"""Choose one event of a case: type any words of it (or its date) to narrow the list."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from core.i18n import _
from core.journal.queries import TimelineRow
from gui.case.timeline_model import kind_label, when_text

EVENT_ID = Qt.ItemDataRole.UserRole + 1


class PickEventDialog(QDialog):
    """The events in date order; ``event_id`` holds the choice after OK."""

    def __init__(self, title: str, events: list[TimelineRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.event_id: int | None = None
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(_("Type words of the event, or its date"))
        self.search.setAccessibleName(_("Find an event"))
        self.search.setClearButtonEnabled(True)
        self.items = QStandardItemModel(self)
        for event in events:
            item = QStandardItem(f"{when_text(event.at)} · {kind_label(event.kind)} · {event.summary}")
            item.setData(event.id, EVENT_ID)
            item.setEditable(False)
            self.items.appendRow(item)
        self.filtered = QSortFilterProxyModel(self)
        self.filtered.setSourceModel(self.items)
        self.filtered.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.search.textChanged.connect(self.filtered.setFilterFixedString)
        self.search.textChanged.connect(lambda _t: self._select_first())
        self.list = QListView(self)
        self.list.setAccessibleName(_("Events"))
        self.list.setModel(self.filtered)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.doubleClicked.connect(lambda _i: self.accept())
        self.search.returnPressed.connect(self.accept)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Which event does this file belong to?"), self))
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(520, 380)
        self._select_first()

    def _select_first(self) -> None:
        if self.filtered.rowCount():
            self.list.setCurrentIndex(self.filtered.index(0, 0))

    def accept(self) -> None:
        index = self.list.currentIndex()
        if not index.isValid():
            return
        self.event_id = int(index.data(EVENT_ID))
        super().accept()
