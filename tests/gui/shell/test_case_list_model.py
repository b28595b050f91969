"""The case list model: lazy pages, sorting and search in SQL, and Qt's model rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QModelIndex, Qt

from core.journal import cases
from core.store.store import Store
from gui.shell.case_list_model import (
    AMOUNT,
    CASE_ROLE,
    PAGE,
    SORT_ROLE,
    STATUS,
    TITLE,
    CaseListModel,
)


def test_the_model_follows_qts_rules(qtmodeltester, store: Store, make_cases) -> None:
    make_cases(30)
    model = CaseListModel(store)
    qtmodeltester.check(model)


def test_500_cases_load_one_page_at_a_time(qtbot, store: Store, make_cases) -> None:
    make_cases(500)
    model = CaseListModel(store)
    assert model.rowCount() == PAGE == 200
    assert model.canFetchMore(QModelIndex())

    with qtbot.waitSignal(model.rowsInserted):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 400
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 500
    assert not model.canFetchMore(QModelIndex())


def test_sorting_by_amount_queries_in_number_order(store: Store, make_cases) -> None:
    make_cases(12)
    model = CaseListModel(store)
    model.sort(AMOUNT, Qt.SortOrder.DescendingOrder)
    amounts = [model.index(r, AMOUNT).data(SORT_ROLE) for r in range(model.rowCount())]
    assert amounts[0] == Decimal("11.50")  # 11.50 > 9.50 as numbers, not as text
    assert amounts == sorted(amounts, reverse=True)

    model.sort(TITLE, Qt.SortOrder.AscendingOrder)
    assert model.index(0, TITLE).data() == "Case 0"


def test_sorting_keeps_the_rows_already_fetched(store: Store, make_cases) -> None:
    make_cases(450)
    model = CaseListModel(store)
    model.fetchMore(QModelIndex())
    model.sort(TITLE, Qt.SortOrder.AscendingOrder)
    assert model.rowCount() == 400


def test_search_narrows_the_list_to_matching_events(store: Store, make_cases) -> None:
    ids = make_cases(5)
    cases.log_event(store, case_id=ids[3], at="2026-01-05", kind="call", summary="Called support",
                    details="The agent mentioned a goodwill voucher")
    model = CaseListModel(store)
    assert model.rowCount() == 5

    model.set_filter(search="goodwill")
    assert model.rowCount() == 1
    assert model.index(0, TITLE).data(CASE_ROLE).id == ids[3]

    model.set_filter(search="")
    assert model.rowCount() == 5


def test_views_and_status_words(store: Store, make_cases) -> None:
    ids = make_cases(3)
    cases.change_status(store, case_id=ids[0], status="awaiting_reply")
    model = CaseListModel(store)
    model.set_filter(view="awaiting_reply")
    assert model.rowCount() == 1
    assert model.index(0, STATUS).data() == "Awaiting reply"


def test_amounts_show_with_their_currency(store: Store, make_cases) -> None:
    make_cases(1)
    model = CaseListModel(store)
    shown = model.index(0, AMOUNT).data()
    assert "0.50" in shown or "0,50" in shown
    assert "GBP" in shown or "£" in shown


def test_a_list_scrolled_to_the_end_shows_every_case_as_it_is_and_holds_repeated_dates_once(store: Store, make_cases) -> None:
    from core.journal import queries
    from gui.kit.formatting import format_date
    from gui.shell.case_list_model import LAST_ACTIVITY

    ids = make_cases(450)
    with store.write() as session:
        for i, case_id in enumerate(ids):  # a call on each case, on one of three days
            cases.log_event(session, case_id=case_id, at=f"2026-03-0{1 + i % 3}T{8 + i % 10:02d}:{i % 60:02d}:00+00:00",
                            kind="call", summary="Called them")
    model = CaseListModel(store)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())

    in_core = queries.case_page(store, limit=1000).rows
    kept = [model.case_at(r) for r in range(model.rowCount())]
    assert [r.id for r in kept if r] == [r.id for r in in_core]
    for row, case in zip(kept, in_core, strict=True):
        assert row is not None and case.last_activity is not None
        assert (row.title, row.company, row.status, row.next_due, row.amount, row.currency, row.opened_on,
                row.company_id) == (case.title, case.company, case.status, case.next_due, case.amount,
                                    case.currency, case.opened_on, case.company_id)
        assert row.last_activity == case.last_activity[:10]  # the day the list shows
    shown = {model.index(r, LAST_ACTIVITY).data() for r in range(model.rowCount())}
    assert shown == {format_date(date.fromisoformat(c.last_activity[:10])) for c in in_core if c.last_activity}
    # 450 cases opened the same day, called on three days: one date object and three day
    # strings, not 450 of each.
    assert len({id(r.opened_on) for r in kept if r}) == 1
    assert len({id(r.last_activity) for r in kept if r}) == 3
