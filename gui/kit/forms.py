"""What a form does when the user presses OK: its values go to the use case, and a value the
use case refuses is shown next to the form, with the cursor on the field its path names."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel

from core.domain.errors import DocketError, ValidationError


def show_error(label: QLabel, message: str) -> None:
    """Show a form's problem in its error line (hidden until there is one)."""
    label.setText("⚠ " + message)
    label.show()


def submitted(submit: Callable[[], object], refused: Callable[[str, str | None], None]) -> bool:
    """Read the form and hand its values to the use case (``submit``); True when it took them.
    A refused value (reading the form or in the use case) calls ``refused(message, path)`` with
    the path named (``None`` for a problem that belongs to no one field); the store is then as
    it was, and the form stays open."""
    try:
        submit()
    except ValidationError as exc:
        refused(exc.message, exc.path)
        return False
    except DocketError as exc:
        refused(str(exc), None)
        return False
    return True


def last_part(path: str | None) -> str | None:
    """The field a use case's path names in a flat form (``company.email`` -> ``email``)."""
    return None if path is None else path.rsplit(".", 1)[-1]
