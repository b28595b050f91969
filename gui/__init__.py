"""Docket's window: the shell (main window, sidebar, case list) and the case workspace.

Widgets here show and ask; every rule and every write lives in :mod:`core`.
"""
