"""``docket next`` shows which rules decided the clocks, where each comes from, and which
missing fact would show more."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.cli.main import main
from core.journal import cases
from core.store.store import Store

TODAY = "2026-12-01"


@pytest.fixture
def two_cases(data_dir: Path) -> dict[str, int]:
    with Store.open(data_dir) as store:
        perfume = cases.open_case(store, title="Perfume never delivered", company="Parfums Lune", jurisdiction="FR",
                                  category="non_delivery", purchase="goods", currency="EUR", amount="89.00",
                                  payment_method="credit_card", card_scheme="visa", payment_date="2026-06-01",
                                  expected_by="2026-08-20", opened_on="2026-09-01")
        cases.log_event(store, case_id=perfume, at="2026-09-01", kind="email", direction="to_company",
                        summary="Where is my parcel?")
        unknown = cases.open_case(store, title="Charged twice", company="Somewhere", jurisdiction="US-OH",
                                  category="billing_error", currency="USD", opened_on="2026-11-01")
        cases.log_event(store, case_id=unknown, at="2026-11-02", kind="email", direction="to_company",
                        summary="You charged me twice")
    return {"perfume": perfume, "unknown": unknown}


def test_next_lists_each_clock_with_its_rule_source_and_whether_it_was_confirmed(
        data_dir: Path, two_cases: dict[str, int], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(data_dir), "--today", TODAY, "next", str(two_cases["perfume"])]) == 0
    out = capsys.readouterr().out
    assert "Card chargeback window: closes on 18 Dec 2026 (120 days after the date the goods or service were due" in out
    assert ("generic.card_chargeback: https://usa.visa.com/dam/VCOM/download/about-visa/visa-rules-public.pdf "
            "(not yet confirmed at the source)") in out
    assert "Médiateur de la consommation: closes on 1 Sep 2027" in out
    assert "fr.mediateur.un_an: https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000032224802 (checked 2026-12-01)" in out
    assert out.rstrip().endswith("General information, not legal advice.")


def test_next_says_which_missing_fact_would_unlock_which_clock(
        data_dir: Path, two_cases: dict[str, int], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(data_dir), "--today", TODAY, "next", str(two_cases["unknown"])]) == 0
    out = capsys.readouterr().out
    assert "Add how you paid to see: Card chargeback window" in out
    assert "Add what kind of company this is" in out and "CFPB: company response" in out
    assert "Clocks, and the rules" not in out  # nothing is guessed


def test_next_json_carries_the_rules_and_the_missing_facts(
        data_dir: Path, two_cases: dict[str, int], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(data_dir), "--today", TODAY, "next", str(two_cases["perfume"]), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    chargeback = next(r for r in data["rules"] if r["rule_id"] == "generic.card_chargeback")
    assert (chargeback["start"], chargeback["deadline"], chargeback["confidence"], chargeback["checked"]) == (
        "2026-08-20", "2026-12-18", "secondary", None)
    assert main(["--data-dir", str(data_dir), "--today", TODAY, "next", str(two_cases["unknown"]), "--json"]) == 0
    facts = {m["fact"]: m for m in json.loads(capsys.readouterr().out)["missing_facts"]}
    assert "generic.card_chargeback" in facts["payment_method"]["rule_ids"]
