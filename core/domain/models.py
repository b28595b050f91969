"""The domain, as SQLAlchemy 2 models.

Names follow the domain: a :class:`Case` has a timeline of :class:`Event` rows, the
:class:`Contact` people involved, and :class:`Evidence` files. Enumerations are ``StrEnum``
values stored as text, validated by the use-case functions in :mod:`core.cases`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from core.domain.when import When


class Category(StrEnum):
    REFUND = "refund"
    NON_DELIVERY = "non_delivery"
    FAULTY_GOODS = "faulty_goods"
    BILLING_ERROR = "billing_error"
    SUBSCRIPTION = "subscription"
    CANCELLATION = "cancellation"
    WARRANTY = "warranty"
    SERVICE = "service"
    OTHER = "other"


class Status(StrEnum):
    OPEN = "open"
    AWAITING_REPLY = "awaiting_reply"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


# A case in one of these is over: no reminder is overdue on it, and it is not "open".
CLOSED_STATUSES: tuple[Status, ...] = (Status.RESOLVED, Status.CLOSED)


def sql_in(values: Iterable[StrEnum]) -> str:
    """Enum values as an SQL list for raw SQL, ``('resolved', 'closed')``: literals rather than
    parameters so that a statement's text is fixed (its query plan too). Enum values are plain
    identifiers, so quoting them needs no escaping."""
    return "(" + ", ".join(f"'{value.value}'" for value in values) + ")"


class Outcome(StrEnum):
    WON = "won"
    PARTLY_WON = "partly_won"
    LOST = "lost"
    ABANDONED = "abandoned"


class PaymentMethod(StrEnum):
    CREDIT_CARD = "credit_card"
    DEBIT_CARD = "debit_card"
    PAYPAL = "paypal"
    BANK_TRANSFER = "bank_transfer"
    DIRECT_DEBIT = "direct_debit"
    CASH = "cash"
    OTHER = "other"


class CardScheme(StrEnum):
    """The network a card payment went through. Chargeback windows are the networks' rules;
    a domestic debit scheme (Girocard, Interac debit, EFTPOS...) has none of theirs."""

    VISA = "visa"
    MASTERCARD = "mastercard"
    AMEX = "amex"
    DISCOVER = "discover"
    DOMESTIC_DEBIT = "domestic_debit"
    OTHER = "other"


class CompanyKind(StrEnum):
    """What the other side is. Financial ombudsmen and regulators cover only financial firms."""

    TRADER = "trader"
    BANK = "bank"  # a bank, building society or card issuer
    PAYMENT_SERVICE = "payment_service"  # PayPal and the like
    LENDER = "lender"
    INSURER = "insurer"
    TELECOMS = "telecoms"
    ENERGY = "energy"
    CLUB = "club"  # a gym, club or membership organisation
    PUBLIC_BODY = "public_body"
    OTHER = "other"


FINANCIAL_KINDS = frozenset({CompanyKind.BANK, CompanyKind.PAYMENT_SERVICE, CompanyKind.LENDER,
                             CompanyKind.INSURER})


class Purchase(StrEnum):
    """What was bought: the law differs for goods, services and digital content."""

    GOODS = "goods"
    SERVICES = "services"
    DIGITAL = "digital"
    SUBSCRIPTION = "subscription"


class EventKind(StrEnum):
    CALL = "call"
    EMAIL = "email"
    LETTER = "letter"
    CHAT = "chat"
    VISIT = "visit"
    WEB_FORM = "web_form"
    SOCIAL = "social"
    PAYMENT = "payment"
    DELIVERY = "delivery"
    PROMISE = "promise"
    RESPONSE = "response"
    NOTE = "note"


class EventMeaning(StrEnum):
    """What an event is in the story, beyond its kind and direction.

    Letters, the case history and the ladder read these, never direction alone: a charge
    taken is not a payment made, a purchase is not a complaint, a direct debit is not a reply.
    An event without a meaning is a plain contact (or a note).
    """

    # Money, with ``Event.amount``.
    PURCHASE = "purchase"  # the user ordered or paid
    CHARGE = "charge"  # the company took money: a charge, a direct debit, a renewal
    REFUND = "refund"  # money came back to the user
    INVOICE = "invoice"  # the company asked for money (a bill, a reminder, a demand)
    # The user's side of the story.
    PROBLEM = "problem"  # the moment the problem began: not delivered, faulty, wrongly billed
    COMPLAINT = "complaint"  # the user complained or asked for a remedy
    FORMAL_COMPLAINT = "formal_complaint"
    CANCELLATION = "cancellation"  # the user cancelled the contract or subscription
    # What the company answered.
    REPLY = "reply"  # an answer with no particular meaning
    ACKNOWLEDGEMENT = "acknowledgement"  # "we are looking into it"
    PROMISE = "promise"  # with ``Event.promised_by``
    PARTIAL_OFFER = "partial_offer"  # with ``Event.amount``: a voucher, half the money
    REFUSAL = "refusal"
    FINAL_RESPONSE = "final_response"
    RESOLVED = "resolved"  # resolved in full


#: Meanings that are an answer from the company (a charge or an invoice is not).
REPLY_MEANINGS = frozenset({
    EventMeaning.REPLY, EventMeaning.ACKNOWLEDGEMENT, EventMeaning.PROMISE,
    EventMeaning.PARTIAL_OFFER, EventMeaning.REFUSAL, EventMeaning.FINAL_RESPONSE,
    EventMeaning.RESOLVED,
})
#: Meanings that are money moving, with an amount.
MONEY_MEANINGS = frozenset({EventMeaning.PURCHASE, EventMeaning.CHARGE, EventMeaning.REFUND,
                            EventMeaning.INVOICE})
#: Meanings that are a complaint by the user.
COMPLAINT_MEANINGS = frozenset({EventMeaning.COMPLAINT, EventMeaning.FORMAL_COMPLAINT})


class Direction(StrEnum):
    TO_COMPANY = "to_company"
    FROM_COMPANY = "from_company"
    INTERNAL = "internal"


class LetterStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"


class ReminderState(StrEnum):
    OPEN = "open"
    SNOOZED = "snoozed"
    DONE = "done"
    DISMISSED = "dismissed"


class DecimalText(TypeDecorator[Decimal]):
    """A Decimal kept as exact text; SQLite has no decimal type and REAL would round."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | str | None, dialect: Any) -> str | None:
        return None if value is None else format(Decimal(value), "f")

    def process_result_value(self, value: str | None, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)


E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E]):
    """An enum column kept as its value's text in a VARCHAR of ``length``, exactly as when it
    was a plain string column (the schema and the stored bytes do not depend on the enum).

    Writing takes a member or its value; reading gives the member. A value no member has
    (written outside Docket) is read as the text it is, so the record still opens and
    ``docket verify`` can report it.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Any) -> str | None:
        return value.value if isinstance(value, StrEnum) else value

    def process_result_value(self, value: str | None, dialect: Any) -> E | None:
        if value is None:
            return None
        try:
            return self.enum(value)
        except ValueError:
            return value  # type: ignore[return-value]  # see the class docstring


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, Decimal: DecimalText}


event_evidence = Table(
    "event_evidence",
    Base.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("evidence_id", ForeignKey("evidence.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_event_evidence_evidence", "evidence_id"),
)


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), index=True)
    address: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(100), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    account_numbers: Mapped[list[str]] = mapped_column(default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    # A CompanyKind value; empty when the user has not said.
    kind: Mapped[CompanyKind | None] = mapped_column(EnumText(CompanyKind, 30))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    cases: Mapped[list[Case]] = relationship(back_populates="company")


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="RESTRICT"), index=True
    )
    category: Mapped[Category] = mapped_column(EnumText(Category, 30), default=Category.OTHER.value)
    status: Mapped[Status] = mapped_column(EnumText(Status, 30), default=Status.OPEN.value, index=True)
    outcome: Mapped[Outcome | None] = mapped_column(EnumText(Outcome, 30))
    resolved_on: Mapped[date | None] = mapped_column(Date)
    opened_on: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    amount: Mapped[Decimal | None] = mapped_column(DecimalText)
    recovered: Mapped[Decimal | None] = mapped_column(DecimalText)
    payment_method: Mapped[PaymentMethod | None] = mapped_column(EnumText(PaymentMethod, 30))
    payment_date: Mapped[date | None] = mapped_column(Date)
    card_scheme: Mapped[CardScheme | None] = mapped_column(EnumText(CardScheme, 20))
    # A Purchase value: goods, services, digital content or a subscription.
    purchase: Mapped[Purchase | None] = mapped_column(EnumText(Purchase, 20))
    # When the goods were due to arrive or the service to be done (chargeback windows run
    # from it for non-delivery).
    expected_by: Mapped[date | None] = mapped_column(Date)
    references: Mapped[list[str]] = mapped_column(JSON, default=list)
    desired_outcome: Mapped[str] = mapped_column(Text, default="")
    impact: Mapped[str] = mapped_column(Text, default="")
    jurisdiction: Mapped[str] = mapped_column(String(8), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Days of silence after a message to the company before Docket reminds the user.
    silence_days: Mapped[int] = mapped_column(Integer, default=14)
    # Denormalised for a fast case list; kept in step by triggers (last_activity) and by
    # core.reminders (next_due).
    last_activity: Mapped[str | None] = mapped_column(String(30), index=True)
    next_due: Mapped[date | None] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    company: Mapped[Company | None] = relationship(back_populates="cases")
    events: Mapped[list[Event]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Event.sort_key"
    )
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Contact.id"
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Evidence.id"
    )


class Contact(Base):
    """A person or department involved in one case: at the company, the bank, a regulator."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(300), default="")
    organisation: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship(back_populates="contacts")


class Event(Base):
    """One line of a case's timeline."""

    __tablename__ = "events"
    __table_args__ = (
        # Direction and kind are covered so that reply times are read from the index alone.
        Index("ix_events_case_sort", "case_id", "sort_key", "direction", "kind"),
        # Everything the due list's one pass over all events reads (core.escalation.reminders).
        Index("ix_events_reminder_facts", "case_id", "direction", "kind", "sort_key", "at", "promised_by",
              "meaning", "amount"),
        Index("ix_events_case_meaning", "case_id", "meaning", "sort_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    # ISO 8601 as the user gave it: a date, or a date-time with its UTC offset.
    at: Mapped[str] = mapped_column(String(40))
    sort_key: Mapped[str] = mapped_column(String(30))
    kind: Mapped[EventKind] = mapped_column(EnumText(EventKind, 20))
    direction: Mapped[Direction] = mapped_column(EnumText(Direction, 20), default=Direction.INTERNAL.value)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    summary: Mapped[str] = mapped_column(String(1000))
    details: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    waiting_minutes: Mapped[int | None] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(300), default="")
    promised_by: Mapped[date | None] = mapped_column(Date)
    # An EventMeaning value, or empty for a plain contact.
    meaning: Mapped[EventMeaning | None] = mapped_column(EnumText(EventMeaning, 30))
    # Money moved or offered, in the case's currency (purchase, charge, refund, offer).
    amount: Mapped[Decimal | None] = mapped_column(DecimalText)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    case: Mapped[Case] = relationship(back_populates="events")
    contact: Mapped[Contact | None] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(
        secondary=event_evidence, back_populates="events", order_by="Evidence.id"
    )

    @property
    def when(self) -> When:
        return When.parse(self.at)


class Evidence(Base):
    """A file kept for a case. The bytes live in the evidence store under their SHA-256."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    original_name: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(200), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    captured_on: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship(back_populates="evidence")
    events: Mapped[list[Event]] = relationship(
        secondary=event_evidence, back_populates="evidence", order_by="Event.sort_key"
    )


class Letter(Base):
    """A letter drafted for a case; frozen once marked as sent."""

    __tablename__ = "letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[str] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(10), default="en")
    subject: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    status: Mapped[LetterStatus] = mapped_column(EnumText(LetterStatus, 20), default=LetterStatus.DRAFT.value)
    reply_by: Mapped[date | None] = mapped_column(Date)
    sent_on: Mapped[date | None] = mapped_column(Date)
    sent_via: Mapped[str] = mapped_column(String(40), default="")
    tracking: Mapped[str] = mapped_column(String(200), default="")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id", ondelete="SET NULL"))
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Reminder(Base):
    """A reminder's state.

    The user's own reminders are rows with ``rule_id`` empty. Reminders computed from rules
    (silence, promises, clocks) are only stored once the user acts on them (snooze, done,
    dismiss), keyed by ``key``, so that the computed list can honour that choice.
    """

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    rule_id: Mapped[str] = mapped_column(String(100), default="")
    due: Mapped[date] = mapped_column(Date, index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[ReminderState] = mapped_column(EnumText(ReminderState, 20), default=ReminderState.OPEN.value)
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Revision(Base):
    """One change to a case, an event, an evidence link or a letter, chained by SHA-256."""

    __tablename__ = "revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_revisions_entity", "entity", "entity_id"),)


class Setting(Base):
    """A user setting (sender block, defaults). Declared with types in :mod:`core.settings`."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
