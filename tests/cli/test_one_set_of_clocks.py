"""One truth everywhere: the clocks the banner shows (the ladder's next step) are the ones
``docket next`` prints, the due list holds and the rule packs decide."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from core.cli.main import main
from core.domain import clock
from core.escalation import reminders
from core.escalation.ladder import Step, StepKind
from core.exchange import demo
from core.journal import cases
from core.store.store import Store
from tests.ladder_helpers import make_case


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, today: date, *args: str) -> str:
    capsys.readouterr()
    assert main(["--data-dir", str(data_dir), "--today", today.isoformat(), *args]) == 0
    return capsys.readouterr().out


# -- the perfume story ---------------------------------------------------------------------------
def perfume(store: Store) -> int:
    """Perfume from a Paris shop, EUR 129 paid on 3 Nov 2026 by Visa credit card, due 10 Nov,
    never arrived; a refund promised by 15 Dec and never paid; two chasers."""
    case_id = cases.open_case(store, title="Perfume never arrived", company="Maison Parfum Paris",
                              category="non_delivery", purchase="goods", amount="129.00", currency="EUR",
                              payment_method="credit_card", card_scheme="visa", payment_date="2026-11-03",
                              expected_by="2026-11-10", jurisdiction="FR", opened_on="2026-11-12")
    with store.read() as session:
        company_id = cases.get_case(session, case_id).company_id
    cases.update_company(store, company_id=company_id, kind="trader")
    for at, kind, direction, summary, extra in [
        ("2026-11-03", "payment", "to_company", "Ordered the perfume", {"meaning": "purchase", "amount": "129.00"}),
        ("2026-11-12", "email", "to_company", "The parcel has not arrived: please refund me", {}),
        ("2026-11-14", "email", "from_company", "Refund to your card within a month",
         {"meaning": "promise", "promised_by": "2026-12-15"}),
        ("2026-12-20", "email", "to_company", "Where is the refund you promised?", {}),
        ("2027-01-05", "call", "to_company", "Called again about the refund", {}),
    ]:
        cases.log_event(store, case_id=case_id, at=at, kind=kind, direction=direction, summary=summary, **extra)
    return case_id


def test_the_perfume_chargeback_closes_on_10_march_2027_everywhere(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    today = date(2027, 2, 10)
    clock.set_today(today)
    with Store.open(data_dir) as store:
        case_id = perfume(store)
        step = reminders.next_step(store, case_id=case_id)
    # The banner: 120 days from the delivery date that passed (10 Nov), not from the payment.
    (banner,) = [c for c in step.clocks if c.rule_id == "generic.card_chargeback"]
    assert banner.date == date(2027, 3, 10) and not banner.opens
    assert banner.text == "Card chargeback window closes in 28 days (10 Mar)"

    shown = json.loads(run(capsys, data_dir, today, "next", str(case_id), "--json"))
    (listed,) = [c for c in shown["clocks"] if c["rule_id"] == "generic.card_chargeback"]
    (rule,) = [c for c in shown["rules"] if c["rule_id"] == "generic.card_chargeback"]
    assert listed["date"] == rule["deadline"] == "2027-03-10"
    assert rule["text"].startswith("Card chargeback window: closes on 10 Mar 2027 (120 days after the date")
    assert rule["confidence"] == "secondary"

    due = json.loads(run(capsys, data_dir, today, "due", "--case", str(case_id), "--json"))
    (reminder,) = [i for i in due if i["rule_id"] == "generic.card_chargeback"]
    assert reminder["key"] == "clock:generic.card_chargeback:2027-03-10"
    assert reminder["due"] == "2027-02-24"  # two weeks before it closes
    assert "(10 Mar)" in reminder["reason"]
    assert "Card chargeback window closes in 28 days (10 Mar)" in run(capsys, data_dir, today, "due")
    printed = run(capsys, data_dir, today, "next", str(case_id))
    assert "Card chargeback window: closes on 10 Mar 2027" in printed
    assert "3 Mar 2027" not in printed  # the old count from the payment is gone


# -- the ombudsman only for a financial firm -------------------------------------------------------
DATES = [date(2026, 11, 20), date(2026, 12, 20), date(2027, 2, 1), date(2027, 6, 1)]


def test_the_hardware_store_overcharge_never_goes_to_a_financial_ombudsman_or_the_cfpb(store: Store) -> None:
    clock.set_today(date(2026, 11, 20))
    demo.load_examples(store)
    with store.read() as session:
        from sqlalchemy import select

        from core.domain.models import Case
        case_id = session.scalar(select(Case.id).where(Case.title.like("%$20 overcharge%")))
    assert case_id is not None
    # Even once the user complained to a regulator, no CFPB clock runs for a shop.
    with_letter = make_case(store, title="Overcharge, then a regulator complaint", company="Hardware store",
                            company_kind="trader", category="billing_error", jurisdiction="US-OH", currency="USD",
                            amount="20", events=[{"at": "2026-11-01", "kind": "email", "direction": "to_company"}],
                            letters=[{"template_id": "regulator_complaint", "sent_on": "2026-11-10"}])
    for today in DATES:
        clock.set_today(today)
        for cid in (case_id, with_letter):
            step = reminders.next_step(store, case_id=cid)
            said = " ".join([step.reason, *(c.text for c in step.clocks), *(r.text for r in step.routes),
                             *(i.reason for i in reminders.due_items(store, case_id=cid))])
            assert "CFPB" not in said and "Ombudsman" not in said, (today, said)
            assert not any(c.rule_id.startswith(("us.cfpb.", "gb.fos.")) for c in step.clocks)
            assert step.kind is not StepKind.REGULATOR_OPEN
            assert all(r.step is not Step.REGULATOR for r in step.routes)


def test_a_bank_case_does_reach_the_financial_ombudsman_and_the_cfpb(store: Store) -> None:
    clock.set_today(date(2027, 2, 1))
    gb = make_case(store, title="Bank fee never explained", company="High Street Bank", company_kind="bank",
                   category="service", jurisdiction="GB-ENG", currency="GBP",
                   events=[{"at": "2026-11-20", "kind": "email", "direction": "to_company"}])
    step = reminders.next_step(store, case_id=gb)
    assert (step.kind, step.step) == (StepKind.REGULATOR_OPEN, Step.REGULATOR)
    assert step.reason.startswith("Financial Ombudsman: you may refer now (since 15 Jan)")
    us = make_case(store, title="Bank fee, then the CFPB", company="Main Street Bank", company_kind="bank",
                   category="billing_error", jurisdiction="US-OH", currency="USD",
                   events=[{"at": "2026-11-01", "kind": "email", "direction": "to_company"}],
                   letters=[{"template_id": "regulator_complaint", "sent_on": "2027-01-25"}])
    step = reminders.next_step(store, case_id=us)
    assert "CFPB: company response: you may claim in court from 9 Feb" in [c.text for c in step.clocks]


# -- every example case, at several dates ------------------------------------------------------------
def test_every_example_shows_the_same_clocks_in_the_banner_docket_next_and_the_due_list(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    start = date(2026, 11, 20)
    clock.set_today(start)
    with Store.open(data_dir) as store:
        ids = demo.load_examples(store)
    assert len(ids) >= 7
    checked = 0
    for today in (start, start + timedelta(days=20), start + timedelta(days=75), start + timedelta(days=150)):
        clock.set_today(today)
        with Store.open(data_dir) as store:
            banners = {cid: reminders.next_step(store, case_id=cid) for cid in ids}
            listed = reminders.due_items(store)
        keys = {(i.case_id, i.key): i for i in listed}
        for cid, step in banners.items():
            shown = json.loads(run(capsys, data_dir, today, "next", str(cid), "--json"))
            banner = [(c.rule_id, c.date.isoformat(), c.opens) for c in step.clocks]
            assert [(c["rule_id"], c["date"], c["opens"]) for c in shown["clocks"]] == banner
            assert [(c["rule_id"], c["deadline"], c["opens"]) for c in shown["rules"]] == banner
            for c in step.clocks:
                # A window open from day one is a fact, not a reminder; one already closed is history.
                if (c.opens and c.start is not None and c.date <= c.start) or (not c.opens and c.date < today):
                    continue
                item = keys.get((cid, f"clock:{c.rule_id}:{c.date.isoformat()}"))
                if item is None and step.kind is not StepKind.CLOSED:
                    # The case's next step may stand for the clock under its own key.
                    assert step.rule_id == c.rule_id and (cid, step.key) in keys, (today, cid, c)
                checked += 1
    assert checked > 0
