"""Undoable changes to a case, as QUndoCommands over the use-case functions of core.cases.

Each command does its work once through :func:`push` (so a validation error reaches the form
that caused it and nothing goes on the undo stack), then undo and redo call core again. A
deleted event is put back from the snapshot :func:`core.cases.delete_event` returns, with its
id and its evidence links. ``changed(event_id)`` is called after every do, undo and redo so
the window can re-read the case and select the event that changed (or ``None``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand, QUndoStack

from core.domain.errors import DocketError
from core.i18n import _
from core.journal import cases
from core.store.store import Store

Changed = Callable[[int | None], None]
Failed = Callable[[str], None]


class CoreCommand(QUndoCommand):
    """A change to the store that can be undone. Subclasses implement ``apply``/``revert``."""

    def __init__(self, store: Store, text: str, changed: Changed, failed: Failed | None = None) -> None:
        super().__init__(text)
        self.store = store
        self._changed = changed
        self._failed = failed
        self._skip_first_redo = False
        self.focus: int | None = None

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        if self._skip_first_redo:
            self._skip_first_redo = False
        else:
            self._guarded(self.apply)
        self._changed(self.focus)

    def undo(self) -> None:
        self._guarded(self.revert)
        self._changed(self.focus)

    def _guarded(self, action: Callable[[], None]) -> None:
        # Undo must never bring the window down: if the store has moved on (the case was
        # deleted meanwhile), say so and drop the history that can no longer apply.
        try:
            action()
        except DocketError as exc:
            self.setObsolete(True)
            if self._failed is not None:
                self._failed(str(exc))


def push(stack: QUndoStack, command: CoreCommand) -> None:
    """Do ``command`` now and put it on ``stack``. Raises the core error (and pushes nothing)
    if the change is refused."""
    command.apply()
    command._skip_first_redo = True
    stack.push(command)


EDITABLE_EVENT_FIELDS = ("at", "kind", "direction", "contact_id", "summary", "details",
                         "duration_minutes", "waiting_minutes", "reference", "promised_by",
                         "meaning", "amount")


class AddEvent(CoreCommand):
    """Log an event (with evidence links); undo deletes it, redo puts it back with its id."""

    def __init__(self, store: Store, changed: Changed, *, case_id: int, values: dict[str, Any],
                 evidence_ids: list[int] | None = None, failed: Failed | None = None, text: str = "") -> None:
        super().__init__(store, text or _("Log event"), changed, failed)
        self.case_id = case_id
        self.values = dict(values)
        self.evidence_ids = list(evidence_ids or [])
        self.snapshot: dict[str, Any] | None = None

    def apply(self) -> None:
        if self.snapshot is not None:
            self.focus = cases.restore_event(self.store, snapshot=self.snapshot)
        else:
            self.focus = cases.log_event(self.store, case_id=self.case_id, evidence_ids=self.evidence_ids, **self.values)

    def revert(self) -> None:
        assert self.focus is not None
        self.snapshot = cases.delete_event(self.store, event_id=self.focus)


class EditEvent(CoreCommand):
    """Change an event's fields; undo puts the old values back."""

    def __init__(self, store: Store, changed: Changed, *, event_id: int, before: dict[str, Any],
                 after: dict[str, Any], failed: Failed | None = None, text: str = "") -> None:
        super().__init__(store, text or _("Edit event"), changed, failed)
        self.focus = event_id
        self.before = {k: before.get(k) for k in after}
        self.after = dict(after)

    def apply(self) -> None:
        cases.update_event(self.store, event_id=self.focus, **self.after)  # type: ignore[arg-type]

    def revert(self) -> None:
        cases.update_event(self.store, event_id=self.focus, **self.before)  # type: ignore[arg-type]


class DeleteEvent(CoreCommand):
    """Delete an event; undo restores it with its id, contact and evidence links."""

    def __init__(self, store: Store, changed: Changed, *, event_id: int, failed: Failed | None = None,
                 text: str = "") -> None:
        super().__init__(store, text or _("Delete event"), changed, failed)
        self.event_id = event_id
        self.snapshot: dict[str, Any] | None = None

    def apply(self) -> None:
        self.snapshot = cases.delete_event(self.store, event_id=self.event_id)
        self.focus = None

    def revert(self) -> None:
        assert self.snapshot is not None
        self.focus = cases.restore_event(self.store, snapshot=self.snapshot)


class AddContact(CoreCommand):
    """Add a contact to a case; undo removes it; redo brings it back under the same id."""

    def __init__(self, store: Store, changed: Changed, *, case_id: int, values: dict[str, Any],
                 failed: Failed | None = None, text: str = "") -> None:
        super().__init__(store, text or _("Add contact"), changed, failed)
        self.case_id = case_id
        self.values = dict(values)
        self.contact_id: int | None = None

    def apply(self) -> None:
        self.contact_id = cases.add_contact(self.store, case_id=self.case_id, contact_id=self.contact_id, **self.values)

    def revert(self) -> None:
        assert self.contact_id is not None
        cases.delete_contact(self.store, contact_id=self.contact_id)


class EditContact(CoreCommand):
    """Change a contact's details; undo puts the old ones back."""

    def __init__(self, store: Store, changed: Changed, *, contact_id: int, before: dict[str, Any],
                 after: dict[str, Any], failed: Failed | None = None, text: str = "") -> None:
        super().__init__(store, text or _("Edit contact"), changed, failed)
        self.contact_id = contact_id
        self.before = {k: before.get(k, "") for k in after}
        self.after = dict(after)

    def apply(self) -> None:
        cases.update_contact(self.store, contact_id=self.contact_id, **self.after)

    def revert(self) -> None:
        cases.update_contact(self.store, contact_id=self.contact_id, **self.before)


class DeleteContact(CoreCommand):
    """Delete a contact; undo brings them back and re-links the events that named them."""

    def __init__(self, store: Store, changed: Changed, *, case_id: int, contact_id: int,
                 failed: Failed | None = None, text: str = "") -> None:
        super().__init__(store, text or _("Delete contact"), changed, failed)
        self.case_id = case_id
        self.contact_id = contact_id
        self.snapshot: dict[str, Any] | None = None

    def apply(self) -> None:
        self.snapshot = cases.delete_contact(self.store, contact_id=self.contact_id)

    def revert(self) -> None:
        assert self.snapshot is not None
        cases.restore_contact(self.store, snapshot=self.snapshot)


class LinkEvidence(CoreCommand):
    """Link (or, with ``unlink=True``, unlink) an evidence file and an event."""

    def __init__(self, store: Store, changed: Changed, *, event_id: int, evidence_id: int,
                 unlink: bool = False, failed: Failed | None = None, text: str = "") -> None:
        super().__init__(store, text or (_("Unlink evidence") if unlink else _("Link evidence")), changed, failed)
        self.focus = event_id
        self.evidence_id = evidence_id
        self.unlink = unlink

    def _link(self, on: bool) -> None:
        fn = cases.link_evidence if on else cases.unlink_evidence
        fn(self.store, event_id=self.focus, evidence_id=self.evidence_id)  # type: ignore[arg-type]

    def apply(self) -> None:
        self._link(not self.unlink)

    def revert(self) -> None:
        self._link(self.unlink)


class EditCase(CoreCommand):
    """Change a case's fields (title, company, money, dates, payment...); undo puts the old
    values back."""

    def __init__(self, store: Store, changed: Changed, *, case_id: int, before: dict[str, Any],
                 after: dict[str, Any], failed: Failed | None = None, text: str = "") -> None:
        super().__init__(store, text or _("Edit case"), changed, failed)
        self.case_id = case_id
        self.before = {k: before.get(k) for k in after}
        self.after = dict(after)

    def apply(self) -> None:
        cases.update_case(self.store, case_id=self.case_id, **self.after)

    def revert(self) -> None:
        cases.update_case(self.store, case_id=self.case_id, **self.before)


class EditCompany(CoreCommand):
    """Change a company's details (shared by all its cases); undo puts the old ones back."""

    def __init__(self, store: Store, changed: Changed, *, company_id: int, before: dict[str, Any],
                 after: dict[str, Any], failed: Failed | None = None, text: str = "") -> None:
        super().__init__(store, text or _("Edit company"), changed, failed)
        self.company_id = company_id
        self.before = {k: before.get(k) for k in after}
        self.after = dict(after)

    def apply(self) -> None:
        cases.update_company(self.store, company_id=self.company_id, **self.after)

    def revert(self) -> None:
        cases.update_company(self.store, company_id=self.company_id, **self.before)


class EditEvidence(CoreCommand):
    """Change an evidence item's description or capture date (never the file); undo puts the
    old ones back."""

    def __init__(self, store: Store, changed: Changed, *, evidence_id: int, before: dict[str, Any],
                 after: dict[str, Any], failed: Failed | None = None, text: str = "") -> None:
        super().__init__(store, text or _("Describe evidence"), changed, failed)
        self.evidence_id = evidence_id
        self.before = {k: before.get(k) for k in after}
        self.after = dict(after)

    def _set(self, values: dict[str, Any]) -> None:
        # update_evidence leaves a field alone when given None; "" clears a capture date.
        fields = {k: ("" if k == "captured_on" and v is None else v) for k, v in values.items()}
        cases.update_evidence(self.store, evidence_id=self.evidence_id, **fields)

    def apply(self) -> None:
        self._set(self.after)

    def revert(self) -> None:
        self._set(self.before)
