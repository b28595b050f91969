"""The letters drafted for the example cases, read back as the company receiving them would:
each sentence must be good English, French or German, as a careful person would write it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from core.documents import letters
from core.documents.report import export_case_report
from core.domain import clock
from core.exchange import demo
from core.journal import cases, settings
from core.store.store import Store

TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, list[int]]]:
    """The seven examples in one store, with the sender's name and address filled in."""
    clock.set_today(TODAY)
    store = Store.open(Path(tmp_path_factory.mktemp("examples")) / "data")
    settings.update(store, your_name="Sam Rivera", your_address="4 Mill Lane\nYork YO1 7HH")
    ids = demo.load_examples(store)
    yield store, ids
    store.close()
    clock.set_today(None)


def _letter(examples: tuple[Store, list[int]], number: int, template: str, language: str = "en") -> str:
    store, ids = examples
    clock.set_today(TODAY)
    draft = letters.draft_letter(store, case_id=ids[number - 1], template_id=template, language=language)
    return " ".join(draft.text.split())


def test_the_gym_final_notice_in_german_has_no_comma_before_its_verb(examples: tuple[Store, list[int]]) -> None:
    text = _letter(examples, 2, "final_notice", "de")
    assert "(erste Beschwerde am 1. November 2026) ist folgende Angelegenheit" in text
    assert "), ist" not in text


def test_the_gym_final_notice_names_the_first_complaint_in_a_whole_sentence(
        examples: tuple[Store, list[int]]) -> None:
    text = _letter(examples, 2, "final_notice")
    assert ("Despite my earlier contacts with you, starting with my first complaint on 1 November 2026, "
            "the matter remains unresolved.") in text


def test_a_counter_proposal_answers_an_offer_and_never_calls_a_refusal_one(
        examples: tuple[Store, list[int]]) -> None:
    # The pottery studio refused on 11 November and never offered anything.
    text = _letter(examples, 7, "counter_offer")
    assert "11 November 2026 about" not in text
    assert "Thank you for your offer of [missing: date of the company's offer]" in text


def test_a_counter_proposal_thanks_the_company_for_the_offer_it_made(store: Store) -> None:
    clock.set_today(TODAY)
    case_id = cases.open_case(store, title="Lenses lost in repair", company="ClearSight Opticians",
                              currency="GBP", amount="245.00", jurisdiction="GB")
    cases.log_event(store, case_id=case_id, at="2026-11-10", kind="email", direction="to_company",
                    summary="Asked for new lenses at no cost", meaning="complaint")
    cases.log_event(store, case_id=case_id, at="2026-11-16", kind="call", direction="from_company",
                    summary="Offered new lenses at half price", meaning="partial_offer", amount="122.50")
    cases.log_event(store, case_id=case_id, at="2026-11-20", kind="email", direction="from_company",
                    summary="Asked whether I accept", meaning="reply")
    text = " ".join(letters.draft_letter(store, case_id=case_id, template_id="counter_offer").text.split())
    assert "Thank you for your offer of 16 November 2026 about" in text


def test_the_gym_history_says_the_final_notice_is_overdue_not_due_on_a_passed_date(
        examples: tuple[Store, list[int]], tmp_path: Path) -> None:
    store, ids = examples
    clock.set_today(TODAY)
    md = export_case_report(store, case_id=ids[1], fmt="md", out=tmp_path / "gym.md").read_text(encoding="utf-8")
    assert "Final notice (letter before action), overdue since 15 November 2026" in md
    assert "due 15 November 2026" not in md


def test_the_coat_history_counts_one_payment_in_the_singular(
        examples: tuple[Store, list[int]], tmp_path: Path) -> None:
    store, ids = examples
    clock.set_today(TODAY)
    md = export_case_report(store, case_id=ids[0], fmt="md", out=tmp_path / "coat.md").read_text(encoding="utf-8")
    summary = " ".join(md.split())
    assert "3 contacts with the company, 1 from it, 1 payment, charge or refund;" in summary
    assert "1 payment, charges or refunds" not in summary


def test_the_gym_letter_in_german_names_the_contact_of_an_email_as_ansprechpartner(
        examples: tuple[Store, list[int]]) -> None:
    # "Gesprächspartner" is someone one talks with; the formal complaint went by email.
    text = _letter(examples, 2, "final_notice", "de")
    assert "Formal complaint with the proof of delivery attached. Mein Ansprechpartner: Membership team" in text
    assert "Gesprächspartner" not in text


def test_the_course_history_calls_its_dispute_a_non_delivery_dispute_with_a_hyphen(
        examples: tuple[Store, list[int]], tmp_path: Path) -> None:
    store, ids = examples
    clock.set_today(TODAY)
    md = export_case_report(store, case_id=ids[3], fmt="md", out=tmp_path / "course.md").read_text(encoding="utf-8")
    assert "Non-delivery dispute with PixelPath Academy" in md
    assert "Non delivery" not in md


def test_a_parcel_posted_back_or_glasses_handed_in_are_not_called_complaints(tmp_path: Path) -> None:
    """Events the user did not mark as complaints are told as contacts: the coat posted back on
    9 October and the glasses handed in for repair on 31 October are not the first complaint."""
    from core.cli.main import main as cli_main

    data = tmp_path / "data"
    assert cli_main(["--data-dir", str(data), "--today", "2026-12-01", "demo"]) == 0
    for case, posted, first in ((1, "I contacted you by letter. Posted the coat back", "11 November 2026"),
                                (5, "I contacted you in person. Handed in my glasses", "23 November 2026")):
        out = tmp_path / f"letter-{case}.txt"
        # English asked for: example 1's company is in Paris, so its letters default to French.
        assert cli_main(["--data-dir", str(data), "--today", "2026-12-01", "letter", str(case),
                         "--template", "final_notice", "--language", "en", "--out", str(out)]) == 0
        text = " ".join(out.read_text(encoding="utf-8").split())
        assert posted in text
        assert f"starting with my first complaint on {first}" in text
    out = tmp_path / "lettre-1.txt"
    assert cli_main(["--data-dir", str(data), "--today", "2026-12-01", "letter", "1",
                     "--template", "final_notice", "--out", str(out)]) == 0
    text = " ".join(out.read_text(encoding="utf-8").split())
    assert "Je vous ai contacté par courrier. Posted the coat back" in text
    assert "dont la première réclamation date du 11 novembre 2026" in text
