"""Every change leaves a revision in a SHA-256 chain that verification replays."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from core.domain.errors import ValidationError
from core.journal import cases
from core.store import revisions as history
from core.store.store import Store
from core.store.verify import verify


def _case_with_event(store: Store, tmp_path: Path) -> tuple[int, int, int]:
    case_id = cases.open_case(store, title="Refund for a broken sofa", company="Northwind", amount="499.00")
    event_id = cases.log_event(store, case_id=case_id, at="2026-03-01", kind="call", summary="Promised a refund")
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 receipt")
    evidence_id = cases.attach_evidence(store, case_id=case_id, path=receipt, event_ids=[event_id])
    return case_id, event_id, evidence_id


def test_each_change_is_a_revision_with_what_changed(store: Store, tmp_path: Path) -> None:
    case_id, event_id, evidence_id = _case_with_event(store, tmp_path)
    cases.update_case(store, case_id=case_id, title="Refund for a sofa that broke")

    case_revs = history.history_for(store, entity="case", entity_id=case_id)
    assert case_revs[0].action == "insert"
    assert case_revs[0].fields["title"] == (None, "Refund for a broken sofa")
    assert case_revs[0].fields["amount"] == (None, "499.00")
    last = case_revs[-1]
    assert last.action == "update"
    assert last.fields["title"] == ("Refund for a broken sofa", "Refund for a sofa that broke")
    assert "title" in last.describe()

    event_revs = history.history_for(store, entity="event", entity_id=event_id)
    assert [r.action for r in event_revs] == ["insert", "link"]
    assert event_revs[1].fields["evidence_id"] == (None, evidence_id)
    evidence_revs = history.history_for(store, entity="evidence", entity_id=evidence_id)
    assert [r.action for r in evidence_revs] == ["insert", "link"]


def test_unlink_delete_and_undo_are_recorded(store: Store, tmp_path: Path) -> None:
    case_id, event_id, evidence_id = _case_with_event(store, tmp_path)
    cases.unlink_evidence(store, event_id=event_id, evidence_id=evidence_id)
    snapshot = cases.delete_event(store, event_id=event_id)
    cases.restore_event(store, snapshot=snapshot)

    actions = [r.action for r in history.history_for(store, entity="event", entity_id=event_id)]
    assert actions == ["insert", "link", "unlink", "delete", "insert"]
    assert verify(store).ok


def test_deleting_a_contact_records_the_events_that_lost_it(store: Store) -> None:
    case_id = cases.open_case(store, title="Gym membership", company="Acme Fitness")
    contact_id = cases.add_contact(store, case_id=case_id, name="Dana", role="Manager")
    event_id = cases.log_event(store, case_id=case_id, at="2026-02-02", kind="visit",
                               summary="Spoke to Dana", contact_id=contact_id)
    cases.delete_contact(store, contact_id=contact_id)

    last = history.history_for(store, entity="event", entity_id=event_id)[-1]
    assert last.action == "update" and last.fields["contact_id"] == (contact_id, None)
    assert verify(store).ok


def test_deleting_a_case_records_every_item_that_went_with_it(store: Store, tmp_path: Path) -> None:
    case_id, event_id, evidence_id = _case_with_event(store, tmp_path)
    with store.write() as session:  # a letter row, as the letters module writes it
        from core.domain.models import Letter

        now = history.datetime.now(history.UTC)
        session.add(Letter(case_id=case_id, template_id="complaint", subject="Formal complaint",
                           body="Dear Sir", created_at=now, updated_at=now))
    cases.delete_case(store, case_id=case_id)

    deleted = {(r.entity, r.entity_id) for r in history.case_history(store, case_id=case_id) if r.action == "delete"}
    assert {("case", case_id), ("event", event_id), ("evidence", evidence_id), ("letter", 1)} <= deleted
    assert verify(store).ok


def test_a_failed_operation_leaves_no_revision(store: Store) -> None:
    case_id = cases.open_case(store, title="Parcel never came", company="Parcels Ltd")
    head = history.head_hash(store)
    with pytest.raises(ValidationError):
        cases.log_event(store, case_id=case_id, at="not a date", kind="call", summary="x")
    with pytest.raises(RuntimeError), store.write() as session:
        cases.update_case(session, case_id=case_id, title="Renamed")
        raise RuntimeError("power cut")
    assert history.head_hash(store) == head


def test_head_hash_moves_with_every_change_and_covers_the_past(store: Store) -> None:
    assert history.head_hash(store) == ""
    case_id = cases.open_case(store, title="Double charge", company="Hooli")
    first = history.head_hash(store)
    cases.change_status(store, case_id=case_id, status="resolved", outcome="won")
    second = history.head_hash(store)
    assert len(first) == 64 and first != second
    revs = history.case_history(store, case_id=case_id)
    assert revs[-1].hash == second


def _raw(store: Store, sql: str, *params: object) -> None:
    conn = sqlite3.connect(store.db_path)
    with conn:
        conn.execute(sql, params)
    conn.close()


def test_editing_a_past_revision_breaks_verification(store: Store) -> None:
    case_id = cases.open_case(store, title="Refund", company="Acme", amount="20")
    cases.update_case(store, case_id=case_id, amount="25")
    cases.update_case(store, case_id=case_id, notes="Asked twice")
    assert verify(store).ok
    _raw(store, "UPDATE revisions SET changes = replace(changes, '\"25\"', '\"2500\"') WHERE id = 2")
    report = verify(store)
    assert not report.ok
    assert any("revision 2" in f.message and "altered" in f.message for f in report.errors)


def test_removing_a_past_revision_breaks_the_chain(store: Store) -> None:
    case_id = cases.open_case(store, title="Refund", company="Acme")
    cases.update_case(store, case_id=case_id, notes="first call")
    cases.update_case(store, case_id=case_id, notes="second call")
    _raw(store, "DELETE FROM revisions WHERE id = 2")
    report = verify(store)
    assert any("does not follow revision 1" in f.message for f in report.errors)


def test_changing_a_case_without_a_revision_is_detected(store: Store) -> None:
    case_id = cases.open_case(store, title="Refund", company="Acme", amount="20")
    _raw(store, "UPDATE cases SET amount = '2000' WHERE id = ?", case_id)
    report = verify(store)
    assert [f.message for f in report.errors] == [
        f"case {case_id} differs from its last recorded revision: it was changed outside Docket"
    ]


def test_rows_added_or_removed_outside_docket_are_detected(store: Store) -> None:
    case_id = cases.open_case(store, title="Refund", company="Acme")
    event_id = cases.log_event(store, case_id=case_id, at="2026-01-01", kind="note", summary="kept")
    _raw(store, "DELETE FROM events WHERE id = ?", event_id)
    _raw(store, "INSERT INTO events (id, case_id, at, sort_key, kind, direction, summary, details, reference,"
         " created_at, updated_at) VALUES (99, ?, '2026-01-05', '2026-01-05', 'note', 'internal', 'forged', '',"
         " '', '2026-01-05 00:00:00', '2026-01-05 00:00:00')", case_id)
    messages = " ".join(f.message for f in verify(store).errors)
    assert "event rows without history, so added outside Docket: 1 (99)" in messages
    assert f"event {event_id} is in the history but no longer in the database" in messages


def test_evidence_links_added_or_removed_outside_docket_are_detected(store: Store, tmp_path: Path) -> None:
    case_id = cases.open_case(store, title="Refund", company="Acme")
    first = cases.log_event(store, case_id=case_id, at="2026-01-01", kind="note", summary="receipt kept")
    second = cases.log_event(store, case_id=case_id, at="2026-01-02", kind="note", summary="no receipt")
    receipt = tmp_path / "receipt.txt"
    receipt.write_text("Receipt\n")
    evidence_id = cases.attach_evidence(store, case_id=case_id, path=receipt, event_ids=[first])
    _raw(store, "DELETE FROM event_evidence WHERE event_id = ?", first)
    _raw(store, "INSERT INTO event_evidence (event_id, evidence_id) VALUES (?, ?)", second, evidence_id)
    messages = " ".join(f.message for f in verify(store).errors)
    assert f"evidence links without history, so added outside Docket: 1 ({evidence_id}→{second})" in messages
    assert f"the link of evidence {evidence_id} to event {first} was removed outside Docket" in messages


def test_triggers_and_caches_do_not_count_as_tampering(store: Store) -> None:
    case_id = cases.open_case(store, title="Refund", company="Acme")
    cases.log_event(store, case_id=case_id, at="2026-05-01T10:00:00+02:00", kind="email", summary="Sent")
    _raw(store, "UPDATE cases SET next_due = '2026-06-01' WHERE id = ?", case_id)
    assert verify(store).ok


def test_history_for_rejects_an_unknown_kind(store: Store) -> None:
    with pytest.raises(ValidationError, match="unknown kind"):
        history.history_for(store, entity="company", entity_id=1)


def test_removing_the_newest_changes_with_their_revisions_is_caught_by_a_backup(store: Store) -> None:
    from core.store import backup

    case_id = cases.open_case(store, title="Refund", company="Acme", amount="20")
    cases.update_case(store, case_id=case_id, notes="They admitted the fault on the phone")
    backup.auto_backup(store, reason="timer")
    assert verify(store).ok
    # rewind: undo the note and drop the revision that recorded it; the chain stays consistent
    last = history.case_history(store, case_id=case_id)[-1]
    _raw(store, "UPDATE cases SET notes = '', updated_at = ? WHERE id = ?",
         last.fields["updated_at"][0], case_id)
    _raw(store, "DELETE FROM revisions WHERE id = ?", last.id)
    report = verify(store)
    assert any("no longer in the history as it was" in f.message for f in report.errors), report.text()


def test_after_a_restore_older_backups_are_not_witnesses(store: Store, tmp_path: Path) -> None:
    from core.store import backup

    cases.open_case(store, title="Refund", company="Acme")
    archive = tmp_path / "a.zip"
    backup.backup_archive(store, archive)
    cases.open_case(store, title="Second case", company="Acme")
    backup.auto_backup(store, reason="timer")
    backup.restore_archive(store, archive)
    assert verify(store).ok


def test_docket_history_shows_what_changed(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from core.cli.main import main

    with Store.open(data_dir) as store:
        case_id = cases.open_case(store, title="Refund", company="Acme", amount="20")
        cases.update_case(store, case_id=case_id, amount="25")
    assert main(["--data-dir", str(data_dir), "history", str(case_id)]) == 0
    out = capsys.readouterr().out
    assert f"case {case_id} created" in out and "amount: 20 -> 25" in out and "History head: " in out
    assert main(["--data-dir", str(data_dir), "history", str(case_id), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["action"] for r in data["revisions"]] == ["insert", "update"]
    assert data["revisions"][-1]["fields"]["amount"] == ["20", "25"]
    assert main(["--data-dir", str(data_dir), "history", "999"]) == 2


def test_a_case_touched_by_a_new_event_is_bookkeeping_not_a_change(store: Store) -> None:
    case_id = cases.open_case(store, title="Refund", company="Acme")
    cases.log_event(store, case_id=case_id, at="2026-01-01", kind="call", summary="Called")
    revs = history.case_history(store, case_id=case_id)
    assert [(r.entity, r.action, r.bookkeeping) for r in revs] == [
        ("case", "insert", False), ("case", "update", True), ("event", "insert", False)]
