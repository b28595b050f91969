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
