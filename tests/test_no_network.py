"""Docket never touches the network: import, export, letters, reminders, backups and checks
run with every socket call made to fail, and none is attempted."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from core.documents import letters
from core.documents import report as case_report
from core.escalation import reminders
from core.escalation.calendar import export_reminders
from core.exchange import casefile
from core.exchange.demo import load_examples
from core.exchange.emails import import_emails, parse_messages
from core.journal import evidence_text, queries
from core.store import backup
from core.store.store import Store
from core.store.verify import verify

EML = b"""From: Customer Care <care@globex.example>
To: Ada <ada@example.org>
Subject: Your refund request
Date: Tue, 03 Mar 2026 10:15:00 +0100
Message-ID: <r1@globex.example>
Content-Type: text/plain; charset=utf-8

We will look into it within 14 days. <img src="https://tracker.example/pixel.gif">
"""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every way Python opens a connection or looks up a name fails, and is written down."""
    attempts: list[str] = []

    def refuse(name: str):  # type: ignore[no-untyped-def]
        def blocked(*args: object, **kwargs: object) -> None:
            attempts.append(f"{name}{args[:2]}")
            raise OSError(f"network access attempted: {name}")
        return blocked

    class NoSocket(socket.socket):
        def __init__(self, family: int = -1, *args: object, **kwargs: object) -> None:
            if family in (-1, socket.AF_INET, socket.AF_INET6):
                attempts.append("socket.socket")
                raise OSError("network access attempted: socket")
            super().__init__(family, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "socket", NoSocket)
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
        monkeypatch.setattr(socket, name, refuse(name))
    return attempts


def test_the_whole_journey_stays_offline(no_network: list[str], data_dir: Path, tmp_path: Path) -> None:
    with Store.open(data_dir) as store:
        case_ids = load_examples(store)
        case_id = case_ids[0]

        # import and export
        exported = casefile.write_zip(store, case_id=case_id, out=tmp_path / "case.zip")
        casefile.import_case(store, path=exported)
        casefile.write_json(store, case_id=case_id, out=tmp_path / "case.json")
        (tmp_path / "reply.eml").write_bytes(EML)
        import_emails(store, case_id=case_id, items=parse_messages([tmp_path / "reply.eml"]))

        # the text of evidence: read again in the background (images through OCR when
        # installed, whose models ship in its wheel) and searched
        with store.write() as session:
            session.connection().exec_driver_sql("DELETE FROM evidence_texts")
        assert evidence_text.index_pending(store).indexed > 0
        queries.search(store, "refund")

        # letters
        template = letters.list_templates(store)[0]
        draft = letters.draft_letter(store, case_id=case_id, template_id=template.id)
        letter_id = letters.save_draft(store, case_id=case_id, draft=draft)
        letters.letter_pdf(store, letter_id=letter_id, out=tmp_path / "letter.pdf")
        letters.mark_as_sent(store, letter_id=letter_id, via=next(iter(letters.SENT_VIA)))

        # reminders and the calendar
        reminders.due_items(store)
        reminders.next_step(store, case_id=case_id)
        export_reminders(store, tmp_path / "due.ics")

        # the case report
        case_report.export_case_report(store, case_id=case_id, fmt="pdf", out=tmp_path / "report.pdf")
        case_report.export_case_report(store, case_id=case_id, fmt="md", out=tmp_path / "report.md")

        # backups and checks
        backup.auto_backup(store)
        backup.backup_archive(store, tmp_path / "all.zip")
        backup.restore_archive(store, tmp_path / "all.zip")
        assert verify(store).ok

    assert (tmp_path / "letter.pdf").stat().st_size > 0 and (tmp_path / "report.pdf").stat().st_size > 0
    assert no_network == []


def test_the_guard_itself_catches_a_connection(no_network: list[str]) -> None:
    with pytest.raises(OSError, match="network access attempted"):
        socket.create_connection(("example.org", 80))
    assert no_network == ["create_connection(('example.org', 80),)"]
