"""The tests here read Docket's English, whatever the machine's locale (tests/english.py)."""

from tests.english import english

__all__ = ["english"]
