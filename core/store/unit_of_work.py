"""One write to the store, and what reacts to it.

Every write is one :class:`UnitOfWork`: :meth:`core.store.store.Store.write` opens it, the use
case changes rows through its session, and the whole unit commits or rolls back. Some data is
kept right by *reactions* to the unit rather than by each use case:

* the revision chain (:class:`core.store.revisions.RevisionChain`) records every changed row
  as it is flushed;
* ``Case.next_due`` and the due list (:class:`core.escalation.reminders.NextDue`) are brought
  up to date for the cases the unit touched, just before it commits;
* evidence files copied into the store for the unit are removed again if it rolls back (the
  store itself does this, from :attr:`UnitOfWork.new_evidence_files`).

A :class:`Reaction` is registered on one store's own session factory with
``store.reactions.add(...)``; every store registers the revision chain itself, and
:func:`core.journal.opening.open_store` adds the rest. Nothing listens to every SQLAlchemy
session of the process, and a reaction keeps what it notes during one unit in a typed object
of its own (:meth:`UnitOfWork.notes`), not in ``session.info``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from core.domain.errors import StoreError
from core.i18n import _
from core.store.files import EvidenceStore, StoredFile

N = TypeVar("N")


class UnitOfWork:
    """One write: its session, the evidence files it copied in, and its reactions' notes."""

    def __init__(self, session: WriteSession, evidence: EvidenceStore) -> None:
        self.session = session
        self.evidence = evidence
        # Files this unit added to the evidence store; removed again if it rolls back.
        self.new_evidence_files: list[str] = []
        self._notes: dict[type[Any], Any] = {}

    def keep_new_file(self, stored: StoredFile) -> None:
        """Record that ``stored`` was copied in for this unit (nothing to do if the store
        already held that content): a rollback removes it again."""
        if stored.created:
            self.new_evidence_files.append(stored.sha256)

    def notes(self, kind: type[N]) -> N:
        """What one reaction noted during this unit: an instance of ``kind``, made with
        ``kind()`` on first use and dropped with the unit."""
        found = self._notes.get(kind)
        if found is None:
            found = self._notes[kind] = kind()
        assert isinstance(found, kind)
        return found

    def forget(self, kind: type[Any]) -> None:
        """Drop what a reaction noted (after it acted on it, or on a rollback)."""
        self._notes.pop(kind, None)


class WriteSession(Session):
    """The session of a store's writes; :attr:`unit` is its unit of work while it writes."""

    unit: UnitOfWork | None = None


def unit_of(session: Session) -> UnitOfWork:
    """The unit of work ``session`` writes for (a session from :meth:`Store.write`)."""
    unit = session.unit if isinstance(session, WriteSession) else None
    if unit is None:
        raise StoreError(_("This needs a session from Store.write()."))
    return unit


class Reaction:
    """Something kept right on every unit of work. Each hook does nothing unless overridden.

    ``before_flush``/``after_flush`` run around each flush of the unit's changes (several may
    happen before a commit); ``before_commit`` runs once, before the transaction commits, and
    may still write; ``after_commit``/``after_rollback`` run once it is over. ``on_statement``
    sees each ORM statement run through the session (bulk ``insert(...)``, ``update(...)``).
    """

    def before_flush(self, unit: UnitOfWork) -> None:
        """Called before the unit's pending changes are written."""

    def after_flush(self, unit: UnitOfWork) -> None:
        """Called after they are written, inside the transaction."""

    def before_commit(self, unit: UnitOfWork) -> None:
        """Called once before the commit; the unit's session may still write."""

    def after_commit(self, unit: UnitOfWork) -> None:
        """Called once the transaction committed."""

    def after_rollback(self, unit: UnitOfWork) -> None:
        """Called once the transaction rolled back."""

    def on_statement(self, unit: UnitOfWork, statement: ORMExecuteState) -> None:
        """Called for each ORM statement executed through the unit's session."""


R = TypeVar("R", bound=Reaction)


class Reactions:
    """The reactions of one store's writes, run in the order they were added."""

    def __init__(self, factory: sessionmaker[WriteSession]) -> None:
        self._reactions: list[Reaction] = []
        # Listening on the store's own factory: sessions of other stores, or SQLAlchemy
        # sessions made elsewhere, never reach these reactions.
        event.listen(factory, "before_flush", self._before_flush)
        event.listen(factory, "after_flush", self._after_flush)
        event.listen(factory, "before_commit", self._before_commit)
        event.listen(factory, "after_commit", self._after_commit)
        event.listen(factory, "after_rollback", self._after_rollback)
        event.listen(factory, "do_orm_execute", self._on_statement)

    def add(self, reaction: R) -> R:
        """Run ``reaction`` on every later unit of work; returns it."""
        self._reactions.append(reaction)
        return reaction

    def find(self, kind: type[R]) -> R | None:
        """The added reaction of that kind, if any."""
        return next((r for r in self._reactions if isinstance(r, kind)), None)

    # SQLAlchemy's session events, passed on with the session's unit of work.
    @staticmethod
    def _unit(session: Session) -> UnitOfWork | None:
        return session.unit if isinstance(session, WriteSession) else None

    def _before_flush(self, session: Session, _context: object, _instances: object) -> None:
        if (unit := self._unit(session)) is not None:
            for reaction in list(self._reactions):
                reaction.before_flush(unit)

    def _after_flush(self, session: Session, _context: object) -> None:
        if (unit := self._unit(session)) is not None:
            for reaction in list(self._reactions):
                reaction.after_flush(unit)

    def _before_commit(self, session: Session) -> None:
        if (unit := self._unit(session)) is not None:
            for reaction in list(self._reactions):
                reaction.before_commit(unit)

    def _after_commit(self, session: Session) -> None:
        if (unit := self._unit(session)) is not None:
            for reaction in list(self._reactions):
                reaction.after_commit(unit)

    def _after_rollback(self, session: Session) -> None:
        if (unit := self._unit(session)) is not None:
            for reaction in list(self._reactions):
                reaction.after_rollback(unit)

    def _on_statement(self, state: ORMExecuteState) -> None:
        if (unit := self._unit(state.session)) is not None:
            for reaction in list(self._reactions):
                reaction.on_statement(unit, state)
