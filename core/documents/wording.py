"""Every word and format a letter or a case history writes per language: dates, times,
money, minutes, months, direction labels, greetings and closings.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.domain.models import (
    Direction,
)
from core.domain.money import Money
from core.domain.when import When

LANGUAGES = ("en", "fr", "de")


LANGUAGE_NAMES = {"en": "English", "fr": "Français", "de": "Deutsch"}


# How a letter went out; the first word of each is what the event and the PDF say.
SENT_VIA = {
    "email": "email",
    "post": "post",
    "recorded_post": "recorded post",
    "certified_post": "certified post",
    "by_hand": "by hand",
    "web_form": "web form",
}


_MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
           "September", "Oktober", "November", "Dezember"],
}


NBSP = "\u00a0"


def format_date(day: date, language: str = "en") -> str:
    """A date as the language writes it in a letter: 23 November 2026, 1er novembre 2026,
    23. November 2026."""
    month = _MONTHS.get(language, _MONTHS["en"])[day.month - 1]
    if language == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    if language == "de":
        return f"{day.day}. {month} {day.year}"
    return f"{day.day} {month} {day.year}"


def format_when(when: When, language: str = "en") -> str:
    """An event's date, with its time of day (as the user gave it) when known."""
    out = format_date(when.day, language)
    if when.moment is not None:
        hhmm = when.moment.strftime("%H:%M")
        out += {"fr": f" à {hhmm}", "de": f", {hhmm} Uhr"}.get(language, f", {hhmm}")
    return out


def format_money(value: Decimal, currency: str, language: str = "en") -> str:
    """An amount as the language writes it: EUR 1,299.00 / 1 299,00 € / 1.299,00 €.

    English keeps the ISO code first (unambiguous across borders); French and German put the
    unit after the number, with the euro sign for euros.
    """
    digits = f"{Money(value, currency).quantized():,}"
    if language == "en":
        return f"{currency} {digits}"
    whole, _, cents = digits.partition(".")
    group = NBSP if language == "fr" else "."
    number = whole.replace(",", group) + ("," + cents if cents else "")
    unit = "€" if currency == "EUR" else currency
    return f"{number}{NBSP}{unit}"


def format_minutes(total: int, language: str = "en") -> str:
    hours, mins = divmod(total, 60)
    words = {
        "en": (("hour", "hours"), ("minute", "minutes")),
        "fr": (("heure", "heures"), ("minute", "minutes")),
        "de": (("Stunde", "Stunden"), ("Minute", "Minuten")),
    }[language if language in LANGUAGES else "en"]
    parts = []
    if hours:
        parts.append(f"{hours} {words[0][hours != 1]}")
    if mins or not hours:
        parts.append(f"{mins} {words[1][mins != 1]}")
    return " ".join(parts)


# Words the shared layout and the chronology use, per language.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "attention": "For the attention of", "enclosures": "Enclosures (copies)",
        "subject": "", "ref": "Ref", "sent": "Sent by {via} on {date}", "tracking": "tracking number {t}",
        "to": "my {kind} to you", "from": "your {kind} to me", "internal": "{kind}",
        "to_them": "my {kind} to {company}", "from_them": "{kind} from {company} to me",
        "waited": "I waited {m} on hold.", "lasted": "It lasted {m}.",
        "promised": "Promised by {d}.", "reference": "Reference: {r}.",
        "email": "Email", "phone": "Telephone",
    },
    "fr": {
        "attention": "À l'attention de", "enclosures": "Pièces jointes (copies)",
        "subject": "Objet : ", "ref": "Réf.", "sent": "Envoyé par {via} le {date}", "tracking": "numéro de suivi {t}",
        "to": "{kind} de ma part", "from": "{kind} de votre part", "internal": "{kind}",
        "to_them": "{kind} de ma part à {company}", "from_them": "{kind} de {company}",
        "waited": "J'ai attendu {m} en ligne.", "lasted": "Durée : {m}.",
        "promised": "Promis pour le {d}.", "reference": "Référence : {r}.",
        "email": "Courriel", "phone": "Téléphone",
    },
    "de": {
        "attention": "z. Hd.", "enclosures": "Anlagen (Kopien)",
        "subject": "", "ref": "Zeichen", "sent": "Versandt per {via} am {date}", "tracking": "Sendungsnummer {t}",
        "to": "{kind} von mir", "from": "{kind} von Ihnen", "internal": "{kind}",
        "to_them": "{kind} von mir an {company}", "from_them": "{kind} von {company}",
        "waited": "Ich habe {m} in der Warteschleife gewartet.", "lasted": "Dauer: {m}.",
        "promised": "Zugesagt bis {d}.", "reference": "Referenz: {r}.",
        "email": "E-Mail", "phone": "Telefon",
    },
}


KIND_WORDS: dict[str, dict[str, str]] = {
    "en": {"call": "phone call", "email": "email", "letter": "letter", "chat": "online chat",
           "visit": "visit", "web_form": "web form message", "social": "social media message",
           "payment": "payment", "delivery": "delivery", "promise": "promise",
           "response": "reply", "note": "note"},
    "fr": {"call": "appel téléphonique", "email": "courriel", "letter": "lettre",
           "chat": "discussion en ligne", "visit": "visite", "web_form": "formulaire en ligne",
           "social": "message sur les réseaux sociaux", "payment": "paiement",
           "delivery": "livraison", "promise": "promesse", "response": "réponse", "note": "note"},
    "de": {"call": "Anruf", "email": "E-Mail", "letter": "Brief", "chat": "Online-Chat",
           "visit": "Besuch", "web_form": "Nachricht über das Webformular",
           "social": "Nachricht in sozialen Medien", "payment": "Zahlung", "delivery": "Lieferung",
           "promise": "Zusage", "response": "Antwort", "note": "Notiz"},
}


PAYMENT_WORDS: dict[str, dict[str, str]] = {
    "en": {"credit_card": "credit card", "debit_card": "debit card", "paypal": "PayPal",
           "bank_transfer": "bank transfer", "cash": "cash", "other": "other means"},
    "fr": {"credit_card": "carte de crédit", "debit_card": "carte de débit", "paypal": "PayPal",
           "bank_transfer": "virement bancaire", "cash": "espèces", "other": "autre moyen"},
    "de": {"credit_card": "Kreditkarte", "debit_card": "Debitkarte", "paypal": "PayPal",
           "bank_transfer": "Banküberweisung", "cash": "Barzahlung", "other": "andere Zahlungsart"},
}


VIA_WORDS = {
    "en": SENT_VIA,
    "fr": {"email": "courriel", "post": "courrier", "recorded_post": "lettre recommandée",
           "certified_post": "lettre recommandée avec accusé de réception", "by_hand": "remise en main propre",
           "web_form": "formulaire en ligne"},
    "de": {"email": "E-Mail", "post": "Post", "recorded_post": "Einschreiben",
           "certified_post": "Einschreiben mit Rückschein", "by_hand": "persönliche Übergabe",
           "web_form": "Webformular"},
}


_DEPARTMENT_WORDS = (
    "department", "team", "service", "support", "complaints", "customer", "billing", "office",
    "desk", "relations", "inquiries", "enquiries", "disputes", "client", "réclamation", "abteilung",
    "kundendienst", "kundenservice", "beschwerde", "ombudsman", "médiateur", "bank", "banque",
)


_TITLES_EN = ("mr", "mrs", "ms", "miss", "mx", "dr", "prof")


def greeting_and_sign_off(contact_name: str, language: str) -> tuple[str, str]:
    """The greeting and the matching close.

    English: "Dear Sir or Madam" closes "Yours faithfully"; a named reader, "Yours sincerely".
    French repeats the salutation in the closing formula; German closes "Mit freundlichen Grüßen".
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
        if named and first == "frau":
            return f"Sehr geehrte {name},", "Mit freundlichen Grüßen"
        if named and first == "herr":
            return f"Sehr geehrter {name},", "Mit freundlichen Grüßen"
        if named:
            return f"Guten Tag {name},", "Mit freundlichen Grüßen"
        return "Sehr geehrte Damen und Herren,", "Mit freundlichen Grüßen"
    if not named:
        return "Dear Sir or Madam,", "Yours faithfully,"
    if first in _TITLES_EN and len(words) > 1:
        return f"Dear {words[0]} {words[-1]},", "Yours sincerely,"
    return f"Dear {name},", "Yours sincerely,"


PAGE_LABEL = {"en": "page {n} of {m}", "fr": "page {n} sur {m}", "de": "Seite {n} von {m}"}



# -- the case history's labels ----------------------------------------------------------

def label(value: str | None) -> str:
    """An enum value as people read it: ``web_form`` -> ``Web form``."""
    return (value or "").replace("_", " ").capitalize()


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

