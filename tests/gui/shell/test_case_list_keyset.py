"""The window's case list fetches page after page from where the last one ended: scrolling to
the end shows each case once, in order, even when a case is opened meanwhile."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from core.journal import cases
from core.store.store import Store
from gui.shell.case_list_model import CASE_ROLE, PAGE, TITLE, CaseListModel


def _scroll_to_end(model: CaseListModel) -> list[int]:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    return [model.index(r, TITLE).data(CASE_ROLE).id for r in range(model.rowCount())]


def test_scrolling_a_sorted_list_shows_every_case_once_in_title_order(qtmodeltester, store: Store, make_cases) -> None:
    make_cases(450, title="Refund {i:03d}")
    model = CaseListModel(store)
    model.sort(TITLE, Qt.SortOrder.DescendingOrder)

    ids = _scroll_to_end(model)

    titles = [model.index(r, TITLE).data() for r in range(model.rowCount())]
    assert len(ids) == len(set(ids)) == 450
    assert titles == sorted(titles, key=str.lower, reverse=True)
    qtmodeltester.check(model)


def test_a_case_opened_while_scrolling_does_not_repeat_a_row(store: Store, make_cases) -> None:
    make_cases(PAGE + 50, title="Refund {i:03d}")
    model = CaseListModel(store)
    model.sort(TITLE, Qt.SortOrder.AscendingOrder)
    assert model.rowCount() == PAGE

    cases.open_case(store, title="Aardvark insurance", company="Acme Ltd")  # sorts before every loaded row
    ids = _scroll_to_end(model)

    assert len(ids) == len(set(ids)) == PAGE + 50  # shown at the top on the next refresh
    model.refresh()
    assert model.index(0, TITLE).data() == "Aardvark insurance"
