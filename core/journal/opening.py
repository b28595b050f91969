"""Opening the store the way Docket uses it: with every reaction to its writes in place.

The window, the command line and the tests open the store here. :meth:`Store.open` locks the
data folder and brings the schema up to date, and every store runs its own reaction (the
revision chain); this adds the reactions of the rooms above the store, so that one place lists all
that a write sets off (see :mod:`core.store.unit_of_work`).
"""

from __future__ import annotations

from pathlib import Path

from core.escalation.reminders import NextDue
from core.store.store import Store


def open_store(data_dir: Path | str | None = None, *, key: bytes | None = None) -> Store:
    """Open (creating if needed) the store in ``data_dir`` (the user's data folder if None).

    A store protected with a passphrase needs its data key (:func:`core.store.crypto.unlock`);
    without it :class:`core.store.store.StoreLocked` is raised and nothing is read.

    Every write to it then also: records its revisions (:class:`core.store.revisions.RevisionChain`,
    which every store runs); recomputes ``Case.next_due`` for the cases it touched and
    refreshes the due list (:class:`core.escalation.reminders.NextDue`); and removes the
    evidence files it copied in if it rolls back (:meth:`Store.write`).

    Raises :class:`core.domain.errors.StoreLockedError` if another Docket has it open.
    """
    store = Store.open(data_dir, key=key)
    store.reactions.add(NextDue())
    return store
