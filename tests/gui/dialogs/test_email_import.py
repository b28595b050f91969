"""The email preview: the user drops saved emails on a case, checks and corrects what Docket
worked out, and adds them."""

from __future__ import annotations

import mailbox
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from core.exchange import emails as email_import
from core.journal import cases, queries, settings
from core.store.store import Store
from gui.dialogs.email_import import CONTACT, DATE, DIRECTION, NOTES, SUMMARY, EmailImportDialog


def message(subject: str, sender: str, to: str, date: str, mid: str, body: str = "Hello") -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Date"], msg["Message-ID"] = sender, to, subject, date, mid
    msg.set_content(body)
    return msg


@pytest.fixture
def case_id(store: Store) -> int:
    settings.update(store, your_email="pat@home.example")
    cid = cases.open_case(store, title="Broadband never cancelled", company="Netco")
    cases.add_contact(store, case_id=cid, name="Retention desk", email="retention@netco.example")
    return cid


@pytest.fixture
def mbox_path(tmp_path: Path) -> Path:
    path = tmp_path / "netco.mbox"
    box = mailbox.mbox(path)
    box.add(message("Cancel my contract", "Pat <pat@home.example>", "retention@netco.example",
                    "Mon, 01 Jul 2024 09:00:00 +0100", "<c1@home.example>"))
    box.add(message("We are sorry to see you go", "Retention desk <retention@netco.example>",
                    "pat@home.example", "Tue, 02 Jul 2024 10:30:00 +0100", "<c2@netco.example>"))
    box.add(message("Your bill", "Billing <billing@netco.example>", "pat@home.example",
                    "Thu, 01 Aug 2024 06:00:00 +0000", "<c3@netco.example>",
                    body="You still owe £30."))
    box.flush()
    box.close()
    return path


def open_dialog(qtbot, store: Store, case_id: int, paths: list[Path]) -> EmailImportDialog:
    dialog = EmailImportDialog(store, case_id, paths)
    qtbot.addWidget(dialog)  # not shown: offscreen Qt warns about window size hints
    qtbot.waitUntil(lambda: dialog.is_previewed, timeout=20000)
    return dialog


def cell(dialog: EmailImportDialog, row: int, col: int) -> str:
    return dialog.model.index(row, col).data()


def test_the_preview_lists_each_message_and_add_creates_the_events(qtbot, qtmodeltester, store, case_id, mbox_path):
    dialog = open_dialog(qtbot, store, case_id, [mbox_path])
    qtmodeltester.check(dialog.model)

    assert dialog.model.rowCount() == 3
    assert [cell(dialog, r, SUMMARY) for r in range(3)] == ["Cancel my contract", "We are sorry to see you go", "Your bill"]
    assert cell(dialog, 0, DIRECTION) == "→ To them"
    assert cell(dialog, 1, DIRECTION) == "← From them"
    assert cell(dialog, 1, CONTACT) == "Retention desk <retention@netco.example>"
    assert cell(dialog, 2, CONTACT) == "New: Billing <billing@netco.example>"
    assert dialog.add_button.text() == "Add 3 emails"

    # The user decides the bill was really a note to self: opens the direction drop-down.
    index = dialog.model.index(2, DIRECTION)
    dialog.view.openPersistentEditor(index)
    combo = dialog.view.indexWidget(index)
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData("internal"))
    dialog.view.closePersistentEditor(index)
    assert cell(dialog, 2, DIRECTION) == "· Own note"
    # ... and gives the first one a clearer summary, and a time zone typo is refused.
    assert dialog.model.setData(dialog.model.index(0, SUMMARY), "Asked to cancel (30 days notice)")
    assert not dialog.model.setData(dialog.model.index(1, DATE), "2024-07-02T10:30:00")
    assert dialog.model.setData(dialog.model.index(1, DATE), "2024-07-02T11:30:00+02:00")

    with qtbot.waitSignal(dialog.imported, timeout=20000) as signal:
        dialog.add_button.click()

    assert len(signal.args[0].event_ids) == 3
    events = queries.load_case(store, case_id).events
    assert [(e.summary, e.direction) for e in events] == [
        ("Asked to cancel (30 days notice)", "to_company"),
        ("We are sorry to see you go", "from_company"),
        ("Your bill", "internal"),
    ]
    assert events[1].contact.name == "Retention desk"
    assert events[1].at == "2024-07-02T11:30:00+02:00"
    assert events[2].contact.name == "Billing"  # offered as new, created on Add
    assert all(len(e.evidence) == 1 for e in events)
    assert dialog.result() == dialog.DialogCode.Accepted


def test_the_user_picks_another_contact_from_the_drop_down(qtbot, store, case_id, tmp_path):
    path = tmp_path / "cc.eml"
    msg = message("Complaint", "Pat <pat@home.example>", "Front desk <desk@netco.example>",
                  "Wed, 03 Jul 2024 12:00:00 +0100", "<cc@home.example>")
    msg["Cc"] = "Ombudsman <cases@ombudsman.example>"
    path.write_bytes(msg.as_bytes(policy=policy.SMTP))
    dialog = open_dialog(qtbot, store, case_id, [path])
    assert cell(dialog, 0, CONTACT) == "New: Front desk <desk@netco.example>"

    index = dialog.model.index(0, CONTACT)
    dialog.view.openPersistentEditor(index)
    combo = dialog.view.indexWidget(index)
    labels = [combo.itemText(n) for n in range(combo.count())]
    assert labels == ["(none)", "Retention desk <retention@netco.example>",
                      "New: Front desk <desk@netco.example>", "New: Ombudsman <cases@ombudsman.example>"]
    combo.setCurrentIndex(1)
    dialog.view.closePersistentEditor(index)

    with qtbot.waitSignal(dialog.imported, timeout=20000):
        dialog.add_button.click()
    (event,) = queries.load_case(store, case_id).events
    assert event.contact.name == "Retention desk"
    assert len(queries.list_contacts(store, case_id)) == 1


def test_messages_already_in_the_case_are_shown_and_skipped(qtbot, store, case_id, mbox_path):
    email_import.import_emails(store, case_id=case_id, items=email_import.parse_messages([mbox_path]))
    dialog = open_dialog(qtbot, store, case_id, [mbox_path])
    assert dialog.model.rowCount() == 3
    assert not dialog.add_button.isEnabled()
    assert cell(dialog, 0, NOTES).startswith("Already in this case")
    assert "3 already in this case will be skipped" in dialog.status.text()
    assert not (dialog.model.flags(dialog.model.index(0, SUMMARY)) & Qt.ItemFlag.ItemIsEditable)


def test_a_broken_email_shows_what_could_not_be_read(qtbot, store, case_id, tmp_path):
    path = tmp_path / "broken.eml"
    path.write_bytes(b"From: Netco <noreply@netco.example>\r\nSubject: Final notice\r\n"
                     b"Content-Type: text/plain; charset=x-unknown\r\n\r\nPay now \xa3 30\r\n")
    dialog = open_dialog(qtbot, store, case_id, [path])
    notes = dialog.model.index(0, NOTES).data(Qt.ItemDataRole.ToolTipRole)
    assert "no Date header" in notes and "x-unknown" in notes
    assert "Pay now £ 30" in dialog.details.toPlainText()


def test_changing_the_direction_moves_the_contact_to_the_other_side_unless_chosen(qtbot, store, case_id, tmp_path):
    path = tmp_path / "thread.eml"
    path.write_bytes(message("Fwd: your cancellation", "Retention desk <retention@netco.example>",
                             "Sales <sales@netco.example>", "Wed, 03 Jul 2024 12:00:00 +0100",
                             "<t@netco.example>").as_bytes(policy=policy.SMTP))
    dialog = open_dialog(qtbot, store, case_id, [path])
    model = dialog.model
    assert cell(dialog, 0, CONTACT) == "Retention desk <retention@netco.example>"

    assert model.setData(model.index(0, DIRECTION), "to_company")
    assert cell(dialog, 0, CONTACT) == "New: Sales <sales@netco.example>"

    assert model.setData(model.index(0, CONTACT), ("none", None))
    assert model.setData(model.index(0, DIRECTION), "from_company")
    assert cell(dialog, 0, CONTACT) == "(none)"
