"""Revision history (filled in by the data-safety work)."""
