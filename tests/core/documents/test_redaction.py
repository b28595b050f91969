"""A redacted case history holds: what is masked appears in no text layer, no metadata, no
bookmark and no embedded image, and no image of an item not marked safe to share is
embedded at all."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pypdf import PdfReader

from core.documents import letters
from core.documents.report import export_case_report
from core.exchange.demo import receipt_png, simple_pdf
from core.journal import cases, settings
from core.store.store import Store

MASKED = [
    "Anna Keller", "Keller", "Rue du Marché 12", "1204 Genève", "anna.keller@example.ch", "+41 22 555 01 02",
    "Claire Martin", "Martin", "claire.martin@lumiere.example", "+33 1 42 68 53 00",
    "KF 2281 4409 6GB", "2281 4409", "4111 1111 1111 1111",
]


def _case(store: Store, folder: Path) -> tuple[int, int]:
    settings.update(store, your_name="Anna Keller", your_address="Rue du Marché 12\n1204 Genève\nSwitzerland",
                    your_email="anna.keller@example.ch", your_phone="+41 22 555 01 02")
    case_id = cases.open_case(
        store, title="Refund Claire Martin promised", company="Maison Lumière", currency="EUR", amount="289.00",
        jurisdiction="FR", references=["Order 48213"], desired_outcome="A refund to my card",
        notes="Claire Martin wrote from claire.martin@lumiere.example; my card is 4111 1111 1111 1111.",
    )
    contact = cases.add_contact(store, case_id=case_id, name="Claire Martin", role="Returns",
                                email="claire.martin@lumiere.example", phone="+33 1 42 68 53 00",
                                notes="Call Anna Keller back at +41 22 555 01 02")
    event = cases.log_event(store, case_id=case_id, at="2026-10-02T10:00:00+02:00", kind="letter",
                            direction="to_company", summary="Posted the coat back", meaning="complaint",
                            reference="KF 2281 4409 6GB", contact_id=contact,
                            details="Sent from Rue du Marché 12, 1204 Genève by Anna Keller.")
    files = {
        "label.png": receipt_png(["ROYAL MAIL", "KF 2281 4409 6GB", "ANNA KELLER", "RUE DU MARCHE 12"]),
        "receipt.pdf": simple_pdf("Receipt", ["Anna Keller", "card ending 4417", "4111 1111 1111 1111"]),
        "chat.txt": b"Anna Keller: my email is anna.keller@example.ch\nAgent: noted, Claire Martin\n",
        "shared.png": receipt_png(["SAFE TO SHARE SHELF PRICE 29.99"], scale=4),
    }
    ids = {}
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        ids[name] = cases.attach_evidence(store, case_id=case_id, path=path, event_ids=[event],
                                          description=f"{name} from Anna Keller")
    cases.update_evidence(store, evidence_id=ids["shared.png"], shareable=True)
    # A letter sent: its body holds the sender block, and its PDF becomes evidence.
    draft = letters.draft_letter(store, case_id=case_id, template_id="first_complaint", contact_id=contact)
    letter_id = letters.save_draft(store, case_id=case_id, draft=draft)
    letters.mark_as_sent(store, letter_id=letter_id, via="email", sent_on="2026-10-03")
    return case_id, ids["shared.png"]


def _image_sizes(pdf: Path) -> list[tuple[int, int]]:
    out = subprocess.run(["pdfimages", "-list", str(pdf)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    return [(int(r[3]), int(r[4])) for r in rows if r[2] == "image"]


def test_a_redacted_copy_leaks_nothing_in_text_metadata_bookmarks_or_images(store: Store, tmp_path: Path) -> None:
    case_id, _shared = _case(store, tmp_path)
    plain = tmp_path / "plain.pdf"
    export_case_report(store, case_id=case_id, fmt="pdf", out=plain)
    redacted = tmp_path / "redacted.pdf"
    export_case_report(store, case_id=case_id, fmt="pdf", out=redacted, redact=True, redact_names=["Claire Martin"])

    # The copy that is not redacted does show these (so the checks below can fail).
    plain_text = subprocess.run(["pdftotext", str(plain), "-"], check=True, capture_output=True, text=True).stdout
    assert "Anna Keller" in plain_text and "Rue du Marché 12" in plain_text
    assert len(_image_sizes(plain)) >= 4  # label, receipt page, sent letter page, shared image

    text = subprocess.run(["pdftotext", str(redacted), "-"], check=True, capture_output=True, text=True).stdout
    reader = PdfReader(redacted)
    meta = " ".join(str(v) for v in (reader.metadata or {}).values())
    bookmarks = " ".join(str(item.title) for item in reader.outline if hasattr(item, "title"))
    flat = tmp_path / "flat.pdf"
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", "--stream-data=uncompress", str(redacted), str(flat)],
                   check=True)
    raw = flat.read_bytes()
    for secret in MASKED:
        for where, layer in (("text", text), ("metadata", meta), ("bookmarks", bookmarks)):
            assert secret.lower() not in layer.lower(), (secret, where)
        for encoded in (secret.encode("utf-8"), secret.encode("utf-16-be"), secret.encode("latin-1", "ignore")):
            assert encoded not in raw, (secret, "decompressed bytes")
    assert not reader.attachments

    # Only the item marked safe to share is embedded; the others are named with their hash.
    sizes = _image_sizes(redacted)
    assert sizes, "the shareable image is missing"
    wide = [w / h for w, h in sizes]
    assert all(ratio > 4 for ratio in wide), sizes  # the one-line shelf label, nothing else
    assert text.count("Image withheld in the redacted copy (SHA-256") >= 3
    # Text evidence is printed, masked; the sent letter is text, masked.
    assert "Appendix: text evidence" in text and "[email]" in text
    assert "[address]" in text and "<html" not in text


def test_a_redacted_markdown_copy_masks_letters_notes_and_text_evidence(store: Store, tmp_path: Path) -> None:
    case_id, _ = _case(store, tmp_path)
    out = tmp_path / "redacted.md"
    export_case_report(store, case_id=case_id, fmt="md", out=out, redact=True, redact_names=["Claire Martin"])
    md = out.read_text(encoding="utf-8")
    for secret in MASKED:
        assert secret.lower() not in md.lower(), secret
    assert "Appendix: text evidence" in md and "<html" not in md and "<p>" not in md
