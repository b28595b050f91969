"""The example cases: a new user's first look at Docket."""

from __future__ import annotations

import hashlib
from datetime import date

from pypdf import PdfReader

from core.cli.main import main
from core.domain import clock
from core.exchange import demo
from core.journal import queries
from core.store.store import Store


def test_loading_the_examples_gives_seven_cases_with_timelines_contacts_and_evidence(store: Store) -> None:
    ids = demo.load_examples(store)

    assert len(ids) == demo.EXAMPLE_COUNT == 7
    titles = {queries.load_case(store, i).title for i in ids}
    assert any("warranty repair" in t for t in titles)
    assert any("$20 overcharge" in t for t in titles)
    assert any("all payments are final" in t for t in titles)
    for case_id in ids:
        case = queries.load_case(store, case_id)
        assert len(case.events) >= 3, case.title
        assert case.contacts, case.title
        assert case.evidence, case.title
        for item in case.evidence:
            # The evidence store holds the real bytes under their hash.
            data = store.evidence.path_for(item.sha256).read_bytes()
            assert hashlib.sha256(data).hexdigest() == item.sha256
            assert len(data) == item.size


def test_the_optician_case_counts_the_forty_minute_waits(store: Store) -> None:
    demo.load_examples(store)
    hit = queries.search(store, "optician lenses")[0]
    spent = queries.time_spent(store, hit.case_id)
    assert spent.waiting_minutes == 80
    assert "of it on hold" in spent.describe()


def test_example_pdfs_and_receipts_are_real_files(store: Store) -> None:
    demo.load_examples(store)
    with store.read() as session:
        from core.domain.models import Evidence

        items = session.query(Evidence).all()
    pdf = next(i for i in items if i.original_name == "order-ML-204871.pdf")
    reader = PdfReader(store.evidence.path_for(pdf.sha256))
    assert "EUR 289.00" in reader.pages[0].extract_text()
    png = next(i for i in items if i.original_name == "receipt.png")
    assert png.media_type == "image/png"
    assert store.evidence.path_for(png.sha256).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_loading_twice_adds_nothing(store: Store) -> None:
    demo.load_examples(store)
    assert demo.load_examples(store) == []
    assert queries.count_cases(store) == 7


def test_dates_follow_today_so_the_timeline_is_recent(store: Store) -> None:
    clock.set_today(date(2030, 6, 15))
    demo.load_examples(store)
    rows = queries.list_cases(store, sort="last_activity")
    assert rows[0].last_activity.startswith("2030-06")


def test_docket_demo_from_the_command_line(data_dir, capsys) -> None:
    assert main(["--data-dir", str(data_dir), "demo"]) == 0
    assert "Loaded 7 example cases" in capsys.readouterr().out
    assert main(["--data-dir", str(data_dir), "demo"]) == 0
    assert "already loaded" in capsys.readouterr().out
    with Store.open(data_dir) as store:
        assert queries.count_cases(store) == 7


# What each example's story says: the kind of company, what was bought, how it was paid (the
# card network only where a receipt shows it) and where the user lives.
EXAMPLE_FACTS = {
    "Refund for a returned winter coat never paid": ("trader", "goods", "credit_card", None, "FR"),
    "Gym membership cancelled by recorded letter keeps charging": ("club", "subscription", "direct_debit", None,
                                                                   "GB-ENG"),
    "Free trial that cannot be cancelled": ("trader", "subscription", "credit_card", None, "US-CA"),
    "Paid course download never delivered; PayPal dispute opened": ("trader", "digital", "paypal", None, "GB-ENG"),
    "Optician lost the lenses of my glasses during a warranty repair": ("trader", "services", "debit_card", None,
                                                                        "GB-ENG"),
    "Manager refused to correct a $20 overcharge": ("trader", "goods", "credit_card", "visa", "US-OH"),
    "Pottery course transfer refused: 'all payments are final'": ("trader", "services", "credit_card", None, "CA-ON"),
}


def test_each_example_carries_the_facts_its_story_gives(store: Store) -> None:
    for case_id in demo.load_examples(store):
        case = queries.load_case(store, case_id)
        assert case.company is not None
        assert (case.company.kind, case.purchase, case.payment_method, case.card_scheme, case.jurisdiction) == \
            EXAMPLE_FACTS[case.title], case.title


def test_the_examples_show_the_clocks_their_facts_call_for(store: Store) -> None:
    from core.escalation import reminders, rules

    clock.set_today(date(2026, 12, 1))
    running: dict[str, set[str]] = {}
    asked: dict[str, set[str]] = {}
    for case_id in demo.load_examples(store):
        with store.read() as session:
            facts = reminders.case_facts_for(session, case_id, as_of=date(2026, 12, 1))
            title = queries.load_case(store, case_id).title
        running[title] = {c.rule_id for c in rules.clocks(facts, date(2026, 12, 1))}
        asked[title] = {m.fact for m in rules.missing_facts(facts)}
    # A hardware shop is not a bank: no financial ombudsman or CFPB, but the card's own clocks.
    assert running["Manager refused to correct a $20 overcharge"] == {"us.fcba.notice", "generic.card_chargeback"}
    # The gym's direct debits after the cancellation: the Direct Debit Guarantee, England's limitation.
    gym = running["Gym membership cancelled by recorded letter keeps charging"]
    assert gym == {"gb.direct_debit_guarantee", "gb.limitation.contract"}
    # The French shop: the card, the French consumer mediator's year, and the refund owed within
    # 14 days of the withdrawal the buyer gave on 7 Oct (Code de la consommation L221-24).
    assert running["Refund for a returned winter coat never paid"] == {
        "generic.card_chargeback", "fr.mediateur.un_an", "fr.retractation.remboursement"}
    # No ombudsman for a gym, a shop, a streaming service, an optician or a pottery studio.
    assert not any(i.startswith(("gb.fos", "us.cfpb", "ca.bank", "au.idr")) for ids in running.values() for i in ids)
    # The closed PayPal case runs nothing; what a story does not say is asked for, not guessed.
    assert running["Paid course download never delivered; PayPal dispute opened"] == set()
    assert "card_scheme" in asked["Optician lost the lenses of my glasses during a warranty repair"]
    assert asked["Manager refused to correct a $20 overcharge"] == set()
