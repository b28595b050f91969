"""A corpus of cases, each drafted with every letter template that applies, read back as a
recipient would: every date, amount and claim in a letter must follow from the case.

The cases: the seven examples Docket ships, plus mixed time zones, direct debits, dates
alone, resolved cases, EU, Greek, German, French, Spanish, US, Australian and Québec cases,
regulator letters before and after eight weeks, a case with no complaint yet, and French and
German cases whose category brings a statute into the letters. Every template is drafted in
every language it exists in: a French, German or Spanish letter holds no English word but
the user's own, and cites an article only when the rule packs apply it to the case.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from core.documents import letters
from core.documents.letters import LetterRefused, reply_deadline
from core.documents.wording import format_date, format_money, format_when
from core.domain import clock
from core.domain.models import COMPLAINT_MEANINGS, REPLY_MEANINGS, Event
from core.domain.when import When
from core.exchange import demo
from core.journal import cases, queries, settings
from core.store.store import Store

TODAY = date(2026, 12, 1)
NBSP = "\u00a0"


@dataclass
class Spec:
    name: str
    jurisdiction: str
    currency: str = "GBP"
    amount: str | None = "120.00"
    recovered: str | None = None
    status: str | None = None
    payment_method: str | None = "credit_card"
    payment_date: date | None = date(2026, 9, 1)
    contact: str = ""
    category: str = "other"
    purchase: str | None = None
    # (at, kind, direction, summary, meaning, amount)
    events: list[tuple[str, str, str, str, str | None, str | None]] = field(default_factory=list)


def d(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def t(days_ago: int, hhmm: str, offset: str) -> str:
    return f"{d(days_ago)}T{hhmm}:00{offset}"


SPECS = [
    Spec("mixed time zones", "US", "USD", "39.98", events=[
        (t(45, "19:00", "-08:00"), "web_form", "to_company", "Tried to cancel the trial", "cancellation", None),
        (d(44), "payment", "from_company", "Charged for the first month", "charge", "19.99"),
        (t(30, "23:30", "-08:00"), "email", "to_company", "Asked for my money back", "complaint", None),
        (t(29, "08:00", "+01:00"), "email", "from_company", "Refused from the Dublin office", "refusal", None),
    ]),
    Spec("direct debits", "GB", payment_method="direct_debit", amount="104.97", events=[
        (d(96), "letter", "to_company", "Gave notice of cancellation", "cancellation", None),
        (d(66), "payment", "from_company", "Monthly fee after notice", "charge", "34.99"),
        (d(36), "payment", "from_company", "Monthly fee again", "charge", "34.99"),
        (t(30, "18:00", "+00:00"), "call", "to_company", "Complained on the phone", "complaint", None),
        (d(6), "payment", "from_company", "Third monthly fee", "charge", "34.99"),
    ]),
    Spec("dates alone", "GB", events=[
        (d(80), "payment", "to_company", "Ordered the blender", "purchase", "120.00"),
        (d(70), "delivery", "from_company", "Blender arrived broken", "problem", None),
        (d(69), "email", "to_company", "Asked for a replacement", "complaint", None),
        (d(60), "email", "from_company", "They asked for photos", "reply", None),
        (d(58), "email", "to_company", "Sent the photos", None, None),
    ]),
    Spec("resolved, all repaid", "GB", amount="80.00", recovered="80.00", status="resolved", events=[
        (d(50), "email", "to_company", "Complained about the missing parcel", "complaint", None),
        (d(20), "email", "from_company", "Refunded in full", "resolved", None),
        (d(20), "payment", "from_company", "Refund", "refund", "80.00"),
    ]),
    Spec("resolved, part still owed", "GB", amount="200.00", recovered="50.00", status="resolved", events=[
        (d(50), "email", "to_company", "Complained about the sofa", "complaint", None),
        (d(25), "email", "from_company", "Offered a voucher", "partial_offer", "50.00"),
        (d(20), "email", "from_company", "Closed the complaint", "resolved", None),
    ]),
    Spec("EU as a jurisdiction", "EU", "EUR", events=[
        (d(40), "payment", "to_company", "Paid for the headphones", "purchase", "120.00"),
        (d(30), "email", "to_company", "Headphones stopped working", "complaint", None),
    ]),
    Spec("Greece as EL", "EL", "EUR", events=[
        (d(40), "email", "to_company", "The kettle leaks", "complaint", None),
        (d(35), "email", "from_company", "We are looking into it", "acknowledgement", None),
    ]),
    Spec("German letters", "DE", "EUR", "299.00", contact="Frau Petra Schäfer", events=[
        (d(60), "payment", "to_company", "Waschmaschine bezahlt", "purchase", "299.00"),
        (t(40, "10:00", "+01:00"), "email", "to_company", "Mangel gemeldet", "complaint", None),
        (t(33, "15:30", "+01:00"), "letter", "from_company", "Reparatur abgelehnt", "refusal", None),
    ]),
    Spec("French letters", "FR", "EUR", "1299.00", recovered="100.00", contact="Mme Claire Martin", events=[
        (d(62), "payment", "to_company", "Commande du manteau", "purchase", "1299.00"),
        (t(55, "09:00", "+02:00"), "email", "to_company", "Rétractation et retour du manteau", "complaint", None),
        (t(40, "15:00", "+02:00"), "promise", "from_company", "Remboursement promis sous 14 jours", "promise", None),
        (d(30), "payment", "from_company", "Remboursement partiel", "refund", "100.00"),
    ]),
    Spec("Spanish letters", "ES", "EUR", "459.00", contact="Sra. Lucía García", payment_method="debit_card", events=[
        (d(50), "payment", "to_company", "Pago del sofá", "purchase", "459.00"),
        (t(41, "12:15", "+01:00"), "call", "to_company", "Avisé de que el sofá no llegó", "complaint", None),
        (d(35), "email", "from_company", "Nos prometieron la entrega", "promise", None),
        (d(20), "email", "from_company", "Respuesta sin solución", "reply", None),
    ]),
    Spec("French non-delivery", "FR", "EUR", "89.90", category="non_delivery", purchase="goods", events=[
        (d(70), "payment", "to_company", "Commande de la lampe", "purchase", "89.90"),
        (d(20), "letter", "to_company", "Lampe jamais livrée", "complaint", None),
    ]),
    Spec("French subscription", "FR", "EUR", "59.97", category="subscription", purchase="subscription",
         payment_method="direct_debit", events=[
        (d(90), "web_form", "to_company", "Résiliation en ligne", "cancellation", None),
        (d(60), "payment", "from_company", "Prélèvement après résiliation", "charge", "19.99"),
        (d(30), "payment", "from_company", "Nouveau prélèvement", "charge", "19.99"),
    ]),
    Spec("German faulty goods", "DE", "EUR", "649.00", category="faulty_goods", purchase="goods", events=[
        (d(100), "payment", "to_company", "Kaffeevollautomat bezahlt", "purchase", "649.00"),
        (d(40), "email", "to_company", "Pumpe defekt gemeldet", "complaint", None),
        (d(25), "email", "from_company", "Reparatur abgelehnt", "refusal", None),
    ]),
    Spec("German subscription", "DE", "EUR", "79.80", category="subscription", purchase="subscription",
         payment_method="direct_debit", events=[
        (d(80), "letter", "to_company", "Kündigung per Einschreiben", "cancellation", None),
        (d(50), "payment", "from_company", "Beitrag nach Kündigung", "charge", "39.90"),
        (d(20), "payment", "from_company", "Beitrag erneut abgebucht", "charge", "39.90"),
    ]),
    Spec("US demand", "US", "USD", "52.98", payment_method="paypal", events=[
        (t(13, "17:00", "-05:00"), "payment", "to_company", "Bought the drill", "purchase", "52.98"),
        (t(11, "10:00", "-05:00"), "call", "to_company", "Manager refused to fix the overcharge", "complaint", None),
        (t(10, "09:00", "-05:00"), "call", "from_company", "Manager said no again", "refusal", None),
    ]),
    Spec("regulator after nine weeks", "GB", events=[
        (d(63), "email", "to_company", "Complained about the bill", "complaint", None),
        (d(40), "email", "from_company", "Holding reply", "acknowledgement", None),
    ]),
    Spec("regulator four days after the formal complaint", "GB", events=[
        (d(20), "call", "to_company", "Complained by phone", "complaint", None),
        (d(4), "letter", "to_company", "Formal complaint", "formal_complaint", None),
        (d(2), "payment", "from_company", "Direct debit taken anyway", "charge", "15.00"),
    ]),
    Spec("regulator after a final response", "GB", events=[
        (d(30), "email", "to_company", "Complained about the broker", "complaint", None),
        (d(10), "letter", "from_company", "Final response rejecting it", "final_response", None),
    ]),
    Spec("Australia", "AU", "AUD", events=[
        (d(50), "email", "to_company", "Fridge not cooling", "complaint", None),
        (d(45), "call", "from_company", "Technician promised a visit", "promise", None),
    ]),
    Spec("Canada", "CA", "CAD", "320.00", events=[
        (t(22, "09:00", "-05:00"), "email", "to_company", "Asked to move my course", "complaint", None),
        (t(20, "15:00", "-05:00"), "response", "from_company", "All payments are final", "refusal", None),
    ]),
    Spec("no complaint yet", "GB", events=[
        (d(10), "payment", "to_company", "Paid for the repair", "purchase", "120.00"),
        (d(8), "delivery", "from_company", "Repair returned unfinished", "problem", None),
    ]),
]

FIRST_COMPLAINT = [
    re.compile(r"first complain(?:ed to [^.]*? about this)? on (?P<d>[A-Z]?[\w ,]+? \d{4})"),
    re.compile(r"first complained to the company on (?P<d>[\w ,]+? \d{4})"),
    re.compile(r"(?:the|my) first complaint on (?P<d>[\w ,]+? \d{4})"),
    re.compile(r"my first complaint dates from (?P<d>[\w ,]+? \d{4})"),
    re.compile(r"première réclamation (?:auprès du commerçant )?date du (?P<d>[\w ]+? \d{4})"),
    re.compile(r"une première réclamation à la société le (?P<d>[\w ]+? \d{4})"),
    re.compile(r"erste Beschwerde (?:beim Händler )?(?:am|stammt vom) (?P<d>[\w. ]+? \d{4})"),
    re.compile(r"Ich habe mich am (?P<d>[\w. ]+? \d{4}) erstmals"),
    re.compile(r"(?:primera reclamación es del|la primera de ellas mi reclamación del) (?P<d>[\w ]+? \d{4})"),
]
LAST_REPLY = [
    re.compile(r"your last reply, of (?P<d>[\w ,]+? \d{4})"),
    re.compile(r"its last reply is dated (?P<d>[\w ,]+? \d{4})"),
    re.compile(r"votre dernière réponse, du (?P<d>[\w ]+? \d{4})"),
    re.compile(r"Ihre letzte Antwort vom (?P<d>[\w. ]+? \d{4})"),
    re.compile(r"sa dernière réponse date du (?P<d>[\w ]+? \d{4})"),
    re.compile(r"die letzte Antwort des Unternehmens datiert vom (?P<d>[\w. ]+? \d{4})"),
    re.compile(r"su última respuesta, del (?P<d>[\w ]+? \d{4})"),
]
# Citations of a statute, and the legal basis of the rule packs each one needs.
CITATIONS = {
    r"\bL216-1\b": "fr.law.l216_1", r"\bL216-[67]\b|\bL241-4\b": "fr.law.l216_6",
    r"\bL221-24\b|\bL242-4\b": "fr.law.l221_24", r"\bL215-1-1\b": "fr.law.l215_1_1",
    r"\bL612-[12]\b": "fr.law.l612_1", r"§§ 434, 437|§ 477": "de.law.maengel", r"§ 323\b": "de.law.323",
    r"§§ 355, 357": "de.law.widerruf", r"§ 309 Nr\. 9": "de.law.309_9", r"§ 312k": "de.law.312k",
}
# Words of English a French, German or Spanish letter must not hold outside the user's own words.
# (Not "date", "page", "final", "formal", "second", "copies", "court", "Bank", "ref": words of
# French, German or Spanish too.)
ENGLISH = frozenset({
    "the", "and", "you", "your", "my", "please", "complaint", "complained", "refund", "refunded",
    "payment", "paid", "letter", "amount", "dear", "yours", "sincerely", "faithfully", "reply",
    "replied", "missing", "reference", "since", "which", "would", "will", "have", "has", "been",
    "this", "that", "with", "from", "for", "about", "order", "ordered", "goods", "company", "card",
    "dispute", "outstanding", "enclosed", "enclosures", "request", "claim", "notice", "chaser",
    "subject",
})
AMOUNT_EN = re.compile(r"\b([A-Z]{3}) (\d{1,3}(?:,\d{3})*\.\d\d)\b")
AMOUNT_EU = re.compile(r"(\d{1,3}(?:[.\u00a0 ]\d{3})*,\d\d)\u00a0(€|[A-Z]{3})")


def _key(event: Event) -> tuple[date, int, str, int]:
    when = When.parse(event.at)
    return (when.day, 1 if when.moment else 0, when.moment.strftime("%H:%M") if when.moment else "", event.id)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Every case in one store: the seven examples and the specs above."""
    clock.set_today(TODAY)
    folder = tmp_path_factory.mktemp("corpus")
    store = Store.open(folder / "data")
    settings.update(store, your_name="Sam Rivera", your_address="4 Mill Lane\nYork YO1 7HH",
                    your_email="sam@example.org")
    ids = {f"example {i + 1}": case_id for i, case_id in enumerate(demo.load_examples(store))}
    for spec in SPECS:
        case_id = cases.open_case(
            store, title=f"Case: {spec.name}", company=f"Company for {spec.name}", currency=spec.currency,
            amount=spec.amount, jurisdiction=spec.jurisdiction, payment_method=spec.payment_method,
            payment_date=spec.payment_date, references=["REF-1"], desired_outcome="my money back",
            category=spec.category, purchase=spec.purchase,
        )
        with store.read() as session:
            from core.domain.models import Case
            company_id = session.get(Case, case_id).company_id
        cases.update_company(store, company_id=company_id, address="1 Trade Street\nSometown")
        if spec.contact:
            cases.add_contact(store, case_id=case_id, name=spec.contact)
        for at, kind, direction, summary, meaning, amount in spec.events:
            cases.log_event(store, case_id=case_id, at=at, kind=kind, direction=direction, summary=summary,
                            meaning=meaning, amount=amount)
        if spec.status:
            cases.change_status(store, case_id=case_id, status=spec.status, recovered=spec.recovered)
        elif spec.recovered:
            cases.update_case(store, case_id=case_id, recovered=spec.recovered)
        ids[spec.name] = case_id
    clock.set_today(None)
    yield store, ids
    store.close()


def _facts(store: Store, case_id: int) -> dict[str, Any]:
    case = queries.load_case(store, case_id)
    events = sorted(case.events, key=_key)
    from core.documents.letters.draft import meaning_of

    meanings = {e.id: meaning_of(e) for e in events}
    complaints = [e for e in events if meanings[e.id] in COMPLAINT_MEANINGS]
    replies = [e for e in events if meanings[e.id] in REPLY_MEANINGS]
    outstanding = case.amount - (case.recovered or Decimal(0)) if case.amount is not None else None
    money = {v for v in (case.amount, case.recovered, outstanding) if v is not None}
    money |= {e.amount for e in events if e.amount is not None}
    from core.documents.letters.draft import law_for

    with store.read() as session:
        law = law_for(session, case_id, TODAY)
    return {"case": case, "events": events, "meanings": meanings, "outstanding": outstanding, "money": money,
            "law": law,
            "first_complaint": complaints[0].when.day if complaints else None,
            "last_reply": replies[-1].when.day if replies else None,
            "resolved": case.status == "resolved" or any(m == "resolved" for m in meanings.values())}


def _date_in(pattern_group: str, expected: date | None, language: str, region: str) -> None:
    assert expected is not None, f"the letter cites {pattern_group!r} but the case has no such event"
    assert pattern_group.strip() == format_date(expected, language, region), (pattern_group, expected)


def _check_letter(text: str, facts: dict[str, Any], tpl: letters.LetterTemplate, region: str) -> int:
    """Check one letter; returns how many first-complaint and last-reply sentences it holds."""
    cited = 0
    lang = tpl.language
    case = facts["case"]
    # No raw ISO date in a sentence, no English marker in another language.
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), re.search(r"\b\d{4}-\d{2}-\d{2}\b", text)
    if lang != "en":
        assert "[missing:" not in text
        _no_english(text, facts)
    _cites_only_what_applies(text, facts, lang)
    # The first complaint and the last reply are the right events.
    for pattern in FIRST_COMPLAINT:
        for m in pattern.finditer(text):
            _date_in(m.group("d"), facts["first_complaint"], lang, region)
            cited += 1
    for pattern in LAST_REPLY:
        for m in pattern.finditer(text):
            _date_in(m.group("d"), facts["last_reply"], lang, region)
            cited += 1
    # Eight weeks only when eight weeks have passed.
    if "eight weeks have passed" in text:
        assert facts["first_complaint"] is not None and (TODAY - facts["first_complaint"]).days >= 56
    # Every amount is one the case holds.
    shown = [Decimal(m.group(2).replace(",", "")) for m in AMOUNT_EN.finditer(text)]
    shown += [Decimal(m.group(1).replace(NBSP, "").replace(".", "").replace(" ", "").replace(",", "."))
              for m in AMOUNT_EU.finditer(text)]
    for value in shown:
        assert value in facts["money"], (value, facts["money"])
    assert Decimal("0.00") not in shown or Decimal(0) in facts["money"]
    # The chronology: in order, each line dated as the event, money told the right way round.
    lines = [line for line in text.splitlines() if line.startswith("- ") and " – " in line]
    by_summary = {e.summary.rstrip("."): e for e in facts["events"]}
    listed = []
    for line in lines:
        when_text, _, rest = line[2:].partition(" – ")
        event = next((e for s, e in by_summary.items() if f" {s}." in f" {rest}"), None)
        if event is None:
            continue
        listed.append(event)
        assert when_text == format_when(event.when, lang, region), (when_text, event.at)
        meaning = facts["meanings"][event.id]
        if meaning == "charge":
            assert not re.search(r"\bI paid\b|\bJe vous ai payé\b|\bIch habe Ihnen .* gezahlt\b|\bLes pagué\b", rest), line
            assert re.search(r"took|prélev|débit|eingezogen|cobr|cargó|cargaron", rest), line
            if case.payment_method == "direct_debit":
                assert re.search(r"direct debit|prélev|Lastschrift|domiciliado", rest), line
        if meaning == "purchase":
            assert re.search(r"I paid|placed my order|payé|commande|gezahlt|bestellt|pagué|pedido", rest), line
        if event.amount is not None and meaning in ("charge", "purchase", "refund"):
            assert format_money(event.amount, case.currency, lang) in rest, line
    assert listed == sorted(listed, key=_key)
    # The reply-by date is the template's period from today.
    if "reply_by" in files("resources").joinpath("letters", tpl.name).read_text(encoding="utf-8"):
        assert format_date(reply_deadline(TODAY, tpl.response_days), lang, region) in text
    # Documents said to be listed or enclosed are listed.
    if re.search(r"listed below|enclosed|ci-dessous|unten aufgeführt|a continuación", text):
        assert re.search(r"^(Enclosures|Pièces jointes|Anlagen|Documentos adjuntos)", text, re.M), \
            "cites a list of documents it lacks"
    # Conventions.
    if lang == "en" and region.startswith("US"):
        assert "Sincerely," in text and "Yours faithfully" not in text and "Letter before" not in text
    if lang == "de" and "Schäfer" in text:
        assert "Sehr geehrte Frau Schäfer," in text
    if lang == "es":
        assert "Atentamente," in text
        assert re.search(r"^(?:Estimados señores|Estimada Sra\. \w+|Estimado Sr\. \w+):$", text, re.M), text[:300]
        if "García" in text:
            assert "Estimada Sra. García:" in text
    return cited


def _no_english(text: str, facts: dict[str, Any]) -> None:
    """No English word outside what the user wrote (summaries, title, names, addresses)."""
    case = facts["case"]
    own = [e.summary for e in facts["events"]] + [e.details for e in facts["events"]]
    own += [case.title, case.desired_outcome, case.impact, case.company.name if case.company else "",
            "Sam Rivera", "4 Mill Lane", "York YO1 7HH", "sam@example.org", "1 Trade Street", "Sometown"]
    own += [c.name for c in case.contacts] + list(case.references)
    own += list(case.company.account_numbers) if case.company else []
    body = text
    for words in sorted((w for w in own if w), key=len, reverse=True):
        body = body.replace(words, " ").replace(words[:1].upper() + words[1:], " ")
    found = sorted({w for w in re.findall(r"[A-Za-z]+", body) if w.lower() in ENGLISH})
    assert not found, f"English words in a letter in another language: {found}"


def _cites_only_what_applies(text: str, facts: dict[str, Any], lang: str) -> None:
    for pattern, basis in CITATIONS.items():
        if re.search(pattern, text):
            assert basis in facts["law"], f"cites {pattern} but the rule packs do not apply {basis} to this case"
    if lang == "es":
        # Spanish law was not confirmed at the BOE: no statute is cited.
        assert not re.search(r"Real Decreto|TRLGDCU|\bartículo\b|\bart\.", text)


def _templates() -> list[letters.LetterTemplate]:
    return letters.list_templates(None)


CASE_NAMES = [f"example {i}" for i in range(1, 8)] + [s.name for s in SPECS]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_every_letter_that_applies_states_only_what_the_case_shows(corpus: Any, name: str) -> None:
    store, ids = corpus
    clock.set_today(TODAY)
    case_id = ids[name]
    facts = _facts(store, case_id)
    case = facts["case"]
    region = (case.jurisdiction or "").upper()
    contacts = {c.name: c.id for c in case.contacts}
    drafted = refused = cited = 0
    for tpl in _templates():
        if not tpl.applies_to(region):
            continue
        contact = next((cid for n, cid in contacts.items() if n.startswith(("Frau", "Mme", "Sra."))), None)
        kwargs: dict[str, Any] = {"contact_id": contact} if tpl.recipient == "company" else {}
        nothing_owed = tpl.demand and facts["outstanding"] is not None and facts["outstanding"] <= 0
        escalates = tpl.step in ("final_notice", "small_claims", "regulator", "payment_dispute")
        if nothing_owed:
            with pytest.raises(LetterRefused, match="Nothing is outstanding"):
                letters.draft_letter(store, case_id=case_id, template_id=tpl.id, language=tpl.language, **kwargs)
            refused += 1
            continue
        if facts["resolved"] and escalates:
            with pytest.raises(LetterRefused, match="recorded as resolved") as caught:
                letters.draft_letter(store, case_id=case_id, template_id=tpl.id, language=tpl.language, **kwargs)
            assert caught.value.needs_confirmation
            kwargs["confirm_resolved"] = True
            refused += 1
        draft = letters.draft_letter(store, case_id=case_id, template_id=tpl.id, language=tpl.language, **kwargs)
        cited += _check_letter(draft.text, facts, tpl, region)
        drafted += 1
    assert drafted >= 5, (name, drafted, refused)
    if facts["first_complaint"] is not None or facts["last_reply"] is not None:
        assert cited, f"no letter for {name!r} cites its first complaint or last reply"


def _draft(corpus: Any, name: str, template: str, language: str = "en", **kwargs: Any) -> str:
    store, ids = corpus
    clock.set_today(TODAY)
    return letters.draft_letter(store, case_id=ids[name], template_id=template, language=language, **kwargs).text


def test_the_regulator_hears_of_eight_weeks_only_once_they_have_passed(corpus: Any) -> None:
    late = _draft(corpus, "regulator after nine weeks", "regulator_complaint")
    assert "More than eight weeks have passed since my complaint of 29 September 2026" in late
    early = _draft(corpus, "regulator four days after the formal complaint", "regulator_complaint")
    assert "eight weeks have passed" not in early
    assert "I have had no final response; eight weeks from my complaint end on 6 January 2027." in early
    # A direct debit taken after the complaint is not the company's last reply.
    assert "last reply" not in early
    final = _draft(corpus, "regulator after a final response", "regulator_complaint")
    assert "The company sent me its final response on 21 November 2026, so I understand I may now bring" in final


def test_nothing_owed_and_resolved_cases_are_refused_with_a_readable_reason(corpus: Any) -> None:
    with pytest.raises(LetterRefused, match=r"Nothing is outstanding on case \d+: GBP 80.00 in dispute and GBP 80.00 recovered"):
        _draft(corpus, "resolved, all repaid", "final_notice")
    with pytest.raises(LetterRefused, match="recorded as resolved on 11 November 2026") as caught:
        _draft(corpus, "resolved, part still owed", "small_claims_demand")
    assert caught.value.needs_confirmation
    confirmed = _draft(corpus, "resolved, part still owed", "small_claims_demand", confirm_resolved=True)
    assert "You owe me GBP 150.00: GBP 200.00 less GBP 50.00 already repaid." in confirmed


def test_jurisdiction_conventions(corpus: Any) -> None:
    us = _draft(corpus, "US demand", "small_claims_demand")
    assert us.count("Demand letter: USD 52.98 owed") == 1 and "Sincerely," in us
    assert "Letter before claim" not in us and "Yours faithfully" not in us
    for name in ("EU as a jurisdiction", "Greece as EL"):
        assert "consumer law of the European Union" in _draft(corpus, name, "formal_complaint"), name
    de = _draft(corpus, "German letters", "first_complaint", "de", contact_id=_contact(corpus, "German letters"))
    assert "Sehr geehrte Frau Schäfer," in de and "Petra" not in de.split("Sehr geehrte")[1][:30]
    chaser = _draft(corpus, "direct debits", "chaser")
    assert "about Case: direct debits" not in chaser  # the title is not spliced in as a noun


def _contact(corpus: Any, name: str) -> int:
    store, ids = corpus
    return queries.load_case(store, ids[name]).contacts[0].id


def test_the_corpus_has_at_least_twenty_cases() -> None:
    assert len(CASE_NAMES) >= 20


@pytest.mark.parametrize(("name", "template", "language"), [
    ("direct debits", "final_notice", "en"), ("French letters", "final_notice", "fr"),
    ("German letters", "final_notice", "de"), ("US demand", "small_claims_demand", "en"),
    ("French non-delivery", "refund_non_delivery", "fr"), ("German faulty goods", "faulty_goods", "de"),
    ("Spanish letters", "final_notice", "es"),
])
def test_the_pdf_reads_the_same_and_keeps_the_signature_with_its_closing(
        corpus: Any, tmp_path: Path, name: str, template: str, language: str) -> None:
    store, ids = corpus
    clock.set_today(TODAY)
    case_id = ids[name]
    facts = _facts(store, case_id)
    contact = next((c.id for c in facts["case"].contacts), None)
    draft = letters.draft_letter(store, case_id=case_id, template_id=template, language=language,
                                 contact_id=contact)
    out = tmp_path / "letter.pdf"
    letters.draft_pdf(store, draft=draft, out=out)
    text = subprocess.run(["pdftotext", str(out), "-"], check=True, capture_output=True, text=True).stdout
    assert "\ufb01" not in text and "\ufb02" not in text  # no ligature glyphs in the text layer
    pages = text.split("\f")
    sign_off = draft.text.strip().splitlines()[-3 if "Grüßen" not in draft.text else -3].strip()
    closing_page = next(i for i, page in enumerate(pages) if sign_off[:20] in page.replace("\n", " "))
    assert "Sam Rivera" in pages[closing_page].split(sign_off[:20])[-1], "the name left its closing"
    for event in facts["events"]:
        if event.summary in draft.text:
            assert event.summary in " ".join(text.split())


def test_a_letter_sent_to_the_card_issuer_is_not_a_complaint_to_the_company(store: Store) -> None:
    clock.set_today(TODAY)
    settings.update(store, your_name="Sam Rivera", your_address="4 Mill Lane\nYork YO1 7HH")
    case_id = cases.open_case(store, title="Coat", company="Acme", amount="120.00", currency="GBP",
                              jurisdiction="GB", payment_method="credit_card", references=["A-1"])
    cases.log_event(store, case_id=case_id, at=d(40), kind="email", direction="to_company",
                    summary="Asked for the refund", meaning="complaint")
    draft = letters.draft_letter(store, case_id=case_id, template_id="chargeback_request",
                                 facts={"card_last4": "1234", "card_issuer": "Bank", "card_issuer_address": "1 St"})
    letter_id = letters.save_draft(store, case_id=case_id, draft=draft)
    letters.mark_as_sent(store, letter_id=letter_id, via="post", sent_on=d(5))
    chaser = letters.draft_letter(store, case_id=case_id, template_id="chaser").text
    # The last contact with the company is the complaint, not the letter to the bank.
    assert f"I last contacted you about this matter (Ref A-1) on {format_date(TODAY - timedelta(days=40))}" in chaser
    assert "I wrote to my card issuer about this." in chaser
    assert "I complained to you by letter" not in chaser


def test_every_letter_exists_in_french_and_german_and_the_first_three_in_spanish() -> None:
    by_language: dict[str, set[str]] = {}
    for tpl in _templates():
        by_language.setdefault(tpl.language, set()).add(tpl.id)
    assert len(by_language["en"]) == 13
    # The US billing-error notice goes to a US card issuer: English only.
    assert by_language["fr"] == by_language["de"] == by_language["en"] - {"us_billing_error"}
    assert by_language["es"] == {"first_complaint", "chaser", "final_notice"}


def test_a_french_non_delivery_letter_cites_the_code_de_la_consommation(corpus: Any) -> None:
    notice = _draft(corpus, "French non-delivery", "refund_non_delivery", "fr")
    assert "Aux termes de l'article L216-1 du Code de la consommation" in notice
    assert "je résoudrai le contrat (article L216-6)" in notice
    # The same letter on a French case of another kind names no article of L216.
    other = _draft(corpus, "French letters", "refund_non_delivery", "fr")
    assert "L216" not in other and "Cette commande ne m'a toujours pas été livrée." in other
    # A German letter on a French case cites no German paragraph.
    assert "BGB" not in _draft(corpus, "French non-delivery", "refund_non_delivery", "de")


def test_german_letters_cite_the_bgb_where_the_rule_packs_apply_it(corpus: Any) -> None:
    faulty = _draft(corpus, "German faulty goods", "faulty_goods", "de")
    assert "Als Verkäufer haften Sie für Sachmängel (§§ 434, 437 BGB)." in faulty
    assert "Die Ware ist mangelhaft." in faulty
    billing = _draft(corpus, "German subscription", "stop_billing", "de")
    assert "(§ 309 Nr. 9 BGB)" in billing and "39,90\u00a0€ per Lastschrift" in billing
    plain = _draft(corpus, "German letters", "stop_billing", "de")
    assert "§" not in plain


def test_a_spanish_letter_reads_as_spanish(corpus: Any) -> None:
    store, ids = corpus
    letter = _draft(corpus, "Spanish letters", "first_complaint", "es",
                    contact_id=_contact(corpus, "Spanish letters"))
    assert "Estimada Sra. García:" in letter and "Atentamente," in letter
    assert "El importe afectado es de 459,00\u00a0€, que aboné con tarjeta de débito el 1 de septiembre de 2026." in letter
    assert "Les presenté una reclamación por teléfono. Avisé de que el sofá no llegó." in letter
    chaser = _draft(corpus, "Spanish letters", "chaser", "es")
    assert "Mi primera reclamación es del" not in chaser  # the last contact is the first complaint
    assert "su última respuesta, del 11 de noviembre de 2026, no resolvió el problema" in chaser


def test_the_english_word_detector_sees_an_english_phrase_but_not_the_users_words(corpus: Any) -> None:
    store, ids = corpus
    facts = _facts(store, ids["French letters"])
    _no_english("Je vous ai adressé une réclamation par courriel. Rétractation et retour du manteau.", facts)
    with pytest.raises(AssertionError, match="complained"):
        _no_english("Le 3 octobre 2026 – I complained to you by email.", facts)
