"""The companies view: every company with its track record, and the cases of the one chosen."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.i18n import _
from core.journal import queries
from core.journal.queries import CompanyRecord
from core.store.store import Store
from gui.case import undo
from gui.dialogs.company import CompanyDialog, company_values
from gui.kit.table_model import RowsTableModel
from gui.kit.workers import Task, run_in_background
from gui.shell.case_list_model import CASE_ROLE, COMPANY, TITLE, CaseListModel

NAME, CASES, OPEN_CASES, DAYS_TO_REPLY = range(4)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
COMPANY_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


class CompanyModel(RowsTableModel):
    """Companies with their number of cases, open cases and average days to reply.

    Companies are few next to cases, so all are held at once; the track record reads every
    timeline, so it is computed in a worker and the model fills when it is ready.
    """

    loaded = Signal()

    def __init__(self, store: Store, parent: Any = None) -> None:
        super().__init__(parent)
        self._store = store
        self._rows: list[CompanyRecord] = []
        self._headers = (_("Company"), _("Cases"), _("Open"), _("Days to reply"))
        self._task: Task | None = None

    def refresh(self) -> None:
        """Query again now (the caller waits)."""
        self.set_records(queries.company_records(self._store))

    def refresh_in_background(self) -> Task:
        """Query again in a worker; ``loaded`` is emitted when the rows are in."""
        self._task = run_in_background(lambda _progress: queries.company_records(self._store), self,
                                       succeeded=self.set_records)
        return self._task

    def set_records(self, records: list[CompanyRecord]) -> None:
        self.beginResetModel()
        self._rows = list(records)
        self.endResetModel()
        self.loaded.emit()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        record = self._rows[index.row()]
        values = (record.name, record.cases, record.open_cases, record.avg_days_to_reply)
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == NAME:
                return record.name
            if column == DAYS_TO_REPLY:
                # Whole days: "14.8" reads like a measurement it is not.
                return "" if record.avg_days_to_reply is None else QLocale().toString(round(record.avg_days_to_reply))
            return QLocale().toString(values[column])
        if role == SORT_ROLE:
            return values[column]
        if role == COMPANY_ROLE:
            return record
        if role == Qt.ItemDataRole.TextAlignmentRole and column != NAME:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == DAYS_TO_REPLY:
            average = _("Average days between a message to the company and its next reply")
            if record.avg_days_to_reply is not None:
                average += ": " + QLocale().toString(record.avg_days_to_reply, "f", 1)
            return average
        return None


class CompaniesView(QWidget):
    """Companies above, the chosen company's cases below; ``case_selected`` gives a case id."""

    case_selected = Signal(object)
    company_changed = Signal()

    def __init__(self, store: Store, stack: QUndoStack | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._stack = stack if stack is not None else QUndoStack(self)
        self.model = CompanyModel(store, self)
        self.companies = QTableView()
        self.companies.setAccessibleName(_("Companies"))
        self.companies.setModel(self.model)
        self.companies.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.companies.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.companies.verticalHeader().hide()
        self.companies.setShowGrid(False)
        for column in (CASES, OPEN_CASES, DAYS_TO_REPLY):
            self.companies.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.companies.horizontalHeader().setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        self.companies.selectionModel().currentRowChanged.connect(self._on_company)
        self.companies.doubleClicked.connect(lambda _ignored: self.edit_company())
        self.edit_button = QPushButton(_("&Edit company details…"), self)
        self.edit_button.setEnabled(False)
        self.edit_button.clicked.connect(self.edit_company)

        self.cases_model = CaseListModel(store, self, company_id=-1)  # nothing until a company is chosen
        self.cases = QTableView()
        self.cases.setAccessibleName(_("Cases with this company"))
        self.cases.setModel(self.cases_model)
        self.cases.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.cases.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.cases.verticalHeader().hide()
        self.cases.setShowGrid(False)
        header = self.cases.horizontalHeader()
        for column in range(self.cases_model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        header.hideSection(COMPANY)  # the company is the one chosen above
        self.cases.selectionModel().currentRowChanged.connect(self._on_case)

        self.cases_label = QLabel(_("Choose a company to see its cases."))
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.cases_label)
        lower_layout.addWidget(self.cases)

        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.companies, 1)
        row = QHBoxLayout()
        row.addWidget(self.edit_button)
        row.addStretch(1)
        upper_layout.addLayout(row)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(upper)
        self.splitter.addWidget(lower)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    def refresh(self) -> None:
        """Bring companies and their cases up to date; the track record loads in the background."""
        self.model.refresh_in_background()
        self.cases_model.refresh()

    def _on_company(self, current: QModelIndex, _previous: QModelIndex) -> None:
        record = current.data(COMPANY_ROLE) if current.isValid() else None
        self.edit_button.setEnabled(record is not None)
        self.cases_model.set_filter(view="all", company_id=record.id if record else -1)
        if record is not None:
            self.cases_label.setText(_("Cases with %1").replace("%1", record.name))

    def _on_case(self, current: QModelIndex, _previous: QModelIndex) -> None:
        case = current.data(CASE_ROLE) if current.isValid() else None
        if case is not None:
            self.case_selected.emit(case.id)

    def selected_company(self) -> CompanyRecord | None:
        index = self.companies.currentIndex()
        return index.data(COMPANY_ROLE) if index.isValid() else None

    def edit_company(self) -> None:
        """Edit the chosen company's details; the change is undoable (Ctrl+Z)."""
        record = self.selected_company()
        if record is None:
            return
        company = queries.company(self._store, record.id)
        before = company_values(company)

        def changed(_focus: int | None) -> None:
            self.refresh()
            self.company_changed.emit()

        def submit(values: dict[str, Any]) -> None:
            after = {k: v for k, v in values.items() if v != before.get(k)}
            if after:
                undo.push(self._stack, undo.EditCompany(self._store, changed, company_id=company.id,
                                                        before=before, after=after,
                                                        text=_("Edit company details")))

        CompanyDialog(company, submit, cases=record.cases, parent=self).exec()
