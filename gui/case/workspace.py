"""The case workspace beside the case list: header, quick actions, and one tab per panel.

It composes the panels (each its own class) and owns the undo stack for the open case.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QLabel,
    QMenu,
    QMessageBox,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.domain.errors import DocketError, NotFoundError
from core.domain.models import Direction
from core.domain.when import When
from core.i18n import _
from core.journal import queries
from core.store.store import Store
from gui.case import undo
from gui.case.contacts_panel import ContactsPanel
from gui.case.evidence_panel import EvidencePanel
from gui.case.header import CaseHeader
from gui.case.letters_panel import LettersPanel
from gui.case.notes_panel import NotesPanel
from gui.case.timeline_view import TimelineView
from gui.dialogs.company import CompanyDialog, company_values
from gui.dialogs.edit_case import EditCaseDialog, case_values
from gui.dialogs.event import EventDialog
from gui.kit.flow import FlowLayout
from gui.kit.icons import icon_for_kind

EDITABLE = undo.EDITABLE_EVENT_FIELDS


class _Tabs(QTabWidget):
    """The case's tabs ask only for their minimum: the scroll area sizes the case page by its
    preferred height, and the tabs take whatever room is left (they hold tables that scroll)."""

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return self.minimumSizeHint()


class CaseWorkspace(QWidget):
    """Everything about one case. ``case_changed(case_id)`` after any edit made here."""

    case_changed = Signal(int)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._case_id: int | None = None
        self.undo_stack = QUndoStack(self)

        # One message only: on a first run the case list says how to start.
        self.empty = QLabel(_(
            "<h3>No case selected</h3><p>Pick a case from the list to see its timeline, contacts "
            "and evidence.</p>"), self)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setAccessibleName(_("No case selected"))

        self.header = CaseHeader(store, self)
        self.header.changed.connect(self._case_edited)
        self.header.edit_requested.connect(self.edit_case)
        self.header.company_requested.connect(self.edit_company)
        self.header.banner.draft_letter.connect(self._draft_letter)
        self.header.banner.log_reply.connect(lambda: self.log_event("reply"))
        self.header.banner.snoozed.connect(self._case_edited)

        self.timeline = TimelineView(store, self)
        self.timeline.event_activated.connect(lambda _ignored: self.edit_selected())
        self.timeline.evidence_activated.connect(self.show_evidence)
        self.timeline.table.evidence_dropped.connect(self._link_dropped)
        self.timeline.table.installEventFilter(self)
        self.timeline.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.timeline.table.customContextMenuRequested.connect(self._timeline_menu)
        self.contacts = ContactsPanel(store, self.undo_stack, self._after_change, self._undo_failed, self)
        self.contacts.company_requested.connect(self.edit_company)
        self.evidence = EvidencePanel(store, self.undo_stack, self._after_change, self._undo_failed, self)
        self.evidence.evidence_changed.connect(self._evidence_changed)
        self.notes = NotesPanel(store, self)
        self.notes.saved.connect(self.case_changed.emit)
        self.letters = LettersPanel(store, self)
        self.letters.letters_changed.connect(self._case_edited)

        self.tabs = _Tabs(self)
        self.tabs.tabBar().setChangeCurrentOnDrag(True)  # drag a file over "Timeline" to reach the events
        self.tabs.setAccessibleName(_("Case details"))
        self.tabs.addTab(self.timeline, _("&Timeline"))
        self.tabs.addTab(self.contacts, _("C&ontacts"))
        self.tabs.addTab(self.evidence, _("E&vidence"))
        self.tabs.addTab(self.notes, _("&Notes"))
        self.tabs.addTab(self.letters, _("Lette&rs"))

        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName(_("Workspace message"))
        self.message.hide()

        content = QWidget(self)
        layout = QVBoxLayout(content)
        layout.addWidget(self.header)
        layout.addLayout(self._quick_actions())
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)

        self.setAcceptDrops(True)
        # On a small screen (or at 200 %) the case scrolls instead of pushing its buttons
        # off-screen; with room to spare it fills the space and never scrolls.
        self.scroller = QScrollArea(self)
        self.scroller.setWidget(content)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.empty)
        self.pages.addWidget(self.scroller)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)
        self.show_case(None)

    def _quick_actions(self) -> FlowLayout:
        # The most common first, as buttons; the rest in a menu so the row fits a laptop. In a
        # longer language the buttons that do not fit go onto a second line.
        row = FlowLayout()
        buttons = (
            ("call", _("&Call"), _("Log a call"), "call"),
            ("email", _("&Email"), _("Log an email"), "email"),
            ("promise", _("&Promise"), _("Log a promise"), "promise"),
            ("letter", _("&Letter"), _("Log a letter"), "letter"),
            ("order", _("Or&der / payment"), _("Log the order or payment"), "payment"),
        )
        more = (
            ("charge", _("C&harge taken"), "payment"),
            ("refund", _("Re&fund received"), "payment"),
            ("visit", _("Log a &visit"), "visit"),
            ("event", _("Log &other…"), "note"),
        )
        self.quick_buttons: dict[str, QToolButton] = {}
        self.quick_actions: dict[str, QAction] = {}
        row.addWidget(QLabel(_("Log:"), self))
        for action, label, spoken, kind in buttons:
            button = QToolButton(self)
            button.setText(label)
            button.setAccessibleName(spoken)
            button.setToolTip(spoken)
            button.setIcon(icon_for_kind(kind))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.clicked.connect(lambda _ignored=False, a=action: self.log_event(a))
            row.addWidget(button)
            self.quick_buttons[action] = button
        self.more_button = QToolButton(self)
        self.more_button.setText(_("&More"))
        self.more_button.setAccessibleName(_("More kinds of event"))
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.more_button)
        for action, label, kind in more:
            item = menu.addAction(icon_for_kind(kind), label)
            item.triggered.connect(lambda _ignored=False, a=action: self.log_event(a))
            self.quick_actions[action] = item
        self.more_button.setMenu(menu)
        row.addWidget(self.more_button)
        return row

    # -- the contract with the main window ----------------------------------------------
    @property
    def case_id(self) -> int | None:
        return self._case_id

    def show_case(self, case_id: int | None) -> None:
        """Show ``case_id`` (or the empty state for ``None``). Undo history is per case."""
        self.notes.save()
        if case_id != self._case_id:
            self.undo_stack.clear()
        self._case_id = case_id
        self.message.hide()
        if case_id is None:
            self.pages.setCurrentWidget(self.empty)
            self.header.show_case(None)
            self.timeline.show_case(None)
            self.contacts.show_case(None)
            self.evidence.show_case(None)
            self.notes.show_case(None)
            self.letters.show_case(None)
            return
        try:
            self.header.show_case(case_id)
        except NotFoundError:
            self.show_case(None)
            return
        case = self.header.case
        assert case is not None
        self.pages.setCurrentWidget(self.pages.widget(1))
        self.timeline.currency = case.currency
        self.timeline.show_case(case_id)
        self.contacts.show_case(case_id, case.company)
        self.evidence.show_case(case_id)
        self.notes.show_case(case_id, case.notes)
        self.letters.show_case(case_id)

    def log_event(self, action: str = "event") -> None:
        """Open the event form for a quick action (call, promise, email, letter, visit, reply)."""
        if self._case_id is None:
            return
        case_id = self._case_id

        def submit(values: dict[str, Any]) -> None:
            command = undo.AddEvent(self._store, self._after_change, case_id=case_id, values=values,
                                    failed=self._undo_failed, text=_("Log %1").replace("%1", values["summary"]))
            redate = self._first_event_dates_case(values["at"])
            if redate is None:
                undo.push(self.undo_stack, command)
                return
            # One undo step: the first event and the case's start date it gives.
            self.undo_stack.beginMacro(command.text())
            try:
                undo.push(self.undo_stack, command)
                undo.push(self.undo_stack, undo.EditCase(
                    self._store, self._after_case_change, case_id=case_id, before={"opened_on": redate[0]},
                    after={"opened_on": redate[1]}, failed=self._undo_failed))
            finally:
                self.undo_stack.endMacro()

        self.tabs.setCurrentWidget(self.timeline)
        direction = self._guess_direction() if action == "email" else None
        dialog = EventDialog(submit, action=action, contacts=self._contact_choices(), currency=self._currency(),
                             direction=direction, parent=self)
        if dialog.exec() == EventDialog.DialogCode.Accepted and dialog.files:
            self._attach_to(dialog.files, self.timeline.selected_event_id())

    def _first_event_dates_case(self, at: str) -> tuple[date, date] | None:
        """(old, new) start date when this first event should date the case: the case was
        opened without a date of its own (it got the day it was typed in) and the event is
        earlier. None otherwise."""
        case = self.header.case
        if case is None or self.timeline.model.total() or case.created_at is None:
            return None
        try:
            day = When.parse(at).day
        except DocketError:
            return None
        if case.opened_on == case.created_at.date() and day < case.opened_on:
            return case.opened_on, day
        return None

    def _currency(self) -> str:
        case = self.header.case
        return case.currency if case is not None else ""

    def _guess_direction(self) -> str:
        """An email after one of ours is most likely their answer; otherwise we are writing."""
        last = self.timeline.model.last_event()
        if last is not None and last.direction == Direction.TO_COMPANY:
            return Direction.FROM_COMPANY.value
        return Direction.TO_COMPANY.value

    def edit_case(self) -> None:
        """Open the case form with every field; the change is one undoable step."""
        if self._case_id is None:
            return
        # Notes typed in the Notes tab are kept first, so the form shows (and keeps) them.
        self.notes.save()
        case = queries.case_with_company(self._store, self._case_id)
        before = case_values(case)
        companies = [c.name for c in queries.company_records(self._store)]

        def submit(values: dict[str, Any]) -> None:
            after = {k: v for k, v in values.items() if v != before.get(k)}
            if after:
                undo.push(self.undo_stack, undo.EditCase(
                    self._store, self._after_case_change, case_id=case.id, before=before, after=after,
                    failed=self._undo_failed, text=_("Edit case")))

        EditCaseDialog(case, companies, submit, self).exec()

    def edit_company(self) -> None:
        """Edit the details of the case's company (shared by all its cases), undoably."""
        case = self.header.case
        if case is None or case.company is None:
            return
        company = case.company
        before = company_values(company)
        shared = next((r.cases for r in queries.company_records(self._store) if r.id == company.id), 0)

        def submit(values: dict[str, Any]) -> None:
            after = {k: v for k, v in values.items() if v != before.get(k)}
            if after:
                undo.push(self.undo_stack, undo.EditCompany(
                    self._store, self._after_case_change, company_id=company.id, before=before,
                    after=after, failed=self._undo_failed, text=_("Edit company details")))

        CompanyDialog(company, submit, cases=shared, parent=self).exec()

    def edit_selected(self) -> None:
        """Edit the selected event (F2), or the selected contact on the Contacts tab."""
        if self.tabs.currentWidget() is self.contacts:
            self.contacts.edit_selected()
            return
        if self.tabs.currentWidget() is not self.timeline:
            return  # never act on a selection the user cannot see
        event = self.timeline.selected_event()
        if event is None:
            return
        before = {key: getattr(event, key) for key in EDITABLE}

        def submit(values: dict[str, Any]) -> None:
            after = {k: v for k, v in values.items() if v != before.get(k)}
            if after:
                undo.push(self.undo_stack, undo.EditEvent(
                    self._store, self._after_change, event_id=event.id, before=before, after=after,
                    failed=self._undo_failed, text=_("Edit %1").replace("%1", event.summary)))

        dialog = EventDialog(submit, event=event, contacts=self._contact_choices(), currency=self._currency(),
                             parent=self)
        if dialog.exec() == EventDialog.DialogCode.Accepted and dialog.files:
            self._attach_to(dialog.files, event.id)

    def _attach_to(self, files: list[Path], event_id: int | None) -> None:
        """Copy files chosen in the event form into the evidence, linked to that event."""
        self.evidence.add_files(files, [event_id] if event_id is not None else [])

    def delete_selected(self) -> None:
        """Delete the selected event (Del) without asking: Undo brings it back with its links.
        On the Contacts tab, the selected contact."""
        if self.tabs.currentWidget() is self.contacts:
            self.contacts.delete_selected()
            return
        if self.tabs.currentWidget() is not self.timeline:
            return  # never delete what the user cannot see
        event = self.timeline.selected_event()
        if event is None:
            return
        row = self.timeline.model.row_of_event(event.id)
        try:
            undo.push(self.undo_stack, undo.DeleteEvent(
                self._store, self._after_change, event_id=event.id, failed=self._undo_failed,
                text=_("Delete %1").replace("%1", event.summary)))
        except DocketError as exc:
            QMessageBox.warning(self, _("Event not deleted"), str(exc))
            return
        # Keep the cursor where it was so Del can be pressed again.
        count = self.timeline.model.rowCount()
        if count:
            self.timeline.table.selectRow(min(row, count - 1))
        self.message.setText(_("Deleted “%1”. Undo (Ctrl+Z) brings it back.").replace("%1", event.summary))
        self.message.show()

    def _link_dropped(self, evidence_id: int, event_id: int) -> None:
        """An evidence file dropped on an event: link them (undoable)."""
        try:
            undo.push(self.undo_stack, undo.LinkEvidence(self._store, self._after_change, event_id=event_id,
                                                         evidence_id=evidence_id, failed=self._undo_failed,
                                                         text=_("Link evidence")))
        except DocketError as exc:
            self.message.setText(str(exc))
            self.message.show()

    def show_evidence(self, evidence_id: int) -> None:
        """Switch to the Evidence tab with ``evidence_id`` selected and previewed."""
        self.tabs.setCurrentWidget(self.evidence)
        self.evidence.select(evidence_id)

    # -- keeping everything in step -----------------------------------------------------
    def _contact_choices(self) -> list[tuple[int, str]]:
        return [(c.id, f"{c.name} ({c.role})" if c.role else c.name) for c in self.contacts.model.contacts()]

    def _after_change(self, focus_event: int | None) -> None:
        """Called by every undo command after it did, undid or redid its change."""
        if self._case_id is None:
            return
        self.message.hide()
        self.timeline.reload(select_event=focus_event)
        self.header.refresh_time_spent()
        self.header.banner.show_case(self._case_id)
        self.contacts.show_case(self._case_id, self.header.case.company if self.header.case else None)
        self.evidence.reload()
        self.case_changed.emit(self._case_id)

    def _after_case_change(self, focus_event: int | None) -> None:
        """After an edit of the case or its company: the header and the notes read them again."""
        if self._case_id is not None:
            self.header.show_case(self._case_id)
            self.notes.reload()
        self._after_change(focus_event)

    def _evidence_changed(self) -> None:
        if self._case_id is not None:
            self.timeline.reload()
            self.case_changed.emit(self._case_id)

    def _case_edited(self) -> None:
        if self._case_id is not None:
            self.header.show_case(self._case_id)
            self.case_changed.emit(self._case_id)

    def _undo_failed(self, message: str) -> None:
        self.message.setText(_("Could not undo or redo: %1").replace("%1", message))
        self.message.show()

    def _draft_letter(self, template_id: str) -> None:
        self.tabs.setCurrentWidget(self.letters)
        self.letters.new_letter(template_id or None)

    def _timeline_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        has_event = self.timeline.selected_event() is not None
        edit = menu.addAction(_("&Edit…"), self.edit_selected)
        edit.setShortcut(QKeySequence(Qt.Key.Key_F2))
        edit.setEnabled(has_event)
        delete = menu.addAction(_("&Delete"), self.delete_selected)
        delete.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete.setEnabled(has_event)
        menu.addSeparator()
        menu.addAction(_("&Log an event…"), self.log_event)
        menu.popup(self.timeline.table.viewport().mapToGlobal(pos))

    # Files dropped anywhere on the case go to its evidence.
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.evidence.dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        self.tabs.setCurrentWidget(self.evidence)
        self.evidence.dropEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Del and F2 on the timeline; the main window's shortcuts, when present, act first.
        if watched is self.timeline.table and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key == Qt.Key.Key_Delete:
                self.delete_selected()
                return True
            if key == Qt.Key.Key_F2:
                self.edit_selected()
                return True
        return super().eventFilter(watched, event)
