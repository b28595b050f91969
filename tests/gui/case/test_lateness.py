"""A broken promise is said plainly and the same way everywhere: the banner, the timeline,
Needs attention and the list's Next due."""

from __future__ import annotations

import pytest

from core.domain import clock
from core.journal import cases
from core.store.store import Store
from gui.case.timeline_model import SUMMARY
from gui.case.workspace import CaseWorkspace
from gui.kit.formatting import format_date
from gui.kit.urgency import case_urgency
from gui.shell.case_list_model import NEXT_DUE, TITLE
from gui.shell.case_list_view import CaseListView


@pytest.fixture
def broken_promise(store: Store) -> int:
    clock.set_today("2026-11-20")
    case_id = cases.open_case(store, title="Perfume never arrived", company="Parfums de Paris",
                              amount="129.00", currency="EUR", jurisdiction="FR", opened_on="2026-11-03")
    cases.log_event(store, case_id=case_id, at="2026-11-03", kind="payment", direction="to_company",
                    summary="Ordered the perfume", meaning="purchase", amount="129.00")
    cases.log_event(store, case_id=case_id, at="2026-11-20", kind="email", direction="to_company",
                    summary="Where is my order?", meaning="complaint")
    cases.log_event(store, case_id=case_id, at="2026-11-25", kind="email", direction="from_company",
                    summary="A full refund", meaning="promise", promised_by="2026-12-15")
    clock.set_today("2027-01-05")  # three weeks after the promised date, nothing since
    return case_id


def test_the_banner_says_the_promise_is_late_first(qtbot, store: Store, broken_promise: int) -> None:
    workspace = CaseWorkspace(store)
    qtbot.addWidget(workspace)
    workspace.show_case(broken_promise)
    headline = workspace.header.banner.headline.text()
    assert headline.startswith("Promised by ") and "“A full refund”" in headline
    assert format_date(clock.parse_date("2026-12-15")) in headline
    assert "3 weeks late" in headline
    assert "overdue since" in headline


def test_the_promise_row_is_marked_late(qtbot, store: Store, broken_promise: int) -> None:
    workspace = CaseWorkspace(store)
    qtbot.addWidget(workspace)
    workspace.show_case(broken_promise)
    model = workspace.timeline.model
    texts = [model.index(r, SUMMARY).data() for r in range(model.rowCount())]
    assert texts[-1].startswith("⚠ 3 weeks late: A full refund")
    assert not any(t.startswith("⚠") for t in texts[:-1])
    assert "not kept" in model.index(model.rowCount() - 1, SUMMARY).data(3)  # the tooltip


def test_the_list_and_the_banner_give_the_same_date(qtbot, store: Store, broken_promise: int) -> None:
    urgency = case_urgency(store, broken_promise)
    listing = CaseListView(store)
    qtbot.addWidget(listing)
    listing.set_view("all")
    row = listing.model.row_of(broken_promise)
    assert row is not None
    next_due = listing.model.index(row, NEXT_DUE).data()
    assert next_due == format_date(urgency.due)
    workspace = CaseWorkspace(store)
    qtbot.addWidget(workspace)
    workspace.show_case(broken_promise)
    assert next_due in workspace.header.banner.headline.text()


def test_needs_attention_says_why_and_by_when(qtbot, store: Store, broken_promise: int) -> None:
    listing = CaseListView(store)
    qtbot.addWidget(listing)
    listing.set_view("attention")
    row = listing.model.row_of(broken_promise)
    assert row is not None
    title, detail = listing.title_delegate._lines(listing.model.index(row, TITLE))
    urgency = case_urgency(store, broken_promise)
    assert detail == f"{format_date(urgency.due)}: {urgency.reason}"
    assert detail  # a reason, not the company and status


def test_the_broken_promise_is_said_once(qtbot, store: Store, broken_promise: int) -> None:
    workspace = CaseWorkspace(store)
    qtbot.addWidget(workspace)
    workspace.show_case(broken_promise)
    banner = workspace.header.banner
    said = banner.headline.text() + "\n" + (banner.reason.text() if banner.reason.isVisibleTo(banner) else "")
    assert said.count("A full refund") == 1
