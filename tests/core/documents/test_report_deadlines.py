"""The case history says which deadlines run on the case and which rules decide them.

A perfume paid by Visa credit card on 3 Nov 2026, due on 10 Nov, never delivered, bought from
a French shop: on 10 Jan 2027 the history a user hands to the bank names the chargeback window
and the French late-delivery rule, each with its source, as ``docket next`` does.
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from core.documents.report import export_case_report
from core.domain import clock
from core.journal import cases
from core.journal.queries import load_case
from core.store.store import Store

VISA_RULES = "https://usa.visa.com/dam/VCOM/download/about-visa/visa-rules-public.pdf"
SECTION = "Deadlines and the rules behind them"


def pdf_text(path: Path) -> str:
    # Without -layout: a long line wraps as the page does, so a sentence is read whole.
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", " ", text)


def section(text: str) -> str:
    start = text.index(SECTION)
    return text[start:text.index("Chronology", start)]


@pytest.fixture
def perfume(store: Store) -> int:
    clock.set_today("2027-01-10")
    case_id = cases.open_case(
        store, title="Perfume never arrived", company="Parfums de Paris", category="non_delivery",
        amount="129.00", currency="EUR", opened_on="2026-11-03", jurisdiction="FR", purchase="goods",
        payment_method="credit_card", card_scheme="visa", payment_date="2026-11-03", expected_by="2026-11-10")
    company_id = load_case(store, case_id).company_id
    assert company_id is not None
    cases.update_company(store, company_id=company_id, kind="trader")
    cases.log_event(store, case_id=case_id, at="2026-11-03", kind="payment", direction="to_company",
                    summary="Ordered Eau de Nuit 100 ml", meaning="purchase", amount="129.00")
    cases.log_event(store, case_id=case_id, at="2026-11-20", kind="email", direction="to_company",
                    summary="The parcel never came: please send it or refund me", meaning="complaint")
    return case_id


def test_the_history_names_the_chargeback_window_and_the_french_delivery_rule(
        store: Store, perfume: int, tmp_path: Path) -> None:
    pdf = export_case_report(store, case_id=perfume, fmt="pdf", out=tmp_path / "perfume.pdf")
    text = pdf_text(pdf)
    part = section(text)

    # Placed after the summary, before the chronology.
    assert text.index("Summary") < text.index(SECTION) < text.index("Chronology")
    assert "Worked out as of 10 January 2027" in part
    card = part[part.index("Card chargeback window: closes on 10 March 2027"):]
    card = card[:card.index("Consumer mediator")]
    assert VISA_RULES in card
    assert "not yet confirmed at the source" in card
    late = part[part.index("Delivery date passed (Code de la consommation L216-6)"):part.index("Card chargeback")]
    assert "open since 10 November 2026" in late
    assert "checked 1 December 2026" in late and "legifrance.gouv.fr" in late
    assert "not yet confirmed" not in late
    assert "General information, not legal advice." in part

    markdown = (export_case_report(store, case_id=perfume, fmt="md", out=tmp_path / "perfume.md")
                .read_text(encoding="utf-8"))
    md = markdown[markdown.index(f"## {SECTION}"):markdown.index("## Chronology")]
    assert markdown.index("## Summary") < markdown.index(f"## {SECTION}")
    card_md = md[md.index("Card chargeback window: closes on 10 March 2027"):md.index("Consumer mediator")]
    assert f"<{VISA_RULES}>" in card_md and "not yet confirmed at the source" in card_md
    late_md = md[md.index("Delivery date passed"):md.index("Card chargeback")]
    assert "checked 1 December 2026" in late_md


def test_the_sections_dates_are_the_ones_docket_next_gives(
        store: Store, perfume: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from core.cli.main import main

    markdown = (export_case_report(store, case_id=perfume, fmt="md", out=tmp_path / "perfume.md")
                .read_text(encoding="utf-8"))
    md = markdown[markdown.index(f"## {SECTION}"):markdown.index("## Chronology")]
    store.close()  # the command opens the store itself
    capsys.readouterr()
    assert main(["--data-dir", str(store.data_dir), "--today", "2027-01-10", "next", str(perfume), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)

    assert data["rules"], "the case has rule clocks"
    for rule in data["rules"]:
        deadline = date.fromisoformat(rule["deadline"])
        words = f"{deadline.day} {deadline.strftime('%B')} {deadline.year}"
        line = next(line for line in md.splitlines() if line.startswith(f"- **{rule['label']}"))
        assert words in line, (rule["rule_id"], line)
        assert f"<{rule['source']}>" in md
    due = date.fromisoformat(data["due"])
    said = "overdue since" if due < date(2027, 1, 10) else "due"
    assert f"{said} {due.day} {due.strftime('%B')} {due.year}" in md


def test_a_resolved_case_shows_no_running_clocks(store: Store, perfume: int, tmp_path: Path) -> None:
    cases.update_case(store, case_id=perfume, status="resolved")
    text = pdf_text(export_case_report(store, case_id=perfume, fmt="pdf", out=tmp_path / "resolved.pdf"))
    part = section(text)

    assert "This case is resolved" in part and "No deadlines are running" in part
    assert "Card chargeback window" not in part and "closes on" not in part
    assert VISA_RULES not in part
    assert "General information, not legal advice." in part


def test_the_redacted_copy_keeps_the_section_under_the_same_masks(
        store: Store, perfume: int, tmp_path: Path) -> None:
    text = pdf_text(export_case_report(store, case_id=perfume, fmt="pdf", out=tmp_path / "shared.pdf",
                                       redact=True, redact_names=["Parfums de Paris"]))
    part = section(text)

    assert "Card chargeback window: closes on 10 March 2027" in part
    assert VISA_RULES in part
    assert "Parfums de Paris" not in text
