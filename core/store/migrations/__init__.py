"""Alembic migrations of Docket's store.

``HEAD`` names the newest revision, so that opening an up-to-date store can skip importing
Alembic (half a second of start-up); a test keeps it equal to Alembic's own head.
"""

HEAD = "0004"
