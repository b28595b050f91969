"""Free-text notes for a case, saved by themselves: after a short pause and when leaving."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from core.domain.errors import DocketError
from core.i18n import _
from core.journal import cases, queries
from core.store.store import Store

PAUSE_MS = 1500


class NotesPanel(QWidget):
    """The notes editor. ``saved(case_id)`` after the notes were written to the store."""

    saved = Signal(int)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._case_id: int | None = None
        self._stored_text = ""
        self.editor = QPlainTextEdit(self)
        self.editor.setAccessibleName(_("Notes"))
        self.editor.setPlaceholderText(
            _("Anything worth remembering: what you want, what they said off the record, ideas…"))
        self.editor.installEventFilter(self)
        self.status = QLabel(self)
        self.status.setAccessibleName(_("Notes saved state"))
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(PAUSE_MS)
        self._pause.timeout.connect(self.save)
        self.editor.textChanged.connect(self._typed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.status)

    def show_case(self, case_id: int | None, notes: str = "") -> None:
        """Save what is pending for the previous case, then show ``notes`` of ``case_id``."""
        self.save()
        self._case_id = case_id
        self._stored_text = notes
        self.editor.blockSignals(True)
        self.editor.setPlainText(notes)
        self.editor.blockSignals(False)
        self.editor.setEnabled(case_id is not None)
        self.status.clear()

    def _typed(self) -> None:
        self.status.setText(_("Editing…"))
        self._pause.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.editor and event.type() == QEvent.Type.FocusOut:
            self.save()
        return super().eventFilter(watched, event)

    @property
    def pending(self) -> bool:
        return self._case_id is not None and self.editor.toPlainText() != self._stored_text

    def save(self) -> None:
        """Write the notes to the case if they changed since the last save."""
        self._pause.stop()
        if not self.pending:
            return
        text = self.editor.toPlainText()
        case_id = self._case_id
        assert case_id is not None
        try:
            cases.update_case(self._store, case_id=case_id, notes=text)
        except DocketError as exc:
            self.status.setText(_("Not saved: %1").replace("%1", str(exc)))
            return
        self._stored_text = text
        self.status.setText(_("Saved"))
        self.saved.emit(case_id)

    def reload(self) -> None:
        """Re-read the notes from the store unless the user has unsaved typing."""
        if self._case_id is not None and not self.pending:
            self.show_case(self._case_id, queries.case_with_company(self._store, self._case_id).notes)
