"""Rule packs: the deadlines of each jurisdiction, as data.

One JSON file per jurisdiction in ``resources/rules/`` (GB, US, EU, CA, AU and ``generic``).
A rule says which fact of a case it counts from (``starts_from``), for how long
(``period``), whether the date *opens* a step of the escalation ladder (you may now go to
the ombudsman) or *closes* it (the chargeback window ends), which cases it applies to, and
where the number comes from. Packs are validated when loaded: a mistake in a pack is
reported with the file and the place in it, never silently ignored.

Docket shows :data:`DISCLAIMER` beside every rule.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files
from typing import Any

from core.domain.errors import ValidationError
from core.domain.models import Category, PaymentMethod

DISCLAIMER = "General information, not legal advice."

# The facts of a case a rule may count from. core.ladder finds them in the timeline.
ANCHORS = {
    "complaint_sent": "your first message to the company",
    "formal_complaint_sent": "your formal complaint",
    "final_notice_sent": "your final notice (letter before action)",
    "payment_dispute_sent": "your claim to the card issuer or payment platform",
    "regulator_complaint_sent": "your complaint to the regulator or ombudsman",
    "final_response": "the company's final response",
    "payment_date": "the payment",
    "statement_date": "the statement showing the charge (Docket uses the payment date)",
    "delivery_date": "the delivery",
}
UNITS = ("days", "business_days", "weeks", "months", "years")
EFFECTS = ("opens", "closes")
STEPS = (
    "complaint", "chaser", "formal_complaint", "final_notice", "payment_dispute", "regulator",
    "small_claims",
)
PACK_CODES = ("generic", "GB", "US", "EU", "CA", "AU")
DEFAULT_REMIND_BEFORE = 10


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str

    def after(self, start: date) -> date:
        """The date this period after ``start`` ends (business days skip Saturday and Sunday)."""
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
        unit = self.unit.replace("_", " ")
        if self.amount == 1:
            unit = unit.rstrip("s")
        return f"{self.amount} {unit}"


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
    categories: frozenset[str] | None = None
    payment_methods: frozenset[str] | None = None
    currency: str | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None

    @property
    def opens(self) -> bool:
        return self.effect == "opens"

    def applies(self, *, category: str, payment_method: str | None, amount: Decimal | None,
                currency: str) -> bool:
        """Whether this rule concerns a case with these facts."""
        if self.categories is not None and category not in self.categories:
            return False
        if self.payment_methods is not None and payment_method not in self.payment_methods:
            return False
        if self.min_amount is not None or self.max_amount is not None:
            # A limit in pounds says nothing about a price in dollars: no guessing at rates.
            if amount is None or (self.currency and currency != self.currency):
                return False
            if self.min_amount is not None and amount < self.min_amount:
                return False
            if self.max_amount is not None and amount > self.max_amount:
                return False
        return True

    def date_from(self, start: date) -> date:
        return self.period.after(start)


@dataclass(frozen=True)
class RulePack:
    code: str
    name: str
    covers: tuple[str, ...]
    rules: tuple[Rule, ...] = field(default=())
    currency: str | None = None

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


# -- validation -------------------------------------------------------------------------------
def _need(obj: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
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


def _parse_rule(raw: Any, code: str, where: str) -> Rule:
    if not isinstance(raw, dict):
        raise ValidationError(where, "expected an object")
    rule_id = _need(raw, "id", str, where)
    where = f"{where}({rule_id})"
    known = {"id", "label", "explanation", "starts_from", "period", "effect", "steps", "source",
             "checked", "confidence", "note", "remind_before_days", "applies_to"}
    for key in raw:
        if key not in known:
            raise ValidationError(f"{where}.{key}", "is not a rule field")
    anchor = _need(raw, "starts_from", str, where)
    if anchor not in ANCHORS:
        raise ValidationError(f"{where}.starts_from", f"unknown {anchor!r}; expected one of: {', '.join(ANCHORS)}")
    period_raw = _need(raw, "period", dict, where)
    amount = _need(period_raw, "amount", int, f"{where}.period")
    unit = _need(period_raw, "unit", str, f"{where}.period")
    if unit not in UNITS:
        raise ValidationError(f"{where}.period.unit", f"unknown {unit!r}; expected one of: {', '.join(UNITS)}")
    if amount < 0:
        raise ValidationError(f"{where}.period.amount", "must not be negative")
    effect = _need(raw, "effect", str, where)
    if effect not in EFFECTS:
        raise ValidationError(f"{where}.effect", f"expected 'opens' or 'closes', got {effect!r}")
    steps = _need(raw, "steps", list, where)
    if not steps:
        raise ValidationError(f"{where}.steps", "names no step")
    for i, step in enumerate(steps):
        if step not in STEPS:
            raise ValidationError(f"{where}.steps[{i}]", f"unknown step {step!r}; expected one of: {', '.join(STEPS)}")
    source = _need(raw, "source", str, where)
    if not source.startswith("https://"):
        raise ValidationError(f"{where}.source", "must be an https:// address of the source")
    checked: date | None = None
    confidence = raw.get("confidence", "primary")
    if "checked" in raw:
        try:
            checked = date.fromisoformat(_need(raw, "checked", str, where))
        except ValueError:
            raise ValidationError(f"{where}.checked", f"expected YYYY-MM-DD, got {raw['checked']!r}") from None
        if confidence != "primary":
            raise ValidationError(f"{where}.confidence", "a rule checked at its primary source is not 'secondary'")
    elif confidence != "secondary":
        raise ValidationError(f"{where}", "needs either 'checked' (confirmed at the source) or \"confidence\": \"secondary\"")
    note = raw.get("note", "")
    if confidence == "secondary" and not note:
        raise ValidationError(f"{where}.note", "a secondary rule needs a note saying what was not confirmed")
    remind = raw.get("remind_before_days", DEFAULT_REMIND_BEFORE)
    if isinstance(remind, bool) or not isinstance(remind, int) or not 0 <= remind <= 365:
        raise ValidationError(f"{where}.remind_before_days", f"expected 0 to 365 days, got {remind!r}")
    applies = raw.get("applies_to", {})
    if not isinstance(applies, dict):
        raise ValidationError(f"{where}.applies_to", "expected an object")
    for key in applies:
        if key not in ("categories", "payment_methods", "currency", "min_amount", "max_amount"):
            raise ValidationError(f"{where}.applies_to.{key}", "is not a condition Docket knows")
    categories = applies.get("categories")
    if categories is not None:
        for i, value in enumerate(categories):
            if value not in {c.value for c in Category}:
                raise ValidationError(f"{where}.applies_to.categories[{i}]", f"unknown category {value!r}")
    methods = applies.get("payment_methods")
    if methods is not None:
        for i, value in enumerate(methods):
            if value not in {m.value for m in PaymentMethod}:
                raise ValidationError(f"{where}.applies_to.payment_methods[{i}]", f"unknown payment method {value!r}")
    return Rule(
        id=rule_id,
        label=_need(raw, "label", str, where),
        explanation=_need(raw, "explanation", str, where),
        starts_from=anchor,
        period=Period(amount, unit),
        effect=effect,
        steps=tuple(steps),
        source=source,
        jurisdiction=code,
        checked=checked,
        confidence=confidence,
        note=note,
        remind_before_days=remind,
        categories=None if categories is None else frozenset(categories),
        payment_methods=None if methods is None else frozenset(methods),
        currency=applies.get("currency"),
        min_amount=_amount(applies.get("min_amount"), f"{where}.applies_to.min_amount"),
        max_amount=_amount(applies.get("max_amount"), f"{where}.applies_to.max_amount"),
    )


def parse_pack(data: Any, where: str, parent: RulePack | None = None) -> RulePack:
    """Validate a pack's JSON data; ``parent`` is the pack it extends (its rules are included
    unless listed in ``overrides``). Raises :class:`ValidationError` naming the place."""
    if not isinstance(data, dict):
        raise ValidationError(where, "expected a JSON object")
    code = _need(data, "jurisdiction", str, where)
    rules_raw = _need(data, "rules", list, where)
    own = [_parse_rule(raw, code, f"{where}: rules[{i}]") for i, raw in enumerate(rules_raw)]
    overrides = set(data.get("overrides", []))
    inherited = [r for r in parent.rules if r.id not in overrides] if parent else []
    if parent:
        unknown = overrides - {r.id for r in parent.rules}
        if unknown:
            raise ValidationError(f"{where}.overrides", f"no such rule in {parent.code}: {', '.join(sorted(unknown))}")
    seen: set[str] = set()
    for rule in [*inherited, *own]:
        if rule.id in seen:
            raise ValidationError(f"{where}: rules", f"rule id {rule.id!r} appears twice")
        seen.add(rule.id)
    return RulePack(
        code=code, name=_need(data, "name", str, where), covers=tuple(data.get("covers", [])),
        rules=tuple([*inherited, *own]), currency=data.get("currency"),
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
    for pack in all_packs():
        for country in pack.covers:
            out[country.upper()] = pack.code
    return out


def pack_for(jurisdiction: str | None) -> RulePack:
    """The pack that covers a case's jurisdiction code (``FR`` → EU); the generic one if none does."""
    code = _coverage().get((jurisdiction or "").strip().upper(), "generic")
    return load_pack(code)
