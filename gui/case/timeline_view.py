"""A case's timeline: a kind filter above a table of events, evidence drawn as chips."""

from __future__ import annotations

import html

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from core.domain.models import EventKind
from core.i18n import _
from core.journal.queries import TimelineRow
from core.store.store import Store
from gui.case.timeline_model import (
    DIRECTION,
    EVIDENCE,
    EVIDENCE_ROLE,
    KIND,
    OBJECT_ROLE,
    SUMMARY,
    TIME,
    WHEN,
    TimelineModel,
    direction_label,
    dragged_evidence,
    kind_label,
    time_text,
    when_text,
)
from gui.kit.fields import meaning_labels
from gui.kit.formatting import count_text, format_date, format_money
from gui.kit.urgency import late_promises


class EvidenceChipDelegate(QStyledItemDelegate):
    """Draws each linked evidence file as a small rounded chip with its name."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        items = index.data(EVIDENCE_ROLE) or []
        if not items:
            super().paint(painter, option, index)
            return
        style = option.widget.style() if option.widget else None
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, option.widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = option.fontMetrics
        x = option.rect.left() + 4
        height = metrics.height() + 4
        top = option.rect.top() + (option.rect.height() - height) // 2
        palette = option.palette
        for i, (_ignored, name) in enumerate(items):
            rest = len(items) - i - 1
            more = f"+{rest}" if rest else ""
            room = option.rect.right() - x - 12 - (metrics.horizontalAdvance(more) + 8 if more else 0)
            label = metrics.elidedText(name, Qt.TextElideMode.ElideMiddle, min(140, room))
            if i and (not label or label == "…"):
                # No room for another chip: say how many more there are.
                painter.setPen(palette.color(QPalette.ColorRole.Text))
                painter.drawText(QRect(x, top, option.rect.right() - x, height), Qt.AlignmentFlag.AlignVCenter,
                                 f"+{len(items) - i}")
                break
            width = metrics.horizontalAdvance(label) + 12
            chip = QRect(x, top, width, height)
            painter.setPen(palette.color(QPalette.ColorRole.Mid))
            painter.setBrush(palette.color(QPalette.ColorRole.AlternateBase))
            painter.drawRoundedRect(chip, height / 2, height / 2)
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, label)
            x += width + 4
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width(), max(hint.height(), option.fontMetrics.height() + 8))


class TimelineTable(QTableView):
    """The table of events; "What happened" takes the room left and wraps to two lines.
    An evidence file dropped on a row (a chip, or a file from the Evidence tab) is linked to
    that event: ``evidence_dropped(evidence_id, event_id)``."""

    evidence_dropped = Signal(int, int)

    def _target(self, event: QDropEvent | QDragMoveEvent) -> tuple[int, int] | None:
        evidence_id = dragged_evidence(event.mimeData())
        row = self.indexAt(event.position().toPoint()).row()
        target = self.model().event_at(row) if row >= 0 else None  # type: ignore[attr-defined]
        if evidence_id is None or target is None:
            return None
        return evidence_id, target.id

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dragged_evidence(event.mimeData()) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()  # files from outside: the case takes them as new evidence

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._target(event) is not None:
            event.setDropAction(Qt.DropAction.LinkAction)
            event.accept()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        target = self._target(event)
        if target is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.LinkAction)
        event.accept()
        self.evidence_dropped.emit(*target)


class EventDetail(QTextBrowser):
    """The selected event in full: when, who, what it was, the whole text, its evidence.
    ``evidence_clicked(evidence_id)`` when a file's link is followed."""

    evidence_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(_("Event details"))
        self.setOpenLinks(False)
        self.anchorClicked.connect(self._follow)
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        self.show_event(None)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        # A few lines by default: the table keeps most of the room; the splitter gives more.
        return QSize(super().sizeHint().width(), self.fontMetrics().lineSpacing() * 5)

    def _follow(self, url: QUrl) -> None:
        if url.scheme() == "evidence" and url.path().strip("/").isdigit():
            self.evidence_clicked.emit(int(url.path().strip("/")))

    def show_event(self, event: TimelineRow | None, currency: str = "") -> None:
        if event is None:
            self.setHtml("<p>" + html.escape(_("Select an event to read it in full here.")) + "</p>")
            return
        esc = html.escape
        who = direction_label(event.direction).lstrip("→←· ")
        lines = [f"<b>{esc(when_text(event.at))}</b> · {esc(kind_label(event.kind))} · {esc(who)}"]
        if event.meaning:
            what = meaning_labels().get(event.meaning, event.meaning)
            if event.amount is not None:
                what += " · " + format_money(event.amount, currency or "EUR")
            lines.append(esc(what))
        lines.append(f"<b>{esc(event.summary)}</b>")
        if event.promised_by is not None:
            lines.append(esc(_("Promised by %1").replace("%1", format_date(event.promised_by))))
        if event.contact_name:
            lines.append(esc(_("Contact: %1").replace("%1", event.contact_name)))
        if event.reference:
            lines.append(esc(_("Reference: %1").replace("%1", event.reference)))
        spent = time_text(event.duration_minutes, event.waiting_minutes)
        if spent:
            lines.append(esc(_("Time: %1").replace("%1", spent)))
        body = "<br>".join(lines)
        if event.details:
            body += "<p>" + esc(event.details).replace("\n", "<br>") + "</p>"
        if event.evidence:
            files = ", ".join(f'<a href="evidence:/{ident}">{esc(name)}</a>' for ident, name in event.evidence)
            body += "<p>" + esc(_("Evidence:")) + " " + files + "</p>"
        self.setHtml(body)


class TimelineView(QWidget):
    """The timeline panel. ``event_activated(event_id)`` on double-click or Enter
    (``evidence_activated(evidence_id)`` on the Evidence column or a file in the detail pane);
    ``selection_changed()`` when the selected event changes."""

    event_activated = Signal(int)
    evidence_activated = Signal(int)  # an evidence chip was activated: that file's id
    selection_changed = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TimelineModel(store, self)
        self.currency = ""

        self.kind_filter = QComboBox(self)
        self.kind_filter.setAccessibleName(_("Show events of kind"))
        self.kind_filter.addItem(_("All kinds"), None)
        for kind in EventKind:
            self.kind_filter.addItem(kind_label(kind), kind.value)
        self.kind_filter.currentIndexChanged.connect(self._filter_changed)

        self.count_label = QLabel(self)
        self.legend = QLabel(_("→ to them   ← from them   · your own note"), self)
        self.legend.setAccessibleName(_("Legend"))
        self.legend.setWordWrap(True)  # on two lines rather than widening the case
        self.legend.setToolTip(_("The arrow before each kind says who spoke: you to the company (→), "
                                       "the company to you (←), or a note for yourself (·)."))

        self.table = TimelineTable(self)
        self.table.setObjectName("timeline")
        self.table.setAccessibleName(_("Timeline"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        # Two lines of "What happened" in every row; a fixed height keeps thousands of rows quick.
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().lineSpacing() * 2 + 10)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setItemDelegateForColumn(EVIDENCE, EvidenceChipDelegate(self.table))
        self.table.setDragEnabled(True)
        self.table.setAcceptDrops(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.table.setDefaultDropAction(Qt.DropAction.LinkAction)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(24)
        header.setStretchLastSection(False)
        # Widths from the font, not from measuring every row (thousands of rows must open at once).
        fm = self.table.fontMetrics()
        samples = {WHEN: when_text("2026-12-28T23:59:00+00:00"), KIND: "→ " + kind_label("web_form"),
                   TIME: time_text(50, 0), EVIDENCE: "receipt.pdf"}
        icon_room = self.table.iconSize().width() if self.table.iconSize().isValid() else 16
        for col, sample in samples.items():
            extra = 24 + (max(16, icon_room) + 8 if col == KIND else 0)
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, fm.horizontalAdvance(sample) + extra)
        header.setSectionResizeMode(SUMMARY, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnHidden(DIRECTION, True)  # shown as an arrow in the Kind column
        # "activated" is a double-click (or a single click, where the desktop says so) or Enter.
        self.table.activated.connect(self._activated)
        self.table.selectionModel().selectionChanged.connect(lambda *_ignored: self._selected())
        self.model.modelReset.connect(self._update_count)
        self.model.rowsInserted.connect(self._update_count)

        self.prompt = QLabel(_(
            "Nothing logged yet. Start with what happened first: your order or payment (<b>Order / "
            "payment</b>), then each call, email and letter, on the day it happened."), self)
        self.prompt.setWordWrap(True)
        self.prompt.setAccessibleName(_("How to start the timeline"))
        self.prompt.hide()
        self.detail = EventDetail(self)
        self.detail.evidence_clicked.connect(self.evidence_activated)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(0, False)

        bar = QHBoxLayout()
        bar.addWidget(QLabel(_("Show:"), self))
        bar.addWidget(self.kind_filter)
        # The legend takes the room left (a wrapping label asks for less than its one line).
        self.legend.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bar.addWidget(self.legend, 1)
        bar.addSpacing(12)
        bar.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.prompt)
        layout.addWidget(self.splitter, 1)

    def _selected(self) -> None:
        self.detail.show_event(self.selected_event(), self.currency)
        self.selection_changed.emit()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self.model.forget_icons()  # they are drawn in the palette's colours
            self.table.viewport().update()
        super().changeEvent(event)

    def show_case(self, case_id: int | None) -> None:
        """Show another case's timeline, with the kind filter kept."""
        self.model.load(case_id, self._kinds())
        self._mark_late()
        self._fit_columns()
        self.detail.show_event(None)

    def reload(self, select_event: int | None = None) -> None:
        """Re-read after a change; keep (or move) the selection to ``select_event``."""
        keep = select_event if select_event is not None else self.selected_event_id()
        self.model.reload()
        self._mark_late()
        self._fit_columns()
        if keep is not None:
            self.select_event(keep)

    def _mark_late(self) -> None:
        case_id = self.model.case_id
        self.model.set_late(case_id, {} if case_id is None else late_promises(self.model.store, case_id))

    def select_event(self, event_id: int) -> bool:
        row = self.model.row_of_event(event_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, SUMMARY))
        return True

    def selected_event(self) -> TimelineRow | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(OBJECT_ROLE) if rows else None

    def selected_event_id(self) -> int | None:
        event = self.selected_event()
        return event.id if event else None

    def _kinds(self) -> list[str] | None:
        kind = self.kind_filter.currentData()
        return [kind] if kind else None

    def _filter_changed(self) -> None:
        self.model.set_kinds(self._kinds())

    def _activated(self, index: QModelIndex) -> None:
        event = index.data(OBJECT_ROLE)
        if event is None:
            return
        if index.column() == EVIDENCE and event.evidence:
            self.evidence_activated.emit(event.evidence[0][0])
        else:
            self.event_activated.emit(event.id)

    def _fit_columns(self) -> None:
        # Columns nobody uses in this case give their room to "What happened".
        self.table.setColumnHidden(TIME, not self.model.has_times())
        self.table.setColumnHidden(EVIDENCE, not self.model.has_evidence())

    def _update_count(self) -> None:
        total = self.model.total()
        self.prompt.setVisible(total == 0 and self.model.case_id is not None and not self._kinds())
        self.count_label.setText(count_text("%n event", "%n events", total))
