"""A case's letters: drafts and those sent, with New letter and Open."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.domain.errors import DocketError
from core.i18n import _
from core.store.store import Store
from gui.kit.formatting import format_date

if TYPE_CHECKING:
    from core.documents.letters import LetterInfo

LETTER_ROLE = Qt.ItemDataRole.UserRole + 1


class LettersPanel(QWidget):
    """The letters of one case. ``letters_changed`` after a letter was saved or sent."""

    letters_changed = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._case_id: int | None = None
        self._stale = False  # the list shows another case than _case_id
        self.list = QListWidget(self)
        self.list.setAccessibleName(_("Letters"))
        self.list.itemActivated.connect(lambda item: self.open_letter(item.data(LETTER_ROLE)))
        self.empty = QLabel(_("No letters yet. A letter gets a faster answer than a call, "
                                    "and it leaves a record: start one with New letter."), self)
        self.empty.setWordWrap(True)
        self.new_button = QPushButton(_("&New letter…"), self)
        self.new_button.clicked.connect(lambda: self.new_letter())
        self.open_button = QPushButton(_("&Open"), self)
        self.open_button.clicked.connect(self._open_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.list.currentItemChanged.connect(lambda *_ignored: self._update_buttons())
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.list.currentItem() is not None)

    def show_case(self, case_id: int | None) -> None:
        """List the letters of ``case_id``, newest first: now if this is the tab in view,
        otherwise when the tab is next shown (a case is usually opened to read its timeline)."""
        self._case_id = case_id
        self._stale = True
        if case_id is None or not self.isHidden():
            self._list_letters()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._list_letters()

    def _list_letters(self) -> None:
        self._stale = False
        self.list.clear()
        found: list[LetterInfo] = []
        if self._case_id is not None:
            from core.documents import (
                letters,  # imported here: keeps start-up quick (it loads Jinja)
            )

            found = letters.list_letters(self._store, case_id=self._case_id)
        for letter in found:
            if letter.sent_on is not None:
                day = format_date(letter.sent_on)
                state = _("sent %1").replace("%1", day)
                if letter.sent_via:
                    state += " · " + letter.sent_via.replace("_", " ")
            else:
                state = _("draft")
            subject = letter.subject or letter.template_id.replace("_", " ")
            item = QListWidgetItem(f"{subject} ({state})")
            item.setData(LETTER_ROLE, letter.id)
            self.list.addItem(item)
        self.empty.setVisible(self._case_id is not None and not found)
        self._update_buttons()

    def new_letter(self, template_id: str | None = None) -> None:
        """Open the letter editor on a new letter (from ``template_id`` if given)."""
        self._open_editor(template_id=template_id)

    def open_letter(self, letter_id: int) -> None:
        self._open_editor(letter_id=letter_id)

    def _open_selected(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.open_letter(item.data(LETTER_ROLE))

    def _open_editor(self, **kwargs: Any) -> None:
        from gui.dialogs.letter_editor import LetterEditor  # imported here: keeps start-up quick

        if self._case_id is None:
            return
        try:
            editor = LetterEditor(self._store, self._case_id, self, **kwargs)
        except DocketError as exc:
            QMessageBox.warning(self, _("Letter"), str(exc))
            return
        editor.letter_saved.connect(self._letter_changed)
        editor.letter_sent.connect(self._letter_changed)
        editor.exec()
        self.show_case(self._case_id)

    def _letter_changed(self, *_ignored: Any) -> None:
        self.show_case(self._case_id)
        self.letters_changed.emit()
