"""Finding a case by a word inside its evidence: an order number in a saved PDF, a line of an
email, a text file, a receipt photographed (with the OCR extra)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from core.documents.render import html_to_pdf
from core.journal import cases, evidence_text, queries
from core.store.files import Cancelled
from core.store.store import DB_NAME, Store
from core.store.verify import verify


def make_pdf(path: Path, pages: list[str]) -> Path:
    html = "".join(
        f'<p style="page-break-after: always">{p}</p>' if i < len(pages) - 1 else f"<p>{p}</p>"
        for i, p in enumerate(pages)
    )
    html_to_pdf(html, path, title="Order confirmation")
    return path


EML = """From: Orders <orders@shop.example>
To: you@example.org
Subject: Your parcel is on its way
Date: Tue, 03 Mar 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b"

--b
Content-Type: text/plain; charset=utf-8

Your parcel will be delivered by Quokkaexpress, tracking QX-55120.
--b
Content-Type: text/html; charset=utf-8

<p>Your parcel will be delivered by <b>Quokkaexpress</b></p>
--b--
"""


@pytest.fixture
def case_id(store: Store) -> int:
    return cases.open_case(store, title="Blender never arrived", company="Kitchen Shop")


def hits(store: Store, words: str) -> list[queries.SearchHit]:
    return queries.search(store, words)


def test_an_order_number_inside_a_saved_pdf_finds_the_case_and_says_which_page(
        store: Store, case_id: int, tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "order-confirmation.pdf",
                   ["Thank you for your order.", "Order number ZX-40912 for one blender, 89.00 GBP"])
    evidence_id = cases.attach_evidence(store, case_id=case_id, path=pdf)

    (hit,) = hits(store, "ZX-40912")

    assert hit.case_id == case_id
    assert hit.where == "in evidence order-confirmation.pdf, page 2"
    assert hit.evidence_id == evidence_id
    assert "[ZX]" in hit.snippet or "ZX" in hit.snippet
    # The case list's search finds it too.
    assert [row.id for row in queries.list_cases(store, search="ZX-40912")] == [case_id]


def test_a_word_in_an_email_body_and_in_a_text_file_finds_the_case(
        store: Store, case_id: int, tmp_path: Path) -> None:
    other = cases.open_case(store, title="Gym fees", company="FitCo")
    (tmp_path / "dispatch.eml").write_text(EML)
    (tmp_path / "call-notes.txt").write_text("Spoke to Ms Okonkwo-Baptiste, she promised a refund.\n")
    cases.attach_evidence(store, case_id=case_id, path=tmp_path / "dispatch.eml")
    cases.attach_evidence(store, case_id=other, path=tmp_path / "call-notes.txt")

    (by_mail,) = hits(store, "quokkaexpress")
    (by_note,) = hits(store, "okonkwo")

    assert (by_mail.case_id, by_mail.where) == (case_id, "in evidence dispatch.eml")
    assert (by_note.case_id, by_note.where) == (other, "in evidence call-notes.txt")
    assert hits(store, "QX-55120")[0].case_id == case_id


def test_the_case_own_text_comes_first_and_evidence_adds_only_cases_not_already_found(
        store: Store, case_id: int, tmp_path: Path) -> None:
    named = cases.open_case(store, title="Refund for order ZX-40912", company="Kitchen Shop")
    cases.attach_evidence(store, case_id=case_id, path=make_pdf(tmp_path / "o.pdf", ["Order ZX-40912"]))

    found = hits(store, "ZX-40912")

    assert [(h.case_id, h.where) for h in found] == [(named, ""), (case_id, "in evidence o.pdf, page 1")]


def test_the_evidence_file_is_unchanged_and_its_text_is_verified(
        store: Store, case_id: int, tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "receipt.pdf", ["Receipt 7781"])
    before = pdf.read_bytes()
    cases.attach_evidence(store, case_id=case_id, path=pdf)
    (item,) = queries.case_evidence(store, case_id)
    assert store.evidence.path_for(item.sha256).read_bytes() == before
    assert verify(store).ok

    # Someone edits the stored text behind Docket's back: verification says so.
    with sqlite3.connect(store.data_dir / DB_NAME) as db:
        db.execute("UPDATE evidence_text_pages SET body = 'Receipt 9999'")
    report = verify(store)
    assert not report.ok
    assert any("changed outside Docket" in f.message for f in report.errors)


def test_deleting_the_case_removes_its_evidence_text_from_search(store: Store, case_id: int, tmp_path: Path) -> None:
    cases.attach_evidence(store, case_id=case_id, path=make_pdf(tmp_path / "a.pdf", ["Invoice 66120"]))
    assert hits(store, "66120")

    cases.delete_case(store, case_id=case_id)

    assert hits(store, "66120") == []
    with store.read() as session:
        assert session.connection().exec_driver_sql("SELECT count(*) FROM evidence_text_pages").scalar() == 0
    assert verify(store).ok


def test_the_same_file_in_two_cases_is_read_once_and_finds_both(store: Store, case_id: int, tmp_path: Path) -> None:
    other = cases.open_case(store, title="Second complaint", company="Kitchen Shop")
    pdf = make_pdf(tmp_path / "terms.pdf", ["Clause 14.3 says returns are free"])
    cases.attach_evidence(store, case_id=case_id, path=pdf)
    cases.attach_evidence(store, case_id=other, path=pdf)

    assert {h.case_id for h in hits(store, "clause")} == {case_id, other}
    with store.read() as session:
        assert session.connection().exec_driver_sql("SELECT count(*) FROM evidence_texts").scalar() == 1


def test_a_damaged_pdf_is_still_attached_and_simply_not_searched(store: Store, case_id: int, tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\nthis is not really a PDF 12345")
    cases.attach_evidence(store, case_id=case_id, path=bad)

    assert len(queries.case_evidence(store, case_id)) == 1
    assert hits(store, "12345") == []


def test_files_stored_before_text_search_existed_are_read_in_the_background(
        store: Store, case_id: int, tmp_path: Path) -> None:
    for n in range(3):
        cases.attach_evidence(store, case_id=case_id, path=make_pdf(tmp_path / f"old{n}.pdf", [f"Ticket OLD{n}77"]))
    # As if stored by a Docket without text search: no text kept.
    with store.write() as session:
        session.connection().exec_driver_sql("DELETE FROM evidence_texts")
    assert hits(store, "OLD177") == []
    seen: list[tuple[int, int]] = []

    summary = evidence_text.index_pending(store, progress=lambda done, total, name: seen.append((done, total)) and None)

    assert (summary.total, summary.indexed) == (3, 3)
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    assert hits(store, "OLD177")[0].case_id == case_id
    assert evidence_text.pending_files(store) == []


def test_cancelling_the_background_reading_keeps_what_was_read(store: Store, case_id: int, tmp_path: Path) -> None:
    for n in range(3):
        cases.attach_evidence(store, case_id=case_id, path=make_pdf(tmp_path / f"c{n}.pdf", [f"Code CAN{n}55"]))
    with store.write() as session:
        session.connection().exec_driver_sql("DELETE FROM evidence_texts")

    with pytest.raises(Cancelled):
        evidence_text.index_pending(store, progress=lambda done, total, name: done < 2)

    assert len(evidence_text.pending_files(store)) == 1


def test_a_picture_waits_for_ocr_when_the_extra_is_not_installed(store: Store, case_id: int, tmp_path: Path) -> None:
    png = tmp_path / "label.png"
    png.write_bytes(bytes.fromhex("89504e470d0a1a0a"))
    extracted = evidence_text.extract_text(png, name="label.png", media_type="image/png", ocr=False)
    assert extracted.state == evidence_text.NEEDS_OCR
    assert "docket[ocr]" in extracted.note


def receipt_png(path: Path, lines: list[str]) -> Path:
    """A till receipt as a phone screenshot would show it: dark text on white."""
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    image = QImage(520, 40 + 34 * len(lines), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    font = QFont("DejaVu Sans Mono")
    font.setPixelSize(22)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    for i, line in enumerate(lines):
        painter.drawText(20, 40 + 34 * i, line)
    painter.end()
    assert image.save(str(path))
    return path


@pytest.mark.ocr
def test_a_photographed_receipt_is_found_by_its_total_with_the_ocr_extra(
        store: Store, case_id: int, tmp_path: Path) -> None:
    if not evidence_text.ocr_available():
        pytest.skip('the OCR extra is not installed (pip install "docket[ocr]"); pictures are not searched')
    png = receipt_png(tmp_path / "till-receipt.png", [
        "CORNER HARDWARE CO.", "Receipt 0419-2231", "Cordless drill     49.99", "Tax                 2.99",
        "TOTAL USD          52.98", "VISA ****4417  13/03/2026"])
    cases.attach_evidence(store, case_id=case_id, path=png)

    (hit,) = hits(store, "52.98")
    assert (hit.case_id, hit.where) == (case_id, "in evidence till-receipt.png")
    assert hits(store, "hardware")[0].case_id == case_id


def test_an_outlook_message_is_found_by_a_word_of_its_body(store: Store, case_id: int, tmp_path: Path) -> None:
    from datetime import datetime

    from tests.core.exchange.test_emails import outlook_msg

    path = tmp_path / "declined.msg"
    path.write_bytes(outlook_msg(
        subject="RE: Refund 42", sender_name="Acme Billing", sender_email="billing@acme.example",
        to="pat@home.example", date=datetime.fromisoformat("2024-04-02T10:20:00+01:00"),
        message_id="<outlook-1@acme.example>", body="We have declined your refund under clause Zeta-19.\r\nRegards"))
    cases.attach_evidence(store, case_id=case_id, path=path)

    (hit,) = hits(store, "zeta-19")
    assert (hit.case_id, hit.where) == (case_id, "in evidence declined.msg")


def test_docket_index_reads_old_evidence_for_the_command_line(
        store: Store, case_id: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from core.cli.main import main

    (tmp_path / "old.txt").write_text("Parcel number PN-31337\n")
    cases.attach_evidence(store, case_id=case_id, path=tmp_path / "old.txt")
    with store.write() as session:
        session.connection().exec_driver_sql("DELETE FROM evidence_texts")
    store.close()

    assert main(["--data-dir", str(store.data_dir), "index"]) == 0
    assert "Read 1 file: 1 with text" in capsys.readouterr().out
    assert main(["--data-dir", str(store.data_dir), "search", "PN-31337"]) == 0
    assert "(in evidence old.txt)" in capsys.readouterr().out


def test_the_text_of_evidence_comes_back_with_a_restored_backup(store: Store, case_id: int, tmp_path: Path) -> None:
    from core.store import backup

    cases.attach_evidence(store, case_id=case_id, path=make_pdf(tmp_path / "warranty.pdf", ["Serial WX-88120"]))
    backup.backup_archive(store, tmp_path / "all.zip")
    cases.delete_case(store, case_id=case_id)
    assert hits(store, "WX-88120") == []

    backup.restore_archive(store, tmp_path / "all.zip")

    assert hits(store, "WX-88120")[0].where == "in evidence warranty.pdf, page 1"
    assert verify(store).ok
