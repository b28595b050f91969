"""The item model behind a case's timeline: one row per event, in date order.

Rows come from :func:`core.queries.timeline_rows` (one query for the whole case) and are
handed to the view in pages through ``canFetchMore``/``fetchMore``, so a case with thousands
of events opens at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QDateTime,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimeZone,
)
from PySide6.QtGui import QFont, QGuiApplication, QIcon

from core.domain.models import Direction, EventKind
from core.domain.when import When
from core.i18n import _
from core.journal import queries
from core.journal.queries import TimelineRow
from core.store.store import Store
from gui.kit.formatting import format_date, format_datetime
from gui.kit.icons import icon_for_kind
from gui.kit.urgency import LatePromise

Index = QModelIndex | QPersistentModelIndex

WHEN, KIND, DIRECTION, SUMMARY, TIME, EVIDENCE = range(6)
PAGE = 200
ARROWS = {Direction.TO_COMPANY: "→", Direction.FROM_COMPANY: "←", Direction.INTERNAL: "·"}

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
OBJECT_ROLE = Qt.ItemDataRole.UserRole + 2
EVIDENCE_ROLE = Qt.ItemDataRole.UserRole + 3  # list of (evidence id, file name) for chips
# An evidence file dragged from a chip or from the Evidence tab: its id as text.
EVIDENCE_MIME = "application/x-docket-evidence"


def evidence_mime(evidence_id: int) -> QMimeData:
    mime = QMimeData()
    mime.setData(EVIDENCE_MIME, QByteArray(str(evidence_id).encode()))
    return mime


def dragged_evidence(mime: QMimeData) -> int | None:
    """The evidence id a drag carries, or None."""
    if not mime.hasFormat(EVIDENCE_MIME):
        return None
    raw = bytes(mime.data(EVIDENCE_MIME).data()).decode(errors="replace").strip()
    return int(raw) if raw.isdigit() else None



def kind_label(kind: str) -> str:
    """The event kind as the user reads it."""
    labels = {
        EventKind.CALL: _("Call"), EventKind.EMAIL: _("Email"), EventKind.LETTER: _("Letter"),
        EventKind.CHAT: _("Chat"), EventKind.VISIT: _("Visit"), EventKind.WEB_FORM: _("Web form"),
        EventKind.SOCIAL: _("Social media"), EventKind.PAYMENT: _("Payment"),
        EventKind.DELIVERY: _("Delivery"), EventKind.PROMISE: _("Promise"),
        EventKind.RESPONSE: _("Response"), EventKind.NOTE: _("Note"),
    }
    return labels.get(kind, kind)  # type: ignore[call-overload]


def direction_label(direction: str) -> str:
    """Who spoke: the user to the company, the company to the user, or the user's own note."""
    labels = {
        Direction.TO_COMPANY: _("→ To them"),
        Direction.FROM_COMPANY: _("← From them"),
        Direction.INTERNAL: _("· Own note"),
    }
    return labels.get(direction, direction)  # type: ignore[call-overload]


def minutes_text(minutes: int) -> str:
    """``40 min`` or ``1 h 05 min``."""
    if minutes >= 60:
        return _("%1 h %2 min").replace("%1", str(minutes // 60)).replace("%2", f"{minutes % 60:02d}")
    return _("%1 min").replace("%1", str(minutes))


def time_text(duration: int | None, waiting: int | None) -> str:
    """What an event cost in time: ``50 min, on hold 40 min``."""
    parts = []
    if duration:
        parts.append(minutes_text(duration))
    if waiting:
        parts.append(_("on hold %1").replace("%1", minutes_text(waiting)))
    return ", ".join(parts)


def when_text(at: str) -> str:
    """An event's date (and time, when known) in the user's locale. The time is the one on the
    clock where the event happened (its own UTC offset), as the case history and the letters
    give it, so the timeline's order and its dates agree."""
    try:
        when = When.parse(at)
    except ValueError:
        return at
    if when.moment is None:
        return format_date(when.day)
    moment: datetime = when.moment
    offset = int(moment.utcoffset().total_seconds()) if moment.utcoffset() else 0
    qdt = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()), QTimeZone.fromSecondsAheadOfUtc(offset))
    return format_datetime(qdt)


def _drawn_once(icon: QIcon, side: int = 16) -> QIcon:
    """The icon drawn once into pixmaps at the screen's density: SVG icons would otherwise
    be drawn again for every visible row on every repaint, which slows scrolling."""
    app = QGuiApplication.instance()
    ratio = app.devicePixelRatio() if isinstance(app, QGuiApplication) else 1.0
    drawn = QIcon()
    for mode in (QIcon.Mode.Normal, QIcon.Mode.Selected, QIcon.Mode.Disabled):
        drawn.addPixmap(icon.pixmap(QSize(side, side), ratio, mode), mode)
    return drawn


class TimelineModel(QAbstractTableModel):
    """Events of one case; optionally only some kinds. Reload with :meth:`load`."""

    def __init__(self, store: Store, parent: Any = None) -> None:
        super().__init__(parent)
        self._store = store
        self._case_id: int | None = None
        self._kinds: list[str] | None = None
        self._rows: list[TimelineRow] = []
        self._late: dict[int, LatePromise] = {}
        self._late_case: int | None = None
        self._shown = 0
        self._icons: dict[str, QIcon] = {}
        self._headers = [_("When"), _("Kind"), _("Direction"), _("What happened"),
                         _("Time"), _("Evidence")]

    # -- loading ------------------------------------------------------------------------
    @property
    def store(self) -> Store:
        return self._store

    @property
    def case_id(self) -> int | None:
        return self._case_id

    def load(self, case_id: int | None, kinds: list[str] | None = None, *, at_least: int = 0) -> None:
        """Show ``case_id``'s events (none for ``None``), only ``kinds`` if given; at least
        ``at_least`` rows are handed to the view at once (to keep the scroll place on reload)."""
        self.beginResetModel()
        self._case_id = case_id
        self._kinds = kinds or None
        self._rows = [] if case_id is None else queries.timeline_rows(self._store, case_id, kinds=self._kinds)
        if case_id != self._late_case:
            self._late, self._late_case = {}, None
        self._shown = min(max(PAGE, at_least), len(self._rows))
        self.endResetModel()

    def reload(self) -> None:
        """Read the case again after a change, keeping as many rows shown as before."""
        self.load(self._case_id, self._kinds, at_least=self._shown)

    def set_kinds(self, kinds: list[str] | None) -> None:
        self.load(self._case_id, kinds)

    def forget_icons(self) -> None:
        """Drop the drawn icons (after the palette changed: they are drawn in its colours)."""
        self._icons.clear()

    def has_times(self) -> bool:
        """Whether any event of the case has a duration or time on hold."""
        return any(r.duration_minutes or r.waiting_minutes for r in self._rows)

    def has_evidence(self) -> bool:
        """Whether any event of the case has evidence linked."""
        return any(r.evidence for r in self._rows)

    def total(self) -> int:
        """Events in the case (with the kind filter), fetched or not."""
        return len(self._rows)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._shown < len(self._rows)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        more = min(PAGE, len(self._rows) - self._shown)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()

    def row_of_event(self, event_id: int) -> int:
        """The row showing ``event_id``, fetching pages as needed; -1 if it is not shown."""
        for i, row in enumerate(self._rows):
            if row.id == event_id:
                while self._shown <= i:
                    self.fetchMore()
                return i
        return -1

    def set_late(self, case_id: int | None, late: dict[int, LatePromise]) -> None:
        """Mark the case's lapsed promises (from :func:`gui.kit.urgency.late_promises`)."""
        self._late, self._late_case = dict(late), case_id
        if self._shown:
            self.dataChanged.emit(self.index(0, 0), self.index(self._shown - 1, self.columnCount() - 1))

    def late_promise(self, event_id: int) -> LatePromise | None:
        """The lapsed promise logged by ``event_id``, if it is one."""
        return self._late.get(event_id)

    def last_event(self) -> TimelineRow | None:
        """The latest event of the case (fetched into the view or not)."""
        return self._rows[-1] if self._rows else None

    def event_at(self, row: int) -> TimelineRow | None:
        return self._rows[row] if 0 <= row < self._shown else None

    # -- the model ----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._headers):
            return self._headers[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDropEnabled
        row = self.event_at(index.row())
        if index.column() == EVIDENCE and row is not None and row.evidence:
            flags |= Qt.ItemFlag.ItemIsDragEnabled  # a chip can be dragged onto another event
        return flags

    def mimeTypes(self) -> list[str]:
        return [EVIDENCE_MIME]

    def mimeData(self, indexes: Any) -> QMimeData:
        for index in indexes:
            row = self.event_at(index.row())
            if index.column() == EVIDENCE and row is not None and row.evidence:
                return evidence_mime(row.evidence[0][0])
        return QMimeData()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row = self.event_at(index.row())
        if row is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, col)
        if role == Qt.ItemDataRole.DecorationRole and col == KIND:
            if row.kind not in self._icons:
                self._icons[row.kind] = _drawn_once(icon_for_kind(row.kind))
            return self._icons[row.kind]
        if role == Qt.ItemDataRole.FontRole and col in (WHEN, SUMMARY) and row.id in self._late:
            font = QFont()
            font.setBold(True)  # late stands out without a colour that fights the palette
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == SUMMARY and row.id in self._late:
                late = self._late[row.id]
                return _("Promised by %1 and not kept: %2.").replace("%1", format_date(late.promised_by)) \
                    .replace("%2", late.lateness())
            if col == SUMMARY and row.details:
                return row.details[:2000]
            if col in (KIND, DIRECTION):
                return f"{kind_label(row.kind)}, {direction_label(row.direction).lstrip('→←· ').lower()}"
            if col == EVIDENCE and row.evidence:
                return "\n".join(name for _ignored, name in row.evidence)
            return None
        if role == SORT_ROLE:
            return (index.row(), row.kind, row.direction, row.summary.lower(),
                    (row.duration_minutes or 0) + (row.waiting_minutes or 0), len(row.evidence))[col]
        if role == OBJECT_ROLE:
            return row
        if role == EVIDENCE_ROLE and col == EVIDENCE:
            return list(row.evidence)
        return None

    def _display(self, row: TimelineRow, col: int) -> str:
        if col == WHEN:
            return when_text(row.at)
        if col == KIND:
            # The arrow says who spoke, so a narrow timeline can do without its Direction column.
            return f"{ARROWS.get(row.direction, '·')} {kind_label(row.kind)}"
        if col == DIRECTION:
            return direction_label(row.direction)
        if col == SUMMARY:
            extra = []
            if row.contact_name:
                extra.append(row.contact_name)
            if row.promised_by is not None:
                extra.append(_("by %1").replace("%1", format_date(row.promised_by)))
            text = row.summary + (f" ({'; '.join(extra)})" if extra else "")
            late = self._late.get(row.id)
            return f"⚠ {late.lateness()}: {text}" if late else text
        if col == TIME:
            return time_text(row.duration_minutes, row.waiting_minutes)
        if col == EVIDENCE:
            return ", ".join(name for _ignored, name in row.evidence)
        return ""
