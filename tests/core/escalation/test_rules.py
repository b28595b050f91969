"""Rule packs: every shipped pack loads, every number is sourced, mistakes are named."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from importlib.resources import files

import pytest

from core.domain.errors import ValidationError
from core.escalation import rules


def _raw(code: str) -> dict:
    return json.loads((files("resources") / "rules" / f"{code}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("code", rules.PACK_CODES)
def test_every_pack_loads_and_each_rule_names_its_source(code: str) -> None:
    pack = rules.load_pack(code)
    assert pack.rules
    for rule in pack.rules:
        assert rule.source.startswith("https://")
        # A rule is either confirmed at its source on a date, or says plainly that it is not.
        assert (rule.checked is not None) != (rule.confidence == "secondary"), rule.id
        assert rule.explanation and rule.label


def test_the_issue_minimum_is_covered() -> None:
    ids = {r.id for p in rules.all_packs() for r in p.rules}
    for wanted in ("gb.fos.eight_weeks", "gb.fos.six_months", "gb.cra.short_term_reject",
                   "gb.ccr.cancellation", "gb.s75", "gb.letter_before_claim", "us.fcba.notice",
                   "us.fcba.acknowledge", "us.fcba.resolve", "us.cfpb.response",
                   "generic.card_chargeback", "eu.withdrawal", "eu.legal_guarantee",
                   "ca.bank.56_days", "au.idr.30_days", "au.afca.two_years"):
        assert wanted in ids


def test_confirmed_numbers_are_what_the_sources_say() -> None:
    gb = rules.load_pack("GB")
    assert gb.rule("gb.fos.eight_weeks").period == rules.Period(8, "weeks")
    assert gb.rule("gb.fos.six_months").period == rules.Period(6, "months")
    assert gb.rule("gb.cra.short_term_reject").period == rules.Period(30, "days")
    assert gb.rule("gb.fos.payment_services").period == rules.Period(15, "business_days")
    assert rules.load_pack("EU").rule("eu.withdrawal").period == rules.Period(14, "days")
    assert rules.load_pack("CA").rule("ca.bank.56_days").period == rules.Period(56, "days")
    assert rules.load_pack("AU").rule("au.idr.30_days").period == rules.Period(30, "days")


def test_disclaimer_is_plain() -> None:
    assert rules.DISCLAIMER == "General information, not legal advice."


@pytest.mark.parametrize(
    ("start", "period", "expected"),
    [
        (date(2026, 1, 31), rules.Period(1, "months"), date(2026, 2, 28)),
        (date(2024, 1, 31), rules.Period(1, "months"), date(2024, 2, 29)),
        (date(2026, 3, 10), rules.Period(6, "months"), date(2026, 9, 10)),
        (date(2024, 2, 29), rules.Period(2, "years"), date(2026, 2, 28)),
        (date(2026, 1, 1), rules.Period(8, "weeks"), date(2026, 2, 26)),
        # Friday + 1 business day is Monday; 15 business days are three working weeks.
        (date(2026, 11, 20), rules.Period(1, "business_days"), date(2026, 11, 23)),
        (date(2026, 11, 23), rules.Period(15, "business_days"), date(2026, 12, 14)),
        (date(2026, 11, 23), rules.Period(0, "days"), date(2026, 11, 23)),
    ],
)
def test_periods_count_like_people_do(start: date, period: rules.Period, expected: date) -> None:
    assert period.after(start) == expected


def test_jurisdictions_map_to_packs() -> None:
    assert rules.pack_for("fr").code == "FR"
    assert rules.pack_for("it").code == "EU"
    assert rules.pack_for("GB-SCT").code == "GB"
    assert rules.pack_for("UK").code == "GB"
    assert rules.pack_for("US").code == "US"
    assert rules.pack_for("").code == "generic"
    assert rules.pack_for("JP").code == "generic"


def test_section_75_applies_only_within_its_limits_and_in_pounds() -> None:
    s75 = rules.load_pack("GB").rule("gb.s75")
    kwargs = {"category": "faulty_goods", "payment_method": "credit_card", "currency": "GBP"}
    assert s75.applies(amount=Decimal("250"), **kwargs)
    assert not s75.applies(amount=Decimal("100"), **kwargs)
    assert s75.applies(amount=Decimal("30000"), **kwargs)
    assert not s75.applies(amount=Decimal("30000.01"), **kwargs)
    assert not s75.applies(amount=Decimal("250"), category="faulty_goods", payment_method="debit_card", currency="GBP")
    assert not s75.applies(amount=Decimal("250"), category="faulty_goods", payment_method="credit_card", currency="EUR")


@pytest.mark.parametrize(
    ("damage", "where", "message"),
    [
        (lambda r: r.__setitem__("period", {"amount": 8, "unit": "fortnights"}), "period.unit", "fortnights"),
        (lambda r: r.__setitem__("starts_from", "moon_phase"), "starts_from", "moon_phase"),
        (lambda r: r.__setitem__("steps", ["court"]), "steps[0]", "court"),
        (lambda r: r.__setitem__("source", "http://example.org"), "source", "https"),
        (lambda r: r.pop("checked"), "gb.fos.eight_weeks", "secondary"),
        (lambda r: r.__setitem__("effect", "maybe"), "effect", "opens"),
        (lambda r: r.__setitem__("applies_when", {"categories": ["bananas"]}), "categories[0]", "bananas"),
        (lambda r: r.__setitem__("applies_when", {"company_kinds": ["pirate"]}), "company_kinds[0]", "pirate"),
        (lambda r: r.__setitem__("applies_when", {"card_schemes": ["girocard"]}), "card_schemes[0]", "girocard"),
        (lambda r: r.__setitem__("applies_when", {"regions": ["GB-XYZ"]}), "regions[0]", "GB-XYZ"),
        (lambda r: r.__setitem__("applies_when", {"weather": ["rain"]}), "applies_when.weather", "not a condition"),
        (lambda r: r.__setitem__("applies_when", {"has": ["moon_landing"]}), "has[0]", "moon_landing"),
        (lambda r: r.__setitem__("applies_when", {"in_force_from": "soon"}), "in_force_from", "YYYY-MM-DD"),
        (lambda r: r.__setitem__("applies_when", {"complaint_to": "the_king"}), "complaint_to", "card_issuer"),
        (lambda r: r.pop("applies_when"), "applies_when", "missing"),
        (lambda r: r.__setitem__("applies_to", {}), "applies_to", "not a rule field"),
    ],
)
def test_a_broken_rule_is_reported_with_its_place(damage, where: str, message: str) -> None:
    data = copy.deepcopy(_raw("GB"))
    damage(data["rules"][0])
    with pytest.raises(ValidationError) as err:
        rules.parse_pack(data, "rules/GB.json", rules.load_pack("generic"))
    assert "rules/GB.json: rules[0](gb.fos.eight_weeks)" in err.value.path
    assert where in err.value.path
    assert message in str(err.value)


def test_duplicate_rule_ids_are_refused() -> None:
    data = copy.deepcopy(_raw("GB"))
    data["rules"].append(copy.deepcopy(data["rules"][0]))
    with pytest.raises(ValidationError, match="appears twice"):
        rules.parse_pack(data, "rules/GB.json", rules.load_pack("generic"))
