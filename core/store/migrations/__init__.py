"""Alembic migrations of Docket's store.

``HEAD`` names the newest revision, so that opening an up-to-date store can skip importing
Alembic (half a second of start-up); a test keeps it equal to Alembic's own head.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from importlib.resources import as_file, files
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Alembic is imported only when a migration runs (start-up time)
    from alembic.config import Config

HEAD = "0008"


def alembic_config() -> tuple[Config, AbstractContextManager[Path]]:
    """Alembic's configuration for these migrations, and the context that keeps their folder
    on disk (a zipped install unpacks it): call ``ctx.__exit__(None, None, None)`` when done."""
    from alembic.config import Config

    ctx = as_file(files("core.store") / "migrations")
    location = ctx.__enter__()
    cfg = Config()
    cfg.set_main_option("script_location", str(location))
    return cfg, ctx
