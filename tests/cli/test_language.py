"""What Docket writes goes through the catalog: under the pseudo-language every sentence of
``docket next`` and ``docket due``, a validation message and the case history's headings come
out accented and bracketed (``[!!Ñéxţ...~~!!]``), so none of them can stay English when a
translation exists. Machine output (``--json``) and field paths stay as they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from core.cli import main as cli
from core.documents.report import gather_report, report_markdown
from core.domain import clock
from core.domain.errors import ValidationError
from core.escalation.calendar import absolute, export_reminders
from core.escalation.ladder import clock_text
from core.i18n import current_language, set_language
from core.journal import cases
from core.store.store import Store

TODAY = "2015-01-10"


@pytest.fixture
def pseudo() -> Iterator[None]:
    before = current_language()
    set_language("pseudo")
    yield
    set_language(before)


@pytest.fixture
def promised(data_dir: Path) -> tuple[Path, int]:
    """A case whose promised refund is overdue: ``docket next`` and ``docket due`` have
    something to say about it."""
    with Store.open(data_dir) as store:
        case = cases.open_case(store, title="Perfume never delivered", company="Maison Example",
                               amount="129.00", opened_on="2014-11-20", jurisdiction="FR")
        cases.log_event(store, case_id=case, at="2014-11-21", kind="email", direction="to_company",
                        summary="Asked where the parcel is")
        cases.log_event(store, case_id=case, at="2014-12-01", kind="promise", direction="from_company",
                        summary="Refund to card promised", promised_by="2014-12-15")
    return data_dir, case


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["--today", TODAY, *args])
    out, err = capsys.readouterr()
    return code, out, err


def _pseudo_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "[!!" in line]


def test_docket_next_speaks_through_the_catalog(promised: tuple[Path, int], capsys, pseudo) -> None:
    data_dir, case = promised
    code, out, err = run(capsys, "--data-dir", str(data_dir), "next", str(case))
    assert code == 0, err
    lines = out.splitlines()
    # The headline, the step, its reason, the headings and the disclaimer: every sentence is
    # the catalog's ("Case 1: at the complaint step." -> "[!!Çàšé 1: àt thé [!!çömplàîñt~~~~!!] štép.~~!!]").
    assert lines[0].startswith(f"[!!Çàšé {case}: àt thé [!!çömplàîñt")
    assert lines[1].startswith("[!!Ñéxt: [!!föŕmàl çömplàîñt tö màñàgéméñt")
    assert lines[2].startswith("[!!Théý pŕömîšéd bý 15 Dec 2014 (\u201cRefund to card promised\u201d): [!!3 wéékš")
    for heading in ("[!!Wàýš öût öf thé çömpàñý'š hàñdš:", "[!!Çlöçkš, àñd thé ŕûléš thàt déçîdé thém:",
                    "[!!Wöŕth àddîñg tö thé çàšé:", "[!!Géñéŕàl îñföŕmàtîöñ, ñöt légàl àdvîçé."):
        assert any(line.startswith(heading) for line in lines), heading
    # The rule pack's own words (resources/rules/FR.json) go through the catalog where shown.
    assert "[!![!!Çöñšûméŕ médîàtöŕ (médîàtéûŕ dé là çöñšömmàtîöñ)" in out
    assert "[!!Àdd [!!höw ýöû pàîd" in out
    # No sentence of Docket's own is left in English; the user's own words are never translated.
    for english in ("Next:", "They promised by", "Ways out", "not legal advice", "Consumer mediator",
                    "closes on", "Add how you paid"):
        assert english not in out
    assert "Refund to card promised" in out


def test_docket_due_speaks_through_the_catalog(promised: tuple[Path, int], capsys, pseudo) -> None:
    data_dir, case = promised
    code, out, err = run(capsys, "--data-dir", str(data_dir), "due")
    assert code == 0, err
    promise = next(line for line in out.splitlines() if f"[{case}:promise:" in line)
    assert promise.startswith("[!!ÖVÉŔDÛÉ")
    assert f"[!!çàšé {case}" in promise and "Maison Example" in promise
    assert "[!!Théý pŕömîšéd bý 15 Dec 2014" in promise
    clock = next(line for line in out.splitlines() if ":clock:" in line)
    assert "[!![!!Çöñšûméŕ médîàtöŕ" in clock
    for english in ("OVERDUE", "case ", "promised by", "closes on", "late."):
        assert english not in out


def test_json_output_stays_english_whatever_the_language(promised: tuple[Path, int], capsys, pseudo) -> None:
    data_dir, case = promised
    code, out, err = run(capsys, "--data-dir", str(data_dir), "next", str(case), "--json")
    assert code == 0, err
    step = json.loads(out)
    assert step["reason"].startswith("They promised by 15 Dec 2014")
    assert "[!!" not in out
    assert current_language() == "pseudo"  # and the language is back for what follows


def test_a_validation_message_is_translated_and_its_field_path_is_not(store: Store, pseudo) -> None:
    with pytest.raises(ValidationError) as raised:
        cases.open_case(store, title="")
    assert raised.value.path == "case.title"
    assert raised.value.message.startswith("[!!") and "required" not in raised.value.message
    assert str(raised.value).startswith("case.title: [!!")


def test_the_case_history_headings_come_from_the_catalog(promised: tuple[Path, int], pseudo) -> None:
    data_dir, case = promised
    with Store.open(data_dir) as store:
        text = report_markdown(gather_report(store, case_id=case))
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert len(headings) >= 6
    assert all("[!!" in line for line in headings), headings
    for english in ("## Summary", "## Chronology", "## Correspondence", "## People", "## Evidence index",
                    "| Date | Kind |", "Amount in dispute"):
        assert english not in text
    assert "Perfume never delivered" in text  # the user's own words are never translated


def test_english_is_untouched(promised: tuple[Path, int], capsys) -> None:
    set_language("en")
    data_dir, case = promised
    code, out, _err = run(capsys, "--data-dir", str(data_dir), "next", str(case))
    assert code == 0
    assert out.startswith(f"Case {case}: at the complaint step.\n")
    assert "They promised by 15 Dec 2014 (\u201cRefund to card promised\u201d): 3 weeks late." in out
    assert "[!!" not in out


def test_calendar_entries_are_translated_and_give_dates_not_days_from_now(promised: tuple[Path, int], tmp_path,
                                                                           pseudo) -> None:
    data_dir, _case = promised
    clock.set_today(TODAY)
    with Store.open(data_dir) as store:
        export_reminders(store, tmp_path / "docket.ics")
    ics = (tmp_path / "docket.ics").read_text(encoding="utf-8")
    assert "SUMMARY:[!!" in ics and "Promise due" not in ics
    # A calendar entry is read on other days than it was written: "in 47 days" becomes the date,
    # in whatever language the sentence is.
    today = date(2026, 12, 1)
    sentence = clock_text("Chargeback window", False, ("payment_dispute",), date(2027, 1, 17), today)
    assert "47" in sentence
    written = absolute(sentence, today)
    assert "47" not in written and "17 Jan 2027" in written and written.startswith("[!!Chargeback window ")


def test_the_due_list_kept_between_calls_follows_a_change_of_language(promised: tuple[Path, int]) -> None:
    """The window keeps the due list between calls; after the language changes, its reasons
    are in the new language, not the one the list was first made in."""
    from core.escalation.reminders import due_items
    from core.journal.opening import open_store

    data_dir, _case = promised
    before = current_language()
    clock.set_today(TODAY)
    with open_store(data_dir) as store:
        english = [item.reason for item in due_items(store)]
        set_language("pseudo")
        try:
            pseudo = [item.reason for item in due_items(store)]
        finally:
            set_language(before)
    assert english and all("[!!" not in reason for reason in english)
    assert len(pseudo) == len(english) and all("[!!" in reason for reason in pseudo)
