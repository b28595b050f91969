"""The timeline: events in date order, time on hold shown, kind filter, paged loading."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl

from core.journal import cases
from core.store.store import Store
from gui.case.timeline_model import (
    EVIDENCE,
    EVIDENCE_ROLE,
    KIND,
    OBJECT_ROLE,
    PAGE,
    SUMMARY,
    TIME,
    WHEN,
    TimelineModel,
)
from gui.case.timeline_view import TimelineView
from gui.dialogs.event import EventDialog


def _case_with_calls(store: Store) -> int:
    case_id = cases.open_case(store, title="Lenses lost under warranty", company="Optica")
    cases.log_event(store, case_id=case_id, at="2024-05-02T11:00:00+02:00", kind="visit",
                    summary="Left the glasses for repair", duration_minutes=55, waiting_minutes=40,
                    direction="to_company")
    cases.log_event(store, case_id=case_id, at="2024-04-30", kind="payment", summary="Paid for glasses")
    cases.log_event(store, case_id=case_id, at="2024-05-20T09:30:00Z", kind="call",
                    summary="They say the lenses are lost", direction="from_company")
    return case_id


def test_events_show_in_date_order_with_time_on_hold(qtbot, qtmodeltester, store: Store) -> None:
    case_id = _case_with_calls(store)
    model = TimelineModel(store)
    model.load(case_id)
    qtmodeltester.check(model)

    summaries = [model.index(r, SUMMARY).data() for r in range(model.rowCount())]
    assert summaries == ["Paid for glasses", "Left the glasses for repair", "They say the lenses are lost"]
    assert model.index(1, TIME).data() == "55 min, on hold 40 min"
    assert model.index(1, KIND).data() == "→ Visit"
    assert model.index(1, KIND).data(Qt.ItemDataRole.ToolTipRole) == "Visit, to them"
    assert not model.index(1, KIND).data(Qt.ItemDataRole.DecorationRole).isNull()
    assert "2024" in model.index(0, WHEN).data() or "24" in model.index(0, WHEN).data()


def test_kind_filter_narrows_the_timeline(qtbot, store: Store) -> None:
    case_id = _case_with_calls(store)
    view = TimelineView(store)
    qtbot.addWidget(view)
    view.show_case(case_id)
    assert view.model.rowCount() == 3
    assert view.count_label.text() == "3 events"
    view.kind_filter.setCurrentIndex(view.kind_filter.findData("call"))
    assert view.model.rowCount() == 1
    assert view.model.index(0, SUMMARY).data() == "They say the lenses are lost"
    assert view.count_label.text() == "1 event"  # Qt's plural forms: never "1 event(s)"


def test_linked_evidence_shows_as_chips(qtbot, qtmodeltester, store: Store, tmp_path: Path) -> None:
    case_id = _case_with_calls(store)
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 receipt")
    photo = tmp_path / "glasses.jpg"
    photo.write_bytes(b"\xff\xd8 photo")
    event_id = cases.log_event(store, case_id=case_id, at="2024-05-03", kind="email", summary="Repair slip")
    cases.attach_evidence(store, case_id=case_id, path=receipt, event_ids=[event_id])
    cases.attach_evidence(store, case_id=case_id, path=photo, event_ids=[event_id])
    view = TimelineView(store)
    qtbot.addWidget(view)
    view.show_case(case_id)
    qtmodeltester.check(view.model)
    row = view.model.row_of_event(event_id)
    chips = view.model.index(row, EVIDENCE).data(EVIDENCE_ROLE)
    assert [name for _, name in chips] == ["receipt.pdf", "glasses.jpg"]
    view.resize(900, 300)
    picture = view.grab()  # paints the chips through the delegate
    assert not picture.isNull()


def test_a_long_timeline_is_handed_out_in_pages(qtbot, qtmodeltester, store: Store) -> None:
    case_id = cases.open_case(store, title="Endless subscription", company="StreamCo")
    with store.write() as session:
        for i in range(PAGE * 2 + 17):
            cases.log_event(session, case_id=case_id, at=f"2023-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z",
                            kind="email", summary=f"Invoice {i}")
    model = TimelineModel(store)
    model.load(case_id)
    assert model.rowCount() == PAGE
    assert model.canFetchMore()
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == PAGE * 2 + 17
    assert not model.canFetchMore()
    qtmodeltester.check(model)
    assert model.index(model.rowCount() - 1, SUMMARY).data() == f"Invoice {PAGE * 2 + 16}"


def test_log_a_call_with_the_timer(qtbot, store: Store) -> None:
    case_id = _case_with_calls(store)
    logged: list[dict] = []

    def submit(values: dict) -> None:
        logged.append(values)
        cases.log_event(store, case_id=case_id, **values)

    dialog = EventDialog(submit, action="call")
    qtbot.addWidget(dialog)
    assert dialog.call_timer.running
    assert dialog.kind.currentData() == "call"
    dialog.call_timer.advance(5 * 60_000)         # five minutes talking
    dialog.hold_button.setChecked(True)
    dialog.call_timer.advance(40 * 60_000)        # forty minutes of hold music
    dialog.hold_button.setChecked(False)
    dialog.call_timer.advance(3 * 60_000)
    assert dialog.hold_clock.text() == "0:40:00"
    dialog.start_button.click()                   # hang up
    assert not dialog.call_timer.running
    assert dialog.duration.value() == 48
    assert dialog.waiting.value() == 40
    dialog.summary.setText("Manager refused to correct the overcharge")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted

    view = TimelineView(store)
    qtbot.addWidget(view)
    view.show_case(case_id)
    texts = [view.model.index(r, TIME).data() for r in range(view.model.rowCount())]
    assert "48 min, on hold 40 min" in texts
    event = next(view.model.index(r, 0).data(OBJECT_ROLE) for r in range(view.model.rowCount())
                 if view.model.index(r, TIME).data() == "48 min, on hold 40 min")
    assert event.kind == "call" and event.direction == "to_company"


def test_log_a_promise_asks_what_and_by_when(qtbot, store: Store) -> None:
    case_id = _case_with_calls(store)
    dialog = EventDialog(lambda v: cases.log_event(store, case_id=case_id, **v), action="promise")
    qtbot.addWidget(dialog)
    assert dialog.timer_box.isHidden()
    assert dialog.has_promise_date.isChecked()
    dialog.accept()  # nothing said: the form says what is missing and stays open
    assert dialog.error.isVisibleTo(dialog)
    assert "promised" in dialog.error.text()
    assert dialog.result() != dialog.DialogCode.Accepted
    dialog.summary.setText("Refund of 89.00 to the card")
    dialog.promised_by.setDate(dialog.promised_by.date().fromString("2024-06-01", "yyyy-MM-dd"))
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    model = TimelineModel(store)
    model.load(case_id, ["promise"])
    row = model.index(0, 0).data(OBJECT_ROLE)
    assert row.summary == "Refund of 89.00 to the card"
    assert row.promised_by.isoformat() == "2024-06-01"


def test_a_refused_value_is_shown_in_the_form(qtbot, store: Store) -> None:
    case_id = _case_with_calls(store)
    dialog = EventDialog(lambda v: cases.log_event(store, case_id=case_id, **{**v, "reference": "x" * 400}),
                         action="email")
    qtbot.addWidget(dialog)
    dialog.summary.setText("Sent the complaint")
    dialog.accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "limit is 300" in dialog.error.text()
    model = TimelineModel(store)
    model.load(case_id)
    assert model.rowCount() == 3  # nothing was written


def test_a_long_timeline_is_read_in_one_statement(qtbot, store: Store, tmp_path: Path) -> None:
    from sqlalchemy import event as sa_event

    case_id = cases.open_case(store, title="Endless subscription", company="StreamCo")
    contact = cases.add_contact(store, case_id=case_id, name="Billing team")
    proof = tmp_path / "invoice.pdf"
    proof.write_bytes(b"%PDF-1.4 invoice")
    with store.write() as session:
        ids = [cases.log_event(session, case_id=case_id, at=f"2023-02-{1 + i % 28:02d}", kind="email",
                               summary=f"Invoice {i}", contact_id=contact) for i in range(150)]
    cases.attach_evidence(store, case_id=case_id, path=proof, event_ids=ids[::10])

    selects: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    sa_event.listen(store.reader, "before_cursor_execute", count)
    try:
        model = TimelineModel(store)
        model.load(case_id)
        while model.canFetchMore():
            model.fetchMore()
        for row in range(model.rowCount()):
            model.index(row, SUMMARY).data()
            model.index(row, EVIDENCE).data(EVIDENCE_ROLE)
    finally:
        sa_event.remove(store.reader, "before_cursor_execute", count)
    assert len(selects) == 1  # no query per row, whatever the length of the case
    assert model.rowCount() == 150
    assert model.index(0, SUMMARY).data().endswith("(Billing team)")


def test_editing_keeps_the_time_as_it_was_given(qtbot, store: Store) -> None:
    case_id = _case_with_calls(store)
    model = TimelineModel(store)
    model.load(case_id)
    visit = model.index(1, 0).data(OBJECT_ROLE)
    assert visit.at == "2024-05-02T11:00:00+02:00"
    submitted: list[dict] = []
    dialog = EventDialog(submitted.append, event=visit)
    qtbot.addWidget(dialog)
    assert dialog.duration.value() == 55 and not dialog.call_timer.running
    dialog.summary.setText("Left the glasses for a hinge repair")
    dialog.accept()
    assert submitted[0]["at"] == "2024-05-02T11:00:00+02:00"  # not rewritten in this machine's offset
    assert submitted[0]["summary"] == "Left the glasses for a hinge repair"
    assert submitted[0]["waiting_minutes"] == 40


def test_a_new_promise_defaults_to_a_week_from_today(qtbot, store: Store) -> None:
    from core.domain import clock

    clock.set_today("2025-03-10")
    dialog = EventDialog(lambda v: None, action="promise")
    qtbot.addWidget(dialog)
    values = dialog.values()
    assert values["promised_by"].isoformat() == "2025-03-17"
    assert values["at"].startswith("2025-03-10")


def test_kind_icons_are_redrawn_when_the_palette_changes(qtbot, store: Store) -> None:
    from PySide6.QtGui import QColor, QPalette

    case_id = _case_with_calls(store)
    view = TimelineView(store)
    qtbot.addWidget(view)
    view.show_case(case_id)
    light = view.model.index(0, KIND).data(Qt.ItemDataRole.DecorationRole)
    assert not light.isNull()
    dark = QPalette(view.palette())
    dark.setColor(QPalette.ColorRole.WindowText, QColor("#eeeeee"))
    view.setPalette(dark)  # the user switched to a dark theme
    assert view.model._icons == {}
    assert not view.model.index(0, KIND).data(Qt.ItemDataRole.DecorationRole).isNull()


def test_what_happened_takes_the_free_width_and_the_detail_pane_reads_it_all(qtbot, store: Store,
                                                                             tmp_path: Path) -> None:
    case_id = cases.open_case(store, title="Perfume never arrived", company="Parfums de Paris", currency="EUR")
    long = "Ordered the perfume Eau de Nuit 100 ml from their website, paid by Visa, delivery promised in a week"
    event_id = cases.log_event(store, case_id=case_id, at="2026-11-03", kind="payment", direction="to_company",
                               summary=long, details="Order 4471, confirmation email kept.",
                               meaning="purchase", amount="129.00")
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 receipt")
    evidence_id = cases.attach_evidence(store, case_id=case_id, path=receipt, event_ids=[event_id])
    view = TimelineView(store)
    qtbot.addWidget(view)
    view.resize(700, 400)
    view.show()
    view.show_case(case_id)
    header = view.table.horizontalHeader()
    shown = [c for c in range(header.count()) if not view.table.isColumnHidden(c)]
    assert TIME not in shown  # nobody timed anything in this case: the room goes to the summary
    assert header.sectionSize(SUMMARY) == max(header.sectionSize(c) for c in shown)
    assert sum(header.sectionSize(c) for c in shown) <= view.table.viewport().width()
    assert view.table.rowHeight(0) >= 2 * view.table.fontMetrics().lineSpacing()  # two lines of text
    assert "→ to them" in view.legend.text() and "← from them" in view.legend.text()

    view.select_event(event_id)
    text = view.detail.toPlainText()
    assert long in text and "Order 4471" in text and "receipt.pdf" in text
    assert "129.00" in text and "My order or payment" in text
    with qtbot.waitSignal(view.evidence_activated) as opened:
        view.detail.anchorClicked.emit(QUrl(f"evidence:/{evidence_id}"))
    assert opened.args == [evidence_id]
