"""Escalation letters: drafted from a case, kept, frozen when sent, written as PDF."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from core.cli.main import main
from core.documents import letters
from core.documents.wording import missing_label
from core.domain import clock
from core.domain.errors import DocketError, NotFoundError, ValidationError
from core.domain.models import Event, Evidence, Letter, LetterStatus, Reminder
from core.journal import cases, settings
from core.store.store import Store

TODAY = "2026-11-23"  # a Monday; 14 days later is Monday 7 December
REPRESENTATIVE = ["GB", "US", "FR", "DE", "CH", "CA", "AU", ""]
FULL_FACTS = {
    "card_last4": "4242", "card_issuer": "Northbank Cards", "card_issuer_address": "PO Box 9\nLeeds LS1 1AA",
    "cardholder": "Anna Keller", "statement_date": "2026-10-05", "platform": "PayPal",
    "platform_case": "PP-D-1234", "regulator": "Financial Ombudsman Service",
    "regulator_address": "Exchange Tower\nLondon E14 9SR", "regulator_reference": "FOS-77",
    "court": "the County Court", "purchase": "a wool coat, size M",
}


@pytest.fixture(autouse=True, scope="module")
def _widgets_app(qapp):  # noqa: ANN001, ANN202
    """PDFs are laid out by Qt. Make the application a widgets one before anything here
    renders, so window tests run later in the same process still get the QApplication they
    need (a bare QGuiApplication made by the renderer cannot host widgets)."""
    return qapp


def _jurisdictions(tpl: letters.LetterTemplate) -> list[str]:
    if letters.ANY in tpl.jurisdictions:
        return REPRESENTATIVE
    out = []
    for code in tpl.jurisdictions:
        out += ["FR", "DE"] if code == "EU" else [code]
    return out


TEMPLATES = [pytest.param(t.id, t.language, id=f"{t.id}-{t.language}") for t in letters.list_templates(None)]


@pytest.fixture
def you(store: Store) -> Store:
    settings.update(store, your_name="Anna Keller", your_address="Rue du Marché 12\n1204 Genève\nSwitzerland",
                    your_email="anna@example.ch", your_phone="+41 22 555 01 02")
    return store


def _full_case(store: Store, jurisdiction: str = "FR") -> dict[str, int]:
    clock.set_today(TODAY)
    case_id = cases.open_case(
        store, title="Refund for a returned coat never paid", company="Maison Lumière SARL",
        currency="EUR", amount="1299.00", recovered="100.00", references=["Order 48213"],
        desired_outcome="a refund of the balance to my card", impact="I have been without the money for two months",
        jurisdiction=jurisdiction, payment_method="credit_card", payment_date="2026-09-02",
        category="refund",
    )
    company_id = store_company(store, case_id)
    cases.update_company(store, company_id=company_id, address="14 rue de Rivoli\n75004 Paris\nFrance",
                         email="service@lumiere.example", account_numbers=["CUST-991"])
    contact = cases.add_contact(store, case_id=case_id, name="Claire Martin", role="Customer service")
    returned = cases.log_event(store, case_id=case_id, at="2026-09-20", kind="letter", direction="to_company",
                               summary="Returned the coat by tracked post", reference="RR123456789FR")
    call = cases.log_event(store, case_id=case_id, at="2026-10-01T10:30:00+02:00", kind="call",
                           direction="to_company", summary="Called customer service about the refund",
                           details="They promised a refund within 5 days.", contact_id=contact,
                           waiting_minutes=40, duration_minutes=55, promised_by="2026-10-06",
                           meaning="complaint")  # the parcel posted back before it is not a complaint
    reply = cases.log_event(store, case_id=case_id, at="2026-10-12", kind="email", direction="from_company",
                            summary="Said the refund was being processed")
    note = cases.log_event(store, case_id=case_id, at="2026-10-13", kind="note", summary="Checked my statement")
    receipt = store.data_dir.parent / "receipt.txt"
    receipt.write_text("Receipt for order 48213")
    evidence = cases.attach_evidence(store, case_id=case_id, path=receipt, description="Receipt",
                                     captured_on="2026-09-02")
    return {"case": case_id, "contact": contact, "returned": returned, "call": call, "reply": reply,
            "note": note, "evidence": evidence}


def store_company(store: Store, case_id: int) -> int:
    with store.read() as session:
        from core.domain.models import Case

        return session.get(Case, case_id).company_id


def _assert_clean(text: str) -> None:
    """No template syntax, no None, and no gap where a fact belongs: a line ending in a colon
    must introduce a list (or a marked gap), never nothing. A Spanish greeting ends in a colon
    ("Estimados señores:") and is followed by the letter's first paragraph."""
    assert "None" not in text
    assert "{{" not in text and "{%" not in text and "}}" not in text
    assert "\n\n\n" not in text, "a blank where a fact belongs"
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.search(r":\s*$", line) and not line.startswith("Estimad"):
            following = next((n for n in lines[i + 1:] if n.strip()), "")
            assert following.startswith("- ") or letters.missing_facts(following), line
        assert "()" not in line and " ." not in line and " ," not in line, line


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory):
    """One store holding a full and a sparse case per jurisdiction, shared by the render tests
    (they only read)."""
    clock.set_today(TODAY)
    store = Store.open(tmp_path_factory.mktemp("letters") / "data")
    settings.update(store, your_name="Anna Keller", your_address="Rue du Marché 12\n1204 Genève\nSwitzerland",
                    your_email="anna@example.ch", your_phone="+41 22 555 01 02")
    made = {}
    for jurisdiction in sorted({j for t in letters.list_templates(None) for j in _jurisdictions(t)}):
        full = _full_case(store, jurisdiction)
        # The offer a counter-proposal answers: a full case records one.
        cases.log_event(store, case_id=full["case"], at="2026-10-14", kind="email", direction="from_company",
                        summary="Offered a voucher for half the price", meaning="partial_offer", amount="649.50")
        sparse = cases.open_case(store, title="Gym membership still billed", jurisdiction=jurisdiction)
        made[jurisdiction] = (full, sparse)
    clock.set_today(None)
    yield store, made
    store.close()


@pytest.mark.parametrize(("template_id", "language"), TEMPLATES)
def test_every_template_renders_for_each_jurisdiction_it_claims(library, template_id: str, language: str) -> None:
    """Given a full case, the letter holds every fact and no marker; given a sparse one, every
    gap is marked visibly and listed."""
    store, made = library
    clock.set_today(TODAY)
    tpl = letters.find_template(store, template_id, language)
    for jurisdiction in _jurisdictions(tpl):
        ids, sparse = made[jurisdiction]
        contact = ids["contact"] if tpl.recipient == "company" else None
        draft = letters.draft_letter(store, case_id=ids["case"], template_id=template_id, language=language,
                                     evidence_ids=[ids["evidence"]], contact_id=contact, facts=FULL_FACTS)
        assert draft.missing == [], (jurisdiction, draft.missing)
        assert letters.missing_facts(draft.html) == [] and "[missing:" not in draft.text
        _assert_clean(draft.text)
        assert "Anna Keller" in draft.text
        assert "receipt.txt" in draft.text  # the enclosure
        assert draft.subject and not letters.missing_facts(draft.subject)

        thin = letters.draft_letter(store, case_id=sparse, template_id=template_id, language=language)
        assert thin.missing, jurisdiction
        # Every gap is marked in the letter's own language, and found again by missing_facts.
        marked = letters.missing_facts(thin.text)
        assert marked == list(dict.fromkeys(missing_label(label, language) for label in thin.missing))
        if language != "en":
            assert "[missing:" not in thin.text, "an English marker in a French or German letter"
        _assert_clean(thin.text)


def test_chronology_lists_the_ticked_events_with_who_waiting_and_promises(you: Store) -> None:
    ids = _full_case(you)
    draft = letters.draft_letter(you, case_id=ids["case"], template_id="first_complaint",
                                 event_ids=[ids["call"], ids["returned"]])
    text = draft.text
    assert text.index("20 September 2026") < text.index("1 October 2026, 10:30")
    assert "Claire Martin, Customer service" in text
    assert "I waited 40 minutes on hold." in text
    assert "Promised by 6 October 2026." in text
    assert "RR123456789FR" in text
    assert "Said the refund was being processed" not in text  # not ticked
    assert "EUR 1,299.00" in text
    assert "Order 48213" in draft.subject and "CUST-991" in draft.subject


def test_default_chronology_is_every_exchange_with_the_company_not_private_notes(you: Store) -> None:
    ids = _full_case(you)
    draft = letters.draft_letter(you, case_id=ids["case"], template_id="chaser")
    assert "Said the refund was being processed" in draft.text
    assert "Checked my statement" not in draft.text
    assert set(draft.event_ids) == {ids["returned"], ids["call"], ids["reply"]}


def test_sign_off_matches_the_greeting(you: Store) -> None:
    ids = _full_case(you)
    to_dept = letters.draft_letter(you, case_id=ids["case"], template_id="formal_complaint")
    assert "Dear Sir or Madam," in to_dept.text and "Yours faithfully," in to_dept.text
    assert "Yours sincerely" not in to_dept.text
    named = letters.draft_letter(you, case_id=ids["case"], template_id="formal_complaint", contact_id=ids["contact"])
    assert "Dear Claire Martin," in named.text and "Yours sincerely," in named.text
    assert "For the attention of Claire Martin, Customer service" in named.text
    assert letters.greeting_and_sign_off("Ms Jane Smith", "en") == ("Dear Ms Smith,", "Yours sincerely,")
    assert letters.greeting_and_sign_off("Complaints Department", "en")[1] == "Yours faithfully,"
    # German addresses a person by surname, keeping an academic title.
    assert letters.greeting_and_sign_off("Frau Anna Müller", "de")[0] == "Sehr geehrte Frau Müller,"
    assert letters.greeting_and_sign_off("Herr Dr. Jonas Weber", "de")[0] == "Sehr geehrter Herr Dr. Weber,"
    assert letters.greeting_and_sign_off("", "de") == ("Sehr geehrte Damen und Herren,", "Mit freundlichen Grüßen")
    greeting, close = letters.greeting_and_sign_off("Mme Claire Martin", "fr")
    assert greeting == "Madame," and "agréer, Madame, l'expression" in close


def test_dates_and_money_are_written_the_way_each_language_writes_them() -> None:
    d = date(2026, 11, 23)
    assert letters.format_date(d, "en") == "23 November 2026"
    assert letters.format_date(d, "fr") == "23 novembre 2026"
    assert letters.format_date(d, "de") == "23. November 2026"
    assert letters.format_date(date(2026, 3, 1), "fr") == "1er mars 2026"
    assert letters.format_money(Decimal("129"), "EUR", "en") == "EUR 129.00"
    assert letters.format_money(Decimal("1299.5"), "EUR", "fr") == "1\u00a0299,50\u00a0€"
    assert letters.format_money(Decimal("1299.5"), "EUR", "de") == "1.299,50\u00a0€"
    assert letters.format_money(Decimal("129"), "CHF", "de") == "129,00\u00a0CHF"
    assert letters.format_money(Decimal("1500"), "JPY", "en") == "JPY 1,500"


def test_french_and_german_letters_use_their_dates_money_and_closing(you: Store) -> None:
    ids = _full_case(you)
    fr = letters.draft_letter(you, case_id=ids["case"], template_id="final_notice", language="fr")
    assert "7 décembre 2026" in fr.text and "1\u00a0299,00\u00a0€" in fr.text
    assert "mets en demeure" in fr.text and "Madame, Monsieur," in fr.text
    assert "Objet : Mise en demeure" in fr.text
    assert "1er octobre 2026 à 10:30" in fr.text
    de = letters.draft_letter(you, case_id=ids["case"], template_id="first_complaint", language="de")
    assert "7. Dezember 2026" in de.text and "1.299,00\u00a0€" in de.text
    assert "Mit freundlichen Grüßen" in de.text
    with pytest.raises(NotFoundError, match="no 'fr' version"):
        letters.draft_letter(you, case_id=ids["case"], template_id="us_billing_error", language="fr")


def test_reply_deadline_is_moved_off_a_weekend(you: Store) -> None:
    ids = _full_case(you)
    clock.set_today("2026-11-26")  # Thursday; +7 days is Thursday, +14 is Thursday
    assert letters.reply_deadline(date(2026, 11, 26), 9) == date(2026, 12, 7)  # Saturday -> Monday
    assert letters.reply_deadline(date(2026, 11, 26), 10) == date(2026, 12, 7)  # Sunday -> Monday
    clock.set_today("2026-11-19")  # Thursday + 30 days = Saturday 19 December
    draft = letters.draft_letter(you, case_id=ids["case"], template_id="us_billing_error", facts=FULL_FACTS)
    assert draft.reply_by == date(2026, 12, 21)
    assert "21 December 2026" in draft.text


def test_missing_facts_are_marked_and_listed(you: Store) -> None:
    clock.set_today(TODAY)
    case_id = cases.open_case(you, title="Boiler repair never done", company="HeatCo")
    draft = letters.draft_letter(you, case_id=case_id, template_id="first_complaint")
    assert "company postal address" in draft.missing
    assert "[missing: company postal address]" in draft.text
    assert '<span style="background-color:#ffe08a;">[missing: company postal address]</span>' in draft.html
    assert "amount in dispute" in draft.missing
    settings.update(you, your_address="")
    assert "your postal address" in letters.draft_letter(you, case_id=case_id, template_id="chaser").missing


@pytest.mark.parametrize("template_id", ["faulty_goods", "refund_non_delivery"])
def test_goods_letters_name_what_was_bought_not_the_case_title(you: Store, template_id: str) -> None:
    # The title is the user's name for the dispute ("Kettle dead after three weeks"), not a
    # description of the goods: the letter asks for what was bought until the user gives it.
    clock.set_today(TODAY)
    case_id = cases.open_case(you, title="Kettle dead after three weeks", company="HomeGoods Ltd", amount="45.00",
                              currency="GBP", payment_date="2026-10-01", jurisdiction="GB", category="faulty_goods")
    draft = letters.draft_letter(you, case_id=case_id, template_id=template_id)
    assert "what you bought" in draft.missing
    assert "[missing: what you bought]" in draft.text
    assert "following: Kettle dead" not in draft.text and "for £45.00: Kettle dead" not in draft.text

    named = letters.draft_letter(you, case_id=case_id, template_id=template_id,
                                 facts={"purchase": "a Breville kettle, model VKT117"})
    assert "what you bought" not in named.missing
    assert ": a Breville kettle, model VKT117. " in named.text


def _user_template(store: Store, name: str, body: str) -> Path:
    store.templates_dir.mkdir(parents=True, exist_ok=True)
    path = store.templates_dir / name
    path.write_text(body, encoding="utf-8")
    return path


HEADER = "{#\nid: %s\ntitle: Mine\nstep: complaint\nresponse_days: 10\nlanguage: en\n#}\n"


@pytest.mark.parametrize("escape", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ need.__globals__ }}",
    "{{ case.__class__.__init__ }}",
    "{{ 'x' * 10000000 }}",
])
def test_sandbox_escapes_fail_with_a_clear_error(you: Store, escape: str) -> None:
    ids = _full_case(you)
    _user_template(you, "evil.en.j2", HEADER % "evil" + "<p>Hello</p>\n<p>" + escape + "</p>\n")
    with pytest.raises(DocketError) as raised:
        letters.draft_letter(you, case_id=ids["case"], template_id="evil")
    message = str(raised.value)
    assert "evil.en.j2" in message and "line 9" in message
    assert "not allowed" in message or "unsafe" in message


def test_a_broken_user_template_names_its_file_and_line(you: Store) -> None:
    ids = _full_case(you)
    path = _user_template(you, "broken.en.j2", HEADER % "broken" + "<p>one</p>\n<p>{% if case.amount %}two</p>\n")
    with pytest.raises(DocketError) as raised:
        letters.draft_letter(you, case_id=ids["case"], template_id="broken")
    assert str(path) in str(raised.value) and "line 9" in str(raised.value)

    _user_template(you, "typo.en.j2", HEADER % "typo" + "<p>{{ case.amuont }}</p>\n")
    with pytest.raises(DocketError, match=r"typo\.en\.j2 line 8: .*amuont"):
        letters.draft_letter(you, case_id=ids["case"], template_id="typo")

    # A file without its header is left out and reported; the other letters still work.
    _user_template(you, "headless.en.j2", "<p>no header</p>\n")
    [problem] = letters.template_problems(you)
    assert "headless.en.j2 line 1: it must start with a header" in problem
    assert letters.draft_letter(you, case_id=ids["case"], template_id="chaser").subject
    _user_template(you, "badid.en.j2", HEADER.replace("id: %s", "id: Bad Id!") % () + "<p>x</p>\n")
    assert any("id 'Bad Id!' may only hold" in p for p in letters.template_problems(you))


def test_a_user_template_overrides_a_built_in_one(you: Store) -> None:
    ids = _full_case(you)
    _user_template(you, "my_first.en.j2", HEADER % "first_complaint" +
                   '{% extends "_letter.j2" %}{% block subject %}My own: {{ case.title }}{% endblock %}'
                   '{% block body %}<p>Short and sharp: pay {{ case.amount }} by {{ reply_by }}.</p>{% endblock %}\n')
    draft = letters.draft_letter(you, case_id=ids["case"], template_id="first_complaint")
    assert draft.subject == "My own: Refund for a returned coat never paid"
    assert "Short and sharp: pay EUR 1,299.00 by 3 December 2026." in draft.text
    assert draft.template.user and draft.template.response_days == 10
    listed = [t for t in letters.list_templates(you) if t.id == "first_complaint"]
    assert [(t.language, t.user) for t in listed] == [("en", True), ("fr", False), ("de", False), ("es", False)]


def test_pdf_holds_the_dates_amounts_and_references(you: Store, tmp_path: Path) -> None:
    ids = _full_case(you)
    draft = letters.draft_letter(you, case_id=ids["case"], template_id="final_notice",
                                 evidence_ids=[ids["evidence"]])
    letter_id = letters.save_draft(you, case_id=ids["case"], draft=draft)
    out = tmp_path / "letter.pdf"
    letters.letter_pdf(you, letter_id=letter_id, out=out)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = " ".join(text.split())
    for expected in ("23 November 2026", "7 December 2026", "20 September 2026", "EUR 1,299.00",
                     "EUR 1,199.00", "Order 48213", "RR123456789FR", "Maison Lumière SARL", "receipt.txt"):
        assert expected in flat, expected


def test_save_draft_keeps_the_edited_text_and_updates_in_place(you: Store) -> None:
    ids = _full_case(you)
    draft = letters.draft_letter(you, case_id=ids["case"], template_id="chaser", evidence_ids=[ids["evidence"]])
    letter_id = letters.save_draft(you, case_id=ids["case"], draft=draft)
    import dataclasses

    edited = dataclasses.replace(draft, html=draft.html.replace("Second request", "Third request"))
    assert letters.save_draft(you, case_id=ids["case"], draft=edited, letter_id=letter_id) == letter_id
    kept = letters.get_letter(you, letter_id=letter_id)
    assert "Third request" in kept.body and kept.status == LetterStatus.DRAFT
    assert kept.options["evidence_ids"] == [ids["evidence"]]
    assert kept.reply_by == date(2026, 11, 30)
    assert [item.id for item in letters.list_letters(you, case_id=ids["case"])] == [letter_id]


def test_a_kept_draft_opens_again_as_it_was_left(you: Store) -> None:
    ids = _full_case(you)
    draft = letters.draft_letter(you, case_id=ids["case"], template_id="chaser", evidence_ids=[ids["evidence"]],
                                 facts={"order_reference": "Order 48213"})
    import dataclasses

    edited = dataclasses.replace(draft, html=draft.html.replace("Second request", "Third request"))
    letter_id = letters.save_draft(you, case_id=ids["case"], draft=edited)

    again = letters.draft_from_kept(you, kept=letters.get_letter(you, letter_id=letter_id))

    assert "Third request" in again.html and "Third request" in again.text
    assert again.text == letters.html_to_text(edited.html)
    assert (again.subject, again.template.id, again.language) == (draft.subject, "chaser", draft.language)
    assert (again.contact_id, again.event_ids, again.evidence_ids) == (draft.contact_id, draft.event_ids, (ids["evidence"],))
    assert again.facts == draft.facts and again.reply_by == draft.reply_by


def test_marking_as_sent_logs_the_letter_keeps_the_pdf_and_freezes_it(you: Store, tmp_path: Path) -> None:
    ids = _full_case(you)
    draft = letters.draft_letter(you, case_id=ids["case"], template_id="final_notice")
    letter_id = letters.save_draft(you, case_id=ids["case"], draft=draft)
    event_id = letters.mark_as_sent(you, letter_id=letter_id, via="recorded_post", sent_on="2026-11-23",
                                    tracking="RR987654321GB")
    with you.read() as session:
        event = session.get(Event, event_id)
        assert (event.kind, event.direction, event.at) == ("letter", "to_company", "2026-11-23")
        assert event.reference == "RR987654321GB"
        assert "Letter before action" in event.summary
        [pdf] = event.evidence
        assert pdf.media_type == "application/pdf" and pdf.captured_on == date(2026, 11, 23)
        letter = session.get(Letter, letter_id)
        assert letter.status == LetterStatus.SENT and letter.sent_via == "recorded_post"
        assert letter.event_id == event_id and letter.evidence_id == pdf.id
        assert letter.reply_by == date(2026, 12, 7)
        sha = pdf.sha256
    # The reply clock: with no answer, the reminders fall due on the letter's reply-by date.
    from core.escalation import reminders

    waiting = [i for i in reminders.due_items(you, case_id=ids["case"]) if i.kind == "silence"]
    assert [i.due for i in waiting] == [date(2026, 12, 7)]
    kept = you.evidence.path_for(sha)
    assert kept.read_bytes().startswith(b"%PDF")
    printed = subprocess.run(["pdftotext", str(kept), "-"], capture_output=True, text=True, check=True).stdout
    assert "Sent by recorded post on 23 November 2026" in " ".join(printed.split())
    assert "RR987654321GB" in printed

    # Frozen: no edits, no second sending, and the PDF asked for later is the one kept.
    with pytest.raises(DocketError, match="cannot be changed"):
        letters.save_draft(you, case_id=ids["case"], draft=draft, letter_id=letter_id)
    with pytest.raises(DocketError, match="already marked as sent"):
        letters.mark_as_sent(you, letter_id=letter_id, via="email")
    again = tmp_path / "again.pdf"
    letters.letter_pdf(you, letter_id=letter_id, out=again)
    assert again.read_bytes() == kept.read_bytes()


def test_bad_sending_details_leave_the_store_as_it_was(you: Store) -> None:
    ids = _full_case(you)
    letter_id = letters.save_draft(you, case_id=ids["case"],
                                   draft=letters.draft_letter(you, case_id=ids["case"], template_id="chaser"))

    def counts() -> tuple[int, int, int]:
        with you.read() as session:
            return (len(session.scalars(select(Event)).all()), len(session.scalars(select(Evidence)).all()),
                    len(session.scalars(select(Reminder)).all()))

    before = counts()
    with pytest.raises(ValidationError, match="via"):
        letters.mark_as_sent(you, letter_id=letter_id, via="pigeon")
    with pytest.raises(ValidationError, match="future"):
        letters.mark_as_sent(you, letter_id=letter_id, via="post", sent_on="2027-01-01")
    with pytest.raises(ValidationError, match="sent_on"):
        letters.mark_as_sent(you, letter_id=letter_id, via="post", sent_on="23/11/2026")
    assert counts() == before
    assert letters.get_letter(you, letter_id=letter_id).status == LetterStatus.DRAFT


def test_events_of_another_case_are_refused(you: Store) -> None:
    ids = _full_case(you)
    other = cases.open_case(you, title="Other")
    with pytest.raises(ValidationError, match="not one of case"):
        letters.draft_letter(you, case_id=other, template_id="chaser", event_ids=[ids["call"]])


def test_command_line_writes_text_html_and_pdf_and_lists_templates(you: Store, data_dir: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    ids = _full_case(you)
    you.close()
    base = ["--data-dir", str(data_dir), "--today", TODAY]
    assert main(base + ["letter", "--list"]) == 0
    listing = capsys.readouterr().out
    assert "us_billing_error" in listing and "[US]" in listing and "Mise en demeure" in listing
    txt = tmp_path / "l.txt"
    # The case is French: without --language the letter is French, as the window's would be.
    assert main(base + ["letter", str(ids["case"]), "--template", "chaser", "--out", str(txt)]) == 0
    assert txt.read_text().count("Madame, Monsieur,") == 2 and "Relance" in txt.read_text()
    capsys.readouterr()
    assert main(base + ["letter", str(ids["case"]), "--template", "chargeback_request", "--out", str(txt),
                        "--language", "en", "--fact", "card_last4=4242", "--events", f"{ids['call']}", "--evidence", str(ids["evidence"])]) == 0
    out = capsys.readouterr()
    body = txt.read_text()
    assert "ending 4242" in body and "receipt.txt" in body
    assert "card issuer's name" in out.err  # listed as missing
    html = tmp_path / "l.html"
    assert main(base + ["letter", str(ids["case"]), "--template", "first_complaint", "--language", "de",
                        "--out", str(html), "--save"]) == 0
    assert "Erste Beschwerde" in capsys.readouterr().out and "<html>" in html.read_text()
    pdf = tmp_path / "l.pdf"
    assert main(base + ["letter", str(ids["case"]), "--template", "chaser", "--out", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert main(base + ["letter", str(ids["case"]), "--template", "chaser", "--out", str(tmp_path / "x.doc")]) == 2
    assert "must end in .pdf" in capsys.readouterr().err
    assert main(base + ["letter", str(ids["case"]), "--template", "chaser", "--out", str(txt), "--fact", "pin=1"]) == 2


def test_what_the_case_holds_is_text_never_markup_or_template_code(you: Store) -> None:
    """A title with tags or template syntax is printed as typed: escaped, never run."""
    clock.set_today(TODAY)
    case_id = cases.open_case(you, title="Refund <b>now</b> {{ 7 * 7 }} {% if 1 %}x{% endif %}",
                              company="Shop & Co <Ltd>", amount="10.00")
    draft = letters.draft_letter(you, case_id=case_id, template_id="first_complaint")
    assert "Refund <b>now</b> {{ 7 * 7 }} {% if 1 %}x{% endif %}" in draft.text
    assert "49" not in draft.text
    assert "Refund &lt;b&gt;now&lt;/b&gt;" in draft.html and "Shop &amp; Co &lt;Ltd&gt;" in draft.html
