"""Escalation letters: drafted from a case with a template, kept as drafts, frozen when sent.

Templates are Jinja2 files (``resources/letters/*.j2`` built in, plus the user's own in the
data directory's ``templates`` folder, which add to or override the built-in ones). Each starts
with a header comment naming its id, title, ladder step, jurisdictions, reply days, language and
recipient. Because users write templates, they are rendered in Jinja2's sandbox with
autoescaping; a broken template is reported with its file and line.

A letter is rendered once to HTML (for Qt's text layout: preview, print, PDF); the plain text
for an email is derived from that same HTML. A fact the letter needs but the case lacks is
written as ``[missing: company postal address]`` and listed in :attr:`Draft.missing`; the
letter never shows a silent blank or ``None``.
"""

from __future__ import annotations

import html as html_lib
import re
import tempfile
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, StrictUndefined, TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.domain import clock
from core.domain.errors import DocketError, NotFoundError, ValidationError
from core.domain.models import (
    Case,
    Contact,
    Direction,
    Event,
    EventKind,
    Evidence,
    Letter,
    LetterStatus,
    PaymentMethod,
)
from core.domain.money import Money
from core.domain.when import When
from core.journal import settings as settings_mod
from core.journal.cases import attach_evidence, get_case, log_event, optional_date, text
from core.store.store import Store

LANGUAGES = ("en", "fr", "de")
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "de": "Deutsch"}
RECIPIENTS = ("company", "card_issuer", "regulator", "platform")

# How a letter went out; the first word of each is what the event and the PDF say.
SENT_VIA = {
    "email": "email",
    "post": "post",
    "recorded_post": "recorded post",
    "certified_post": "certified post",
    "by_hand": "by hand",
    "web_form": "web form",
}

EU_MEMBERS = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "HU",
})
ANY = "any"

# Facts a letter may need that the case does not hold (card digits, issuer, ...): kept in the
# letter's options and offered in the editor. Key -> label used in the [missing: ...] marker.
EXTRA_FACTS = {
    "card_last4": "last four digits of the card",
    "card_issuer": "card issuer's name",
    "card_issuer_address": "card issuer's postal address",
    "cardholder": "cardholder's name",
    "purchase": "what you bought",
    "statement_date": "date of the statement showing the charge",
    "platform": "platform name (e.g. PayPal)",
    "platform_case": "platform dispute or case number",
    "regulator": "regulator or ombudsman",
    "regulator_address": "regulator or ombudsman postal address",
    "regulator_reference": "your reference with the regulator",
    "court": "court you would file in",
}

_HEADER = re.compile(r"\A\s*\{#(.*?)#\}", re.DOTALL)


# -- formatting ---------------------------------------------------------------------------------
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


def off_weekend(day: date) -> date:
    """Move a deadline that falls on a Saturday or Sunday to the Monday after."""
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def reply_deadline(start: date, days: int) -> date:
    """The reply-by date: ``days`` after ``start``, never on a weekend."""
    return off_weekend(start + timedelta(days=days))


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


# -- templates ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LetterTemplate:
    """One template file in one language."""

    id: str
    title: str
    step: str
    jurisdictions: tuple[str, ...]
    response_days: int
    language: str
    recipient: str
    filename: str  # what the user sees in messages: the file's path
    name: str  # the loader's name for it
    user: bool  # from the user's templates folder

    def applies_to(self, jurisdiction: str) -> bool:
        """Whether this template claims to suit a case in ``jurisdiction`` (a country code)."""
        if ANY in self.jurisdictions or not jurisdiction:
            return True
        code = jurisdiction.upper()
        return code in self.jurisdictions or ("EU" in self.jurisdictions and code in EU_MEMBERS)


def _parse_header(source: str, filename: str) -> dict[str, str]:
    match = _HEADER.match(source)
    if not match:
        raise DocketError(f"Letter template {filename} line 1: it must start with a header comment "
                          "{# id: ..., title: ..., language: ... #}")
    values: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            values[key.strip().lower()] = value.strip()
    for key in ("id", "title", "language"):
        if not values.get(key):
            raise DocketError(f"Letter template {filename} line 1: the header has no '{key}:'")
    return values


def _template_from(source: str, filename: str, name: str, user: bool) -> LetterTemplate:
    head = _parse_header(source, filename)
    if not re.fullmatch(r"[a-z0-9_]{1,80}", head["id"]):
        raise DocketError(f"Letter template {filename} line 1: id {head['id']!r} may only hold a-z, 0-9 and _")
    try:
        days = int(head.get("response_days", "14"))
    except ValueError:
        raise DocketError(f"Letter template {filename} line 1: response_days must be a whole number") from None
    if not 1 <= days <= 365:
        raise DocketError(f"Letter template {filename} line 1: response_days must be 1 to 365")
    recipient = head.get("recipient", "company")
    if recipient not in RECIPIENTS:
        raise DocketError(f"Letter template {filename} line 1: recipient must be one of {', '.join(RECIPIENTS)}")
    jurisdictions = tuple(j.strip().upper() if j.strip().lower() != ANY else ANY
                          for j in head.get("jurisdictions", ANY).split(",") if j.strip()) or (ANY,)
    return LetterTemplate(
        id=head["id"], title=head["title"], step=head.get("step", ""), jurisdictions=jurisdictions,
        response_days=days, language=head["language"].lower(), recipient=recipient,
        filename=filename, name=name, user=user,
    )


@dataclass
class _Sources:
    """Every template file, built-in then the user's (which win on the same name)."""

    texts: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (source, filename)
    user_names: set[str] = field(default_factory=set)


def _read_sources(store: Store | None) -> _Sources:
    found = _Sources()
    root = files("resources").joinpath("letters")
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".j2"):
            found.texts[entry.name] = (entry.read_text(encoding="utf-8"), f"resources/letters/{entry.name}")
    user_dir = store.templates_dir if store is not None else None
    if user_dir is not None and user_dir.is_dir():
        for path in sorted(user_dir.glob("*.j2")):
            try:
                source = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise DocketError(f"Letter template {path}: cannot be read ({exc})") from None
            found.texts[path.name] = (source, str(path))
            found.user_names.add(path.name)
    return found


def _scan(store: Store | None) -> tuple[list[LetterTemplate], list[str]]:
    sources = _read_sources(store)
    chosen: dict[tuple[str, str], LetterTemplate] = {}
    problems: list[str] = []
    for name, (source, filename) in sources.texts.items():
        if name.startswith("_"):
            continue
        try:
            tpl = _template_from(source, filename, name, name in sources.user_names)
        except DocketError as exc:
            problems.append(str(exc))
            continue
        key = (tpl.id, tpl.language)
        # A user file overrides a built-in one with the same id and language, whatever its name.
        if key not in chosen or tpl.user:
            chosen[key] = tpl
    order = sorted(chosen.values(), key=lambda t: (t.id, LANGUAGES.index(t.language) if t.language in LANGUAGES else 99))
    return order, problems


def list_templates(store: Store | None) -> list[LetterTemplate]:
    """Every letter template, one per id and language, the user's overriding built-in ones.

    Files whose names start with ``_`` are shared layout pieces, not letters. A user's file
    with a broken header is left out (see :func:`template_problems`), so that one bad file
    does not stop every letter.
    """
    return _scan(store)[0]


def template_problems(store: Store | None) -> list[str]:
    """What is wrong with the user's template files that :func:`list_templates` left out:
    one message per file, naming it and the line."""
    return _scan(store)[1]


def find_template(store: Store | None, template_id: str, language: str = "en") -> LetterTemplate:
    """The template ``template_id`` in ``language`` or a clear error naming what exists."""
    templates, problems = _scan(store)
    for tpl in templates:
        if tpl.id == template_id and tpl.language == language:
            return tpl
    languages = [t.language for t in templates if t.id == template_id]
    if languages:
        raise NotFoundError(f"Letter template {template_id!r} has no {language!r} version; "
                            f"it exists in: {', '.join(languages)}.")
    ids = sorted({t.id for t in templates})
    note = (" Some template files could not be read: " + " ".join(problems)) if problems else ""
    raise NotFoundError(f"There is no letter template {template_id!r}. Templates: {', '.join(ids)}.{note}")


class _Loader(BaseLoader):
    def __init__(self, sources: _Sources) -> None:
        self.sources = sources

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        if template not in self.sources.texts:
            raise TemplateNotFound(template)
        source, filename = self.sources.texts[template]
        return source, filename, lambda: True


class _LetterEnvironment(SandboxedEnvironment):
    """The sandbox, also refusing arithmetic that would build huge strings or numbers."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and right > 100:
            raise SecurityError("exponents above 100 are not allowed in a letter template")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > 100_000:
                    raise SecurityError("that repetition would make a text too long for a letter")
        return super().call_binop(context, operator, left, right)


_ENVIRONMENTS: dict[int, SandboxedEnvironment] = {}


def _environment(sources: _Sources) -> SandboxedEnvironment:
    """A sandbox for these template files; kept while the files are unchanged, so the editor
    does not compile every template again each time a box is ticked."""
    key = hash(tuple(sorted(sources.texts.items())))
    env = _ENVIRONMENTS.get(key)
    if env is None:
        if len(_ENVIRONMENTS) >= 4:
            _ENVIRONMENTS.pop(next(iter(_ENVIRONMENTS)))
        env = _ENVIRONMENTS[key] = _new_environment(sources)
    return env


def _new_environment(sources: _Sources) -> SandboxedEnvironment:
    env = _LetterEnvironment(loader=_Loader(sources), autoescape=True, undefined=StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    env.filters["br"] = _join_lines
    env.filters["sentence"] = _sentence
    return env


def _sentence(value: Any) -> Any:
    """End a fact the user typed with exactly one full stop (a marker is left as it is)."""
    if isinstance(value, Markup) and "[missing:" in value:
        return value
    out = str(value).strip()
    return out if not out or out.endswith((".", "!", "?", "…")) else out + "."


def _join_lines(lines: Iterable[Any]) -> Markup:
    return Markup("<br>").join(escape(line) for line in lines if line)


def _template_line(exc: BaseException, filenames: set[str]) -> tuple[str, int | None]:
    """Where in a template file an error happened, from the traceback Jinja rewrites."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename in filenames:
            return frame.filename, frame.lineno
    return "", None


def _template_error(exc: BaseException, tpl: LetterTemplate, sources: _Sources) -> DocketError:
    if isinstance(exc, TemplateSyntaxError):
        where = exc.filename or tpl.filename
        return DocketError(f"Letter template {where} line {exc.lineno}: {exc.message}")
    filename, line = _template_line(exc, {f for _, f in sources.texts.values()})
    where = f"{filename or tpl.filename}" + (f" line {line}" if line else "")
    if isinstance(exc, SecurityError):
        return DocketError(f"Letter template {where}: not allowed in a template: {exc}")
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return DocketError(f"Letter template {where}: {message}")


# -- the draft ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Draft:
    """A rendered letter: the HTML for layout and PDF, its plain text, and what is missing."""

    subject: str
    html: str
    text: str
    missing: list[str]
    reply_by: date
    template: LetterTemplate
    language: str = "en"
    contact_id: int | None = None
    event_ids: tuple[int, ...] = ()
    evidence_ids: tuple[int, ...] = ()
    facts: dict[str, str] = field(default_factory=dict)


class _Missing:
    """Collects the facts a render needed and did not have, in order of first use."""

    def __init__(self) -> None:
        self.labels: list[str] = []

    def marker(self, label: str) -> Markup:
        if label not in self.labels:
            self.labels.append(label)
        return Markup('<span style="background-color:#ffe08a;">[missing: {}]</span>').format(label)

    def need(self, value: Any, label: str) -> Any:
        """``value`` when it holds something, else a visible marker (and the fact is listed)."""
        if value is None or (isinstance(value, (str, list, tuple, dict)) and not value):
            return self.marker(str(label))
        return value


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _chronology(events: Sequence[Event], language: str, company: str = "") -> list[dict[str, Any]]:
    """Each event as one sentence group. ``company`` is named when the reader is not the
    company itself (a card issuer, an ombudsman), where "my letter to you" would be wrong."""
    words = WORDS[language]
    kinds = KIND_WORDS[language]
    to, back = (words["to_them"], words["from_them"]) if company else (words["to"], words["from"])
    out = []
    for event in events:
        kind = kinds.get(event.kind, event.kind)
        pattern = {"to_company": to, "from_company": back}.get(event.direction, words["internal"])
        what = pattern.format(kind=kind, company=company)
        what = what[:1].upper() + what[1:]
        if event.contact is not None:
            who = event.contact.name + (f", {event.contact.role}" if event.contact.role else "")
            what += f" ({who})"
        colon = NBSP + ":" if language == "fr" else ":"  # French sets a space before a colon
        sentences = [what + colon, event.summary.rstrip(".") + "."]
        if event.details.strip():
            detail = " ".join(event.details.split())
            sentences.append(detail if detail.endswith((".", "!", "?")) else detail + ".")
        if event.waiting_minutes:
            sentences.append(words["waited"].format(m=format_minutes(event.waiting_minutes, language)))
        if event.duration_minutes and event.kind in (EventKind.CALL, EventKind.VISIT, EventKind.CHAT):
            sentences.append(words["lasted"].format(m=format_minutes(event.duration_minutes, language)))
        if event.promised_by:
            sentences.append(words["promised"].format(d=format_date(event.promised_by, language)))
        if event.reference:
            sentences.append(words["reference"].format(r=event.reference))
        when = event.when
        out.append({
            "id": event.id, "date": format_when(when, language), "day": when.day,
            "kind": event.kind, "direction": event.direction, "text": " ".join(sentences),
            "summary": event.summary, "who": event.contact.name if event.contact else "",
            "promised_by": format_date(event.promised_by, language) if event.promised_by else "",
        })
    return out


def _load(session: Session, case_id: int) -> Case:
    """The case with its company, contacts and evidence; its events are read apart (a case
    may have thousands, and a letter cites a few)."""
    case = session.scalars(
        select(Case).where(Case.id == case_id).options(
            selectinload(Case.company), selectinload(Case.contacts), selectinload(Case.evidence),
        )
    ).first()
    if case is None:
        raise NotFoundError(f"There is no case {case_id}.")
    return case


_CITED = (Event.direction != Direction.INTERNAL) | Event.kind.in_(
    [EventKind.PAYMENT.value, EventKind.DELIVERY.value, EventKind.PROMISE.value])


def _events(session: Session, case_id: int, event_ids: Iterable[int] | None) -> list[Event]:
    """The events to cite, in date order: those chosen, or every exchange with the company."""
    stmt = select(Event).where(Event.case_id == case_id).options(selectinload(Event.contact))
    if event_ids is None:
        stmt = stmt.where(_CITED)
    else:
        wanted = list(dict.fromkeys(event_ids))
        stmt = stmt.where(Event.id.in_(wanted))
    events = list(session.scalars(stmt.order_by(Event.sort_key, Event.id)))
    if event_ids is not None and len(events) != len(wanted):
        unknown = sorted(set(wanted) - {e.id for e in events})
        raise ValidationError("events", f"{unknown[0]} is not one of case {case_id}'s events")
    return events


def _edge(session: Session, case_id: int, direction: Direction, last: bool) -> Event | None:
    """The first or last message in one direction, found through the timeline's index."""
    order = (Event.sort_key.desc(), Event.id.desc()) if last else (Event.sort_key, Event.id)
    return session.scalars(select(Event).where(Event.case_id == case_id, Event.direction == direction.value)
                           .order_by(*order).limit(1)).first()


def _pick(items: Sequence[Any], ids: Iterable[int] | None, what: str, case_id: int) -> list[Any]:
    by_id = {item.id: item for item in items}
    chosen = []
    for item_id in ids or ():
        if item_id not in by_id:
            raise ValidationError(what, f"{item_id} is not one of case {case_id}'s {what}")
        chosen.append(by_id[item_id])
    return chosen


def default_event_ids(case: Case) -> list[int]:
    """The events a letter lists unless the user chooses: every exchange with the company."""
    return [e.id for e in case.events if e.direction != Direction.INTERNAL or e.kind in
            (EventKind.PAYMENT, EventKind.DELIVERY, EventKind.PROMISE)]


def _context(case: Case, tpl: LetterTemplate, *, language: str, you: dict[str, Any],
             events: list[Event], evidence: list[Evidence], contact: Contact | None,
             facts: dict[str, str], missing: _Missing, today: date,
             exchange: tuple[Event | None, Event | None, Event | None]) -> dict[str, Any]:
    """What a template sees. ``exchange`` is the first and last message to the company and
    its last message back."""
    need = missing.need
    company = case.company
    company_name = company.name if company else ""

    def money(value: Decimal | None) -> str:
        return format_money(value, case.currency, language) if value is not None else ""

    outstanding = None
    if case.amount is not None:
        outstanding = case.amount - (case.recovered or Decimal(0))
    references = list(case.references)
    accounts = list(company.account_numbers) if company else []
    reply_by = reply_deadline(today, tpl.response_days)

    sender_lines = [need(you["your_name"].strip(), "your name")]
    sender_lines += _lines(you["your_address"]) or [need("", "your postal address")]
    if you["your_email"].strip():
        sender_lines.append(you["your_email"].strip())
    if you["your_phone"].strip():
        sender_lines.append(you["your_phone"].strip())

    # The reader: the chosen contact, else the organisation the template writes to.
    organisation = company_name
    address = company.address if company else ""
    address_label = "company postal address"
    name_label = "company name"
    if tpl.recipient == "card_issuer":
        organisation, address = facts.get("card_issuer", ""), facts.get("card_issuer_address", "")
        name_label, address_label = EXTRA_FACTS["card_issuer"], EXTRA_FACTS["card_issuer_address"]
    elif tpl.recipient == "regulator":
        organisation, address = facts.get("regulator", ""), facts.get("regulator_address", "")
        name_label, address_label = EXTRA_FACTS["regulator"], EXTRA_FACTS["regulator_address"]
    elif tpl.recipient == "platform":
        default_platform = "PayPal" if case.payment_method == PaymentMethod.PAYPAL else ""
        organisation, address = facts.get("platform", default_platform), ""
        name_label = EXTRA_FACTS["platform"]
    person = ""
    if contact is not None:
        person = contact.name + (f", {contact.role}" if contact.role else "")
        organisation = contact.organisation or organisation
        address = contact.address or address
    greeting, sign_off = greeting_and_sign_off(contact.name if contact else "", language)
    recipient_lines: list[Any] = []
    if person:
        recipient_lines.append(f"{WORDS[language]['attention']} {person}")
    recipient_lines.append(need(organisation, name_label))
    if tpl.recipient != "platform":
        recipient_lines += _lines(address) or [need("", address_label)]

    platform = facts.get("platform") or ("PayPal" if case.payment_method == PaymentMethod.PAYPAL else "")
    first_to, last_to, last_from = exchange
    promises = [e for e in events if e.promised_by]  # only what the user chose to cite
    jurisdiction = (case.jurisdiction or you.get("default_jurisdiction", "") or "").upper()

    def fmt(day: date | None) -> str:
        return format_date(day, language) if day else ""

    return {
        "lang": language,
        "words": WORDS[language],
        "template": {"id": tpl.id, "title": tpl.title, "step": tpl.step, "response_days": tpl.response_days},
        "today": fmt(today),
        "reply_by": fmt(reply_by),
        "response_days": tpl.response_days,
        "jurisdiction": jurisdiction,
        "in_eu": jurisdiction in EU_MEMBERS,
        "sender": {"name": you["your_name"].strip(), "lines": sender_lines,
                   "email": you["your_email"].strip(), "phone": you["your_phone"].strip()},
        "recipient": {"organisation": organisation, "person": person, "lines": recipient_lines,
                      "named": greeting not in ("Dear Sir or Madam,", "Madame, Monsieur,",
                                                "Sehr geehrte Damen und Herren,")},
        "greeting": greeting,
        "sign_off": sign_off,
        "company": {"name": company_name, "email": company.email if company else "",
                    "website": company.website if company else "", "accounts": accounts},
        "case": {
            "id": case.id, "title": case.title, "category": case.category,
            "references": references, "refs": ", ".join(references + [a for a in accounts if a not in references]),
            "amount": money(case.amount), "recovered": money(case.recovered) if case.recovered else "",
            "outstanding": money(outstanding), "currency": case.currency,
            "amount_value": case.amount,
            "payment_method": PAYMENT_WORDS[language].get(case.payment_method or "", ""),
            "payment_method_code": case.payment_method or "",
            "payment_date": fmt(case.payment_date), "opened_on": fmt(case.opened_on),
            "remedy": case.desired_outcome.strip(), "impact": case.impact.strip(),
        },
        "facts": {key: facts.get(key, "") for key in EXTRA_FACTS},
        "cardholder": facts.get("cardholder") or you["your_name"].strip(),
        "platform": platform,
        "chronology": _chronology(events, language, "" if tpl.recipient == "company" else
                                  company_name or {"fr": "la société", "de": "der Firma"}.get(language, "the company")),
        "first_contact": fmt(first_to.when.day) if first_to else "",
        "last_sent": fmt(last_to.when.day) if last_to else "",
        "last_sent_kind": KIND_WORDS[language].get(last_to.kind, "") if last_to else "",
        "days_since_last_sent": (today - last_to.when.day).days if last_to else 0,
        "last_reply": fmt(last_from.when.day) if last_from else "",
        "promises": [{"summary": e.summary, "by": fmt(e.promised_by), "made": fmt(e.when.day)} for e in promises],
        "enclosures": [
            {"name": x.original_name, "description": x.description.strip(),
             "date": fmt(x.captured_on)} for x in evidence
        ],
        "need": need,
        "missing": missing.marker,
    }


def draft_letter(
    store: Store,
    *,
    case_id: int,
    template_id: str,
    language: str = "en",
    event_ids: Iterable[int] | None = None,
    evidence_ids: Iterable[int] | None = None,
    contact_id: int | None = None,
    facts: dict[str, str] | None = None,
) -> Draft:
    """Render a letter for a case. Nothing in the store changes.

    ``event_ids`` are the events for the chronology (default: every exchange with the company),
    ``evidence_ids`` the enclosures (default none), ``contact_id`` the reader (default the
    company's complaints department), ``facts`` extra facts such as the card's last digits
    (see :data:`EXTRA_FACTS`).
    """
    if not re.fullmatch(r"[a-z]{2}", language or ""):
        raise ValidationError("language", f"expected a two-letter language code such as en, fr or de, got {language!r}")
    facts = {k: text(v, f"facts.{k}", limit=2000) for k, v in (facts or {}).items() if k in EXTRA_FACTS}
    sources = _read_sources(store)
    tpl = find_template(store, template_id, language)
    today = clock.today()
    with store.read() as session:
        case = _load(session, case_id)
        you = settings_mod.get_all(session)
        events = _events(session, case_id, event_ids)
        exchange = (_edge(session, case_id, Direction.TO_COMPANY, last=False),
                    _edge(session, case_id, Direction.TO_COMPANY, last=True),
                    _edge(session, case_id, Direction.FROM_COMPANY, last=True))
        evidence = _pick(case.evidence, evidence_ids, "evidence", case_id)
        contact = _pick(case.contacts, [contact_id], "contacts", case_id)[0] if contact_id else None
        missing = _Missing()
        # A user's template in another language gets English dates and phrases until Docket
        # knows that language.
        ctx = _context(case, tpl, language=language if language in LANGUAGES else "en", you=you, events=events, evidence=evidence,
                       contact=contact, facts=facts, missing=missing, today=today, exchange=exchange)
        env = _environment(sources)
        try:
            template = env.get_template(tpl.name)
            html = template.render(ctx)
            subject_block = template.blocks.get("subject")
            subject_html = "".join(subject_block(template.new_context(ctx))) if subject_block else tpl.title
        except (TemplateError, SecurityError, ArithmeticError, TypeError, ValueError,
                AttributeError, KeyError, IndexError, RecursionError) as exc:
            raise _template_error(exc, tpl, sources) from None
    subject = " ".join(html_to_text(subject_html).split())
    return Draft(
        subject=subject, html=html, text=html_to_text(html), missing=list(missing.labels),
        reply_by=reply_deadline(today, tpl.response_days), template=tpl, language=language,
        contact_id=contact_id, event_ids=tuple(e.id for e in events),
        evidence_ids=tuple(x.id for x in evidence), facts=dict(facts),
    )


# -- plain text -----------------------------------------------------------------------------
class _TextMaker(HTMLParser):
    BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.cells = 0
        self.in_cell = 0

    def _break(self, blank: bool) -> None:
        self.parts.append("\n\n" if blank else "\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "style", "script", "title"):
            self.skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self._break(False)
            self.parts.append("- ")
        elif tag == "tr":
            self._break(False)
            self.cells = 0
        elif tag in ("td", "th"):
            if self.cells:
                self.parts.append("  ")
            self.cells += 1
            self.in_cell += 1
        elif tag in self.BLOCKS and not self.in_cell:
            self._break(True)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style", "script", "title"):
            self.skip = max(0, self.skip - 1)
        elif tag in ("td", "th"):
            self.in_cell = max(0, self.in_cell - 1)
        elif tag in self.BLOCKS and not self.in_cell:
            # Qt writes each table cell's text as a paragraph; a cell stays on its row.
            self._break(True)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))

    def result(self) -> str:
        raw = "".join(self.parts)
        lines = [line.strip(" ") for line in raw.split("\n")]
        out = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
        return out.strip() + "\n"


def html_to_text(html: str) -> str:
    """The plain text of a letter's HTML (for an email): paragraphs, lines and lists kept."""
    maker = _TextMaker()
    maker.feed(html)
    maker.close()
    return maker.result()


# -- keeping letters ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LetterInfo:
    """A kept letter as plain data, for the Letters tab and the editor."""

    id: int
    case_id: int
    template_id: str
    language: str
    subject: str
    body: str
    status: str
    contact_id: int | None
    reply_by: date | None
    sent_on: date | None
    sent_via: str
    tracking: str
    event_id: int | None
    evidence_id: int | None
    options: dict[str, Any]

    @property
    def sent(self) -> bool:
        return self.status == LetterStatus.SENT


def _info(letter: Letter) -> LetterInfo:
    return LetterInfo(
        id=letter.id, case_id=letter.case_id, template_id=letter.template_id,
        language=letter.language, subject=letter.subject, body=letter.body, status=letter.status,
        contact_id=letter.contact_id, reply_by=letter.reply_by, sent_on=letter.sent_on,
        sent_via=letter.sent_via, tracking=letter.tracking, event_id=letter.event_id,
        evidence_id=letter.evidence_id, options=dict(letter.options or {}),
    )


def get_letter(store: Store, *, letter_id: int) -> LetterInfo:
    """One kept letter."""
    with store.read() as session:
        letter = session.get(Letter, letter_id)
        if letter is None:
            raise NotFoundError(f"There is no letter {letter_id}.")
        return _info(letter)


def list_letters(store: Store, *, case_id: int) -> list[LetterInfo]:
    """A case's letters, newest first: drafts and sent."""
    with store.read() as session:
        rows = session.scalars(select(Letter).where(Letter.case_id == case_id)
                               .order_by(Letter.updated_at.desc(), Letter.id.desc()))
        return [_info(row) for row in rows]


def save_draft(store: Store, *, case_id: int, draft: Draft, letter_id: int | None = None) -> int:
    """Keep a draft with its case (new, or replacing draft ``letter_id``). Returns its id.

    ``draft.html`` is stored as the letter's body, so a text the user edited is what is kept.
    A letter already sent is frozen: saving over it is refused.
    """
    body = text(draft.html, "letter.body", required=True, limit=2_000_000)
    subject = text(draft.subject, "letter.subject", limit=500)
    options = {
        "event_ids": list(draft.event_ids), "evidence_ids": list(draft.evidence_ids),
        "facts": dict(draft.facts), "step": draft.template.step,
        "response_days": draft.template.response_days, "missing": list(draft.missing),
    }
    with store.write() as session:
        get_case(session, case_id)
        now = clock.now()
        if letter_id is None:
            letter = Letter(case_id=case_id, created_at=now, status=LetterStatus.DRAFT.value,
                            sent_via="", tracking="")
            session.add(letter)
        else:
            letter = session.get(Letter, letter_id)
            if letter is None or letter.case_id != case_id:
                raise NotFoundError(f"There is no letter {letter_id} in case {case_id}.")
            if letter.status == LetterStatus.SENT:
                raise DocketError(f"Letter {letter_id} was sent on {letter.sent_on}; a sent letter "
                                  "cannot be changed. Draft a new one instead.")
        letter.template_id = draft.template.id
        letter.language = draft.language
        letter.subject = subject
        letter.body = body
        letter.contact_id = draft.contact_id
        letter.reply_by = draft.reply_by
        letter.options = options
        letter.updated_at = now
        session.flush()
        return letter.id


PAGE_LABEL = {"en": "page {n} of {m}", "fr": "page {n} sur {m}", "de": "Seite {n} von {m}"}


def running_footer(subject: str, language: str) -> Any:
    """The letter's running header and footer: its subject and "page N of M" in its language."""
    from core.documents.render import Running  # Qt is only loaded when a page is laid out

    return Running(footer_left=subject[:90], page_label=PAGE_LABEL.get(language, PAGE_LABEL["en"]))


def _write_pdf(store: Store, html: str, out: Path, subject: str, language: str) -> int:
    from core.documents.render import html_to_pdf

    you = settings_mod.get_all(store)
    return html_to_pdf(html, out, paper=you["paper_size"], title=subject, author=you["your_name"],
                       subject=subject, running=running_footer(subject, language))


def draft_pdf(store: Store, *, draft: Draft, out: Path | str) -> int:
    """Write a draft (not kept) as a PDF to ``out``. Returns the number of pages."""
    return _write_pdf(store, draft.html, Path(out), draft.subject, draft.language)


def letter_pdf(store: Store, *, letter_id: int, out: Path | str) -> Path:
    """Write the letter as a PDF to ``out``. A sent letter gives exactly the PDF kept as
    evidence when it was sent; a draft is laid out now (paper size from Settings)."""
    out = Path(out)
    info = get_letter(store, letter_id=letter_id)
    if info.sent and info.evidence_id is not None:
        with store.read() as session:
            item = session.get(Evidence, info.evidence_id)
            sha = item.sha256 if item else None
        if sha and store.evidence.has(sha):
            with store.evidence.open(sha) as src:
                out.write_bytes(src.read())
            return out
    _write_pdf(store, info.body, out, info.subject, info.language)
    return out


def _with_sent_line(body: str, line: str) -> str:
    """Put "Sent by recorded post on ..." at the top of the letter, where it is read first."""
    para = f'<p align="right"><i>{html_lib.escape(line)}</i></p>'
    if "<!--sent-->" in body:
        return body.replace("<!--sent-->", para, 1)
    match = re.search(r"<body[^>]*>", body)
    return body[: match.end()] + para + body[match.end():] if match else para + body


def mark_as_sent(store: Store, *, letter_id: int, via: str, sent_on: date | str | None = None,
                 tracking: str = "") -> int:
    """Record that a letter went out. Returns the new timeline event's id.

    In one transaction: the letter is frozen (status sent, with how, when and the tracking
    number written on it), its PDF is laid out and kept as evidence, a ``letter`` event to the
    company is added to the timeline with the PDF linked, and the letter's reply deadline is
    set: :mod:`core.reminders` reads it from sent letters, so the silence clock runs to it.
    """
    if via not in SENT_VIA:
        raise ValidationError("via", f"expected one of {', '.join(SENT_VIA)}, got {via!r}")
    sent = optional_date(sent_on, "sent_on") or clock.today()
    if sent > clock.today():
        raise ValidationError("sent_on", f"{sent} is in the future; record a letter once it has gone out")
    tracking = text(tracking, "tracking", limit=200)
    info = get_letter(store, letter_id=letter_id)
    if info.sent:
        raise DocketError(f"Letter {letter_id} was already marked as sent on {info.sent_on}.")
    words = WORDS.get(info.language, WORDS["en"])
    line = words["sent"].format(via=VIA_WORDS.get(info.language, SENT_VIA)[via], date=format_date(sent, info.language))
    if tracking:
        line += ", " + words["tracking"].format(t=tracking)
    body = _with_sent_line(info.body, line)
    days = int(info.options.get("response_days") or 14)
    # The deadline the letter states stands; if it has already passed (a draft kept for
    # weeks), the clock runs the template's full period from the day it was sent.
    stated = info.reply_by
    reply_by = stated if stated is not None and stated > sent else reply_deadline(sent, days)
    with tempfile.TemporaryDirectory(prefix="docket-letter-") as tmp:
        pdf = Path(tmp) / "letter.pdf"
        _write_pdf(store, body, pdf, info.subject, info.language)
        with store.write() as session:
            letter = session.get(Letter, letter_id)
            if letter is None:
                raise NotFoundError(f"There is no letter {letter_id}.")
            if letter.status == LetterStatus.SENT:
                raise DocketError(f"Letter {letter_id} was already marked as sent on {letter.sent_on}.")
            name = f"letter-{letter_id}-{letter.template_id}-{sent.isoformat()}.pdf"
            evidence_id = attach_evidence(
                session, case_id=letter.case_id, path=pdf, original_name=name,
                description=f"Letter sent by {SENT_VIA[via]}: {letter.subject}", captured_on=sent,
                media_type="application/pdf",
            )
            details = f"Sent by {SENT_VIA[via]}." + (f" Tracking number {tracking}." if tracking else "")
            details += f" Reply requested by {format_date(reply_by)}."
            event_id = log_event(
                session, case_id=letter.case_id, at=sent, kind=EventKind.LETTER.value,
                direction=Direction.TO_COMPANY.value, summary=f"Letter sent: {letter.subject or letter.template_id}"[:1000],
                details=details, reference=tracking, contact_id=letter.contact_id,
                evidence_ids=[evidence_id],
            )
            now = clock.now()
            letter.body = body
            letter.status = LetterStatus.SENT.value
            letter.sent_on = sent
            letter.sent_via = via
            letter.tracking = tracking
            letter.reply_by = reply_by
            letter.event_id = event_id
            letter.evidence_id = evidence_id
            letter.updated_at = now
            return event_id


def draft_from_kept(store: Store | None, *, kept: LetterInfo) -> Draft:
    """The draft a kept letter stands for, to open it again in the editor: its wording as
    kept, its template, recipient, chosen events and evidence, and the facts typed for it.
    Nothing in the store changes."""
    options = kept.options
    return Draft(
        subject=kept.subject, html=kept.body, text=html_to_text(kept.body), missing=[],
        reply_by=kept.reply_by or clock.today(),
        template=find_template(store, kept.template_id, kept.language), language=kept.language,
        contact_id=kept.contact_id, event_ids=tuple(options.get("event_ids", [])),
        evidence_ids=tuple(options.get("evidence_ids", [])), facts=dict(options.get("facts") or {}),
    )
