"""Every rule and every legal basis of every pack, with one case where it applies and one
where it must not: the table a reviewer reads to see who each rule is for."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from core.escalation import rules
from core.escalation.rules import CaseFacts

TODAY = date(2026, 12, 1)
D = date(2026, 10, 1)  # a day in the story


def facts(**kw: Any) -> CaseFacts:
    kw.setdefault("as_of", TODAY)
    if "amount" in kw:
        kw["amount"] = Decimal(kw["amount"])
    return CaseFacts(**kw)


GB_BANK = {"jurisdiction": "GB-ENG", "company_kind": "bank"}
GB_SHOP = {"jurisdiction": "GB-ENG", "company_kind": "trader"}
US_SHOP = {"jurisdiction": "US-OH", "company_kind": "trader", "currency": "USD"}
CARD = {"payment_method": "credit_card", "card_scheme": "visa", "payment_date": D}

# rule or basis id: (a case it applies to, a case it must not apply to)
TABLE: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    # generic
    "generic.final_notice_deadline": ({"jurisdiction": "JP"}, {"jurisdiction": "GB-ENG"}),
    "generic.card_chargeback": ({"jurisdiction": "JP", **CARD},
                                {"jurisdiction": "DE", "payment_method": "debit_card", "card_scheme": "domestic_debit"}),
    "generic.paypal_dispute": ({"payment_method": "paypal"}, {"payment_method": "bank_transfer"}),
    "generic.paypal_not_as_described": ({"payment_method": "paypal", "category": "faulty_goods"},
                                        {"payment_method": "paypal", "category": "non_delivery"}),
    "generic.paypal_escalate": ({"payment_method": "paypal", "payment_dispute": D}, {"payment_method": "paypal"}),
    # GB
    "gb.fos.eight_weeks": (GB_BANK, {**GB_SHOP, "category": "billing_error"}),
    "gb.fos.eight_weeks_card_issuer": ({**GB_SHOP, "payment_method": "debit_card", "card_scheme": "visa"},
                                       {**GB_SHOP, "payment_method": "bank_transfer"}),
    "gb.fos.payment_services": ({**GB_BANK, "category": "billing_error"},
                                {**GB_SHOP, "category": "billing_error", "payment_method": "debit_card"}),
    "gb.fos.six_months": ({**GB_BANK, "company_kind": "insurer"}, {**GB_SHOP, "company_kind": "club"}),
    "gb.cra.short_term_reject": ({**GB_SHOP, "category": "faulty_goods"}, {**GB_SHOP, "category": "non_delivery"}),
    "gb.ccr.cancellation": ({**GB_SHOP, "purchase": "goods", "category": "cancellation"},
                            {**GB_SHOP, "purchase": "services", "category": "cancellation"}),
    "gb.ccr.cancellation_services": ({**GB_SHOP, "purchase": "services", "category": "refund"},
                                     {**GB_SHOP, "purchase": "goods", "category": "refund"}),
    "gb.ccr.cancellation_digital": ({**GB_SHOP, "purchase": "digital", "category": "refund"},
                                    {**GB_SHOP, "purchase": "digital", "category": "refund", "delivered": D}),
    "gb.s75": ({**GB_SHOP, "payment_method": "credit_card", "currency": "GBP", "amount": "250"},
               {**GB_SHOP, "payment_method": "credit_card", "currency": "GBP", "amount": "80"}),
    "gb.letter_before_claim": ({"jurisdiction": "GB-WLS"}, {"jurisdiction": "GB-SCT"}),
    "gb.final_notice.scotland_ni": ({"jurisdiction": "GB-NIR"}, {"jurisdiction": "GB-ENG"}),
    "gb.limitation.contract": ({"jurisdiction": "GB-ENG"}, {"jurisdiction": "GB-SCT"}),
    "gb.limitation.northern_ireland": ({"jurisdiction": "GB-NIR"}, {"jurisdiction": "GB-WLS"}),
    "gb.prescription.scotland": ({"jurisdiction": "GB-SCT"}, {"jurisdiction": "GB-NIR"}),
    "gb.law.cra_goods": ({"jurisdiction": "GB-SCT", "purchase": "goods"}, {"jurisdiction": "GB-SCT", "purchase": "digital"}),
    "gb.law.cra_digital": ({"jurisdiction": "GB", "purchase": "digital"}, {"jurisdiction": "GB", "purchase": "goods"}),
    "gb.law.cra_services": ({"jurisdiction": "GB", "purchase": "services"}, {"jurisdiction": "GB", "purchase": "goods"}),
    "gb.law.goods_in_care": ({"jurisdiction": "GB-ENG", "purchase": "services", "category": "warranty"},
                             {"jurisdiction": "GB-SCT", "purchase": "services", "category": "warranty"}),
    "gb.law.ccr_cancellation": ({"jurisdiction": "GB", "category": "cancellation"}, {"jurisdiction": "GB", "category": "faulty_goods"}),
    "gb.law.s75": ({"jurisdiction": "GB", "payment_method": "credit_card", "currency": "GBP", "amount": "100.01"},
                   {"jurisdiction": "GB", "payment_method": "credit_card", "currency": "GBP", "amount": "30000.01"}),
    "gb.law.s69_interest": ({"jurisdiction": "GB-ENG"}, {"jurisdiction": "GB-NIR"}),
    # US
    "us.fcba.notice": ({**US_SHOP, **CARD}, {**US_SHOP, "payment_method": "cash"}),
    "us.fcba.acknowledge": ({**US_SHOP, **CARD, "payment_dispute": D},
                            {**US_SHOP, **CARD, "payment_dispute": D, "acknowledgement": date(2026, 10, 9),
                             "acknowledgements": (date(2026, 10, 9),)}),
    "us.fcba.resolve": ({**US_SHOP, **CARD}, {**US_SHOP, "payment_method": "debit_card"}),
    "us.rege.notice": ({**US_SHOP, "payment_method": "debit_card", "category": "billing_error"},
                       {**US_SHOP, "payment_method": "debit_card", "category": "faulty_goods"}),
    "us.rege.resolve": ({**US_SHOP, "payment_method": "bank_transfer", "category": "billing_error"},
                        {**US_SHOP, "payment_method": "debit_card", "category": "billing_error"}),
    "us.rege.resolve_pos": ({**US_SHOP, "payment_method": "debit_card", "category": "billing_error"},
                            {**US_SHOP, "payment_method": "debit_card", "category": "non_delivery"}),
    "us.cfpb.response": ({**US_SHOP, "company_kind": "lender"}, {**US_SHOP, "category": "billing_error"}),
    "us.cfpb.response_card_issuer": ({**US_SHOP, **CARD, "payment_dispute": D}, {**US_SHOP, **CARD}),
    "us.law.fcba_billing_error": ({**US_SHOP, **CARD, "category": "billing_error"}, {**US_SHOP, **CARD, "category": "faulty_goods"}),
    "us.law.fcba_claims_defenses": ({**US_SHOP, **CARD, "amount": "80"}, {**US_SHOP, **CARD, "amount": "20"}),
    "us.law.rege_error": ({**US_SHOP, "payment_method": "debit_card", "category": "billing_error"},
                          {**US_SHOP, "payment_method": "debit_card", "category": "faulty_goods"}),
    # EU
    "eu.withdrawal": ({"jurisdiction": "IT", "purchase": "goods", "category": "refund"},
                      {"jurisdiction": "IT", "purchase": "services", "category": "refund"}),
    "eu.withdrawal_services": ({"jurisdiction": "IT", "purchase": "services", "category": "cancellation"},
                               {"jurisdiction": "IT", "purchase": "goods", "category": "cancellation"}),
    "eu.withdrawal_digital": ({"jurisdiction": "FR", "purchase": "digital", "category": "refund"},
                              {"jurisdiction": "FR", "purchase": "digital", "category": "refund", "delivered": D}),
    "eu.legal_guarantee": ({"jurisdiction": "DE", "category": "warranty"}, {"jurisdiction": "DE", "category": "billing_error"}),
    "eu.adr_decision": ({"jurisdiction": "NL"}, {"jurisdiction": "GB-ENG"}),
    "eu.law.withdrawal": ({"jurisdiction": "ES", "category": "cancellation"}, {"jurisdiction": "ES", "category": "warranty"}),
    "eu.law.goods_conformity": ({"jurisdiction": "ES", "purchase": "goods"}, {"jurisdiction": "ES", "purchase": "digital"}),
    "eu.law.digital_conformity": ({"jurisdiction": "FR", "purchase": "digital"}, {"jurisdiction": "FR", "purchase": "goods"}),
    # CA
    "ca.bank.56_days": ({"jurisdiction": "CA-ON", "company_kind": "bank"}, {"jurisdiction": "CA-ON", "company_kind": "trader"}),
    "ca.bank.56_days_card_issuer": ({"jurisdiction": "CA-ON", **CARD}, {"jurisdiction": "CA-ON", "payment_method": "paypal"}),
    "ca.obsi.180_days": ({"jurisdiction": "CA", "company_kind": "bank"}, {"jurisdiction": "CA", "company_kind": "telecoms"}),
    "ca-qc.law.cpa_38": ({"jurisdiction": "CA-QC", "purchase": "goods"}, {"jurisdiction": "CA-ON", "purchase": "goods"}),
    "ca-on.law.cpa_9": ({"jurisdiction": "CA-ON"}, {"jurisdiction": "CA-QC"}),
    # AU
    "au.idr.30_days": ({"jurisdiction": "AU-NSW", "company_kind": "payment_service"}, {"jurisdiction": "AU-NSW", "company_kind": "trader"}),
    "au.idr.30_days_card_issuer": ({"jurisdiction": "AU", "payment_method": "paypal"}, {"jurisdiction": "AU", "payment_method": "cash"}),
    "au.afca.two_years": ({"jurisdiction": "AU", "company_kind": "lender"}, {"jurisdiction": "AU", "company_kind": "energy"}),
    "au.law.acl_guarantees": ({"jurisdiction": "AU", "purchase": "goods"}, {"jurisdiction": "AU", "purchase": "services"}),
    "au.law.acl_remedies": ({"jurisdiction": "AU", "purchase": "goods", "category": "faulty_goods"},
                            {"jurisdiction": "AU", "purchase": "goods", "category": "billing_error"}),
    "au.law.acl_services": ({"jurisdiction": "AU", "purchase": "services"}, {"jurisdiction": "AU", "purchase": "goods"}),
    # FR
    "fr.livraison.30_jours": ({"jurisdiction": "FR", "category": "non_delivery"},
                              {"jurisdiction": "FR", "category": "non_delivery", "expected_by": date(2026, 10, 20)}),
    "fr.livraison.date_convenue": ({"jurisdiction": "FR", "category": "non_delivery", "expected_by": date(2026, 10, 20)},
                                   {"jurisdiction": "FR", "category": "non_delivery"}),
    "fr.livraison.resolution": ({"jurisdiction": "FR", "category": "non_delivery"}, {"jurisdiction": "FR", "category": "refund"}),
    "fr.livraison.remboursement": ({"jurisdiction": "FR", "category": "non_delivery", "cancellation": D},
                                   {"jurisdiction": "FR", "category": "non_delivery"}),
    "fr.retractation.remboursement": ({"jurisdiction": "FR", "category": "refund", "cancellation": D},
                                      {"jurisdiction": "FR", "category": "refund"}),
    "fr.mediateur.un_an": ({"jurisdiction": "FR"}, {"jurisdiction": "BE"}),
    "fr.law.l216_1": ({"jurisdiction": "FR", "category": "non_delivery"}, {"jurisdiction": "FR", "category": "warranty"}),
    "fr.law.l216_6": ({"jurisdiction": "FR", "category": "non_delivery"}, {"jurisdiction": "IT", "category": "non_delivery"}),
    "fr.law.l221_24": ({"jurisdiction": "FR", "category": "refund"}, {"jurisdiction": "FR", "category": "non_delivery"}),
    "fr.law.l215_1_1": ({"jurisdiction": "FR", "purchase": "subscription", "category": "subscription"},
                        {"jurisdiction": "FR", "purchase": "goods", "category": "subscription"}),
    "fr.law.l612_1": ({"jurisdiction": "FR"}, {"jurisdiction": "DE"}),
    # DE
    "de.widerruf.hoechstfrist": ({"jurisdiction": "DE", "purchase": "goods", "category": "cancellation"},
                                 {"jurisdiction": "DE", "purchase": "services", "category": "cancellation"}),
    "de.widerruf.hoechstfrist_vertrag": ({"jurisdiction": "DE", "purchase": "subscription", "category": "subscription"},
                                         {"jurisdiction": "DE", "purchase": "goods", "category": "subscription"}),
    "de.maengel.verjaehrung": ({"jurisdiction": "DE", "purchase": "goods", "category": "faulty_goods"},
                               {"jurisdiction": "DE", "purchase": "services", "category": "faulty_goods"}),
    "de.maengel.beweislastumkehr": ({"jurisdiction": "DE", "purchase": "goods", "category": "warranty"},
                                    {"jurisdiction": "AT", "purchase": "goods", "category": "warranty"}),
    "de.ruecktritt.nachfrist": ({"jurisdiction": "DE"}, {"jurisdiction": "FR"}),
    "de.law.widerruf": ({"jurisdiction": "DE", "category": "refund"}, {"jurisdiction": "DE", "category": "billing_error"}),
    "de.law.maengel": ({"jurisdiction": "DE", "purchase": "goods", "category": "faulty_goods"},
                       {"jurisdiction": "DE", "purchase": "goods", "category": "subscription"}),
    "de.law.309_9": ({"jurisdiction": "DE", "purchase": "subscription", "category": "cancellation"},
                     {"jurisdiction": "DE", "purchase": "subscription", "category": "cancellation", "as_of": date(2022, 1, 1)}),
    "de.law.312k": ({"jurisdiction": "DE", "purchase": "subscription", "category": "subscription"},
                    {"jurisdiction": "DE", "purchase": "subscription", "category": "subscription", "as_of": date(2022, 6, 30)}),
    "de.law.323": ({"jurisdiction": "DE", "category": "non_delivery"}, {"jurisdiction": "DE", "category": "billing_error"}),
    # subscriptions
    "gb.dmcc.cooling_off": ({"jurisdiction": "GB-ENG", "purchase": "subscription", "as_of": date(2027, 5, 1)},
                            {"jurisdiction": "GB-ENG", "purchase": "subscription"}),
    "us.law.rosca": ({"jurisdiction": "US-NY", "purchase": "subscription"}, {"jurisdiction": "GB", "purchase": "subscription"}),
    "us-ca.law.arl": ({"jurisdiction": "US-CA", "purchase": "subscription"}, {"jurisdiction": "US-NY", "purchase": "subscription"}),
    "gb.law.dmcc_subscriptions": ({"jurisdiction": "GB-SCT", "purchase": "subscription", "as_of": date(2027, 5, 1)},
                                  {"jurisdiction": "GB-SCT", "purchase": "subscription"}),
    # recurring payments
    "eu.psd2.direct_debit_refund": ({"jurisdiction": "DE", "payment_method": "direct_debit", "charge_after_cancellation": D},
                                    {"jurisdiction": "GB-ENG", "payment_method": "direct_debit", "charge_after_cancellation": D}),
    "eu.psd2.refund_answer": ({"jurisdiction": "IE", "payment_method": "direct_debit"}, {"jurisdiction": "IE", "payment_method": "paypal"}),
    "eu.psd2.unauthorised": ({"jurisdiction": "FR", "payment_method": "debit_card", "charge_after_cancellation": D},
                             {"jurisdiction": "FR", "payment_method": "debit_card"}),
    "gb.direct_debit_guarantee": ({"jurisdiction": "GB-WLS", "payment_method": "direct_debit", "charge_after_cancellation": D},
                                  {"jurisdiction": "FR", "payment_method": "direct_debit", "charge_after_cancellation": D}),
    # GB telecoms
    "gb.ofcom.adr": ({"jurisdiction": "GB-SCT", "company_kind": "telecoms"}, {"jurisdiction": "GB-SCT", "company_kind": "energy"}),
    "gb.ofcom.adr_before_april_2026": ({"jurisdiction": "GB-ENG", "company_kind": "telecoms", "as_of": date(2026, 3, 1)},
                                       {"jurisdiction": "GB-ENG", "company_kind": "telecoms"}),
    # Canadian card issuers
    "ca-on.cpa.s99": ({"jurisdiction": "CA-ON", "payment_method": "credit_card", "cancellation": D},
                      {"jurisdiction": "CA-QC", "payment_method": "credit_card", "cancellation": D}),
    "ca-qc.cpa.s54_16": ({"jurisdiction": "CA-QC", "payment_method": "credit_card", "cancellation": D},
                         {"jurisdiction": "CA-QC", "payment_method": "debit_card", "cancellation": D}),
}


def _everything() -> dict[str, str]:
    out: dict[str, str] = {}
    for pack in rules.all_packs():
        for rule in pack.rules:
            out.setdefault(rule.id, pack.code)
        for basis in pack.bases:
            out.setdefault(basis.id, pack.code)
    return out


def _ids(f: CaseFacts) -> set[str]:
    return {r.id for r in rules.applicable_rules(f)} | {b.id for b in rules.legal_basis(f)}


def test_the_table_covers_every_rule_and_basis_of_every_pack() -> None:
    assert set(_everything()) == set(TABLE)


@pytest.mark.parametrize("rule_id", sorted(TABLE))
def test_each_rule_applies_to_its_case_and_not_to_the_other(rule_id: str) -> None:
    yes, no = TABLE[rule_id]
    assert rule_id in _ids(facts(**yes)), f"{rule_id} should apply to {yes}"
    assert rule_id not in _ids(facts(**no)), f"{rule_id} must not apply to {no}"


@pytest.mark.parametrize("code", rules.PACK_CODES)
def test_every_rule_shows_where_it_comes_from(code: str) -> None:
    for item in [*rules.load_pack(code).rules, *rules.load_pack(code).bases]:
        assert item.source.startswith("https://"), item.id
        # Confirmed on a date at its source, or plainly marked as not (with what is missing).
        assert (item.checked is not None) != (item.confidence == "secondary"), item.id
        if item.secondary:
            assert item.note, item.id
        if item.checked is not None:
            assert item.checked <= TODAY, item.id


# -- any case at all ------------------------------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from core.domain.models import CardScheme, Category, CompanyKind, PaymentMethod, Purchase  # noqa: E402

_days = st.one_of(st.none(), st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)))
_any_case = st.builds(
    CaseFacts,
    jurisdiction=st.sampled_from(["", "GB", "GB-ENG", "GB-SCT", "GB-NIR", "US", "US-CA", "FR", "DE", "IT", "CA-QC",
                                  "CA-ON", "AU-NSW", "JP", "UK"]),
    company_kind=st.one_of(st.none(), st.sampled_from([k.value for k in CompanyKind])),
    purchase=st.one_of(st.none(), st.sampled_from([p.value for p in Purchase])),
    category=st.sampled_from([c.value for c in Category]),
    payment_method=st.one_of(st.none(), st.sampled_from([m.value for m in PaymentMethod])),
    card_scheme=st.one_of(st.none(), st.sampled_from([s.value for s in CardScheme])),
    payment_date=_days, expected_by=_days, delivered=_days, first_complaint=_days, cancellation=_days,
    charge_after_cancellation=_days, payment_dispute=_days, final_notice=_days, final_response=_days,
    amount=st.one_of(st.none(), st.decimals(min_value=0, max_value=50000, places=2)),
    currency=st.sampled_from(["GBP", "USD", "EUR", "CAD"]),
    as_of=st.just(TODAY),
)


@settings(max_examples=300, deadline=None)
@given(_any_case)
def test_every_clock_comes_from_a_rule_that_applies_and_nothing_is_both_applied_and_asked_for(f: CaseFacts) -> None:
    applied = {r.id for r in rules.applicable_rules(f)}
    running = rules.clocks(f, TODAY)
    assert {c.rule_id for c in running} <= applied
    for c in running:
        assert c.text.startswith(c.label) and c.source.startswith("https://")
        if not c.opens:
            assert c.deadline >= c.start
    for missing in rules.missing_facts(f):
        assert missing.text.startswith("Add ")
        # A rule held back for a missing condition is not applied; one only lacking its start date is.
        if missing.fact in ("company_kind", "purchase", "payment_method", "card_scheme", "region", "amount"):
            assert not set(missing.rule_ids) & applied
    assert all(b.certainty in ("applies", "may apply") for b in rules.legal_basis(f))
