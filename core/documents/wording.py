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


def is_us(jurisdiction: str | None) -> bool:
    """Whether a case follows United States conventions (US, or a state such as US-CA)."""
    code = (jurisdiction or "").upper()
    return code == "US" or code.startswith("US-")


def format_date(day: date, language: str = "en", jurisdiction: str = "") -> str:
    """A date as the language writes it in a letter: 23 November 2026 (November 23, 2026 in
    the United States), 1er novembre 2026, 23. November 2026."""
    month = _MONTHS.get(language, _MONTHS["en"])[day.month - 1]
    if language == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    if language == "de":
        return f"{day.day}. {month} {day.year}"
    if is_us(jurisdiction):
        return f"{month} {day.day}, {day.year}"
    return f"{day.day} {month} {day.year}"


def format_when(when: When, language: str = "en", jurisdiction: str = "") -> str:
    """An event's date, with its time of day (as the user gave it) when known."""
    out = format_date(when.day, language, jurisdiction)
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
           "bank_transfer": "bank transfer", "direct_debit": "direct debit", "cash": "cash", "other": "other means"},
    "fr": {"credit_card": "carte de crédit", "debit_card": "carte de débit", "paypal": "PayPal",
           "bank_transfer": "virement bancaire", "direct_debit": "prélèvement", "cash": "espèces",
           "other": "autre moyen"},
    "de": {"credit_card": "Kreditkarte", "debit_card": "Debitkarte", "paypal": "PayPal",
           "bank_transfer": "Banküberweisung", "direct_debit": "Lastschrift", "cash": "Barzahlung",
           "other": "andere Zahlungsart"},
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


def greeting_and_sign_off(contact_name: str, language: str, jurisdiction: str = "") -> tuple[str, str]:
    """The greeting and the matching close.

    English: "Dear Sir or Madam" closes "Yours faithfully"; a named reader, "Yours sincerely";
    in the United States every letter closes "Sincerely". French repeats the salutation in the
    closing formula; German addresses a person by surname ("Sehr geehrte Frau Schäfer") and
    closes "Mit freundlichen Grüßen".
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
    us = is_us(jurisdiction)
    if not named:
        return "Dear Sir or Madam,", "Sincerely," if us else "Yours faithfully,"
    close = "Sincerely," if us else "Yours sincerely,"
    if first in _TITLES_EN and len(words) > 1:
        return f"Dear {words[0]} {words[-1]},", close
    return f"Dear {name},", close


PAGE_LABEL = {"en": "page {n} of {m}", "fr": "page {n} sur {m}", "de": "Seite {n} von {m}"}


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
# The marker a letter shows where a fact is missing, in the letter's language.
MISSING_WORD = {"en": "missing", "fr": "manque", "de": "fehlt"}
MISSING_LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "amount in dispute": "montant en litige", "cardholder's name": "nom du titulaire de la carte",
        "company name": "nom de la société", "company postal address": "adresse postale de la société",
        "date of purchase": "date de l'achat", "date of the order or payment": "date de la commande ou du paiement",
        "date of your earlier message to the company": "date de votre précédent message à la société",
        "last four digits of the card": "quatre derniers chiffres de la carte", "merchant name": "nom du commerçant",
        "order or account reference": "référence de commande ou de compte", "payment date": "date du paiement",
        "regulator or ombudsman": "autorité ou médiateur", "seller's name": "nom du vendeur",
        "the events in date order (tick them in the letter editor)":
            "les faits par ordre chronologique (à cocher dans l'éditeur de lettre)",
        "the remedy you ask for (case: desired outcome)": "ce que vous demandez (dossier : résultat souhaité)",
        "what you bought": "ce que vous avez acheté", "your name": "votre nom",
        "your postal address": "votre adresse postale",
        "date of your first complaint": "date de votre première réclamation",
    },
    "de": {
        "amount in dispute": "strittiger Betrag", "cardholder's name": "Name des Karteninhabers",
        "company name": "Name der Firma", "company postal address": "Postanschrift der Firma",
        "date of purchase": "Kaufdatum", "date of the order or payment": "Datum der Bestellung oder Zahlung",
        "date of your earlier message to the company": "Datum Ihrer früheren Nachricht an die Firma",
        "last four digits of the card": "letzte vier Ziffern der Karte", "merchant name": "Name des Händlers",
        "order or account reference": "Bestell- oder Kundennummer", "payment date": "Zahlungsdatum",
        "regulator or ombudsman": "Aufsichtsbehörde oder Schlichtungsstelle", "seller's name": "Name des Verkäufers",
        "the events in date order (tick them in the letter editor)":
            "die Ereignisse in zeitlicher Reihenfolge (im Brief-Editor auswählen)",
        "the remedy you ask for (case: desired outcome)": "Ihre Forderung (Fall: gewünschtes Ergebnis)",
        "what you bought": "was Sie gekauft haben", "your name": "Ihr Name",
        "your postal address": "Ihre Postanschrift",
        "date of your first complaint": "Datum Ihrer ersten Beschwerde",
    },
}


def missing_label(label: str, language: str) -> str:
    """A missing fact's label in the letter's language (English when not translated)."""
    return MISSING_LABELS.get(language, {}).get(label, label)


# -- the story: one sentence per event, chosen by what it means ----------------------------------
# How a contact was made, as the end of a sentence ("I complained to you by phone").
HOW: dict[str, dict[str, str]] = {
    "en": {"call": "by phone", "email": "by email", "letter": "by letter", "chat": "in an online chat",
           "visit": "in person", "web_form": "through the web form", "social": "on social media",
           "response": "", "payment": "", "delivery": "", "promise": "", "note": ""},
    "fr": {"call": "par téléphone", "email": "par courriel", "letter": "par courrier",
           "chat": "par messagerie en ligne", "visit": "en personne", "web_form": "par le formulaire en ligne",
           "social": "sur les réseaux sociaux", "response": "", "payment": "", "delivery": "",
           "promise": "", "note": ""},
    "de": {"call": "telefonisch", "email": "per E-Mail", "letter": "per Brief", "chat": "im Online-Chat",
           "visit": "persönlich", "web_form": "über das Webformular", "social": "über soziale Medien",
           "response": "", "payment": "", "delivery": "", "promise": "", "note": ""},
}

# Sentence per meaning (or plain contact per direction), for a reader who is the company
# ("you") and for anyone else ("{co}" is the company's name). {how} is a HOW phrase, {amount} a
# formatted amount; a phrase ending "_amount" is used when the event has one.
STORY: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "purchase": ("I placed my order with you.", "I placed my order with {co}."),
        "purchase_amount": ("I paid you {amount}.", "I paid {co} {amount}."),
        "charge": ("You took a payment from me.", "{co} took a payment from me."),
        "charge_amount": ("You took {amount} from me.", "{co} took {amount} from me."),
        "debit": ("You took a direct debit from my account.", "{co} took a direct debit from my account."),
        "debit_amount": ("You took a direct debit of {amount} from my account.",
                         "{co} took a direct debit of {amount} from my account."),
        "refund": ("You refunded money to me.", "{co} refunded money to me."),
        "refund_amount": ("You refunded {amount} to me.", "{co} refunded {amount} to me."),
        "invoice": ("You sent me a bill.", "{co} sent me a bill."),
        "invoice_amount": ("You sent me a bill for {amount}.", "{co} sent me a bill for {amount}."),
        "problem": ("The problem began.", "The problem began."),
        "complaint": ("I complained to you {how}.", "I complained to {co} {how}."),
        "formal_complaint": ("I made a formal complaint to you {how}.", "I made a formal complaint to {co} {how}."),
        "cancellation": ("I cancelled my contract with you {how}.", "I cancelled my contract with {co} {how}."),
        "reply": ("You replied {how}.", "{co} replied {how}."),
        "acknowledgement": ("You acknowledged my complaint {how}.", "{co} acknowledged my complaint {how}."),
        "promise": ("You made me a promise {how}.", "{co} made me a promise {how}."),
        "partial_offer": ("You offered me part of what I asked for {how}.",
                          "{co} offered me part of what I asked for {how}."),
        "partial_offer_amount": ("You offered me {amount} {how}.", "{co} offered me {amount} {how}."),
        "refusal": ("You refused my request {how}.", "{co} refused my request {how}."),
        "final_response": ("You sent me your final response {how}.", "{co} sent me its final response {how}."),
        "resolved": ("You resolved the matter {how}.", "{co} resolved the matter {how}."),
        "to_company": ("I contacted you {how}.", "I contacted {co} {how}."),
        "from_company": ("You contacted me {how}.", "{co} contacted me {how}."),
        "delivery_from": ("Your delivery arrived.", "A delivery from {co} arrived."),
        "delivery_to": ("What I sent was delivered to you.", "What I sent was delivered to {co}."),
        "delivery": ("A delivery arrived.", "A delivery arrived."),
        "letter_to_card_issuer": ("I wrote to my card issuer about this.", ""),
        "letter_to_platform": ("I opened a dispute with the payment platform.", ""),
        "letter_to_regulator": ("I referred the matter to the regulator or ombudsman.", ""),
    },
    "fr": {
        "purchase": ("J'ai passé commande auprès de vous.", "J'ai passé commande auprès de {co}."),
        "purchase_amount": ("Je vous ai payé {amount}.", "J'ai payé {amount} à {co}."),
        "charge": ("Vous avez prélevé un paiement sur mon compte.", "{co} a prélevé un paiement sur mon compte."),
        "charge_amount": ("Vous m'avez débité {amount}.", "{co} m'a débité {amount}."),
        "debit": ("Vous avez effectué un prélèvement sur mon compte.", "{co} a effectué un prélèvement sur mon compte."),
        "debit_amount": ("Vous avez prélevé {amount} sur mon compte.", "{co} a prélevé {amount} sur mon compte."),
        "refund": ("Vous m'avez remboursé une somme.", "{co} m'a remboursé une somme."),
        "refund_amount": ("Vous m'avez remboursé {amount}.", "{co} m'a remboursé {amount}."),
        "invoice": ("Vous m'avez adressé une facture.", "{co} m'a adressé une facture."),
        "invoice_amount": ("Vous m'avez adressé une facture de {amount}.", "{co} m'a adressé une facture de {amount}."),
        "problem": ("Le problème est apparu.", "Le problème est apparu."),
        "complaint": ("Je vous ai adressé une réclamation {how}.", "J'ai adressé une réclamation à {co} {how}."),
        "formal_complaint": ("Je vous ai adressé une réclamation formelle {how}.",
                             "J'ai adressé une réclamation formelle à {co} {how}."),
        "cancellation": ("J'ai résilié mon contrat {how}.", "J'ai résilié mon contrat avec {co} {how}."),
        "reply": ("Vous m'avez répondu {how}.", "{co} m'a répondu {how}."),
        "acknowledgement": ("Vous avez accusé réception de ma réclamation {how}.",
                            "{co} a accusé réception de ma réclamation {how}."),
        "promise": ("Vous m'avez fait une promesse {how}.", "{co} m'a fait une promesse {how}."),
        "partial_offer": ("Vous m'avez fait une offre partielle {how}.", "{co} m'a fait une offre partielle {how}."),
        "partial_offer_amount": ("Vous m'avez proposé {amount} {how}.", "{co} m'a proposé {amount} {how}."),
        "refusal": ("Vous avez refusé ma demande {how}.", "{co} a refusé ma demande {how}."),
        "final_response": ("Vous m'avez adressé votre réponse définitive {how}.",
                           "{co} m'a adressé sa réponse définitive {how}."),
        "resolved": ("Vous avez réglé le litige {how}.", "{co} a réglé le litige {how}."),
        "to_company": ("Je vous ai contacté {how}.", "J'ai contacté {co} {how}."),
        "from_company": ("Vous m'avez contacté {how}.", "{co} m'a contacté {how}."),
        "delivery_from": ("Votre livraison est arrivée.", "Une livraison de {co} est arrivée."),
        "delivery_to": ("Mon envoi vous a été remis.", "Mon envoi a été remis à {co}."),
        "delivery": ("Une livraison est arrivée.", "Une livraison est arrivée."),
        "letter_to_card_issuer": ("J'ai écrit à ma banque à ce sujet.", ""),
        "letter_to_platform": ("J'ai ouvert un litige auprès de la plateforme de paiement.", ""),
        "letter_to_regulator": ("J'ai saisi le médiateur ou l'autorité compétente.", ""),
    },
    "de": {
        "purchase": ("Ich habe bei Ihnen bestellt.", "Ich habe bei {co} bestellt."),
        "purchase_amount": ("Ich habe Ihnen {amount} gezahlt.", "Ich habe {co} {amount} gezahlt."),
        "charge": ("Sie haben eine Zahlung von mir eingezogen.", "{co} hat eine Zahlung von mir eingezogen."),
        "charge_amount": ("Sie haben {amount} von mir eingezogen.", "{co} hat {amount} von mir eingezogen."),
        "debit": ("Sie haben eine Lastschrift von meinem Konto eingezogen.",
                  "{co} hat eine Lastschrift von meinem Konto eingezogen."),
        "debit_amount": ("Sie haben {amount} per Lastschrift von meinem Konto eingezogen.",
                         "{co} hat {amount} per Lastschrift von meinem Konto eingezogen."),
        "refund": ("Sie haben mir Geld erstattet.", "{co} hat mir Geld erstattet."),
        "refund_amount": ("Sie haben mir {amount} erstattet.", "{co} hat mir {amount} erstattet."),
        "invoice": ("Sie haben mir eine Rechnung geschickt.", "{co} hat mir eine Rechnung geschickt."),
        "invoice_amount": ("Sie haben mir eine Rechnung über {amount} geschickt.",
                           "{co} hat mir eine Rechnung über {amount} geschickt."),
        "problem": ("Das Problem trat auf.", "Das Problem trat auf."),
        "complaint": ("Ich habe mich {how} bei Ihnen beschwert.", "Ich habe mich {how} bei {co} beschwert."),
        "formal_complaint": ("Ich habe {how} förmlich Beschwerde bei Ihnen eingelegt.",
                             "Ich habe {how} förmlich Beschwerde bei {co} eingelegt."),
        "cancellation": ("Ich habe meinen Vertrag {how} gekündigt.", "Ich habe meinen Vertrag mit {co} {how} gekündigt."),
        "reply": ("Sie haben mir {how} geantwortet.", "{co} hat mir {how} geantwortet."),
        "acknowledgement": ("Sie haben den Eingang meiner Beschwerde {how} bestätigt.",
                            "{co} hat den Eingang meiner Beschwerde {how} bestätigt."),
        "promise": ("Sie haben mir {how} eine Zusage gemacht.", "{co} hat mir {how} eine Zusage gemacht."),
        "partial_offer": ("Sie haben mir {how} ein Teilangebot gemacht.", "{co} hat mir {how} ein Teilangebot gemacht."),
        "partial_offer_amount": ("Sie haben mir {how} {amount} angeboten.", "{co} hat mir {how} {amount} angeboten."),
        "refusal": ("Sie haben meine Forderung {how} abgelehnt.", "{co} hat meine Forderung {how} abgelehnt."),
        "final_response": ("Sie haben mir {how} Ihre abschließende Antwort geschickt.",
                           "{co} hat mir {how} seine abschließende Antwort geschickt."),
        "resolved": ("Sie haben die Angelegenheit {how} erledigt.", "{co} hat die Angelegenheit {how} erledigt."),
        "to_company": ("Ich habe Sie {how} kontaktiert.", "Ich habe {co} {how} kontaktiert."),
        "from_company": ("Sie haben mich {how} kontaktiert.", "{co} hat mich {how} kontaktiert."),
        "delivery_from": ("Ihre Lieferung ist eingetroffen.", "Eine Lieferung von {co} ist eingetroffen."),
        "delivery_to": ("Meine Sendung wurde Ihnen zugestellt.", "Meine Sendung wurde {co} zugestellt."),
        "delivery": ("Eine Lieferung ist eingetroffen.", "Eine Lieferung ist eingetroffen."),
        "letter_to_card_issuer": ("Ich habe meiner Bank deswegen geschrieben.", ""),
        "letter_to_platform": ("Ich habe bei der Zahlungsplattform einen Konflikt eröffnet.", ""),
        "letter_to_regulator": ("Ich habe mich an die Schlichtungsstelle oder Aufsicht gewandt.", ""),
    },
}



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


STORY_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "details": "In short: {text}", "note": "My note: {text}",
        "waited": "I waited {m} on hold.", "waited_visit": "I waited {m} to be seen.",
        "lasted": "It lasted {m}.", "promised": "Promised by {d}.", "reference": "Reference: {r}.",
        "contact": "I dealt with {who}.", "contact_from": "It came from {who}.",
    },
    "fr": {
        "details": "En bref : {text}", "note": "Ma note : {text}",
        "waited": "J'ai attendu {m} en ligne.", "waited_visit": "J'ai attendu {m} avant d'être reçu.",
        "lasted": "Durée : {m}.", "promised": "Promis pour le {d}.", "reference": "Référence : {r}.",
        "contact": "Mon interlocuteur : {who}.", "contact_from": "Expéditeur : {who}.",
    },
    "de": {
        "details": "Kurz gesagt: {text}", "note": "Meine Notiz: {text}",
        "waited": "Ich habe {m} in der Warteschleife gewartet.", "waited_visit": "Ich habe {m} gewartet.",
        "lasted": "Dauer: {m}.", "promised": "Zugesagt bis {d}.", "reference": "Referenz: {r}.",
        "contact": "Mein Ansprechpartner: {who}.", "contact_from": "Absender: {who}.",
    },
}


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
