"""Docket's core: the case journal without a screen.

Everything the window can do is available here headless: the domain model, the store,
escalation rules, reminders, letters and exports. Nothing in this package imports Qt's widget module.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("docket")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+checkout"
