"""Errors a user can do something about.

Each carries a message written for the person at the keyboard. The command line prints it on
one line and exits with code 2; the window shows it in a dialog. Anything else is a bug.
"""

from __future__ import annotations


class DocketError(Exception):
    """A problem caused by the user's input or environment, with a readable message."""

    exit_code = 2


class ValidationError(DocketError):
    """A value is wrong. ``path`` names where it is, e.g. ``case.events[3].at``."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class NotFoundError(DocketError):
    """Something the user named (a case id, a template id) does not exist."""


class StoreLockedError(DocketError):
    """Another Docket already has this data directory open."""


class StoreError(DocketError):
    """The store cannot be opened or is damaged."""
