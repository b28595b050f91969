"""Every word and format a letter (and the case history's few shared labels) writes per
language: dates, times, money, durations, greetings and closings, and the phrase tables the
letters compose sentences from.

The phrases are English in this file, marked ``letter_(context, message)``, and translated by
gettext from the ``letters`` catalog (``resources/locale/<lang>/LC_MESSAGES/letters.po``),
the same system as the window's ``docket`` catalog (docs/translating.md): one translation
system, two domains, because a letter's language is chosen per letter and is often not the
window's. ``python packaging/catalogs.py update --domain letters`` merges new phrases in. The
context of a phrase is ``table:key`` (``story:purchase_amount``); it tells a translator where
the phrase goes and keeps two meanings of the same English apart.

What stays in code, per language, is grammar a catalog cannot hold: how a greeting is built
from a contact's name, the French "1er", how a number is grouped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Generic, TypeVar

from core.domain.models import (
    Direction,
)
from core.domain.money import Money
from core.domain.when import When
from core.i18n import Translator, translator_for

# The languages Docket writes letters in (a template may exist in fewer).
LANGUAGES = ("en", "fr", "de", "es")

LANGUAGE_NAMES = {"en": "English", "fr": "Français", "de": "Deutsch", "es": "Español"}

LETTERS_DOMAIN = "letters"


def letter_(context: str, message: str) -> str:
    """Mark ``message`` for the ``letters`` catalog under ``context``; returns it unchanged
    (the English). packaging/catalogs.py extracts these calls."""
    return message


def nletter_(context: str, singular: str, plural: str) -> tuple[str, str]:
    """Mark a phrase with plural forms for the ``letters`` catalog."""
    return singular, plural


def letters_catalog(language: str) -> Translator:
    """The ``letters`` catalog of ``language`` (English and unknown languages: none)."""
    return translator_for(language, domain=LETTERS_DOMAIN)


def phrase(language: str, context: str, message: str) -> str:
    """``message`` (marked with :func:`letter_` under ``context``) in ``language``."""
    if not message or language == "en":
        return message
    return letters_catalog(language).pgettext(context, message)


def plural_phrase(language: str, context: str, forms: tuple[str, str], n: int) -> str:
    """The form of a :func:`nletter_` phrase that suits ``n`` in ``language``."""
    if language == "en":
        return forms[0] if n == 1 else forms[1]
    return letters_catalog(language).npgettext(context, forms[0], forms[1], n)


V = TypeVar("V", str, tuple[str, str])


class PhraseTable(Mapping[str, dict[str, V]], Generic[V]):
    """A phrase table by language: ``TABLE["fr"]["key"]``. The English is the table given
    (each phrase marked ``letter_("<name>:<key>", ...)``; a pair's second phrase
    ``"<name>:<key>:named"``); other languages come from the ``letters`` catalog."""

    def __init__(self, name: str, english: dict[str, V]) -> None:
        self.name = name
        self.english: dict[str, V] = english

    def contexts(self) -> Iterator[tuple[str, str]]:
        """Every (context, English phrase) of the table, as the catalog holds them."""
        for key, value in self.english.items():
            if isinstance(value, tuple):
                yield f"{self.name}:{key}", value[0]
                yield f"{self.name}:{key}:named", value[1]
            else:
                yield f"{self.name}:{key}", value

    def __getitem__(self, language: str) -> dict[str, V]:
        if language not in LANGUAGES:
            raise KeyError(language)
        return _translated(self, language)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return other is self


@cache
def _translated(table: PhraseTable[V], language: str) -> dict[str, V]:
    out: dict[str, V] = {}
    for key, value in table.english.items():
        if isinstance(value, tuple):
            out[key] = (phrase(language, f"{table.name}:{key}", value[0]),
                        phrase(language, f"{table.name}:{key}:named", value[1]))
        else:
            out[key] = phrase(language, f"{table.name}:{key}", value)
    return out


# How a letter went out; the first word of each is what the event and the PDF say.
SENT_VIA = {
    "email": "email",
    "post": "post",
    "recorded_post": "recorded post",
    "certified_post": "certified post",
    "by_hand": "by hand",
    "web_form": "web form",
}


_MONTHS_EN = [
    letter_("month", "January"), letter_("month", "February"), letter_("month", "March"),
    letter_("month", "April"), letter_("month", "May"), letter_("month", "June"),
    letter_("month", "July"), letter_("month", "August"), letter_("month", "September"),
    letter_("month", "October"), letter_("month", "November"), letter_("month", "December"),
]
# Translators: the date in a letter; {day} is the day of the month (French "1er" is made in
# code), {month} the month's name, {year} the year. German: "{day}. {month} {year}".
_DATE = letter_("date", "{day} {month} {year}")
# Translators: an event's time of day after its date: "23 November 2026, 14:05".
_TIME = letter_("time of day", "{date}, {time}")


NBSP = "\u00a0"


def is_us(jurisdiction: str | None) -> bool:
    """Whether a case follows United States conventions (US, or a state such as US-CA)."""
    code = (jurisdiction or "").upper()
    return code == "US" or code.startswith("US-")


def _lang(language: str) -> str:
    return language if language in LANGUAGES else "en"


def format_date(day: date, language: str = "en", jurisdiction: str = "") -> str:
    """A date as the language writes it in a letter: 23 November 2026 (November 23, 2026 in
    the United States), 1er novembre 2026, 23. November 2026, 1 de diciembre de 2026."""
    language = _lang(language)
    month = phrase(language, "month", _MONTHS_EN[day.month - 1])
    if language == "en" and is_us(jurisdiction):
        return f"{month} {day.day}, {day.year}"
    number = "1er" if language == "fr" and day.day == 1 else str(day.day)
    return phrase(language, "date", _DATE).format(day=number, month=month, year=day.year)


def format_when(when: When, language: str = "en", jurisdiction: str = "") -> str:
    """An event's date, with its time of day (as the user gave it) when known."""
    out = format_date(when.day, language, jurisdiction)
    if when.moment is not None:
        out = phrase(_lang(language), "time of day", _TIME).format(date=out, time=when.moment.strftime("%H:%M"))
    return out


# How each language groups thousands and marks decimals: locale data, not a phrase.
_NUMBER = {"fr": (NBSP, ","), "de": (".", ","), "es": (".", ",")}


def format_money(value: Decimal, currency: str, language: str = "en") -> str:
    """An amount as the language writes it: EUR 1,299.00 / 1 299,00 € / 1.299,00 €.

    English keeps the ISO code first (unambiguous across borders); French, German and
    Spanish put the unit after the number, with the euro sign for euros.
    """
    digits = f"{Money(value, currency).quantized():,}"
    if language not in _NUMBER:
        return f"{currency} {digits}"
    group, point = _NUMBER[language]
    whole, _, cents = digits.partition(".")
    number = whole.replace(",", group) + (point + cents if cents else "")
    unit = "€" if currency == "EUR" else currency
    return f"{number}{NBSP}{unit}"


_HOURS = nletter_("duration", "{n} hour", "{n} hours")
_MINUTES = nletter_("duration", "{n} minute", "{n} minutes")


def format_minutes(total: int, language: str = "en") -> str:
    """A duration in words: "1 hour 5 minutes", "1 heure 5 minutes"."""
    language = _lang(language)
    hours, mins = divmod(total, 60)
    parts = []
    if hours:
        parts.append(plural_phrase(language, "duration", _HOURS, hours).format(n=hours))
    if mins or not hours:
        parts.append(plural_phrase(language, "duration", _MINUTES, mins).format(n=mins))
    return " ".join(parts)


# Words the shared layout uses.
WORDS_EN: dict[str, str] = {
    "attention": letter_("words:attention", "For the attention of"),
    "enclosures": letter_("words:enclosures", "Enclosures (copies)"),
    # Translators: the subject line; French letters write "Objet : {subject}".
    "subject": letter_("words:subject", "{subject}"),
    "sent": letter_("words:sent", "Sent by {via} on {date}"),
    "tracking": letter_("words:tracking", "tracking number {t}"),
}
WORDS = PhraseTable("words", WORDS_EN)

# Translators: how a letter to a card issuer or an ombudsman names the company when it has no name.
THE_COMPANY = letter_("company", "the company")

KIND_WORDS_EN: dict[str, str] = {
    "call": letter_("kind:call", "phone call"),
    "email": letter_("kind:email", "email"),
    "letter": letter_("kind:letter", "letter"),
    "chat": letter_("kind:chat", "online chat"),
    "visit": letter_("kind:visit", "visit"),
    "web_form": letter_("kind:web_form", "web form message"),
    "social": letter_("kind:social", "social media message"),
    "payment": letter_("kind:payment", "payment"),
    "delivery": letter_("kind:delivery", "delivery"),
    "promise": letter_("kind:promise", "promise"),
    "response": letter_("kind:response", "reply"),
    "note": letter_("kind:note", "note"),
}
KIND_WORDS = PhraseTable("kind", KIND_WORDS_EN)

PAYMENT_WORDS_EN: dict[str, str] = {
    "credit_card": letter_("payment:credit_card", "credit card"),
    "debit_card": letter_("payment:debit_card", "debit card"),
    "paypal": letter_("payment:paypal", "PayPal"),
    "bank_transfer": letter_("payment:bank_transfer", "bank transfer"),
    "direct_debit": letter_("payment:direct_debit", "direct debit"),
    "cash": letter_("payment:cash", "cash"),
    "other": letter_("payment:other", "other means"),
}
PAYMENT_WORDS = PhraseTable("payment", PAYMENT_WORDS_EN)

VIA_WORDS_EN: dict[str, str] = {
    "email": letter_("via:email", "email"),
    "post": letter_("via:post", "post"),
    "recorded_post": letter_("via:recorded_post", "recorded post"),
    "certified_post": letter_("via:certified_post", "certified post"),
    "by_hand": letter_("via:by_hand", "by hand"),
    "web_form": letter_("via:web_form", "web form"),
}
VIA_WORDS = PhraseTable("via", VIA_WORDS_EN)

# -- the story: one sentence per event, chosen by what it means ----------------------------------
# How a contact was made, as the end of a sentence ("I complained to you by phone").
HOW_EN: dict[str, str] = {
    "call": letter_("how:call", "by phone"),
    "email": letter_("how:email", "by email"),
    "letter": letter_("how:letter", "by letter"),
    "chat": letter_("how:chat", "in an online chat"),
    "visit": letter_("how:visit", "in person"),
    "web_form": letter_("how:web_form", "through the web form"),
    "social": letter_("how:social", "on social media"),
    "response": "",
    "payment": "",
    "delivery": "",
    "promise": "",
    "note": "",
}
HOW = PhraseTable("how", HOW_EN)

STORY_WORDS_EN: dict[str, str] = {
    "details": letter_("story_words:details", "In short: {text}"),
    "note": letter_("story_words:note", "My note: {text}"),
    "waited": letter_("story_words:waited", "I waited {m} on hold."),
    "waited_visit": letter_("story_words:waited_visit", "I waited {m} to be seen."),
    "lasted": letter_("story_words:lasted", "It lasted {m}."),
    "promised": letter_("story_words:promised", "Promised by {d}."),
    "reference": letter_("story_words:reference", "Reference: {r}."),
    "contact": letter_("story_words:contact", "I dealt with {who}."),
    "contact_from": letter_("story_words:contact_from", "It came from {who}."),
}
STORY_WORDS = PhraseTable("story_words", STORY_WORDS_EN)

# Sentence per meaning (or plain contact per direction): first for a reader who is the company
# ("you"), then for anyone else ("{co}" is the company's name). {how} is a HOW phrase,
# {amount} a formatted amount; a phrase ending "_amount" is used when the event has one.
STORY_EN: dict[str, tuple[str, str]] = {
    "purchase": (letter_("story:purchase", "I placed my order with you."),
        letter_("story:purchase:named", "I placed my order with {co}.")),
    "purchase_amount": (letter_("story:purchase_amount", "I paid you {amount}."),
        letter_("story:purchase_amount:named", "I paid {co} {amount}.")),
    "charge": (letter_("story:charge", "You took a payment from me."),
        letter_("story:charge:named", "{co} took a payment from me.")),
    "charge_amount": (letter_("story:charge_amount", "You took {amount} from me."),
        letter_("story:charge_amount:named", "{co} took {amount} from me.")),
    "debit": (letter_("story:debit", "You took a direct debit from my account."),
        letter_("story:debit:named", "{co} took a direct debit from my account.")),
    "debit_amount": (letter_("story:debit_amount", "You took a direct debit of {amount} from my account."),
        letter_("story:debit_amount:named", "{co} took a direct debit of {amount} from my account.")),
    "refund": (letter_("story:refund", "You refunded money to me."),
        letter_("story:refund:named", "{co} refunded money to me.")),
    "refund_amount": (letter_("story:refund_amount", "You refunded {amount} to me."),
        letter_("story:refund_amount:named", "{co} refunded {amount} to me.")),
    "invoice": (letter_("story:invoice", "You sent me a bill."),
        letter_("story:invoice:named", "{co} sent me a bill.")),
    "invoice_amount": (letter_("story:invoice_amount", "You sent me a bill for {amount}."),
        letter_("story:invoice_amount:named", "{co} sent me a bill for {amount}.")),
    "problem": (letter_("story:problem", "The problem began."),
        letter_("story:problem:named", "The problem began.")),
    "complaint": (letter_("story:complaint", "I complained to you {how}."),
        letter_("story:complaint:named", "I complained to {co} {how}.")),
    "formal_complaint": (letter_("story:formal_complaint", "I made a formal complaint to you {how}."),
        letter_("story:formal_complaint:named", "I made a formal complaint to {co} {how}.")),
    "cancellation": (letter_("story:cancellation", "I cancelled my contract with you {how}."),
        letter_("story:cancellation:named", "I cancelled my contract with {co} {how}.")),
    "reply": (letter_("story:reply", "You replied {how}."),
        letter_("story:reply:named", "{co} replied {how}.")),
    "acknowledgement": (letter_("story:acknowledgement", "You acknowledged my complaint {how}."),
        letter_("story:acknowledgement:named", "{co} acknowledged my complaint {how}.")),
    "promise": (letter_("story:promise", "You made me a promise {how}."),
        letter_("story:promise:named", "{co} made me a promise {how}.")),
    "partial_offer": (letter_("story:partial_offer", "You offered me part of what I asked for {how}."),
        letter_("story:partial_offer:named", "{co} offered me part of what I asked for {how}.")),
    "partial_offer_amount": (letter_("story:partial_offer_amount", "You offered me {amount} {how}."),
        letter_("story:partial_offer_amount:named", "{co} offered me {amount} {how}.")),
    "refusal": (letter_("story:refusal", "You refused my request {how}."),
        letter_("story:refusal:named", "{co} refused my request {how}.")),
    "final_response": (letter_("story:final_response", "You sent me your final response {how}."),
        letter_("story:final_response:named", "{co} sent me its final response {how}.")),
    "resolved": (letter_("story:resolved", "You resolved the matter {how}."),
        letter_("story:resolved:named", "{co} resolved the matter {how}.")),
    "to_company": (letter_("story:to_company", "I contacted you {how}."),
        letter_("story:to_company:named", "I contacted {co} {how}.")),
    "from_company": (letter_("story:from_company", "You contacted me {how}."),
        letter_("story:from_company:named", "{co} contacted me {how}.")),
    "delivery_from": (letter_("story:delivery_from", "Your delivery arrived."),
        letter_("story:delivery_from:named", "A delivery from {co} arrived.")),
    "delivery_to": (letter_("story:delivery_to", "What I sent was delivered to you."),
        letter_("story:delivery_to:named", "What I sent was delivered to {co}.")),
    "delivery": (letter_("story:delivery", "A delivery arrived."),
        letter_("story:delivery:named", "A delivery arrived.")),
    "letter_to_card_issuer": (letter_("story:letter_to_card_issuer", "I wrote to my card issuer about this."),
        ""),
    "letter_to_platform": (letter_("story:letter_to_platform", "I opened a dispute with the payment platform."),
        ""),
    "letter_to_regulator": (letter_("story:letter_to_regulator", "I referred the matter to the regulator or ombudsman."),
        ""),
}
STORY = PhraseTable("story", STORY_EN)


_DEPARTMENT_WORDS = (
    "department", "team", "service", "support", "complaints", "customer", "billing", "office",
    "desk", "relations", "inquiries", "enquiries", "disputes", "client", "réclamation", "abteilung",
    "kundendienst", "kundenservice", "beschwerde", "ombudsman", "médiateur", "bank", "banque",
)


_TITLES_EN = ("mr", "mrs", "ms", "miss", "mx", "dr", "prof")
# Forms of address that say a woman or a man, in the languages a contact's name may carry.
_WOMEN = ("sra", "señora", "doña", "dña", "mrs", "ms", "miss", "mme", "madame", "frau")
_MEN = ("sr", "señor", "don", "d", "mr", "m", "monsieur", "herr")


def greeting_and_sign_off(contact_name: str, language: str, jurisdiction: str = "") -> tuple[str, str]:
    """The greeting and the matching close.

    English: "Dear Sir or Madam" closes "Yours faithfully"; a named reader, "Yours sincerely";
    in the United States every letter closes "Sincerely". French repeats the salutation in the
    closing formula; German addresses a person by surname ("Sehr geehrte Frau Schäfer") and
    closes "Mit freundlichen Grüßen"; Spanish greets "Estimados señores:" or "Estimada Sra.
    García:" and closes "Atentamente,".
    """
    name = contact_name.strip()
    lowered = name.lower()
    named = bool(name) and not any(w in lowered for w in _DEPARTMENT_WORDS)
    words = name.split()
    first = words[0].rstrip(".").lower() if words else ""
    if language == "fr":
        # A French letter greets "Madame," without the name, and the closing formula
        # repeats that form of address.
        if named and first in ("mme", "madame"):
            salutation = "Madame"
        elif named and first in ("m", "monsieur"):
            salutation = "Monsieur"
        else:
            salutation = "Madame, Monsieur"
        return (f"{salutation},",
                f"Je vous prie d'agréer, {salutation}, l'expression de mes salutations distinguées.")
    if language == "de":
        if named and first in ("frau", "herr") and len(words) > 1:
            # "Frau Dr. Petra Schäfer" -> "Frau Dr. Schäfer": the title stays, the first name goes.
            titles = [w for w in words[1:-1] if w.rstrip(".").lower() in ("dr", "prof")]
            form = " ".join([words[0], *titles, words[-1]])
            return (f"Sehr geehrte{'' if first == 'frau' else 'r'} {form},", "Mit freundlichen Grüßen")
        if named:
            return f"Guten Tag {name},", "Mit freundlichen Grüßen"
        return "Sehr geehrte Damen und Herren,", "Mit freundlichen Grüßen"
    if language == "es":
        # A Spanish letter greets with a colon and closes "Atentamente,".
        if named and first in _WOMEN and len(words) > 1:
            return f"Estimada Sra. {words[-1]}:", "Atentamente,"
        if named and first in _MEN and len(words) > 1:
            return f"Estimado Sr. {words[-1]}:", "Atentamente,"
        if named:
            return f"Estimado/a {name}:", "Atentamente,"
        return "Estimados señores:", "Atentamente,"
    us = is_us(jurisdiction)
    if not named:
        return "Dear Sir or Madam,", "Sincerely," if us else "Yours faithfully,"
    close = "Sincerely," if us else "Yours sincerely,"
    if first in _TITLES_EN and len(words) > 1:
        return f"Dear {words[0]} {words[-1]},", close
    return f"Dear {name},", close


PAGE_LABEL = PhraseTable("page", {"label": letter_("page:label", "page {n} of {m}")})


def elide(text: str, limit: int = 90) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, ending with "…" when
    cut, so a footer never shows half a reference."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:(–-") + "…"


# -- missing facts -------------------------------------------------------------------------------
# Translators: the marker a letter shows where a fact is missing; keep the brackets. French
# sets a no-break space before the colon.
MISSING_MARK = letter_("missing", "[missing: {label}]")

# Every label a built-in letter may mark missing (tests check each template's labels are here,
# so that the marker is in the letter's language).
MISSING_LABELS = (
    letter_("missing label", "amount in dispute"),
    letter_("missing label", "cardholder's name"),
    letter_("missing label", "company name"),
    letter_("missing label", "company postal address"),
    letter_("missing label", "date of purchase"),
    letter_("missing label", "date of the company's offer"),
    letter_("missing label", "date of the order or payment"),
    letter_("missing label", "date of the statement showing the charge"),
    letter_("missing label", "date of your earlier message to the company"),
    letter_("missing label", "date of your first complaint"),
    letter_("missing label", "last four digits of the card"),
    letter_("missing label", "merchant name"),
    letter_("missing label", "order or account reference"),
    letter_("missing label", "payment date"),
    letter_("missing label", "platform name (e.g. PayPal)"),
    letter_("missing label", "regulator or ombudsman"),
    letter_("missing label", "seller's name"),
    letter_("missing label", "the events in date order (tick them in the letter editor)"),
    letter_("missing label", "the remedy you ask for (case: desired outcome)"),
    letter_("missing label", "transaction date (case: payment date)"),
    letter_("missing label", "what you bought"),
    letter_("missing label", "your name"),
    letter_("missing label", "your postal address"),
    letter_("missing label", "card issuer's name"),
    letter_("missing label", "card issuer's postal address"),
    letter_("missing label", "regulator or ombudsman postal address"),
    letter_("missing label", "your reference with the regulator"),
    letter_("missing label", "court you would file in"),
    letter_("missing label", "platform dispute or case number"),
)


def missing_label(label: str, language: str) -> str:
    """A missing fact's label in the letter's language (English when not translated)."""
    return phrase(_lang(language), "missing label", label)


def missing_marker(label: str, language: str) -> str:
    """``[missing: label]`` in the letter's language: ``[manque : …]``, ``[fehlt: …]``."""
    language = _lang(language)
    return phrase(language, "missing", MISSING_MARK).format(label=missing_label(label, language))


def missing_prefixes() -> list[str]:
    """What a marker starts with in every letter language (``[missing:``, ``[manque :`` ...),
    with no-break spaces as plain ones."""
    out = []
    for language in LANGUAGES:
        head = phrase(language, "missing", MISSING_MARK).partition("{label}")[0]
        out.append(head.replace(NBSP, " ").rstrip())
    return list(dict.fromkeys(out))

# -- the case history's labels ----------------------------------------------------------

# Values whose words are joined by a hyphen in English, not a space.
_HYPHENATED = {"non_delivery": "Non-delivery"}


def label(value: str | None) -> str:
    """An enum value as people read it: ``web_form`` -> ``Web form``, ``non_delivery`` ->
    ``Non-delivery``."""
    return _HYPHENATED.get(value or "") or (value or "").replace("_", " ").capitalize()


DIRECTION_LABELS = {
    Direction.TO_COMPANY.value: "to company",
    Direction.FROM_COMPANY.value: "from company",
    Direction.INTERNAL.value: "own note",
}


def format_duration(m: int | None) -> str:
    if not m:
        return ""
    return f"{m // 60} h {m % 60:02d} min" if m >= 60 else f"{m} min"


def time_text(duration: int | None, waiting: int | None) -> str:
    """"25 min, 18 min on hold" for the chronology's time column."""
    parts = []
    if duration:
        parts.append(format_duration(duration))
    if waiting:
        parts.append(f"{format_duration(waiting)} on hold")
    return ", ".join(parts)


MEANING_LABELS = {
    "purchase": "Purchase / payment by me", "charge": "Charge taken by the company",
    "refund": "Refund received", "invoice": "Bill from the company", "problem": "Problem began",
    "complaint": "Complaint", "formal_complaint": "Formal complaint", "cancellation": "Cancellation",
    "reply": "Reply", "acknowledgement": "Acknowledgement", "promise": "Promise",
    "partial_offer": "Partial offer", "refusal": "Refusal", "final_response": "Final response",
    "resolved": "Resolved",
}


def meaning_label(meaning: str) -> str:
    """An event meaning as the case history's chronology names it."""
    return MEANING_LABELS.get(meaning, label(meaning))
