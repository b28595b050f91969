"""Where the data lives: the SQLite store, its migrations, evidence files, backups, revisions and verification."""
