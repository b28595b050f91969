"""Rule packs: the deadlines and the law of each jurisdiction, as data.

One JSON file per pack in ``resources/rules/``: a country or union (``GB``, ``US``, ``EU``,
``CA``, ``AU``, ``FR``, ``DE``), the ``generic`` rules, and topic packs that add to the
countries they cover (``subscriptions``, ``recurring_payments``, ``GB-telecoms``,
``CA-card-issuers``). A rule says which fact of a case it counts from (``starts_from``),
for how long (``period``), whether the date *opens* a step of the escalation ladder (you
may now go to the ombudsman) or *closes* it (the chargeback window ends), which cases it
applies to (``applies_when``), and where the number comes from (``source``, ``checked``
or ``"confidence": "secondary"``). Packs are validated when loaded: an unknown key or
value is refused with the pack file and the rule id, never silently ignored.

The API the ladder, the window and the command line call::

    facts = reminders.case_facts_for(session, case_id)  # the ladder's reading of a stored case
    applicable_rules(facts) -> list[Rule]            # only rules whose applies_when matches
    clocks(facts, today) -> list[Clock]              # each running clock, earliest first
    missing_facts(facts) -> list[MissingFact]        # "Add how you paid to see ..."
    legal_basis(facts) -> list[LegalBasis]           # the sections a letter may cite

:class:`CaseFacts` is frozen: the case's jurisdiction (a country such as ``GB`` or a
region such as ``GB-SCT``), the company's kind, what was bought, how it was paid, the
card scheme, the payment and expected dates, the amount, and the dated story read from the
events' meanings (first complaint, formal complaint, last reply, final response,
cancellation, charges after cancellation...) and from the letters sent (payment dispute,
regulator complaint, final notice).

``applies_when`` keys (every one optional; every listed condition must hold):

* ``company_kinds``: :class:`CompanyKind` values (``"financial"`` stands for the
  financial kinds: bank, payment service, lender, insurer);
* ``purchases``: :class:`Purchase` values; ``categories``: :class:`Category` values;
* ``payment_methods``: :class:`PaymentMethod` values; ``card_schemes``: :class:`CardScheme`
  values (a credit card of unknown scheme counts as a scheme card; a debit card's scheme
  must be known, since domestic debit schemes have no scheme chargeback);
* ``regions``: countries (``GB``) or regions (``GB-ENG``); a rule without it covers the
  whole of every country its pack covers;
* ``complaint_to``: ``"card_issuer"``: the rule is about the part of the case that is a
  complaint to the card issuer or payment service (a chargeback, a section 75 claim, a
  PayPal dispute), whatever the company is;
* ``has`` / ``lacks``: story facts (see :data:`STORY`) that must / must not be on record
  (``lacks`` counts only those on or after the rule's start);
* ``in_force_from`` / ``in_force_until``: ``YYYY-MM-DD``; outside them the rule is off;
* ``currency`` with ``min_amount`` / ``max_amount``: amount limits, only in that currency.

Where a condition needs a fact the case does not have (no payment method, no company
kind, a country without its region), the rule is not applied and :func:`missing_facts`
names the fact that would unlock it: Docket refuses to guess.

The ladder (:mod:`core.escalation.ladder`) builds these facts from its own
(``ladder.rule_facts``) and takes every clock from :func:`clocks`: the banner, ``docket
next``, the due list and the calendar show one set of dates.

Docket shows :data:`DISCLAIMER` beside every rule.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

from core.domain.dates_text import short_date
from core.domain.errors import ValidationError
from core.domain.models import (
    FINANCIAL_KINDS,
    CardScheme,
    Category,
    CompanyKind,
    PaymentMethod,
    Purchase,
)
from core.i18n import N_, _, current_language, ngettext

# Marked for the catalog; shown through _() (or in a letter's own language) where used.
DISCLAIMER = N_("General information, not legal advice.")
NOT_CONFIRMED = N_("not yet confirmed at the source")

# The facts of a case a rule may count from. The first nine are the ones core.ladder
# finds in the timeline itself; the others only CaseFacts knows.
ANCHORS = {
    "complaint_sent": N_("your first message to the company"),
    "formal_complaint_sent": N_("your formal complaint"),
    "final_notice_sent": N_("your final notice (letter before action)"),
    "payment_dispute_sent": N_("your claim to the card issuer or payment platform"),
    "regulator_complaint_sent": N_("your complaint to the regulator or ombudsman"),
    "final_response": N_("the company's final response"),
    "payment_date": N_("the payment"),
    "statement_date": N_("the statement showing the charge (Docket uses the payment date)"),
    "delivery_date": N_("the delivery"),
}
NEW_ANCHORS = {
    "contract_date": N_("the contract (your order or payment)"),
    "expected_by": N_("the date the goods or service were due"),
    "cancellation": N_("your cancellation"),
    "charge_after_cancellation": N_("the first charge after you cancelled"),
    "refusal": N_("the company's refusal"),
}
ALL_ANCHORS = {**ANCHORS, **NEW_ANCHORS}
UNITS = ("days", "business_days", "weeks", "months", "years")
EFFECTS = ("opens", "closes")
STEPS = (
    "complaint", "chaser", "formal_complaint", "final_notice", "payment_dispute", "regulator",
    "small_claims",
)
COUNTRY_PACKS = ("generic", "GB", "US", "EU", "CA", "AU", "FR", "DE")
TOPIC_PACKS = ("subscriptions", "recurring_payments", "GB-telecoms", "CA-card-issuers")
PACK_CODES = COUNTRY_PACKS + TOPIC_PACKS
DEFAULT_REMIND_BEFORE = 10

# The dated story of a case (CaseFacts fields) that ``has`` and ``lacks`` may name.
STORY = {
    "purchased": N_("your order or payment"),
    "problem": N_("the problem"),
    "delivered": N_("the delivery"),
    "first_complaint": N_("your first complaint"),
    "formal_complaint": N_("your formal complaint"),
    "cancellation": N_("your cancellation"),
    "charge_after_cancellation": N_("a charge after you cancelled"),
    "acknowledgement": N_("an acknowledgement of your complaint"),
    "last_reply": N_("the company's last reply"),
    "refusal": N_("a refusal"),
    "final_response": N_("the final response"),
    "final_notice": N_("your final notice"),
    "payment_dispute": N_("your claim to the card issuer or payment platform"),
    "regulator_complaint": N_("your complaint to the regulator or ombudsman"),
    "refund": N_("a refund"),
    "resolved": N_("the resolution"),
    "expected_by": N_("the date the goods or service were due"),
    "payment_date": N_("the payment"),
    "first_charge": N_("the first charge"),
}
FINANCIAL = frozenset(k.value for k in FINANCIAL_KINDS)
CARD_METHODS = frozenset({PaymentMethod.CREDIT_CARD.value, PaymentMethod.DEBIT_CARD.value})
ISSUER_METHODS = CARD_METHODS | {PaymentMethod.PAYPAL.value}
# Regions Docket knows by name; any two-letter country code is accepted as a country.
REGIONS = frozenset(
    [f"GB-{r}" for r in ("ENG", "WLS", "SCT", "NIR")]
    + [f"CA-{r}" for r in ("AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT")]
    + [f"AU-{r}" for r in ("ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA")]
    + [f"US-{r}" for r in ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY"]]
)
# The names of the countries the packs cover and of the regions above, as the user reads them.
COUNTRY_NAMES = {
    "AT": "Austria", "AU": "Australia", "BE": "Belgium", "BG": "Bulgaria", "CA": "Canada", "CY": "Cyprus",
    "CZ": "Czechia", "DE": "Germany", "DK": "Denmark", "EE": "Estonia", "ES": "Spain", "FI": "Finland",
    "FR": "France", "GB": "United Kingdom", "GR": "Greece", "HR": "Croatia", "HU": "Hungary", "IE": "Ireland",
    "IT": "Italy", "LT": "Lithuania", "LU": "Luxembourg", "LV": "Latvia", "MT": "Malta", "NL": "Netherlands",
    "PL": "Poland", "PT": "Portugal", "RO": "Romania", "SE": "Sweden", "SI": "Slovenia", "SK": "Slovakia",
    "US": "United States",
}
_ALIASES = {"UK": "GB", "EL": "GR"}  # other codes some packs accept for the same country
REGION_NAMES = {
    "GB-ENG": "England", "GB-WLS": "Wales", "GB-SCT": "Scotland", "GB-NIR": "Northern Ireland",
    "CA-AB": "Alberta", "CA-BC": "British Columbia", "CA-MB": "Manitoba", "CA-NB": "New Brunswick",
    "CA-NL": "Newfoundland and Labrador", "CA-NS": "Nova Scotia", "CA-NT": "Northwest Territories",
    "CA-NU": "Nunavut", "CA-ON": "Ontario", "CA-PE": "Prince Edward Island", "CA-QC": "Quebec",
    "CA-SK": "Saskatchewan", "CA-YT": "Yukon",
    "AU-ACT": "Australian Capital Territory", "AU-NSW": "New South Wales", "AU-NT": "Northern Territory",
    "AU-QLD": "Queensland", "AU-SA": "South Australia", "AU-TAS": "Tasmania", "AU-VIC": "Victoria",
    "AU-WA": "Western Australia",
    "US-AL": "Alabama", "US-AK": "Alaska", "US-AZ": "Arizona", "US-AR": "Arkansas", "US-CA": "California",
    "US-CO": "Colorado", "US-CT": "Connecticut", "US-DE": "Delaware", "US-DC": "District of Columbia",
    "US-FL": "Florida", "US-GA": "Georgia", "US-HI": "Hawaii", "US-ID": "Idaho", "US-IL": "Illinois",
    "US-IN": "Indiana", "US-IA": "Iowa", "US-KS": "Kansas", "US-KY": "Kentucky", "US-LA": "Louisiana",
    "US-ME": "Maine", "US-MD": "Maryland", "US-MA": "Massachusetts", "US-MI": "Michigan", "US-MN": "Minnesota",
    "US-MS": "Mississippi", "US-MO": "Missouri", "US-MT": "Montana", "US-NE": "Nebraska", "US-NV": "Nevada",
    "US-NH": "New Hampshire", "US-NJ": "New Jersey", "US-NM": "New Mexico", "US-NY": "New York",
    "US-NC": "North Carolina", "US-ND": "North Dakota", "US-OH": "Ohio", "US-OK": "Oklahoma", "US-OR": "Oregon",
    "US-PA": "Pennsylvania", "US-RI": "Rhode Island", "US-SC": "South Carolina", "US-SD": "South Dakota",
    "US-TN": "Tennessee", "US-TX": "Texas", "US-UT": "Utah", "US-VT": "Vermont", "US-VA": "Virginia",
    "US-WA": "Washington", "US-WV": "West Virginia", "US-WI": "Wisconsin", "US-WY": "Wyoming",
}
ELSEWHERE_IN_EU = N_("Elsewhere in the European Union")


def country_name(code: str) -> str:
    """A country's name in the current language: CLDR's (through Babel) for French, German and
    Spanish ("Royaume-Uni", "Vereinigtes Königreich"), Docket's own in English."""
    english = COUNTRY_NAMES.get(code, code)
    language = current_language()
    if language in ("en", "pseudo") or len(code) != 2:
        return english
    try:
        from babel import Locale

        found = Locale.parse(language).territories.get(code)
    except (ImportError, ValueError):
        found = None
    return str(found) if found else english
# How each fact the rules may need is asked for.
FACT_PROMPTS = {
    "company_kind": N_("what kind of company this is (a shop, a bank, a telecoms provider...)"),
    "purchase": N_("what you bought (goods, a service, digital content or a subscription)"),
    "payment_method": N_("how you paid"),
    "card_scheme": N_("which card network your card belongs to (Visa, Mastercard, a domestic debit scheme...)"),
    "region": N_("which part of the country you live in (England, Wales, Scotland, Northern Ireland; a state or province)"),
    "amount": N_("the amount"),
    "payment_date": N_("the payment date"),
    "expected_by": N_("the date the goods or service were due"),
    "delivered": N_("the delivery (log it on the timeline)"),
}
_STEP_STORY = {
    "complaint": "first_complaint", "formal_complaint": "formal_complaint",
    "final_notice": "final_notice", "payment_dispute": "payment_dispute",
    "regulator": "regulator_complaint",
}


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str
    plus_days: int = 0  # "12 months and 14 days"

    def after(self, start: date) -> date:
        """The date this period after ``start`` ends (business days skip Saturday and Sunday)."""
        if self.plus_days:
            return Period(self.amount, self.unit).after(start) + timedelta(days=self.plus_days)
        if self.unit == "days":
            return start + timedelta(days=self.amount)
        if self.unit == "weeks":
            return start + timedelta(weeks=self.amount)
        if self.unit == "business_days":
            day, left = start, self.amount
            while left > 0:
                day += timedelta(days=1)
                if day.weekday() < 5:
                    left -= 1
            return day
        months = self.amount * (12 if self.unit == "years" else 1)
        year, month0 = divmod(start.month - 1 + months, 12)
        year += start.year
        # 31 January + 1 month is the last day of February, as people count months.
        last = calendar.monthrange(year, month0 + 1)[1]
        return date(year, month0 + 1, min(start.day, last))

    def describe(self) -> str:
        """"30 days", "12 months and 14 days", in the current language."""
        n = self.amount
        units = {
            "days": ngettext("{n} day", "{n} days", n),
            "business_days": ngettext("{n} business day", "{n} business days", n),
            "weeks": ngettext("{n} week", "{n} weeks", n),
            "months": ngettext("{n} month", "{n} months", n),
            "years": ngettext("{n} year", "{n} years", n),
        }
        text = units.get(self.unit, f"{{n}} {self.unit.replace('_', ' ')}").format(n=n)
        if self.plus_days:
            extra = ngettext("{n} day", "{n} days", self.plus_days).format(n=self.plus_days)
            return _("{period} and {extra}").format(period=text, extra=extra)
        return text


@dataclass(frozen=True)
class Conditions:
    """A rule's ``applies_when``, parsed. ``None`` means "whatever the case says"."""

    company_kinds: frozenset[str] | None = None
    purchases: frozenset[str] | None = None
    categories: frozenset[str] | None = None
    payment_methods: frozenset[str] | None = None
    card_schemes: frozenset[str] | None = None
    regions: frozenset[str] | None = None
    complaint_to: str | None = None
    has: frozenset[str] = frozenset()
    lacks: frozenset[str] = frozenset()
    in_force_from: date | None = None
    in_force_until: date | None = None
    currency: str | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None

    def describe(self) -> str:
        """"financial firms; paid by: credit_card" for the docs' tables."""
        parts = []
        for name in ("company_kinds", "purchases", "categories", "payment_methods", "card_schemes", "regions"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name.replace('_', ' ')}: {', '.join(sorted(value))}")
        if self.complaint_to:
            parts.append("complaint to the card issuer or payment service")
        if self.has:
            parts.append(f"after: {', '.join(sorted(self.has))}")
        if self.lacks:
            parts.append(f"unless: {', '.join(sorted(self.lacks))}")
        if self.in_force_from:
            parts.append(f"in force from {self.in_force_from.isoformat()}")
        if self.in_force_until:
            parts.append(f"in force until {self.in_force_until.isoformat()}")
        if self.min_amount is not None or self.max_amount is not None:
            parts.append(f"{self.currency or ''} {self.min_amount or 0}–{self.max_amount or '…'}".strip())
        return "; ".join(parts) or "all cases"


@dataclass(frozen=True)
class Rule:
    """One deadline. ``checked`` is set only when the number was confirmed at ``source``."""

    id: str
    label: str
    explanation: str
    starts_from: str
    period: Period
    effect: str
    steps: tuple[str, ...]
    source: str
    jurisdiction: str
    checked: date | None = None
    confidence: str = "primary"
    note: str = ""
    remind_before_days: int = DEFAULT_REMIND_BEFORE
    when: Conditions = field(default_factory=Conditions)
    # Every fact the rule may count from: the latest one on record is used.
    starts: tuple[str, ...] = ()
    # At most this long after the first fact in ``starts`` (a chargeback's 540 days).
    cap: Period | None = None

    @property
    def opens(self) -> bool:
        return self.effect == "opens"

    @property
    def secondary(self) -> bool:
        return self.confidence == "secondary"

    @property
    def categories(self) -> frozenset[str] | None:
        return self.when.categories

    @property
    def payment_methods(self) -> frozenset[str] | None:
        return self.when.payment_methods

    @property
    def currency(self) -> str | None:
        return self.when.currency

    @property
    def min_amount(self) -> Decimal | None:
        return self.when.min_amount

    @property
    def max_amount(self) -> Decimal | None:
        return self.when.max_amount

    def provenance(self) -> str:
        """"source, checked 2026-12-01" or "source (not yet confirmed at the source)"."""
        return provenance_text(self.source, self.checked)

    def date_from(self, start: date) -> date:
        return self.period.after(start)


@dataclass(frozen=True)
class LegalBasis:
    """A statute section a letter may cite for a case. ``certainty`` is ``"applies"`` or
    ``"may apply"`` (the case lacks a fact the section needs; the letter must say so)."""

    id: str
    cite: str
    text: str
    source: str
    jurisdiction: str
    certainty: str = "applies"
    checked: date | None = None
    confidence: str = "primary"
    note: str = ""
    when: Conditions = field(default_factory=Conditions)

    @property
    def secondary(self) -> bool:
        return self.confidence == "secondary"


@dataclass(frozen=True)
class RulePack:
    code: str
    name: str
    covers: tuple[str, ...]
    rules: tuple[Rule, ...] = field(default=())
    currency: str | None = None
    bases: tuple[LegalBasis, ...] = field(default=())
    topic: bool = False
    notes: tuple[str, ...] = field(default=())

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


# -- validation -------------------------------------------------------------------------------
def _need(obj: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in obj:
        raise ValidationError(f"{where}.{key}", "is missing")
    value = obj[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValidationError(f"{where}.{key}", f"expected {getattr(kind, '__name__', kind)}, got {value!r}")
    return value


def _amount(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(where, f"expected an amount such as \"100.00\", got {value!r}") from None


def _day(value: Any, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(where, f"expected YYYY-MM-DD, got {value!r}") from None


def _values(raw: Mapping[str, Any], key: str, allowed: Iterable[str], what: str, where: str) -> frozenset[str] | None:
    if key not in raw:
        return None
    items = raw[key]
    if not isinstance(items, list) or not items:
        raise ValidationError(f"{where}.{key}", "expected a non-empty list")
    known = set(allowed)
    out = set()
    for i, value in enumerate(items):
        if value not in known:
            raise ValidationError(f"{where}.{key}[{i}]", f"unknown {what} {value!r}")
        out.add(value)
    return frozenset(out)


def _region_ok(value: Any) -> bool:
    return isinstance(value, str) and (value in REGIONS or (len(value) == 2 and value.isalpha() and value.isupper()))


_CONDITION_KEYS = ("company_kinds", "purchases", "categories", "payment_methods", "card_schemes",
                   "regions", "complaint_to", "has", "lacks", "in_force_from", "in_force_until",
                   "currency", "min_amount", "max_amount")


def parse_conditions(raw: Any, where: str) -> Conditions:
    """Validate an ``applies_when`` object; unknown keys and values are refused at ``where``."""
    if not isinstance(raw, dict):
        raise ValidationError(where, "expected an object")
    for key in raw:
        if key not in _CONDITION_KEYS:
            raise ValidationError(f"{where}.{key}", "is not a condition Docket knows")
    kinds = _values(raw, "company_kinds", [*(k.value for k in CompanyKind), "financial"], "company kind", where)
    if kinds is not None and "financial" in kinds:
        kinds = (kinds - {"financial"}) | FINANCIAL
    regions = None
    if "regions" in raw:
        items = raw["regions"]
        if not isinstance(items, list) or not items:
            raise ValidationError(f"{where}.regions", "expected a non-empty list")
        for i, value in enumerate(items):
            if not _region_ok(value):
                raise ValidationError(f"{where}.regions[{i}]", f"unknown region {value!r}")
        regions = frozenset(items)
    complaint_to = raw.get("complaint_to")
    if complaint_to is not None and complaint_to != "card_issuer":
        raise ValidationError(f"{where}.complaint_to", f"expected 'card_issuer', got {complaint_to!r}")
    currency = raw.get("currency")
    if currency is not None and not (isinstance(currency, str) and len(currency) == 3):
        raise ValidationError(f"{where}.currency", f"expected a currency code such as 'GBP', got {currency!r}")
    return Conditions(
        company_kinds=kinds,
        purchases=_values(raw, "purchases", (p.value for p in Purchase), "purchase", where),
        categories=_values(raw, "categories", (c.value for c in Category), "category", where),
        payment_methods=_values(raw, "payment_methods", (m.value for m in PaymentMethod), "payment method", where),
        card_schemes=_values(raw, "card_schemes", (s.value for s in CardScheme), "card scheme", where),
        regions=regions,
        complaint_to=complaint_to,
        has=_values(raw, "has", STORY, "story fact", where) or frozenset(),
        lacks=_values(raw, "lacks", STORY, "story fact", where) or frozenset(),
        in_force_from=_day(raw.get("in_force_from"), f"{where}.in_force_from"),
        in_force_until=_day(raw.get("in_force_until"), f"{where}.in_force_until"),
        currency=currency,
        min_amount=_amount(raw.get("min_amount"), f"{where}.min_amount"),
        max_amount=_amount(raw.get("max_amount"), f"{where}.max_amount"),
    )


def _provenance(raw: Mapping[str, Any], where: str) -> tuple[str, date | None, str, str]:
    source = _need(raw, "source", str, where)
    if not source.startswith("https://"):
        raise ValidationError(f"{where}.source", "must be an https:// address of the source")
    confidence = raw.get("confidence", "primary")
    if confidence not in ("primary", "secondary"):
        raise ValidationError(f"{where}.confidence", f"expected 'primary' or 'secondary', got {confidence!r}")
    checked: date | None = None
    if "checked" in raw:
        checked = _day(_need(raw, "checked", str, where), f"{where}.checked")
        if confidence != "primary":
            raise ValidationError(f"{where}.confidence", "a rule checked at its primary source is not 'secondary'")
    elif confidence != "secondary":
        raise ValidationError(f"{where}", "needs either 'checked' (confirmed at the source) or \"confidence\": \"secondary\"")
    note = raw.get("note", "")
    if not isinstance(note, str):
        raise ValidationError(f"{where}.note", "expected text")
    if confidence == "secondary" and not note:
        raise ValidationError(f"{where}.note", "a secondary rule needs a note saying what was not confirmed")
    return source, checked, confidence, note


_RULE_KEYS = {"id", "label", "explanation", "starts_from", "period", "cap", "effect", "steps", "source",
              "checked", "confidence", "note", "remind_before_days", "applies_when"}


def _period(raw: Any, where: str) -> Period:
    if not isinstance(raw, dict):
        raise ValidationError(where, "expected an object")
    for key in raw:
        if key not in ("amount", "unit", "plus_days"):
            raise ValidationError(f"{where}.{key}", "is not a period field")
    amount = _need(raw, "amount", int, where)
    unit = _need(raw, "unit", str, where)
    if unit not in UNITS:
        raise ValidationError(f"{where}.unit", f"unknown {unit!r}; expected one of: {', '.join(UNITS)}")
    if amount < 0:
        raise ValidationError(f"{where}.amount", "must not be negative")
    plus = raw.get("plus_days", 0)
    if isinstance(plus, bool) or not isinstance(plus, int) or plus < 0:
        raise ValidationError(f"{where}.plus_days", f"expected a number of days, got {plus!r}")
    return Period(amount, unit, plus)


def _parse_rule(raw: Any, code: str, where: str) -> Rule:
    if not isinstance(raw, dict):
        raise ValidationError(where, "expected an object")
    rule_id = _need(raw, "id", str, where)
    where = f"{where}({rule_id})"
    for key in raw:
        if key not in _RULE_KEYS:
            raise ValidationError(f"{where}.{key}", "is not a rule field")
    starts_raw = raw.get("starts_from")
    starts = [starts_raw] if isinstance(starts_raw, str) else starts_raw
    if not isinstance(starts, list) or not starts:
        raise ValidationError(f"{where}.starts_from", "is missing (a fact, or a list of facts: the latest counts)")
    for anchor in starts:
        if anchor not in ALL_ANCHORS:
            raise ValidationError(f"{where}.starts_from", f"unknown {anchor!r}; expected one of: {', '.join(ALL_ANCHORS)}")
    period = _period(_need(raw, "period", dict, where), f"{where}.period")
    cap = _period(raw["cap"], f"{where}.cap") if "cap" in raw else None
    effect = _need(raw, "effect", str, where)
    if effect not in EFFECTS:
        raise ValidationError(f"{where}.effect", f"expected 'opens' or 'closes', got {effect!r}")
    steps = _need(raw, "steps", list, where)
    if not steps:
        raise ValidationError(f"{where}.steps", "names no step")
    for i, step in enumerate(steps):
        if step not in STEPS:
            raise ValidationError(f"{where}.steps[{i}]", f"unknown step {step!r}; expected one of: {', '.join(STEPS)}")
    source, checked, confidence, note = _provenance(raw, where)
    remind = raw.get("remind_before_days", DEFAULT_REMIND_BEFORE)
    if isinstance(remind, bool) or not isinstance(remind, int) or not 0 <= remind <= 365:
        raise ValidationError(f"{where}.remind_before_days", f"expected 0 to 365 days, got {remind!r}")
    if "applies_when" not in raw:
        raise ValidationError(f"{where}.applies_when", "is missing ({} for every case of the pack)")
    return Rule(
        id=rule_id,
        label=_need(raw, "label", str, where),
        explanation=_need(raw, "explanation", str, where),
        starts_from=starts[0],
        period=period,
        effect=effect,
        steps=tuple(steps),
        source=source,
        jurisdiction=code,
        checked=checked,
        confidence=confidence,
        note=note,
        remind_before_days=remind,
        when=parse_conditions(raw["applies_when"], f"{where}.applies_when"),
        starts=tuple(starts),
        cap=cap,
    )


_BASIS_KEYS = {"id", "cite", "text", "source", "checked", "confidence", "note", "certainty", "applies_when"}


def _parse_basis(raw: Any, code: str, where: str) -> LegalBasis:
    if not isinstance(raw, dict):
        raise ValidationError(where, "expected an object")
    basis_id = _need(raw, "id", str, where)
    where = f"{where}({basis_id})"
    for key in raw:
        if key not in _BASIS_KEYS:
            raise ValidationError(f"{where}.{key}", "is not a legal basis field")
    certainty = raw.get("certainty", "applies")
    if certainty not in ("applies", "may apply"):
        raise ValidationError(f"{where}.certainty", f"expected 'applies' or 'may apply', got {certainty!r}")
    source, checked, confidence, note = _provenance(raw, where)
    if "applies_when" not in raw:
        raise ValidationError(f"{where}.applies_when", "is missing")
    return LegalBasis(
        id=basis_id, cite=_need(raw, "cite", str, where), text=_need(raw, "text", str, where),
        source=source, jurisdiction=code, certainty=certainty, checked=checked,
        confidence=confidence, note=note,
        when=parse_conditions(raw["applies_when"], f"{where}.applies_when"),
    )


_PACK_KEYS = {"jurisdiction", "name", "covers", "currency", "extends", "overrides", "rules",
              "legal_bases", "topic", "notes"}


def parse_pack(data: Any, where: str, parent: RulePack | None = None) -> RulePack:
    """Validate a pack's JSON data; ``parent`` is the pack it extends (its rules are included
    unless listed in ``overrides``). Raises :class:`ValidationError` naming the place."""
    if not isinstance(data, dict):
        raise ValidationError(where, "expected a JSON object")
    for key in data:
        if key not in _PACK_KEYS:
            raise ValidationError(f"{where}.{key}", "is not a pack field")
    code = _need(data, "jurisdiction", str, where)
    rules_raw = _need(data, "rules", list, where)
    own = [_parse_rule(raw, code, f"{where}: rules[{i}]") for i, raw in enumerate(rules_raw)]
    bases_raw = data.get("legal_bases", [])
    if not isinstance(bases_raw, list):
        raise ValidationError(f"{where}.legal_bases", "expected a list")
    own_bases = [_parse_basis(raw, code, f"{where}: legal_bases[{i}]") for i, raw in enumerate(bases_raw)]
    overrides = set(data.get("overrides", []))
    inherited = [r for r in parent.rules if r.id not in overrides] if parent else []
    if parent:
        unknown = overrides - {r.id for r in parent.rules}
        if unknown:
            raise ValidationError(f"{where}.overrides", f"no such rule in {parent.code}: {', '.join(sorted(unknown))}")
    seen: set[str] = set()
    ids = [r.id for r in [*inherited, *own]] + [b.id for b in [*(parent.bases if parent else ()), *own_bases]]
    for item_id in ids:
        if item_id in seen:
            raise ValidationError(f"{where}: rules", f"rule id {item_id!r} appears twice")
        seen.add(item_id)
    notes = data.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise ValidationError(f"{where}.notes", "expected a list of sentences")
    covers = data.get("covers", [])
    if not isinstance(covers, list):
        raise ValidationError(f"{where}.covers", "expected a list of countries")
    for i, value in enumerate(covers):
        if not _region_ok(value):
            raise ValidationError(f"{where}.covers[{i}]", f"unknown country {value!r}")
    if not isinstance(data.get("topic", False), bool):
        raise ValidationError(f"{where}.topic", "expected true or false")
    return RulePack(
        code=code, name=_need(data, "name", str, where), covers=tuple(data.get("covers", [])),
        rules=tuple([*inherited, *own]), currency=data.get("currency"),
        bases=tuple([*(parent.bases if parent else ()), *own_bases]),
        topic=bool(data.get("topic", False)), notes=tuple(notes),
    )


@cache
def load_pack(code: str) -> RulePack:
    """The rule pack for ``code`` (one of :data:`PACK_CODES`), read from ``resources/rules``."""
    if code not in PACK_CODES:
        raise ValidationError("jurisdiction", f"no rule pack {code!r}; expected one of: {', '.join(PACK_CODES)}")
    name = f"rules/{code}.json"
    try:
        data = json.loads((files("resources") / "rules" / f"{code}.json").read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValidationError(name, f"is not valid JSON: {exc}") from None
    parent_code = data.get("extends") if isinstance(data, dict) else None
    parent = load_pack(parent_code) if parent_code else None
    return parse_pack(data, name, parent)


def all_packs() -> list[RulePack]:
    """Every rule pack, generic first."""
    return [load_pack(code) for code in PACK_CODES]


@cache
def _coverage() -> dict[str, str]:
    out: dict[str, str] = {}
    for code in COUNTRY_PACKS:
        for country in load_pack(code).covers:
            out[country.upper()] = code
    return out


def country_of(jurisdiction: str | None) -> str:
    """``GB-SCT`` → ``GB``; ``UK`` → ``GB``; ``fr`` → ``FR``."""
    code = (jurisdiction or "").strip().upper()
    country = code.split("-", 1)[0]
    return "GB" if country == "UK" else country


def country_pack(jurisdiction: str | None) -> RulePack:
    """The country pack that covers a case's jurisdiction (``FR`` → FR, ``IT`` → EU,
    ``GB-SCT`` → GB); the generic one if none does."""
    return load_pack(_coverage().get(country_of(jurisdiction), "generic"))


@dataclass(frozen=True)
class Place:
    """A country or region Docket knows: ``code`` as a case's jurisdiction (``GB-SCT``),
    ``name`` as the user reads it ("Scotland"), ``country`` its country's code."""

    code: str
    name: str
    country: str

    @property
    def is_region(self) -> bool:
        return "-" in self.code

    @property
    def full_name(self) -> str:
        """ "United Kingdom: Scotland" for a region, the country's name otherwise, in the
        current language (a region keeps its own name: Scotland, Ontario, New South Wales)."""
        if self.code == "EU":
            return _(ELSEWHERE_IN_EU)
        if self.is_region:
            return _("{country}: {region}").format(country=country_name(self.country), region=self.name)
        return country_name(self.code) if self.code in COUNTRY_NAMES else self.name



@cache
def known_places() -> tuple[Place, ...]:
    """Every country a country pack covers, by name, each followed by its regions Docket
    knows (England, Wales, Scotland, Northern Ireland; states, provinces and territories),
    then "EU" for a member state not listed. What the guided start and ``docket new``
    offer; reads the packs only."""
    countries = sorted({_ALIASES.get(c, c) for c in _coverage()} - {"EU"}, key=lambda c: COUNTRY_NAMES.get(c, c))
    out: list[Place] = []
    for country in countries:
        out.append(Place(country, COUNTRY_NAMES.get(country, country), country))
        out += [Place(code, REGION_NAMES[code], country)
                for code in sorted(REGIONS, key=lambda r: REGION_NAMES[r]) if code.startswith(f"{country}-")]
    if "EU" in _coverage():
        out.append(Place("EU", ELSEWHERE_IN_EU, "EU"))
    return tuple(out)


def regions_of(country: str) -> tuple[Place, ...]:
    """The regions Docket knows of a country (``GB`` → England, Wales...); none for most."""
    code = country_of(country)
    return tuple(p for p in known_places() if p.is_region and p.country == code)


def place_name(jurisdiction: str | None) -> str:
    """ "United Kingdom: Scotland" for ``GB-SCT``; the code itself when Docket has no name for it."""
    code = (jurisdiction or "").strip().upper()
    code = _ALIASES.get(code, code)
    found = next((p for p in known_places() if p.code == code), None)
    return found.full_name if found else code


def check_jurisdiction(value: str | None, where: str = "jurisdiction") -> str:
    """A case's jurisdiction as Docket stores it (``gb-sct`` → ``GB-SCT``): any two-letter
    country, or a region Docket knows. A region it does not know is refused with the
    regions of that country, so that a typo does not silently lose the region's rules."""
    code = (value or "").strip().upper()
    if not code:
        return ""
    country, dash, part = code.partition("-")
    if not dash:
        if not (country.isalpha() and len(country) == 2):
            raise ValidationError(where, _("expected a country code such as GB, US or FR, got {value!r}").format(
                value=value))
        return code
    if code in REGIONS:
        return code
    known = ", ".join(p.code for p in regions_of(country))
    if known:
        raise ValidationError(where, _("unknown region {value!r}; for {country} Docket knows {known}").format(
            value=value, country=COUNTRY_NAMES.get(country, country), known=known))
    raise ValidationError(where, _("Docket knows no regions of {country!r}; give the country alone, e.g. "
                                   "{code}").format(country=country, code=country))


def pack_for(jurisdiction: str | None) -> RulePack:
    """The country pack for a jurisdiction (another name for :func:`country_pack`, kept for
    callers that only need the pack's code or its country rules)."""
    return country_pack(jurisdiction)


def _ancestors(pack: RulePack) -> frozenset[str]:
    # Cached by code: hashing a whole pack (every rule in it) on each call costs more than the lookup.
    return _ancestor_codes(pack.code)


@cache
def _ancestor_codes(code: str) -> frozenset[str]:
    codes = {code}
    data = json.loads((files("resources") / "rules" / f"{code}.json").read_text(encoding="utf-8"))
    parent = data.get("extends")
    while parent:
        codes.add(parent)
        parent = json.loads((files("resources") / "rules" / f"{parent}.json").read_text(encoding="utf-8")).get("extends")
    return frozenset(codes)


@cache
def packs_for(jurisdiction: str | None) -> tuple[RulePack, ...]:
    """The country pack for a jurisdiction and every topic pack that covers it."""
    main = country_pack(jurisdiction)
    country = country_of(jurisdiction)
    names = _ancestors(main) | {country}
    topics = [load_pack(code) for code in TOPIC_PACKS]
    return (main, *[t for t in topics if names & set(t.covers)])


# -- the facts of a case ------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseFacts:
    """What the rules may see of one case. Story fields are the user's local days, the
    first time each thing happened (``last_reply`` and ``final_response``: the latest)."""

    jurisdiction: str = ""
    company_kind: str | None = None
    purchase: str | None = None
    category: str = Category.OTHER.value
    payment_method: str | None = None
    card_scheme: str | None = None
    payment_date: date | None = None
    expected_by: date | None = None
    amount: Decimal | None = None
    currency: str = ""
    company: str = ""
    closed: bool = False  # resolved or closed: no clock runs, no fact is asked for
    # The day the rules are read for: a rule in force from a later day is off.
    as_of: date | None = None
    purchased: date | None = None
    problem: date | None = None
    delivered: date | None = None
    first_complaint: date | None = None
    formal_complaint: date | None = None
    cancellation: date | None = None
    charge_after_cancellation: date | None = None
    acknowledgement: date | None = None
    last_reply: date | None = None
    refusal: date | None = None
    final_response: date | None = None
    final_notice: date | None = None
    payment_dispute: date | None = None
    regulator_complaint: date | None = None
    refund: date | None = None
    resolved: date | None = None
    first_charge: date | None = None  # the company took money (a charge, a renewal)
    # Every acknowledgement, not only the first: ``lacks`` asks for one after a given day.
    acknowledgements: tuple[date, ...] = ()

    @property
    def country(self) -> str:
        return country_of(self.jurisdiction)

    @property
    def region(self) -> str | None:
        """``GB-SCT`` for a Scottish case; None when only the country is known."""
        code = self.jurisdiction.strip().upper()
        return code if "-" in code else None

    def story(self, key: str) -> date | None:
        value = getattr(self, key)
        return value if isinstance(value, date) else None

    def anchor(self, name: str) -> date | None:
        """The day a rule's ``starts_from`` fact happened, if it is on record."""
        field_name = _ANCHOR_FIELDS.get(name)
        if field_name is not None:
            value: date | None = getattr(self, field_name)
            return value
        if name == "contract_date":
            return self.purchased or self.payment_date
        if name not in ("payment_date", "statement_date"):
            raise KeyError(name)
        # A charge the company took is the card transaction when no payment is recorded.
        return self.payment_date or self.purchased or self.first_charge


# The anchors that are one story field each (a plain lookup: the due list asks often).
_ANCHOR_FIELDS = {
    "complaint_sent": "first_complaint", "formal_complaint_sent": "formal_complaint",
    "final_notice_sent": "final_notice", "payment_dispute_sent": "payment_dispute",
    "regulator_complaint_sent": "regulator_complaint", "final_response": "final_response",
    "delivery_date": "delivered", "expected_by": "expected_by", "cancellation": "cancellation",
    "charge_after_cancellation": "charge_after_cancellation", "refusal": "refusal",
}


# -- which rules apply --------------------------------------------------------------------------
def _check_static(when: Conditions, facts: CaseFacts) -> tuple[bool, list[str]]:
    """The conditions on the case's fields (kind, purchase, category, payment, region):
    (none fails, the facts they need that the case lacks)."""
    missing: list[str] = []
    if when.company_kinds is not None:
        if facts.company_kind is None:
            missing.append("company_kind")
        elif facts.company_kind not in when.company_kinds:
            return False, []
    if when.purchases is not None:
        if facts.purchase is None:
            missing.append("purchase")
        elif facts.purchase not in when.purchases:
            return False, []
    if when.categories is not None and facts.category not in when.categories:
        return False, []
    methods = when.payment_methods
    if when.complaint_to == "card_issuer":
        methods = ISSUER_METHODS if methods is None else methods & ISSUER_METHODS
    if methods is not None:
        if facts.payment_method is None:
            missing.append("payment_method")
        elif facts.payment_method not in methods:
            return False, []
    if when.card_schemes is not None and facts.payment_method in CARD_METHODS:
        if facts.card_scheme is None:
            # Credit cards are scheme cards; a debit card may belong to a domestic scheme.
            if facts.payment_method != PaymentMethod.CREDIT_CARD.value:
                missing.append("card_scheme")
        elif facts.card_scheme not in when.card_schemes:
            return False, []
    if when.regions is not None:
        region, country = facts.region, facts.country
        if region in when.regions or country in when.regions:
            pass
        elif when.regions & _ancestors(country_pack(facts.jurisdiction)):
            pass  # "EU" names every country of the EU pack
        elif region is None and any(r.startswith(f"{country}-") for r in when.regions):
            missing.append("region")
        else:
            return False, []
    return True, missing


def _check(when: Conditions, facts: CaseFacts, start: date | None = None) -> tuple[bool, list[str]]:
    """(no condition fails, the facts a condition needs that the case lacks)."""
    ok, missing = _check_static(when, facts)
    if not ok:
        return False, []
    return _check_story(when, facts, start, list(missing))


def _check_story(when: Conditions, facts: CaseFacts, start: date | None,
                 missing: list[str]) -> tuple[bool, list[str]]:
    """The conditions on the story, the day and the amount, after :func:`_check_static`."""
    for key in when.has:
        if facts.story(key) is None:
            return False, []
    for key in when.lacks:
        if key == "acknowledgement":
            days: Sequence[date] = facts.acknowledgements or ((facts.acknowledgement,) if facts.acknowledgement else ())
        else:
            one = facts.story(key)
            days = (one,) if one else ()
        if any(start is None or d >= start for d in days):
            return False, []
    today = facts.as_of or _today()
    if when.in_force_from is not None and today < when.in_force_from:
        return False, []
    if when.in_force_until is not None and today > when.in_force_until:
        return False, []
    if when.min_amount is not None or when.max_amount is not None:
        if when.currency and facts.currency and facts.currency != when.currency:
            return False, []
        if facts.amount is None:
            missing.append("amount")
        else:
            if when.min_amount is not None and facts.amount < when.min_amount:
                return False, []
            if when.max_amount is not None and facts.amount > when.max_amount:
                return False, []
    return True, missing


def _today() -> date:
    from core.domain import clock

    return clock.today()


def _start(rule: Rule, facts: CaseFacts) -> date | None:
    # A plain loop: the due list asks this of every rule of every open case, and the list
    # and generator of ``max(...)`` cost more than the comparisons.
    latest: date | None = None
    for name in rule.starts:
        day = facts.anchor(name)
        if day is not None and (latest is None or day > latest):
            latest = day
    return latest


def _all_rules(facts: CaseFacts) -> list[Rule]:
    return [rule for pack in packs_for(facts.jurisdiction) for rule in pack.rules]


@lru_cache(maxsize=4096)
def _static(jurisdiction: str, company_kind: str | None, purchase: str | None, category: str,
            payment_method: str | None, card_scheme: str | None) -> tuple[tuple[Rule, tuple[str, ...]], ...]:
    # Many cases share these fields: the rules they rule out, and the facts the others lack,
    # are worked out once per combination (the due list reads every open case).
    facts = CaseFacts(jurisdiction=jurisdiction, company_kind=company_kind, purchase=purchase, category=category,
                      payment_method=payment_method, card_scheme=card_scheme)
    out = []
    for rule in _all_rules(facts):
        ok, missing = _check_static(rule.when, facts)
        if ok:
            out.append((rule, tuple(missing)))
    return tuple(out)


def _evaluate(facts: CaseFacts) -> list[tuple[Rule, bool, list[str], date | None]]:
    """The rules of the case's packs that its fields do not rule out: (rule, no condition
    fails, facts it lacks, its start)."""
    out = []
    anchor = facts.anchor
    for rule, missing in _static(facts.jurisdiction, facts.company_kind, facts.purchase, facts.category,
                                 facts.payment_method, facts.card_scheme):
        # _start, inlined: this loop runs for every rule of every open case.
        start: date | None = None
        for name in rule.starts:
            day = anchor(name)
            if day is not None and (start is None or day > start):
                start = day
        ok, lacking = _check_story(rule.when, facts, start, list(missing))
        out.append((rule, ok, lacking if ok else [], start))
    return out


def applicable_rules(facts: CaseFacts) -> list[Rule]:
    """The rules of the case's packs whose ``applies_when`` holds for these facts, in pack
    order. A rule whose conditions need a fact the case lacks is left out (see
    :func:`missing_facts`)."""
    out = []
    for rule in _all_rules(facts):
        ok, missing = _check(rule.when, facts, _start(rule, facts))
        if ok and not missing:
            out.append(rule)
    return out


@dataclass(frozen=True)
class Clock:
    """A deadline running on a case: ``opens`` (from ``deadline`` you may ...) or closes
    (``deadline`` is the last day). ``text`` is one plain sentence for the user."""

    rule_id: str
    label: str
    start: date
    deadline: date
    opens: bool
    steps: tuple[str, ...]
    source: str
    checked: date | None
    confidence: str
    text: str
    starts_from: str = ""
    explanation: str = ""
    remind_on: date | None = None

    @property
    def provenance(self) -> str:
        return provenance_text(self.source, self.checked)


def provenance_text(source: str, checked: date | None) -> str:
    """"source (checked 2026-12-01)" or "source (not yet confirmed at the source)", in the
    current language (the address and the ISO date stay as they are)."""
    if checked is not None:
        return _("{source} (checked {date})").format(source=source, date=checked.isoformat())
    return f"{source} ({_(NOT_CONFIRMED)})"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day_text(day: date) -> str:
    return short_date(day)


_OPENS_VERB = {
    "complaint": N_("you may complain"),
    "chaser": N_("you may chase"),
    "formal_complaint": N_("you may complain formally"),
    "final_notice": N_("you may send a final notice"),
    "payment_dispute": N_("you may claim from your card issuer or bank"),
    "regulator": N_("you may refer the complaint"),
    "small_claims": N_("you may claim in court"),
}


def _anchor_text(facts: CaseFacts, anchor: str) -> str:
    if anchor in ("payment_date", "statement_date", "contract_date") and not (facts.payment_date or facts.purchased):
        return _(STORY["first_charge"])  # no payment on record: the charge the company took
    return _(ALL_ANCHORS[anchor])


def _sentence(rule: Rule, start: date, deadline: date, what: str, today: date,
              period: Period | None = None) -> str:
    """The clock in one sentence, in the current language; ``what`` is already translated."""
    label = _(rule.label)
    start_day = _day_text(start)
    since = _("{period} after {what} on {day}").format(
        period=(period or rule.period).describe(), what=what, day=start_day)
    if rule.opens:
        verb = _(_OPENS_VERB.get(rule.steps[0], N_("you may act")))
        if rule.period.amount == 0 and not rule.period.plus_days:
            return _("{label}: {verb} (since {what} on {day}).").format(
                label=label, verb=verb, what=what, day=start_day)
        if deadline <= today:
            return _("{label}: {verb} now (since {day}, {since}).").format(
                label=label, verb=verb, day=_day_text(deadline), since=since)
        return _("{label}: {verb} from {day} ({since}).").format(
            label=label, verb=verb, day=_day_text(deadline), since=since)
    if deadline < today:
        return _("{label}: closed on {day} ({since}).").format(label=label, day=_day_text(deadline), since=since)
    return _("{label}: closes on {day} ({since}).").format(label=label, day=_day_text(deadline), since=since)


def clocks(facts: CaseFacts, today: date) -> list[Clock]:
    """Every clock running on the case, earliest deadline first: each applicable rule whose
    start is on record, unless the step it opens or closes has already been taken."""
    return reading(facts, today)[0]


def reading(facts: CaseFacts, today: date, *, lean: bool = False) -> tuple[list[Clock], list[MissingFact]]:
    """:func:`clocks` and :func:`missing_facts` of a case on ``today``, with one look at
    each rule (the due list asks this of every open case). ``lean``: the dates only, for
    the due list, which shows neither the missing facts nor the clocks' full sentences:
    no missing fact is listed and each clock's ``text`` is empty (its other fields are
    the same)."""
    if facts.as_of != today:
        facts = _with(facts, as_of=today)  # a rule is in force or not on the day asked about
    if facts.closed:
        return [], []
    evaluated = _evaluate(facts)
    if lean:
        return _clocks(facts, today, evaluated, sentences=False), []
    return _clocks(facts, today, evaluated), _missing(facts, evaluated)


def _clocks(facts: CaseFacts, today: date,
            evaluated: list[tuple[Rule, bool, list[str], date | None]], sentences: bool = True) -> list[Clock]:
    out: list[Clock] = []
    for rule, ok, lacking, start in evaluated:
        if not ok or lacking or start is None:
            continue
        # A step already taken ends its clocks, unless the rule is about what follows it
        # (PayPal's 20 days to escalate a dispute already opened).
        taken = [_STEP_STORY.get(s) for s in rule.steps]
        if all(k and facts.story(k) and k not in rule.when.has for k in taken):
            continue
        deadline = rule.period.after(start)
        anchor = max((a for a in rule.starts if facts.anchor(a) == start), key=rule.starts.index)
        period = rule.period
        first = facts.anchor(rule.starts[0])
        if rule.cap is not None and first is not None and rule.cap.after(first) < deadline:
            # The outer limit comes first (a chargeback never runs past 540 days): it decides.
            deadline, start, anchor, period = rule.cap.after(first), first, rule.starts[0], rule.cap
        out.append(Clock(
            # The rule pack's words are translated here, each time, not when the pack is read:
            # the language may change while the packs stay cached.
            rule_id=rule.id, label=_(rule.label), start=start, deadline=deadline, opens=rule.opens,
            steps=rule.steps, source=rule.source, checked=rule.checked, confidence=rule.confidence,
            text=_sentence(rule, start, deadline, _anchor_text(facts, anchor), today, period) if sentences else "",
            starts_from=anchor,
            explanation=_(rule.explanation) if rule.explanation else "",
            remind_on=None if rule.opens else deadline - timedelta(days=rule.remind_before_days),
        ))
    out.sort(key=lambda c: (c.deadline, c.rule_id))
    return out


def _with(facts: CaseFacts, **changes: Any) -> CaseFacts:
    values = {f.name: getattr(facts, f.name) for f in fields(facts)}
    values.update(changes)
    return CaseFacts(**values)


@dataclass(frozen=True)
class MissingFact:
    """A fact the case lacks and the clocks it would unlock."""

    fact: str
    rule_ids: tuple[str, ...]
    labels: tuple[str, ...]
    text: str


# Facts a rule counts from that are fields of the case, not steps still to take.
_FACT_ANCHORS = {"payment_date": "payment_date", "statement_date": "payment_date",
                 "contract_date": "payment_date", "expected_by": "expected_by",
                 "delivery_date": "delivered"}


def missing_facts(facts: CaseFacts) -> list[MissingFact]:
    """Which missing fact would unlock which clock: one line per fact, e.g. "Add how you
    paid to see: Card chargeback window, PayPal dispute window."."""
    if facts.closed:
        return []
    if facts.as_of is None:
        facts = _with(facts, as_of=_today())
    return _missing(facts, _evaluate(facts))


def _missing(facts: CaseFacts, evaluated: list[tuple[Rule, bool, list[str], date | None]]) -> list[MissingFact]:
    wanted: dict[str, list[Rule]] = {}
    if not facts.jurisdiction:
        wanted["jurisdiction"] = []
    for rule, ok, missing, _start_day in evaluated:
        if not ok:
            continue
        for name in missing:
            wanted.setdefault(name, []).append(rule)
        if missing:
            continue
        # The rule applies; a fact it counts from may be missing.
        for anchor in rule.starts:
            fact = _FACT_ANCHORS.get(anchor)
            if fact is None or facts.anchor(anchor) is not None:
                continue
            if anchor == "expected_by" and len(rule.starts) > 1 and facts.category not in ("non_delivery", "service") \
                    and facts.purchase != Purchase.SERVICES.value:
                continue  # the date something was due matters only when it never came
            if anchor == "delivery_date" and facts.category == "non_delivery":
                continue
            wanted.setdefault(fact, []).append(rule)
    out = []
    for fact, rules_ in wanted.items():
        labels = tuple(dict.fromkeys(_(r.label) for r in rules_))
        if fact == "jurisdiction":
            text = _("Add your country (and region) to see the deadlines and laws that apply there.")
        else:
            text = _("Add {fact} to see: {rules}.").format(fact=_(FACT_PROMPTS[fact]), rules=", ".join(labels))

        out.append(MissingFact(fact, tuple(r.id for r in rules_), labels, text))
    return out


def legal_basis(facts: CaseFacts) -> list[LegalBasis]:
    """The statute sections a letter on this case may cite, in pack order. A section whose
    conditions need a fact the case lacks is left out; one that is ``"may apply"`` must be
    worded as such by the letter."""
    facts = facts if facts.as_of else _with(facts, as_of=_today())
    out = []
    for pack in packs_for(facts.jurisdiction):
        for basis in pack.bases:
            ok, missing = _check(basis.when, facts)
            if ok and not missing:
                out.append(basis)
    return out


def rule_by_id(rule_id: str) -> Rule | None:
    """The rule with this id in any pack, or None."""
    for pack in all_packs():
        for rule in pack.rules:
            if rule.id == rule_id:
                return rule
    return None


__all__ = [
    "ALL_ANCHORS", "ANCHORS", "COUNTRY_NAMES", "DISCLAIMER", "NOT_CONFIRMED", "PACK_CODES", "REGION_NAMES",
    "STORY", "CaseFacts", "Clock", "Conditions", "LegalBasis", "MissingFact", "Period", "Place", "Rule", "RulePack",
    "all_packs", "check_jurisdiction", "known_places", "place_name", "regions_of",
    "applicable_rules", "clocks", "country_of", "legal_basis", "reading",
    "country_pack", "load_pack", "missing_facts", "pack_for", "packs_for", "parse_conditions", "parse_pack",
    "rule_by_id",
]
