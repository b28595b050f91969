"""The words of the case history, in the current language: the names of kinds, directions,
categories, statuses, outcomes and meanings, and durations.

The case history is written in the window's language (a German user hands a German history to
a German bank). The English words are the same as :mod:`core.documents.wording`'s (a letter
in another language than the window's takes its words from there); these are marked for the
catalog and translated each time a history is made.
"""

from __future__ import annotations

from core.documents.wording import label as english_label
from core.i18n import N_, _

# Every stored value the history names, by value (kinds, categories, statuses, outcomes,
# the way a letter was sent).
VALUE_LABELS = {
    # EventKind
    "call": N_("Call"), "email": N_("Email"), "letter": N_("Letter"), "chat": N_("Chat"),
    "visit": N_("Visit"), "web_form": N_("Web form"), "social": N_("Social"), "payment": N_("Payment"),
    "delivery": N_("Delivery"), "promise": N_("Promise"), "response": N_("Response"), "note": N_("Note"),
    # Category
    "refund": N_("Refund"), "non_delivery": N_("Non-delivery"), "faulty_goods": N_("Faulty goods"),
    "billing_error": N_("Billing error"), "subscription": N_("Subscription"),
    "cancellation": N_("Cancellation"), "warranty": N_("Warranty"), "service": N_("Service"),
    "other": N_("Other"),
    # Status
    "open": N_("Open"), "awaiting_reply": N_("Awaiting reply"), "escalated": N_("Escalated"),
    "resolved": N_("Resolved"), "closed": N_("Closed"),
    # Outcome
    "won": N_("Won"), "partly_won": N_("Partly won"), "lost": N_("Lost"), "abandoned": N_("Abandoned"),
    # How a letter was sent (Letter.sent_via)
    "post": N_("Post"), "recorded": N_("Recorded"), "recorded_delivery": N_("Recorded delivery"),
    "registered": N_("Registered"), "hand": N_("Hand"),
}

DIRECTION_LABELS = {
    "to_company": N_("to company"),
    "from_company": N_("from company"),
    "internal": N_("own note"),
}

MEANING_LABELS = {
    "purchase": N_("Purchase / payment by me"), "charge": N_("Charge taken by the company"),
    "refund": N_("Refund received"), "invoice": N_("Bill from the company"), "problem": N_("Problem began"),
    "complaint": N_("Complaint"), "formal_complaint": N_("Formal complaint"), "cancellation": N_("Cancellation"),
    "reply": N_("Reply"), "acknowledgement": N_("Acknowledgement"), "promise": N_("Promise"),
    "partial_offer": N_("Partial offer"), "refusal": N_("Refusal"), "final_response": N_("Final response"),
    "resolved": N_("Resolved"),
}


def value_label(value: str | None) -> str:
    """A stored value as the history names it: ``web_form`` -> ``Web form`` (``Formulaire web``).
    A value Docket has no word for is shown as English words."""
    if not value:
        return ""
    found = VALUE_LABELS.get(value)
    return _(found) if found else english_label(value)


def direction_label(value: str | None) -> str:
    """``to_company`` -> ``to company``, in the current language."""
    found = DIRECTION_LABELS.get(value or "")
    return _(found) if found else value_label(value)


def meaning_label(meaning: str) -> str:
    """An event meaning as the chronology names it ("Charge taken by the company")."""
    found = MEANING_LABELS.get(meaning)
    return _(found) if found else value_label(meaning)


def format_duration(minutes: int | None) -> str:
    """``25 min``, ``1 h 05 min``; empty for none."""
    if not minutes:
        return ""
    if minutes >= 60:
        return _("{h} h {m:02d} min").format(h=minutes // 60, m=minutes % 60)
    return _("{m} min").format(m=minutes)


def time_text(duration: int | None, waiting: int | None) -> str:
    """"25 min, 18 min on hold" for the chronology's time column."""
    parts = []
    if duration:
        parts.append(format_duration(duration))
    if waiting:
        parts.append(_("{time} on hold").format(time=format_duration(waiting)))
    return ", ".join(parts)


__all__ = ["DIRECTION_LABELS", "MEANING_LABELS", "VALUE_LABELS", "direction_label", "format_duration",
           "meaning_label", "time_text", "value_label"]
