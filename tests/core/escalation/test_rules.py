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


@pytest.mark.parametrize(
    ("damage", "where", "message"),
    [
        (lambda b: b.__setitem__("certainty", "probably"), "certainty", "may apply"),
        (lambda b: b.__setitem__("applies_when", {"purchases": ["pets"]}), "applies_when.purchases[0]", "pets"),
        (lambda b: b.pop("source"), "source", "missing"),
        (lambda b: b.__setitem__("statute", "CRA"), "statute", "not a legal basis field"),
    ],
)
def test_a_broken_legal_basis_is_reported_with_its_place(damage, where: str, message: str) -> None:
    data = copy.deepcopy(_raw("GB"))
    damage(data["legal_bases"][0])
    with pytest.raises(ValidationError) as err:
        rules.parse_pack(data, "rules/GB.json", rules.load_pack("generic"))
    assert "rules/GB.json: legal_bases[0](gb.law.cra_goods)" in err.value.path
    assert where in err.value.path
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("covers", ["Narnia"], "unknown country"), ("topic", "yes", "true or false"), ("weather", 1, "not a pack field")],
)
def test_a_broken_pack_is_reported_with_its_file(field: str, value, message: str) -> None:
    data = copy.deepcopy(_raw("subscriptions"))
    data[field] = value
    with pytest.raises(ValidationError, match=message) as err:
        rules.parse_pack(data, "rules/subscriptions.json")
    assert err.value.path.startswith("rules/subscriptions.json")


def test_duplicate_rule_ids_are_refused() -> None:
    data = copy.deepcopy(_raw("GB"))
    data["rules"].append(copy.deepcopy(data["rules"][0]))
    with pytest.raises(ValidationError, match="appears twice"):
        rules.parse_pack(data, "rules/GB.json", rules.load_pack("generic"))


# -- issue 15: rules that fit the company, the payment and the country --------------------------
TODAY = date(2026, 12, 1)


def facts(**kw) -> rules.CaseFacts:
    kw.setdefault("as_of", TODAY)
    if isinstance(kw.get("amount"), str):
        kw["amount"] = Decimal(kw["amount"])
    return rules.CaseFacts(**kw)


def applied(f: rules.CaseFacts) -> set[str]:
    return {r.id for r in rules.applicable_rules(f)}


def clock_of(f: rules.CaseFacts, rule_id: str) -> rules.Clock | None:
    found = [c for c in rules.clocks(f, TODAY) if c.rule_id == rule_id]
    return found[0] if found else None


FINANCIAL_OMBUDSMEN = {"gb.fos.eight_weeks", "gb.fos.six_months", "gb.fos.payment_services", "us.cfpb.response",
                       "ca.bank.56_days", "ca.obsi.180_days", "au.idr.30_days", "au.afca.two_years"}


@pytest.mark.parametrize(
    ("situation", "case"),
    [
        ("the $20 overcharge at a hardware store (US)",
         {"jurisdiction": "US-OH", "company_kind": "trader", "category": "billing_error", "currency": "USD",
          "amount": "20", "payment_method": "credit_card", "first_complaint": date(2026, 11, 20)}),
        ("a gym that keeps charging (GB)",
         {"jurisdiction": "GB-ENG", "company_kind": "club", "category": "billing_error", "first_complaint": date(2026, 9, 1),
          "final_response": date(2026, 10, 1)}),
        ("a phone company's wrong bill (AU)",
         {"jurisdiction": "AU-NSW", "company_kind": "telecoms", "category": "billing_error", "first_complaint": date(2026, 9, 1)}),
        ("a pottery studio (CA)",
         {"jurisdiction": "CA-ON", "company_kind": "trader", "category": "billing_error", "first_complaint": date(2026, 9, 1)}),
    ],
)
def test_a_shop_gym_or_phone_dispute_gets_no_financial_ombudsman(situation: str, case: dict) -> None:
    f = facts(**case)
    assert not applied(f) & FINANCIAL_OMBUDSMEN, situation
    assert not [c for c in rules.clocks(f, TODAY) if "regulator" in c.steps and c.opens and c.rule_id in FINANCIAL_OMBUDSMEN]


def test_a_bank_complaint_opens_the_financial_ombudsman_after_8_weeks() -> None:
    f = facts(jurisdiction="GB-ENG", company_kind="bank", first_complaint=date(2026, 9, 1))
    fos = clock_of(f, "gb.fos.eight_weeks")
    assert fos is not None and fos.opens and fos.deadline == date(2026, 10, 27)
    assert fos.confidence == "primary" and fos.checked == date(2026, 11, 23)
    assert fos.text == ("Financial Ombudsman: you may refer the complaint now (since 27 Oct 2026, "
                        "8 weeks after your first message to the company on 1 Sep 2026).")


def test_a_chargeback_to_the_card_issuer_is_the_part_of_a_shop_case_that_goes_to_the_ombudsman() -> None:
    f = facts(jurisdiction="GB-ENG", company_kind="trader", payment_method="credit_card",
              payment_dispute=date(2026, 11, 2))
    fos = clock_of(f, "gb.fos.eight_weeks_card_issuer")
    assert fos is not None and fos.deadline == date(2026, 12, 28)
    assert "gb.fos.eight_weeks" not in applied(f)


def test_without_the_company_kind_the_ombudsman_is_not_guessed_but_asked_for() -> None:
    f = facts(jurisdiction="GB-ENG", category="billing_error", first_complaint=date(2026, 9, 1))
    assert "gb.fos.eight_weeks" not in applied(f)
    wanted = {m.fact: m for m in rules.missing_facts(f)}
    assert "Financial Ombudsman" in wanted["company_kind"].labels
    assert wanted["company_kind"].text.startswith("Add what kind of company this is")


@pytest.mark.parametrize("method", ["debit_card", "paypal", "credit_card"])
def test_a_chargeback_or_paypal_complaint_has_8_weeks_not_15_business_days(method: str) -> None:
    f = facts(jurisdiction="GB-ENG", company_kind="trader", category="non_delivery", payment_method=method,
              card_scheme="visa" if method != "paypal" else None, payment_dispute=date(2026, 11, 20))
    ids = {c.rule_id: c for c in rules.clocks(f, TODAY)}
    assert "gb.fos.payment_services" not in ids
    assert ids["gb.fos.eight_weeks_card_issuer"].deadline == date(2027, 1, 15)


def test_15_business_days_are_for_a_payment_the_bank_itself_got_wrong() -> None:
    f = facts(jurisdiction="GB-ENG", company_kind="bank", category="billing_error", first_complaint=date(2026, 11, 23))
    psd = clock_of(f, "gb.fos.payment_services")
    assert psd is not None and psd.deadline == date(2026, 12, 14)


def test_the_chargeback_for_a_perfume_never_delivered_counts_from_the_promised_delivery_date() -> None:
    f = facts(jurisdiction="FR", category="non_delivery", purchase="goods", payment_method="credit_card",
              card_scheme="visa", payment_date=date(2026, 6, 1), expected_by=date(2026, 8, 20))
    chargeback = clock_of(f, "generic.card_chargeback")
    assert chargeback is not None
    assert chargeback.start == date(2026, 8, 20) and chargeback.starts_from == "expected_by"
    assert chargeback.deadline == date(2026, 12, 18)  # open: 120 days from 20 Aug, not from 1 Jun (29 Sep)
    assert "closes on 18 Dec 2026 (120 days after the date the goods or service were due" in chargeback.text
    assert chargeback.confidence == "secondary" and "not yet confirmed at the source" in chargeback.provenance


def test_the_chargeback_window_never_runs_past_540_days_from_the_payment() -> None:
    f = facts(jurisdiction="US", category="non_delivery", payment_method="credit_card", card_scheme="mastercard",
              payment_date=date(2025, 1, 1), expected_by=date(2026, 6, 1))
    # 120 days from 1 June 2026 would be 29 September; 540 days from the payment is 25 June.
    chargeback = clock_of(f, "generic.card_chargeback")
    assert (chargeback.deadline, chargeback.start, chargeback.starts_from) == (date(2026, 6, 25), date(2025, 1, 1), "payment_date")
    assert chargeback.text == "Card chargeback window: closed on 25 Jun 2026 (540 days after the payment on 1 Jan 2025)."


def test_a_domestic_debit_card_gets_no_scheme_chargeback_window() -> None:
    f = facts(jurisdiction="DE", payment_method="debit_card", card_scheme="domestic_debit", payment_date=date(2026, 11, 1))
    assert clock_of(f, "generic.card_chargeback") is None
    unknown = facts(jurisdiction="DE", payment_method="debit_card", payment_date=date(2026, 11, 1))
    assert clock_of(unknown, "generic.card_chargeback") is None
    assert "Card chargeback window" in {m.fact: m for m in rules.missing_facts(unknown)}["card_scheme"].labels


def test_without_a_payment_method_docket_says_what_would_show_the_chargeback_deadline() -> None:
    lines = [m.text for m in rules.missing_facts(facts(jurisdiction="US-OH", category="non_delivery"))]
    assert any(line.startswith("Add how you paid to see:") and "Card chargeback window" in line for line in lines)


def test_paypal_not_as_described_has_30_days_from_delivery_and_20_days_to_escalate() -> None:
    f = facts(jurisdiction="GB-ENG", category="faulty_goods", payment_method="paypal",
              payment_date=date(2026, 10, 20), delivered=date(2026, 11, 10))
    assert clock_of(f, "generic.paypal_not_as_described").deadline == date(2026, 12, 10)
    assert clock_of(f, "generic.paypal_dispute").deadline == date(2027, 4, 18)
    opened = facts(jurisdiction="GB-ENG", category="faulty_goods", payment_method="paypal",
                   payment_date=date(2026, 10, 20), delivered=date(2026, 11, 10), payment_dispute=date(2026, 11, 25))
    assert clock_of(opened, "generic.paypal_escalate").deadline == date(2026, 12, 15)
    assert clock_of(opened, "generic.paypal_not_as_described") is None  # the dispute is open


def test_paypal_item_not_received_keeps_its_180_days_and_no_30_day_window() -> None:
    f = facts(jurisdiction="GB-ENG", category="non_delivery", payment_method="paypal", payment_date=date(2026, 10, 1))
    assert "generic.paypal_not_as_described" not in applied(f)
    assert clock_of(f, "generic.paypal_dispute").deadline == date(2027, 3, 30)


def test_reg_e_gives_a_point_of_sale_debit_error_90_days_and_ignores_a_quarrel_about_goods() -> None:
    pos = facts(jurisdiction="US-OH", category="billing_error", payment_method="debit_card",
                payment_dispute=date(2026, 11, 2))
    assert clock_of(pos, "us.rege.resolve_pos").deadline == date(2027, 1, 31)
    assert clock_of(pos, "us.rege.resolve") is None
    goods = facts(jurisdiction="US-OH", category="faulty_goods", payment_method="debit_card", payment_date=date(2026, 11, 2))
    assert not {r for r in applied(goods) if r.startswith("us.rege")}


def test_the_cfpb_step_opens_at_day_30_only_if_the_card_issuer_did_not_acknowledge() -> None:
    silent = facts(jurisdiction="US", payment_method="credit_card", payment_dispute=date(2026, 10, 1))
    assert clock_of(silent, "us.fcba.acknowledge").deadline == date(2026, 10, 31)
    answered = facts(jurisdiction="US", payment_method="credit_card", payment_dispute=date(2026, 10, 1),
                     acknowledgement=date(2026, 10, 12), acknowledgements=(date(2026, 10, 12),))
    assert clock_of(answered, "us.fcba.acknowledge") is None
    assert clock_of(answered, "us.fcba.resolve").deadline == date(2026, 12, 30)
    # An acknowledgement of an earlier complaint to the shop does not count.
    earlier = facts(jurisdiction="US", payment_method="credit_card", payment_dispute=date(2026, 10, 1),
                    acknowledgement=date(2026, 9, 1), acknowledgements=(date(2026, 9, 1),))
    assert clock_of(earlier, "us.fcba.acknowledge") is not None


@pytest.mark.parametrize(
    ("case", "cited", "not_cited"),
    [
        ({"jurisdiction": "GB-ENG", "purchase": "digital", "category": "non_delivery"},
         {"gb.law.cra_digital"}, {"gb.law.cra_goods", "gb.law.cra_services"}),
        ({"jurisdiction": "GB-ENG", "purchase": "services", "category": "warranty"},
         {"gb.law.cra_services", "gb.law.goods_in_care"}, {"gb.law.cra_goods"}),
        ({"jurisdiction": "US-OH", "payment_method": "credit_card", "currency": "USD", "amount": "20.00",
          "category": "billing_error"}, {"us.law.fcba_billing_error"}, {"us.law.fcba_claims_defenses"}),
        ({"jurisdiction": "AU-NSW", "purchase": "goods", "category": "faulty_goods"},
         {"au.law.acl_remedies", "au.law.acl_guarantees"}, {"ca-qc.law.cpa_38"}),
        ({"jurisdiction": "CA-QC", "purchase": "goods"}, {"ca-qc.law.cpa_38"}, set()),
        ({"jurisdiction": "CA-ON", "purchase": "goods"}, {"ca-on.law.cpa_9"}, {"ca-qc.law.cpa_38"}),
        ({"jurisdiction": "GB-SCT", "purchase": "goods"}, {"gb.law.cra_goods"}, {"gb.law.s69_interest"}),
    ],
)
def test_letters_get_the_law_that_fits_what_was_bought_and_where(case: dict, cited: set, not_cited: set) -> None:
    ids = {b.id for b in rules.legal_basis(facts(**case))}
    assert cited <= ids
    assert not ids & not_cited


def test_section_1666i_is_only_may_apply_and_says_why() -> None:
    bases = {b.id: b for b in rules.legal_basis(facts(jurisdiction="US-OH", payment_method="credit_card",
                                                      currency="USD", amount="80"))}
    claims = bases["us.law.fcba_claims_defenses"]
    assert claims.certainty == "may apply"
    assert "100 miles" in claims.text and "$50" in claims.text


def test_the_australian_remedy_is_the_suppliers_choice() -> None:
    remedies = {b.id: b for b in rules.legal_basis(facts(jurisdiction="AU", purchase="goods", category="faulty_goods"))}
    assert "supplier chooses" in remedies["au.law.acl_remedies"].text


@pytest.mark.parametrize(
    ("region", "letter_before_claim", "time_limit"),
    [("GB-ENG", True, "gb.limitation.contract"), ("GB-WLS", True, "gb.limitation.contract"),
     ("GB-SCT", False, "gb.prescription.scotland"), ("GB-NIR", False, "gb.limitation.northern_ireland")],
)
def test_scotland_and_northern_ireland_have_their_own_court_rules(region: str, letter_before_claim: bool,
                                                                  time_limit: str) -> None:
    f = facts(jurisdiction=region, payment_date=date(2026, 1, 10), final_notice=date(2026, 11, 20))
    ids = applied(f)
    assert ("gb.letter_before_claim" in ids) is letter_before_claim
    assert ("gb.law.s69_interest" in {b.id for b in rules.legal_basis(f)}) is letter_before_claim
    assert ("gb.final_notice.scotland_ni" in ids) is not letter_before_claim
    limits = {"gb.limitation.contract", "gb.prescription.scotland", "gb.limitation.northern_ireland"}
    assert ids & limits == {time_limit}
    if region == "GB-SCT":
        assert clock_of(f, time_limit).deadline == date(2031, 1, 10)


def test_a_uk_case_without_its_nation_asks_for_it_instead_of_assuming_england() -> None:
    f = facts(jurisdiction="GB", final_notice=date(2026, 11, 20))
    assert "gb.letter_before_claim" not in applied(f)
    region = {m.fact: m for m in rules.missing_facts(f)}["region"]
    assert "Letter before claim" in region.labels and "England" in region.text


def test_services_cancel_within_14_days_of_the_contract_and_downloads_lose_it_once_started() -> None:
    service = facts(jurisdiction="GB-ENG", purchase="services", category="cancellation",
                    purchased=date(2026, 11, 1), delivered=date(2026, 11, 20))
    assert clock_of(service, "gb.ccr.cancellation_services").deadline == date(2026, 11, 15)
    assert "gb.ccr.cancellation" not in applied(service)  # the goods rule, from delivery
    download = facts(jurisdiction="FR", purchase="digital", category="refund", purchased=date(2026, 11, 25))
    assert clock_of(download, "eu.withdrawal_digital").deadline == date(2026, 12, 9)
    started = facts(jurisdiction="FR", purchase="digital", category="refund", purchased=date(2026, 11, 25),
                    delivered=date(2026, 11, 25))
    assert "eu.withdrawal_digital" not in applied(started)


def test_uk_subscription_rules_switch_on_only_when_in_force_and_click_to_cancel_is_never_cited() -> None:
    sub = {"jurisdiction": "GB-ENG", "purchase": "subscription", "purchased": date(2026, 11, 25)}
    assert "gb.dmcc.cooling_off" not in applied(facts(**sub))
    later = facts(**{**sub, "purchased": date(2027, 4, 20)}, as_of=date(2027, 4, 25))
    assert clock_of(later, "gb.dmcc.cooling_off") is None  # clocks are read for TODAY, before the date
    assert "gb.dmcc.cooling_off" in applied(later)
    cited = [b.cite.lower() for p in rules.all_packs() for b in p.bases]
    assert cited and not [c for c in cited if "negative option rule" in c or "click" in c]
    assert any("vacated" in note for note in rules.load_pack("subscriptions").notes)


def test_case_facts_are_read_from_a_real_case(store) -> None:
    from core.domain.models import Letter
    from core.journal import cases

    case_id = cases.open_case(store, title="Perfume never delivered", company="Parfums Lune", jurisdiction="FR",
                              category="non_delivery", purchase="goods", currency="EUR", amount="89.00",
                              payment_method="credit_card", card_scheme="visa", payment_date="2026-06-01",
                              expected_by="2026-08-20", opened_on="2026-09-01")
    cases.log_event(store, case_id=case_id, at="2026-06-01", kind="payment", direction="to_company",
                    summary="Paid for the perfume")
    cases.log_event(store, case_id=case_id, at="2026-09-01T10:00:00+02:00", kind="email", direction="to_company",
                    summary="Where is my parcel?")
    cases.log_event(store, case_id=case_id, at="2026-09-03", kind="email", direction="from_company",
                    summary="We are looking into it", meaning="acknowledgement")
    with store.write() as session:
        now = cases.clock.now()
        session.add(Letter(case_id=case_id, template_id="chargeback_request", status="sent",
                           sent_on=date(2026, 11, 20), options={}, language="en", subject="", body="",
                           sent_via="post", tracking="", created_at=now, updated_at=now))
    with store.read() as session:
        f = rules.case_facts_for(session, case_id, as_of=TODAY)
    assert (f.jurisdiction, f.purchase, f.card_scheme, f.expected_by) == ("FR", "goods", "visa", date(2026, 8, 20))
    assert (f.purchased, f.first_complaint, f.acknowledgement, f.last_reply) == (
        date(2026, 6, 1), date(2026, 9, 1), date(2026, 9, 3), date(2026, 9, 3))
    assert f.payment_dispute == date(2026, 11, 20)
    assert f.amount == Decimal("89.00") and f.currency == "EUR"
    # The chargeback was asked for: its window is no longer a running clock; the mediator's year is.
    ids = {c.rule_id for c in rules.clocks(f, TODAY)}
    assert "generic.card_chargeback" not in ids and "fr.mediateur.un_an" in ids


@pytest.mark.parametrize("code", ["GB-SCT", "us-ca", "CA-QC", "AU-NSW", "FR"])
def test_a_case_may_be_in_a_region_of_a_country(store, code: str) -> None:
    from core.journal import cases

    case_id = cases.open_case(store, title="Where I live", jurisdiction=code)
    with store.read() as session:
        assert rules.case_facts_for(session, case_id).jurisdiction == code.upper()


@pytest.mark.parametrize("code", ["Scotland", "GB-", "GB-SC-T", "G1-SCT"])
def test_a_jurisdiction_that_is_no_country_or_region_is_refused(store, code: str) -> None:
    from core.domain.errors import ValidationError as Invalid
    from core.journal import cases

    with pytest.raises(Invalid, match="case.jurisdiction"):
        cases.open_case(store, title="Where I live", jurisdiction=code)


def test_a_telecoms_complaint_may_go_to_the_ombudsman_after_6_weeks_since_april_2026() -> None:
    f = facts(jurisdiction="GB-WLS", company_kind="telecoms", first_complaint=date(2026, 10, 1))
    adr = [c for c in rules.clocks(f, TODAY) if c.label == "Telecoms ombudsman (ADR)"]
    assert [(c.rule_id, c.deadline, c.checked) for c in adr] == [("gb.ofcom.adr", date(2026, 11, 12), date(2026, 12, 1))]
    before = facts(jurisdiction="GB-WLS", company_kind="telecoms", first_complaint=date(2026, 1, 5))
    early = [c for c in rules.clocks(before, date(2026, 2, 1)) if c.label == "Telecoms ombudsman (ADR)"]
    assert [(c.rule_id, c.deadline) for c in early] == [("gb.ofcom.adr_before_april_2026", date(2026, 3, 2))]
