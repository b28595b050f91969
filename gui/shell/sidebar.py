"""The sidebar: the case views with how many cases each holds, and the companies."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from core.i18n import _
from gui.kit.icons import icon

VIEW_ROLE = Qt.ItemDataRole.UserRole + 1


class Sidebar(QTreeWidget):
    """Views of the case list; ``view_chosen`` says which ("attention", ..., "companies")."""

    view_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(_("Views"))
        self.setColumnCount(2)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(0)
        self.setIconSize(QSize(18, 18))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        views = [
            ("attention", _("Needs attention")),
            ("open", _("Open")),
            ("awaiting_reply", _("Awaiting reply")),
            ("escalated", _("Escalated")),
            ("closed", _("Resolved and closed")),
            ("all", _("All cases")),
            ("companies", _("Companies")),
            ("overview", _("Overview")),
        ]
        self._items: dict[str, QTreeWidgetItem] = {}
        for key, label in views:
            item = QTreeWidgetItem(self, [label, ""])
            item.setData(0, VIEW_ROLE, key)
            item.setIcon(0, icon(f"view-{key}"))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self._items[key] = item
        self.currentItemChanged.connect(self._on_current)

    def _on_current(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        if current is not None:
            self.view_chosen.emit(current.data(0, VIEW_ROLE))

    def current_view(self) -> str:
        item = self.currentItem()
        return item.data(0, VIEW_ROLE) if item is not None else "all"

    def select_view(self, key: str) -> None:
        if key in self._items:
            self.setCurrentItem(self._items[key])

    def set_counts(self, counts: dict[str, int]) -> None:
        """Show each view's count (from :func:`core.queries.view_counts`)."""
        for key, item in self._items.items():
            if key == "overview":  # figures, not a list of cases
                continue
            number = counts.get(key, 0)
            item.setText(1, str(number))
            item.setData(0, Qt.ItemDataRole.AccessibleTextRole, f"{item.text(0)}, {number}")
            font = item.font(0)
            # The attention view is bold while it holds something: it is where work waits.
            font.setBold(key == "attention" and number > 0)
            item.setFont(0, font)
            item.setFont(1, font)
        # Never cut a view's name short: the sidebar is as wide as its longest line.
        bold = QFont(self.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        widest = max(metrics.horizontalAdvance(i.text(0)) + metrics.horizontalAdvance(i.text(1)) for i in self._items.values())
        self.setMinimumWidth(widest + self.iconSize().width() + 2 * self.frameWidth() + 40)

    def count_of(self, key: str) -> int:
        text = self._items[key].text(1)
        return int(text) if text.isdigit() else 0
