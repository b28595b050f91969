"""The case history a user hands to a bank, an ombudsman or a court.

Every test exports a real case from a real store and reads the file back the way a reader
would: pypdf and poppler's pdftotext for the PDF, qpdf for its structure, the csv module.
"""

from __future__ import annotations

import csv
import re
import subprocess
import unicodedata
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy.orm import Session

from core.documents.report import Redactor, export_case_report, gather_report
from core.domain.errors import DocketError, ValidationError
from core.domain.models import Letter
from core.exchange.demo import receipt_png, simple_pdf
from core.journal import cases
from core.journal import settings as user_settings
from core.store.files import Cancelled
from core.store.store import Store

START = datetime(2024, 1, 8, 9, 30, tzinfo=UTC)
EVENTS = 60
SECRETS = {
    "email": "claire.dubois@maison-lefevre.example",
    "phone": "+33 1 42 68 53 00",
    "card": "4111 1111 1111 1111",
    "account": "87654321",
    "name": "Claire Dubois",
    "own name": "Dana Cohen",
}


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def _write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def _log_step(session: Session, cid: int, i: int, contact: int, photo: int, shot: int, order: int) -> None:
    at = START + timedelta(days=2 * i, hours=i % 5)
    kind = "note" if i % 10 == 9 else ("call" if i % 3 else "email")
    cases.log_event(
        session, case_id=cid, at=at, kind=kind, summary=f"Step {i:02d} chased the refund",
        direction="internal" if kind == "note" else ("to_company" if i % 2 else "from_company"),
        contact_id=contact if kind == "call" else None,
        duration_minutes=25 if kind == "call" else None, waiting_minutes=18 if kind == "call" else None,
        evidence_ids=[photo] if i == 6 else ([shot, order] if i == 30 else []),
        details=f"Card {SECRETS['card']} was charged; account {SECRETS['account']}." if i == 3 else "",
    )


@pytest.fixture
def case_id(store: Store, tmp_path: Path) -> int:
    """A refund case: 60 events logged out of order over four months, a contact, two photos,
    a PDF, a text file, one letter sent and one still a draft."""
    user_settings.update(store, your_name=SECRETS["own name"], your_address="12 Rose Lane\nLeeds LS1 4AB")
    cid = cases.open_case(store, title="Refund for a returned winter coat", company="Maison Lefèvre",
                          category="refund", amount="289.00", currency="EUR", opened_on="2024-01-08",
                          payment_method="credit_card", payment_date="2024-01-02",
                          desired_outcome="A refund of EUR 289.00 to my card.",
                          references=["Order ML-204871"], notes="Private: I also bought a scarf there.")
    contact = cases.add_contact(store, case_id=cid, name=SECRETS["name"], role="Returns department",
                                email=SECRETS["email"], phone=SECRETS["phone"])
    files = tmp_path / "files"
    photo = cases.attach_evidence(store, case_id=cid, path=_write(files, "parcel-receipt.png",
                                  receipt_png(["LA POSTE", "RR 4471 0932 5CH"])), captured_on="2024-01-20")
    shot = cases.attach_evidence(store, case_id=cid, path=_write(files, "chat.png", receipt_png(["CHAT", "REFUND OK"])))
    order = cases.attach_evidence(store, case_id=cid, path=_write(files, "order.pdf",
                                  simple_pdf("Order ML-204871", ["Winter coat", "EUR 289.00"])))
    cases.attach_evidence(store, case_id=cid, path=_write(files, "notes.txt", b"plain text"))
    # Logged newest first, so the export has to put them in order itself.
    with store.write() as session:
        for i in reversed(range(EVENTS)):
            _log_step(session, cid, i, contact, photo, shot, order)
    with store.write() as session:
        now = datetime(2024, 2, 1, tzinfo=UTC)
        session.add(Letter(case_id=cid, template_id="formal", subject="Formal complaint: refund not paid",
                           body=f"Dear {SECRETS['name']},\n\nI returned the coat on 20 January.\nPlease refund me.",
                           status="sent", sent_on=date(2024, 2, 1), sent_via="email", created_at=now,
                           updated_at=now))
        session.add(Letter(case_id=cid, template_id="formal", subject="Draft never sent", body="Unsent words",
                           status="draft", created_at=now, updated_at=now))
    return cid


def test_pdf_tells_the_whole_story_in_date_order(store: Store, case_id: int, tmp_path: Path) -> None:
    out = export_case_report(store, case_id=case_id, fmt="pdf", out=tmp_path / "history.pdf")

    text = pdf_text(out)
    positions = [text.find(f"Step {i:02d} chased the refund") for i in range(EVENTS)]
    assert all(p >= 0 for p in positions), "an event is missing from the chronology"
    assert positions == sorted(positions), "the chronology is not in date order"
    assert all(text.count(f"Step {i:02d} chased") == 1 for i in range(EVENTS))
    report = gather_report(store, case_id=case_id)
    for item in report.evidence:
        assert item.sha256 in text
    assert "Formal complaint: refund not paid" in text and "Please refund me." in text
    assert "Draft never sent" not in text and "Unsent words" not in text
    assert "Returns department" in text and "EUR 289.00" in text


def test_pdf_pages_are_numbered_and_metadata_and_outline_are_set(store: Store, case_id: int, tmp_path: Path) -> None:
    out = export_case_report(store, case_id=case_id, fmt="pdf", out=tmp_path / "history.pdf")

    reader = PdfReader(out)
    pages = len(reader.pages)
    assert pages >= 4
    for number, page in enumerate(reader.pages, start=1):
        assert f"page {number} of {pages}" in " ".join(page.extract_text().split())
    meta = reader.metadata
    assert meta.title == "Case history: Refund for a returned winter coat"
    assert meta.author == "Dana Cohen"
    assert meta.creation_date is not None and meta.modification_date is not None
    top = [item for item in reader.outline if not isinstance(item, list)]
    titles = [item.title for item in top]
    for section in ("Summary", "Chronology", "Correspondence", "People", "Evidence index", "Appendix: images"):
        assert section in titles
    evidence_page = reader.get_destination_page_number(top[titles.index("Evidence index")])
    assert "Evidence index" in " ".join(reader.pages[evidence_page].extract_text().split())
    outline = list(reader.outline)
    chronology_at = next(i for i, item in enumerate(outline) if not isinstance(item, list) and item.title == "Chronology")
    months = outline[chronology_at + 1]
    assert [m.title for m in months][:2] == ["January 2024", "February 2024"]
    assert reader.page_mode == "/UseOutlines"
    check = subprocess.run(["qpdf", "--check", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def _images(path: Path) -> list[tuple[int, int]]:
    listing = subprocess.run(["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True).stdout
    return [(int(row.split()[3]), int(row.split()[4])) for row in listing.splitlines()[2:] if row.strip()]


def test_evidence_has_thumbnails_and_the_appendix_full_images(store: Store, case_id: int, tmp_path: Path) -> None:
    full = export_case_report(store, case_id=case_id, fmt="pdf", out=tmp_path / "full.pdf")
    lean = export_case_report(store, case_id=case_id, fmt="pdf", out=tmp_path / "lean.pdf", appendix=False)

    # Two photos and the first page of the PDF as thumbnails; the photos again, full size.
    assert len(_images(lean)) == 3
    assert len(_images(full)) == 5
    assert "Appendix: images" in pdf_text(full) and "Appendix: images" not in pdf_text(lean)


def test_letter_paper_gives_letter_sized_pages(store: Store, case_id: int, tmp_path: Path) -> None:
    a4 = PdfReader(export_case_report(store, case_id=case_id, fmt="pdf", out=tmp_path / "a4.pdf"))
    letter = PdfReader(export_case_report(store, case_id=case_id, fmt="pdf", out=tmp_path / "l.pdf", paper="Letter"))
    assert round(float(a4.pages[0].mediabox.width)) == 595
    assert round(float(letter.pages[0].mediabox.width)) == 612
    assert round(float(letter.pages[0].mediabox.height)) == 792


def _needles(secret: str) -> list[bytes]:
    return [secret.encode(), secret.lower().encode(), secret.encode("utf-16-be")]


def test_redacted_copy_holds_none_of_the_masked_strings(store: Store, case_id: int, tmp_path: Path) -> None:
    plain = export_case_report(store, case_id=case_id, fmt="pdf", out=tmp_path / "plain.pdf")
    plain_text = pdf_text(plain)
    for secret in SECRETS.values():
        assert secret in plain_text, f"the unredacted copy should show {secret!r}"

    out = export_case_report(store, case_id=case_id, fmt="pdf", out=tmp_path / "public.pdf", redact=True,
                             redact_names=[SECRETS["name"]])

    text = pdf_text(out)
    flat = re.sub(r"\s+", " ", text)
    for secret in SECRETS.values():
        assert secret not in flat
    for part in ("Dubois", "Cohen", "4111", "87654321", "maison-lefevre.example"):
        assert part not in flat
    assert "[email]" in text and "[phone]" in text and "[name]" in text and "[number]" in text
    assert "Redacted copy" in text
    # Dates and evidence hashes stay: they are the point of the document.
    assert "2024-01-08" in text
    for item in gather_report(store, case_id=case_id).evidence:
        assert item.sha256 in text
    expanded = tmp_path / "expanded.pdf"
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", str(out), str(expanded)], check=True)
    raw = expanded.read_bytes() + out.read_bytes()
    for secret in [*SECRETS.values(), "Dubois", "Cohen"]:
        for needle in _needles(secret):
            assert needle not in raw, f"{secret!r} is in the file"
    meta = PdfReader(out).metadata
    assert meta.author == "[name]"


def test_markdown_and_csv_are_redacted_too(store: Store, case_id: int, tmp_path: Path) -> None:
    for fmt in ("md", "csv"):
        out = export_case_report(store, case_id=case_id, fmt=fmt, out=tmp_path / f"public.{fmt}", redact=True,
                                 redact_names=[SECRETS["name"]])
        content = out.read_text(encoding="utf-8-sig")
        for secret in SECRETS.values():
            assert secret not in content


def test_hebrew_arabic_chinese_and_emoji_render_with_embedded_fonts(store: Store, tmp_path: Path) -> None:
    cid = cases.open_case(store, title="החזר כספי 退款 استرداد", company="Société Générale ✓")
    cases.log_event(store, case_id=cid, at="2024-03-01", kind="call", summary="שיחה עם שירות הלקוחות")
    cases.log_event(store, case_id=cid, at="2024-03-02", kind="email", summary="客服承诺退款 😀")
    cases.log_event(store, case_id=cid, at="2024-03-03", kind="chat", summary="مرحبا، أين أموالي؟")
    cases.log_event(store, case_id=cid, at="2024-03-04", kind="note", summary="Müller façade naïve Ångström")

    out = export_case_report(store, case_id=cid, fmt="pdf", out=tmp_path / "unicode.pdf")

    # Arabic comes back as presentation forms (the shaped glyphs); NFKC maps them to letters.
    text = unicodedata.normalize("NFKC", pdf_text(out))
    assert "客服承诺退款" in text
    assert "Müller façade naïve Ångström" in text
    assert "Société Générale" in text
    # pdftotext gives right-to-left runs in visual or logical order depending on version:
    # compare the letters, not their order.
    for rtl in ("שיחה", "שירות", "مرحبا"):
        assert rtl in text or rtl[::-1] in text
    fonts = subprocess.run(["pdffonts", str(out)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows, "no fonts in the PDF"
    # Column "emb" is the fourth from the right in pdffonts' table: every font embedded.
    assert all(row[-5] == "yes" for row in rows), fonts
    assert any("CJK" in row[0] or "Hei" in row[0] or "Ping" in row[0] for row in rows), fonts


def test_markdown_is_readable_and_complete(store: Store, case_id: int, tmp_path: Path) -> None:
    cases.log_event(store, case_id=case_id, at="2024-06-01", kind="email", summary="Reply | with *stars* and #tags")

    out = export_case_report(store, case_id=case_id, fmt="md", out=tmp_path / "history.md")

    md = out.read_text(encoding="utf-8")
    assert md.startswith("# Case history: Refund for a returned winter coat")
    for heading in ("## Summary", "## Chronology", "## Correspondence", "## People", "## Evidence index"):
        assert f"\n{heading}\n" in md
    positions = [md.find(f"Step {i:02d} chased the refund") for i in range(EVENTS)]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    table_rows = [line for line in md.splitlines() if re.match(r"^\| \d+ \| \d{4}-", line)]
    assert len(table_rows) == EVENTS + 1
    # A pipe in the text stays inside its cell.
    row = next(line for line in table_rows if "Reply" in line)
    assert len(re.findall(r"(?<!\\)\|", row)) == 10
    assert r"Reply \| with \*stars\* and \#tags" in row
    for item in gather_report(store, case_id=case_id).evidence:
        assert f"`{item.sha256}`" in md
    assert "> Please refund me." in md


def test_csv_has_one_row_per_event_in_order(store: Store, case_id: int, tmp_path: Path) -> None:
    cases.log_event(store, case_id=case_id, at="2024-06-01", kind="email", summary="=HYPERLINK(\"http://x\")")

    out = export_case_report(store, case_id=case_id, fmt="csv", out=tmp_path / "chronology.csv")

    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == EVENTS + 1
    assert [r["summary"] for r in rows[:EVENTS]] == [f"Step {i:02d} chased the refund" for i in range(EVENTS)]
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates)
    step30 = rows[30]
    assert step30["evidence"] == "E2 E3"
    call = next(r for r in rows if r["kind"] == "Call")
    assert call["duration_minutes"] == "25" and call["waiting_minutes"] == "18" and call["who"] == SECRETS["name"]
    assert rows[-1]["summary"].startswith("'="), "a formula must not run when the file is opened"


def test_date_range_and_private_notes(store: Store, case_id: int, tmp_path: Path) -> None:
    out = export_case_report(store, case_id=case_id, fmt="csv", out=tmp_path / "feb.csv",
                             date_from=date(2024, 2, 1), date_to=date(2024, 2, 29), include_private_notes=False)

    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all("2024-02-01" <= r["date"] <= "2024-02-29" for r in rows)
    assert not any(r["kind"] == "Note" for r in rows)
    report = gather_report(store, case_id=case_id, include_private_notes=False)
    assert report.notes == ""
    md = export_case_report(store, case_id=case_id, fmt="md", out=tmp_path / "n.md", include_private_notes=False)
    assert "bought a scarf" not in md.read_text(encoding="utf-8")
    assert "Private notes are left out" in md.read_text(encoding="utf-8")


def test_bad_requests_say_what_is_wrong_and_leave_nothing(store: Store, case_id: int, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="format"):
        export_case_report(store, case_id=case_id, fmt="docx", out=tmp_path / "x.docx")
    with pytest.raises(ValidationError, match="paper"):
        export_case_report(store, case_id=case_id, fmt="pdf", out=tmp_path / "x.pdf", paper="A5")
    with pytest.raises(ValidationError, match="after the end"):
        export_case_report(store, case_id=case_id, fmt="pdf", out=tmp_path / "x.pdf",
                           date_from=date(2024, 3, 1), date_to=date(2024, 2, 1))
    with pytest.raises(DocketError, match="does not exist"):
        export_case_report(store, case_id=case_id, fmt="pdf", out=tmp_path / "no" / "x.pdf")
    with pytest.raises(DocketError, match="no case 999"):
        export_case_report(store, case_id=999, fmt="pdf", out=tmp_path / "x.pdf")
    assert not list(tmp_path.glob("x.*")) and not list(tmp_path.glob(".docket-*"))


@pytest.mark.parametrize("fmt", ["pdf", "md"])
def test_cancelling_leaves_no_file(store: Store, case_id: int, tmp_path: Path, fmt: str) -> None:
    seen: list[int] = []

    def progress(done: int, total: int) -> bool:
        seen.append(done)
        return done < 400 or fmt == "md" and done < 500

    out = tmp_path / f"history.{fmt}"
    out.write_text("an older export the user keeps")
    with pytest.raises(Cancelled):
        export_case_report(store, case_id=case_id, fmt=fmt, out=out, progress=progress)
    assert out.read_text() == "an older export the user keeps"
    assert not list(tmp_path.glob(".docket-*"))
    assert seen == sorted(seen)


def test_progress_reaches_the_end(store: Store, case_id: int, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    export_case_report(store, case_id=case_id, fmt="pdf", out=tmp_path / "h.pdf",
                       progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_the_command_line_writes_the_same_report(store: Store, case_id: int, tmp_path: Path) -> None:
    from core.cli.main import main

    store.close()  # the command opens the store itself, as a second Docket would
    out = tmp_path / "cli.pdf"
    code = main(["--data-dir", str(store.data_dir), "export", str(case_id), "--format", "pdf", "--out", str(out),
                 "--redact", "--paper", "Letter", "--from", "2024-02-01"])

    assert code == 0
    text = pdf_text(out)
    assert "Step 12 chased the refund" in text and "Step 10 chased" not in text  # before 1 February
    assert "Dana Cohen" not in text and "[name]" in text
    assert round(float(PdfReader(out).pages[0].mediabox.width)) == 612


def test_long_drawing_does_not_wear_out_none() -> None:
    """A long export makes tens of thousands of Qt calls that return nothing. PySide6 6.12.0
    dropped a reference to None on each, and Python 3.11 aborts once None's count runs out;
    pyproject.toml keeps such a Qt out. Whatever Qt is installed must not lose any."""
    import sys

    from PySide6.QtGui import QImage, QPainter

    from core.documents.render import ensure_gui_app

    ensure_gui_app()
    image = QImage(10, 10, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    before = sys.getrefcount(None)
    for _ in range(20_000):
        painter.save()
        painter.restore()
    painter.end()
    assert sys.getrefcount(None) >= before - 100  # other code may let a few go meanwhile


# -- the redaction rules on their own ---------------------------------------------------------
def test_redactor_keeps_dates_amounts_and_hashes() -> None:
    mask = Redactor(["Jane Smith"])
    sha = "1234567a" + "b" * 56
    text = (f"On 2024-03-01 14:30 and 01/03/2024 Jane paid EUR 1,299.00 (ref 12345); file {sha}; "
            "IMG_20240301_123456.jpg; call +44 20 7946 0958 or 020 7946 0958; card 4111-1111-1111-1111; "
            "IBAN GB29 NWBK 6016 1331 9268 19; write to jane.smith@example.co.uk; Ms SMITH agreed.")
    masked = mask(text)
    for kept in ("2024-03-01 14:30", "01/03/2024", "EUR 1,299.00", "ref 12345", sha, "IMG_20240301_123456.jpg"):
        assert kept in masked
    for gone in ("7946", "4111", "GB29", "jane.smith", "Jane", "SMITH"):
        assert gone not in masked
    assert masked.count("[phone]") == 2 and "[account]" in masked and "[email]" in masked


def test_redactor_off_changes_nothing() -> None:
    text = "call +44 20 7946 0958, Jane"
    assert Redactor(["Jane"], enabled=False)(text) == text


@settings(max_examples=60, deadline=None)
@given(
    user=st.from_regex(r"[a-z][a-z0-9._+-]{0,15}", fullmatch=True),
    host=st.from_regex(r"[a-z0-9-]{1,12}\.(com|org|co\.uk|example)", fullmatch=True),
    digits=st.from_regex(r"[0-9]{6,16}", fullmatch=True),
    before=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=10),
)
def test_any_email_or_long_number_is_masked(user: str, host: str, digits: str, before: str) -> None:
    masked = Redactor()(f"{before} {user}@{host} and {digits} ")
    assert f"{user}@{host}" not in masked
    assert digits not in masked


def test_the_command_line_masks_the_names_it_is_given(store: Store, case_id: int, tmp_path: Path) -> None:
    from core.cli.main import main

    store.close()  # the command opens the data folder itself
    base = ["--data-dir", str(store.data_dir), "export", str(case_id), "--format", "md"]
    assert main([*base, "--out", str(tmp_path / "plain.md")]) == 0
    assert SECRETS["name"] in (tmp_path / "plain.md").read_text()
    assert main([*base, "--out", str(tmp_path / "shared.md"), "--redact", "--mask-name", SECRETS["name"]]) == 0
    shared = (tmp_path / "shared.md").read_text()
    for word in SECRETS["name"].split():
        assert word not in shared
    # Without --redact the name option would silently do nothing, so it is refused.
    assert main([*base, "--out", str(tmp_path / "other.md"), "--mask-name", SECRETS["name"]]) == 2
