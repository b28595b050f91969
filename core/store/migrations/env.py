"""Alembic environment for Docket's store.

Docket runs migrations itself when a store is opened (see :mod:`core.store`), passing the
open connection in ``config.attributes["connection"]``.
"""

from alembic import context

from core.domain.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    from sqlalchemy import create_engine

    connection = create_engine(config.get_main_option("sqlalchemy.url") or "").connect()

# render_as_batch: SQLite alters tables by copying them, which batch mode does for us.
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
