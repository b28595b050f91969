"""Dialogs: new case, event, letter editor, export, email import, settings, about."""
