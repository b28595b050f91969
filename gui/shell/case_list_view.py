"""The case list with its search field, and the empty state that says what to do first."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from core.escalation.reminders import DueItem
from core.i18n import _
from core.journal import queries
from core.store.store import Store
from gui.kit.formatting import format_date, format_money
from gui.kit.icons import icon
from gui.kit.urgency import attention
from gui.shell.case_list_model import (
    AMOUNT,
    CASE_ROLE,
    COMPANY,
    LAST_ACTIVITY,
    NEXT_DUE,
    STATUS,
    TITLE,
    CaseListModel,
    status_label,
)

SEARCH_DELAY_MS = 150  # long enough to let a word be typed, short enough to feel immediate


class TitleDelegate(QStyledItemDelegate):
    """The title with the company and status beneath it, so a narrow list still says it all.
    In *Needs attention* the second line says why the case is there and by when."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.reasons: dict[int, DueItem] = {}

    def _lines(self, index: QModelIndex) -> tuple[str, str]:
        row = index.data(CASE_ROLE)
        item = self.reasons.get(row.id)
        if item is not None:
            return row.title, f"{format_date(item.due)}: {item.reason}"
        status = status_label(row.status)
        return row.title, f"{row.company} · {status}" if row.company else status

    def helpEvent(self, event: Any, view: Any, option: QStyleOptionViewItem,
                  index: QModelIndex | QPersistentModelIndex) -> bool:
        if event.type() == QEvent.Type.ToolTip and index.isValid():
            title, detail = self._lines(QModelIndex(index))
            QToolTip.showText(event.globalPos(), f"{title}\n{detail}", view)
            return True
        return super().helpEvent(event, view, option, index)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        title, detail = self._lines(index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette = opt.palette
        rect = opt.rect.adjusted(6, 3, -6, -3)
        metrics = QFontMetrics(opt.font)
        painter.save()
        bold = QFont(opt.font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text))
        top = rect.adjusted(0, 0, 0, -rect.height() // 2)
        painter.drawText(top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         QFontMetrics(bold).elidedText(title, Qt.TextElideMode.ElideRight, rect.width()))
        painter.setFont(opt.font)
        if not selected:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        bottom = rect.adjusted(0, rect.height() // 2, 0, 0)
        painter.drawText(bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(detail, Qt.TextElideMode.ElideRight, rect.width()))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        height = QFontMetrics(option.font).lineSpacing() * 2 + 10
        return QSize(200, height)


class EmptyState(QWidget):
    """A message in the middle of the list, with buttons for the first steps."""

    new_case_requested = Signal()
    load_examples_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel()
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.new_button = QPushButton(icon("new-case"), _("New case"))
        self.new_button.clicked.connect(self.new_case_requested)
        self.examples_button = QPushButton(_("Load example cases"))
        self.examples_button.setAccessibleDescription(_("Adds seven example disputes to see how Docket works"))
        self.examples_button.clicked.connect(self.load_examples_requested)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.examples_button)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.addStretch(1)  # a third of the way down, where the eye looks first
        layout.addWidget(self.heading)
        layout.addWidget(self.body)
        layout.addSpacing(12)
        layout.addLayout(buttons)
        layout.addStretch(2)

    def show_message(self, heading: str, body: str, *, first_run: bool) -> None:
        self.heading.setText(heading)
        self.body.setText(body)
        self.new_button.setVisible(first_run)
        self.examples_button.setVisible(first_run)


class CaseListView(QWidget):
    """Search field above the list of cases; ``case_selected`` gives the chosen case id (or None)."""

    case_selected = Signal(object)
    new_case_requested = Signal()
    load_examples_requested = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.model = CaseListModel(store, self)

        self.search_field = QLineEdit()
        self.search_field.setPlaceholderText(_("Search cases, events, notes, contacts…"))
        self.search_field.setAccessibleName(_("Search cases"))
        self.search_field.setClearButtonEnabled(True)
        self.search_field.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search_field.textChanged.connect(self._search_timer.start)
        self.search_field.returnPressed.connect(self._go_to_results)

        self.table = QTableView()
        self.table.setAccessibleName(_("Cases"))
        self.table.setModel(self.model)
        # The indicator first: enabling sorting sorts by it, which the model already does.
        self.table.horizontalHeader().setSortIndicator(LAST_ACTIVITY, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.title_delegate = TitleDelegate(self.table)
        self.table.setItemDelegateForColumn(TITLE, self.title_delegate)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().lineSpacing() * 2 + 10)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        # Wide enough for a long date ("28 Sept 2026", "28/09/2026") and "12,345.00 GBP" as
        # this locale writes them, in the list's font, no wider.
        font = self.fontMetrics()
        date_width = font.horizontalAdvance(format_date(date(2026, 9, 28))) + 16
        widths = {COMPANY: 150, STATUS: 110, LAST_ACTIVITY: date_width, NEXT_DUE: date_width,
                  AMOUNT: max(font.horizontalAdvance(format_money(Decimal("12345"), code))
                              for code in ("GBP", "EUR", "USD")) + 16}
        # A column's name longer than its dates ("Prochaine échéance") goes on two lines rather
        # than widening the column: the title keeps its room. No word is ever cut.
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
        header_font = QFontMetrics(header.font())
        names = {c: str(self.model.headerData(c, Qt.Orientation.Horizontal) or "") for c in widths}
        room = 24  # the section's margins and the sort arrow
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            longest_word = max((header_font.horizontalAdvance(w) for w in names[column].split()), default=0)
            header.resizeSection(column, max(width, longest_word + room))
        if any(header_font.horizontalAdvance(names[c]) + room > header.sectionSize(c) for c in widths):
            header.setMinimumHeight(header_font.lineSpacing() * 2 + 8)
        # The title column already shows company and status; they can be shown as columns too.
        header.hideSection(COMPANY)
        header.hideSection(STATUS)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.model.modelReset.connect(self._update_empty_state)

        self.empty = EmptyState()
        self.empty.new_case_requested.connect(self.new_case_requested)
        self.empty.load_examples_requested.connect(self.load_examples_requested)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search_field)
        layout.addWidget(self.stack)
        self._selected: int | None = None
        self._chosen_columns: set[int] = set()
        self._update_empty_state()

    def _column_menu(self, position) -> None:
        """Let the user choose which columns to show (the title always stays)."""
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        for column in (COMPANY, STATUS, LAST_ACTIVITY, NEXT_DUE, AMOUNT):
            action = menu.addAction(self.model.headerData(column, Qt.Orientation.Horizontal))
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(lambda shown, c=column: self._choose_column(c, shown))
        menu.exec(header.mapToGlobal(position))

    def _choose_column(self, column: int, shown: bool) -> None:
        self._chosen_columns.add(column)  # the user's choice wins over fitting to the width
        self.table.horizontalHeader().setSectionHidden(column, not shown)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """In a narrow list, drop the last-activity column before the title gets unreadable."""
        if LAST_ACTIVITY in self._chosen_columns:
            return
        header = self.table.horizontalHeader()
        others = sum(header.sectionSize(c) for c in (COMPANY, STATUS, NEXT_DUE, AMOUNT) if not header.isSectionHidden(c))
        room_for_title = self.table.viewport().width() - others - header.sectionSize(LAST_ACTIVITY)
        header.setSectionHidden(LAST_ACTIVITY, room_for_title < self.fontMetrics().averageCharWidth() * 24)

    # -- what the list shows -------------------------------------------------------------------
    def set_view(self, view: str) -> None:
        self._read_reasons(view)
        self.model.set_filter(view=view)
        self._reselect()

    def refresh(self) -> None:
        """Query again (after an edit), keeping the selected case selected."""
        self._read_reasons(self.model.view)
        self.model.refresh()
        self._reselect()

    def _read_reasons(self, view: str) -> None:
        # Why each case needs attention, from the reminders that set its Next due.
        self.title_delegate.reasons = attention(self._store) if view == "attention" else {}

    def _apply_search(self) -> None:
        self.model.set_filter(search=self.search_field.text())
        self._reselect()

    def _go_to_results(self) -> None:
        """Enter in the search field: search now and move to the first case found."""
        self._search_timer.stop()
        self._apply_search()
        if self.model.rowCount():
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            self.table.selectRow(0)

    def focus_search(self) -> None:
        self.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_field.selectAll()

    # -- selection -----------------------------------------------------------------------------
    def current_case_id(self) -> int | None:
        return self._selected

    def select_case(self, case_id: int | None) -> None:
        """Select ``case_id`` if the list shows it (loading further pages is not attempted)."""
        row = self.model.row_of(case_id) if case_id is not None else None
        if row is None:
            self.table.clearSelection()
            return
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, TITLE))

    def _reselect(self) -> None:
        previous = self._selected
        row = self.model.row_of(previous) if previous is not None else None
        if row is not None:
            self.table.selectRow(row)

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        case = current.data(CASE_ROLE) if current.isValid() else None
        case_id = case.id if case is not None else None
        if case_id != self._selected:
            self._selected = case_id
            self.case_selected.emit(case_id)

    # -- empty state ---------------------------------------------------------------------------
    def _update_empty_state(self) -> None:
        if self.model.rowCount() > 0:
            self.stack.setCurrentWidget(self.table)
            return
        if self.model.search:
            self.empty.show_message(
                _("No case mentions “%1”").replace("%1", self.model.search),
                _("Search looks in titles, notes, events, contacts and company names. Try fewer words."),
                first_run=False,
            )
        elif queries.count_cases(self._store) == 0:
            self.empty.show_message(
                _("No cases yet"),
                _("Start a case for each dispute: what happened, with whom, and how much is at stake. "
                        "Docket then keeps the timeline, reminds you of deadlines and drafts your letters.\n\n"
                        "To look around first, load a few example cases; you can delete them later."),
                first_run=True,
            )
        else:
            self.empty.show_message(_("Nothing here"), _("No case is in this view right now."), first_run=False)
        self.stack.setCurrentWidget(self.empty)
