"""Redaction: the masks a redacted case history puts over personal data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_EMAIL = r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"


# Dates and times are kept: they are the backbone of the chronology, not personal data.
_DATE = r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b"


_IBAN = r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"


# A run of digits, possibly grouped by spaces, hyphens or brackets (card numbers, accounts,
# phone numbers, sort codes), not part of a longer word (file names, hashes).
_DIGITS = r"(?<![\w.,])\+?(?:\(\d{1,5}\)[ \u00a0-]?)?\d(?:[ \u00a0-]?\d)+(?![\w])"


_PATTERN = re.compile(f"(?P<email>{_EMAIL})|(?P<date>{_DATE})|(?P<iban>{_IBAN})|(?P<digits>{_DIGITS})")


MIN_MASKED_DIGITS = 6


def own_details(name: str, address: str, email: str, phone: str) -> list[tuple[str, str]]:
    """The sender's own details from Settings as phrases to mask: each address line (a lone
    country name stays: it identifies nobody), the email address and the phone number."""
    lines = [line.strip() for line in address.splitlines() if line.strip()]
    if lines and len(lines) > 1 and not any(ch.isdigit() for ch in lines[-1]) and " " not in lines[-1]:
        lines = lines[:-1]
    out = [(line, "[address]") for line in lines]
    if email.strip():
        out.append((email.strip(), "[email]"))
    if phone.strip():
        out.append((phone.strip(), "[phone]"))
    if name.strip():
        out.append((name.strip(), "[name]"))
    return out


class Redactor:
    """Masks email addresses, phone numbers, account and card numbers, and chosen names.

    A name is masked as a whole and also word by word (a surname alone, "Ms Smith", must not
    slip through); matching ignores case. When not enabled, text passes through unchanged.
    """

    def __init__(self, names: Iterable[str] = (), *, enabled: bool = True,
                 phrases: Iterable[tuple[str, str]] = ()) -> None:
        self.enabled = enabled
        # Whole phrases masked with their own label first (the user's address lines, their
        # email and phone as typed in Settings), whatever the spacing or case.
        literal = sorted({(" ".join(p.split()), label) for p, label in phrases if len(" ".join(p.split())) >= 3},
                         key=lambda item: len(item[0]), reverse=True)
        self._phrase_labels = {p.lower(): label for p, label in literal}
        self._phrases = (
            re.compile("|".join(r"\s+".join(re.escape(w) for w in p.split()) for p, _ in literal), re.IGNORECASE)
            if literal else None
        )
        words: set[str] = set()
        for name in names:
            name = " ".join(str(name).split())
            if not name:
                continue
            words.add(name)
            words.update(part for part in re.split(r"[\s,]+", name) if len(part) >= 2)
        # Longest first so "Jane Smith" goes as one mask, not two.
        ordered = sorted(words, key=len, reverse=True)
        self._names = (
            re.compile("|".join(rf"(?<!\w){re.escape(w)}(?!\w)" for w in ordered), re.IGNORECASE)
            if ordered else None
        )

    def __call__(self, text: str | None) -> str:
        if not text:
            return ""
        if not self.enabled:
            return text
        if self._phrases is not None:
            text = self._phrases.sub(
                lambda m: self._phrase_labels.get(" ".join(m.group(0).split()).lower(), "[private]"), text)
        text = _PATTERN.sub(self._mask, text)
        if self._names is not None:
            text = self._names.sub("[name]", text)
        return text

    @staticmethod
    def _mask(match: re.Match[str]) -> str:
        if match.group("email"):
            return "[email]"
        if match.group("date"):
            return match.group(0)
        if match.group("iban"):
            return "[account]"
        raw = match.group("digits")
        digits = sum(ch.isdigit() for ch in raw)
        if digits < MIN_MASKED_DIGITS:
            return raw
        if raw[0] in "+(" or (raw[0] == "0" and 9 <= digits <= 13):
            return "[phone]"
        return "[number]"

