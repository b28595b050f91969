"""The case workspace: header, timeline, contacts, evidence, notes, letters, undo."""
