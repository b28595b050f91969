"""docs/rules.md lists every rule with its audit date and the clocks of the seven example
cases; these tables are generated here and the test fails when the document is out of date.
Run with DOCKET_WRITE_DOCS=1 to rewrite them."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.domain import clock
from core.domain.models import Case
from core.escalation import reminders, rules
from core.escalation.ladder import STEP_NAMES
from core.exchange import demo
from core.journal import cases
from core.store.store import Store

DOC = Path(__file__).resolve().parents[3] / "docs" / "rules.md"
TODAY = date(2026, 12, 1)

# What the user would add to each example case (the examples do not say it in fields).
EXAMPLE_FACTS: dict[str, dict[str, Any]] = {
    "Refund for a returned winter coat never paid": {
        "kind": "trader", "purchase": "goods", "card_scheme": "visa", "jurisdiction": "FR"},
    "Gym membership cancelled by recorded letter keeps charging": {
        "kind": "club", "purchase": "subscription", "payment_method": "direct_debit", "jurisdiction": "GB-ENG"},
    "Free trial that cannot be cancelled": {
        "kind": "trader", "purchase": "subscription", "card_scheme": "visa", "jurisdiction": "US-CA"},
    "Paid course download never delivered; PayPal dispute opened": {
        "kind": "trader", "purchase": "digital", "jurisdiction": "GB-ENG"},
    "Optician lost the lenses of my glasses during a warranty repair": {
        "kind": "trader", "purchase": "services", "card_scheme": "visa", "jurisdiction": "GB-ENG"},
    "Manager refused to correct a $20 overcharge": {
        "kind": "trader", "purchase": "goods", "card_scheme": "visa", "jurisdiction": "US-OH"},
    "Pottery course transfer refused: 'all payments are final'": {
        "kind": "trader", "purchase": "services", "card_scheme": "visa", "jurisdiction": "CA-ON"},
}


def _status(item: rules.Rule | rules.LegalBasis) -> str:
    if item.checked is not None:
        return f"[confirmed {item.checked.isoformat()}]({item.source})"
    return f"[secondary]({item.source}): {rules.NOT_CONFIRMED}"


def _starts(rule: rules.Rule) -> str:
    text = " or ".join(rule.starts) if len(rule.starts) == 1 else "latest of " + ", ".join(rule.starts)
    return text + (f" (at most {rule.cap.describe()} after {rule.starts[0]})" if rule.cap else "")


def rules_tables() -> str:
    out: list[str] = []
    for pack in rules.all_packs():
        own_rules = [r for r in pack.rules if r.jurisdiction == pack.code]
        own_bases = [b for b in pack.bases if b.jurisdiction == pack.code]
        out.append(f"### {pack.name} (`{pack.code}.json`)\n")
        if pack.topic:
            out.append(f"Added to the cases of: {', '.join(pack.covers)}.\n")
        for note in pack.notes:
            out.append(f"Note: {note}\n")
        if own_rules:
            out.append("| rule | counts from | period | effect | applies when | audit |")
            out.append("|---|---|---|---|---|---|")
            for r in own_rules:
                out.append(f"| `{r.id}` | {_starts(r)} | {r.period.describe()} | {r.effect} {', '.join(r.steps)} "
                           f"| {r.when.describe()} | {_status(r)} |")
            out.append("")
        if own_bases:
            out.append("| law a letter may cite | cite | applies when | audit |")
            out.append("|---|---|---|---|")
            for b in own_bases:
                certainty = " (may apply)" if b.certainty != "applies" else ""
                out.append(f"| `{b.id}` | {b.cite}{certainty} | {b.when.describe()} | {_status(b)} |")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def examples_table(tmp: Path) -> str:
    clock.set_today(TODAY)
    try:
        with Store.open(tmp / "examples") as store:
            demo.load_examples(store)
            with store.read() as session:
                found = session.execute(select(Case.id, Case.title, Case.company_id)).all()
            rows = ["| situation | facts added | clocks | next step | sources | law a letter may cite | Docket asks for |",
                    "|---|---|---|---|---|---|---|"]
            for case_id, title, company_id in sorted(found):
                extra = dict(EXAMPLE_FACTS[title])
                cases.update_company(store, company_id=company_id, kind=extra.pop("kind"))
                cases.update_case(store, case_id=case_id, **extra)
                with store.read() as session:
                    facts = rules.case_facts_for(session, case_id, as_of=TODAY)
                running = rules.clocks(facts, TODAY)
                clocks = "<br>".join(c.text for c in running) or "none running"
                step = reminders.next_step(store, case_id=case_id)
                nxt = STEP_NAMES[step.step] if step.step else step.reason
                sources = ", ".join(f"`{c.rule_id}` ({c.checked.isoformat() if c.checked else 'secondary'})"
                                    for c in running) or "–"
                bases = ", ".join(f"{b.cite}{' (may apply)' if b.certainty != 'applies' else ''}"
                                  for b in rules.legal_basis(facts)) or "–"
                given = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in EXAMPLE_FACTS[title].items())
                asks = " ".join(m.text for m in rules.missing_facts(facts)) or "–"
                rows.append(f"| {title} | {given} | {clocks} | {nxt} | {sources} | {bases} | {asks} |")
        return "\n".join(rows) + "\n"
    finally:
        clock.set_today(None)


def _section(text: str, name: str) -> tuple[int, int]:
    start = text.index(f"<!-- {name}:start -->\n") + len(f"<!-- {name}:start -->\n")
    return start, text.index(f"<!-- {name}:end -->")


def test_docs_rules_md_lists_every_rule_and_the_example_cases(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    wanted = {"rules": rules_tables(), "examples": examples_table(tmp_path)}
    new = text
    for name, body in wanted.items():
        start, end = _section(new, name)
        new = new[:start] + body + new[end:]
    if os.environ.get("DOCKET_WRITE_DOCS") == "1":
        DOC.write_text(new, encoding="utf-8")
        text = new
    assert new == text, "docs/rules.md is out of date: run this test with DOCKET_WRITE_DOCS=1"
    for pack in rules.all_packs():
        for rule in pack.rules:
            assert f"`{rule.id}`" in text
