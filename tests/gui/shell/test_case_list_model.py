"""The case list model: lazy pages, sorting and search in SQL, and Qt's model rules."""

from __future__ import annotations

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
