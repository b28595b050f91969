"""What an event means when nobody said: the reading of kind, direction and summary that
older stores and version 1 case files get.

Only unambiguous readings: a payment to the company is a purchase, a promise is a promise, a
message from the company is a reply and one to it a complaint, and a summary that names a
formal complaint, a cancellation or a refund says so. The migration to revision 0003 applies
the same reading in SQL.
"""

from __future__ import annotations

from core.domain.models import Direction, EventKind, EventMeaning

MESSAGE_KINDS = frozenset({EventKind.CALL, EventKind.EMAIL, EventKind.LETTER, EventKind.CHAT,
                           EventKind.VISIT, EventKind.WEB_FORM, EventKind.SOCIAL,
                           EventKind.RESPONSE})


def guess_meaning(kind: str, direction: str, summary: str) -> EventMeaning | None:
    """The meaning an event without one is read as, or None for a plain contact or a note."""
    words = summary.lower()
    if kind == EventKind.PROMISE:
        return EventMeaning.PROMISE
    if kind == EventKind.PAYMENT:
        if direction == Direction.TO_COMPANY:
            return EventMeaning.PURCHASE
        if direction == Direction.FROM_COMPANY:
            return EventMeaning.REFUND if "refund" in words else EventMeaning.CHARGE
        return None
    if kind not in MESSAGE_KINDS:
        return None
    if direction == Direction.FROM_COMPANY:
        return EventMeaning.REPLY
    if direction == Direction.TO_COMPANY:
        if "formal complaint" in words:
            return EventMeaning.FORMAL_COMPLAINT
        if "cancel" in words:
            return EventMeaning.CANCELLATION
        return EventMeaning.COMPLAINT
    return None


def plain_reading(kind: str, direction: str) -> EventMeaning | None:
    """What an event without a meaning says by its kind and direction alone, for what Docket
    hands over: a payment to the company is a purchase, a promise a promise, a message from
    the company a reply. Nothing else is read into it: a message to the company is a contact,
    not a complaint, unless the user said so (a parcel posted back or glasses handed in for
    repair are not complaints)."""
    if kind == EventKind.PROMISE:
        return EventMeaning.PROMISE
    if kind == EventKind.PAYMENT and direction == Direction.TO_COMPANY:
        return EventMeaning.PURCHASE
    if kind in MESSAGE_KINDS and direction == Direction.FROM_COMPANY:
        return EventMeaning.REPLY
    return None
