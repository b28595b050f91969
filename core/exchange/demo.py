"""Example cases a new user can load to see Docket at work (``docket demo``, *Load example cases*).

Seven realistic disputes written by us, each with a timeline (every event saying what it
means: a purchase, a direct debit taken, a complaint, a promise...), contacts and evidence files
made by code (one-page PDFs written by hand, PNG till receipts drawn with ``zlib``, text and
CSV). Dates are relative to :func:`core.clock.today` so that something is always due.
Loading twice adds nothing new: a case whose title is already in the store is skipped.
"""

from __future__ import annotations

import struct
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.domain import clock
from core.domain.models import Case
from core.i18n import N_, _
from core.journal import cases
from core.store.store import Store


@dataclass
class _Example:
    """One example case: its fields, contacts, events and evidence files."""

    title: str
    company: str
    company_details: dict[str, Any]
    fields: dict[str, Any]
    contacts: list[dict[str, Any]] = field(default_factory=list)
    # (days before today, hour, utc offset hours, kind, direction, summary, extra fields)
    events: list[tuple[int, int | None, int, str, str, str, dict[str, Any]]] = field(default_factory=list)
    # (file name, bytes, description, index of the event it belongs to or None)
    evidence: list[tuple[str, bytes, str, int | None]] = field(default_factory=list)
    status: str | None = None
    outcome: str | None = None
    recovered: str | None = None


# -- evidence files made by code ----------------------------------------------------------------


def _pdf_text(value: str) -> str:
    # PDF literal strings: escape the three special characters; Helvetica's WinAnsi covers Latin-1.
    value = value.encode("latin-1", "replace").decode("latin-1")
    return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def simple_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF showing ``title`` in bold and ``lines`` below it."""
    ops = ["BT", "/F2 16 Tf", "56 780 Td", f"({_pdf_text(title)}) Tj", "/F1 11 Tf", "0 -30 Td"]
    for line in lines:
        ops += [f"({_pdf_text(line)}) Tj", "0 -16 Td"]
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Title (" + _pdf_text(title).encode("latin-1") + b") /Producer (Docket) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


# A 3x5 pixel font: each glyph is five rows of three bits.
_FONT = {
    "A": "010101111101101", "B": "110101110101110", "C": "011100100100011", "D": "110101101101110",
    "E": "111100110100111", "F": "111100110100100", "G": "011100101101011", "H": "101101111101101",
    "I": "111010010010111", "J": "001001001101010", "K": "101101110101101", "L": "100100100100111",
    "M": "101111111101101", "N": "110101101101101", "O": "010101101101010", "P": "110101110100100",
    "Q": "010101101110011", "R": "110101110101101", "S": "011100010001110", "T": "111010010010010",
    "U": "101101101101111", "V": "101101101101010", "W": "101101111111101", "X": "101101010101101",
    "Y": "101101010010010", "Z": "111001010100111", "0": "111101101101111", "1": "010110010010111",
    "2": "110001010100111", "3": "110001010001110", "4": "101101111001001", "5": "111100110001110",
    "6": "011100111101111", "7": "111001010010010", "8": "111101111101111", "9": "111101111001110",
    ".": "000000000000010", ",": "000000000010100", ":": "000010000010000", "-": "000000111000000",
    "/": "001001010100100", "#": "101111101111101", "$": "011110010011110", "%": "101001010100101",
    "*": "000101010101000", "'": "010010000000000", "(": "010100100100010", ")": "010001001001010",
    "£": "011100110100111", "€": "011100110100011", "@": "010101111100011", " ": "000000000000000",
}


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def receipt_png(lines: list[str], *, scale: int = 3, margin: int = 12) -> bytes:
    """A greyscale PNG of a till receipt printing ``lines`` (upper-cased) on white paper."""
    cell_w, cell_h = 4 * scale, 7 * scale
    width = margin * 2 + cell_w * max(len(line) for line in lines)
    height = margin * 2 + cell_h * len(lines)
    pixels = [bytearray(b"\xff" * width) for _ in range(height)]
    for row, line in enumerate(lines):
        for col, char in enumerate(line.upper()):
            glyph = _FONT.get(char, _FONT["*"])
            for i, bit in enumerate(glyph):
                if bit == "1":
                    gy, gx = divmod(i, 3)
                    for dy in range(scale):
                        y = margin + row * cell_h + gy * scale + dy
                        x0 = margin + col * cell_w + gx * scale
                        pixels[y][x0:x0 + scale] = b"\x30" * scale
    raw = b"".join(b"\x00" + bytes(line) for line in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(raw, 9)) + _png_chunk(b"IEND", b""))


# -- the examples -----------------------------------------------------------------------------
TO, FROM, OWN = "to_company", "from_company", "internal"


def _examples(today: date) -> list[_Example]:
    def day(ago: int) -> str:
        return (today - timedelta(days=ago)).strftime("%d %b %Y")

    return [
        _Example(
            title=N_("Refund for a returned winter coat never paid"),
            company="Maison Lefèvre Paris",
            company_details={"address": "48 rue du Faubourg Saint-Antoine\n75012 Paris\nFrance",
                             "email": "service.client@maison-lefevre.example", "website": "maison-lefevre.example",
                             "kind": "trader"},
            fields={"category": "refund", "currency": "EUR", "amount": "289.00", "jurisdiction": "FR",
                    "purchase": "goods", "payment_method": "credit_card", "payment_date": today - timedelta(days=62),
                    "opened_on": today - timedelta(days=45), "references": ["Order ML-204871", "Return RT-55102"],
                    "desired_outcome": "A refund of EUR 289.00 to my card, as promised on the returns page.",
                    "notes": "Bought online from Geneva. The coat was the wrong size; returned within the 14-day withdrawal period."},
            contacts=[{"name": "Service client", "role": "Customer service", "email": "service.client@maison-lefevre.example"},
                      {"name": "Claire Dubois", "role": "Returns department", "phone": "+33 1 43 00 00 00"}],
            events=[
                (62, 20, 1, "payment", TO, "Paid EUR 289.00 by card for the coat (order ML-204871)", {"reference": "ML-204871", "meaning": "purchase", "amount": "289.00"}),
                (57, None, 0, "delivery", FROM, "Coat delivered to Geneva, size 38 instead of 40", {"meaning": "problem"}),
                (55, 9, 1, "email", TO, "Told the shop I am withdrawing from the purchase and returning the coat",
                 {"meaning": "cancellation", "details": "Asked for the return label and confirmed I want a refund, not a voucher.", "contact": "Service client"}),
                (53, 11, 1, "letter", TO, "Posted the coat back by tracked parcel", {"reference": "RR 4471 0932 5CH"}),
                (47, None, 0, "delivery", TO, "Tracking shows the parcel signed for at the Paris warehouse", {}),
                (40, 15, 1, "promise", FROM, "Returns department promised the refund within 14 days",
                 {"meaning": "promise", "promised_in": -26, "contact": "Claire Dubois",
                  "details": "Claire Dubois confirmed by email that the coat was received in perfect condition."}),
                (20, 10, 1, "email", TO, "Chaser: the refund promised for two weeks ago has not arrived",
                 {"meaning": "complaint", "contact": "Service client"}),
            ],
            evidence=[
                ("order-ML-204871.pdf", simple_pdf("Maison Lefèvre Paris: order confirmation", [
                    "Order ML-204871", f"Date: {day(62)}", "Wool winter coat, navy, size 38      EUR 289.00",
                    "Delivery to Switzerland                   EUR   0.00", "Total charged to card ending 4417  EUR 289.00",
                    "Returns: 14 days from delivery; refunds within 14 days of receipt."]), "Order confirmation", 0),
                ("parcel-receipt.png", receipt_png(["LA POSTE SUISSE", "PRIORITY PARCEL TO FR", "RR 4471 0932 5CH",
                                                    "WEIGHT 1.4 KG", "TOTAL CHF 42.00", day(53)]), "Postage receipt for the return", 3),
                ("refund-promise.txt", (
                    "From: Claire Dubois <retours@maison-lefevre.example>\n"
                    f"Date: {day(40)}\nSubject: Votre retour RT-55102\n\n"
                    "Bonjour,\n\nWe have received your return in perfect condition. Your refund of EUR 289.00 "
                    "will be made to your card within 14 days.\n\nCordialement,\nClaire Dubois, Service retours\n"
                ).encode(), "Email promising the refund", 5),
            ],
            status="awaiting_reply",
        ),
        _Example(
            title=N_("Gym membership cancelled by recorded letter keeps charging"),
            company="FitLife Gyms Ltd",
            company_details={"address": "Unit 4, Riverside Park\nLeeds LS11 5QS", "phone": "0113 496 0000",
                             "email": "members@fitlife.example", "account_numbers": ["Member 100482"], "kind": "club"},
            fields={"category": "subscription", "currency": "GBP", "amount": "104.97", "jurisdiction": "GB-ENG",
                    "purchase": "subscription", "payment_method": "direct_debit", "opened_on": today - timedelta(days=35),
                    "references": ["Member 100482"],
                    "desired_outcome": "Stop the direct debit and refund the three payments taken after cancellation (£104.97).",
                    "notes": "The contract asks for one month's notice in writing. I gave it by recorded delivery."},
            contacts=[{"name": "Membership team", "role": "Members' services", "email": "members@fitlife.example"},
                      {"name": "Jordan", "role": "Customer service agent", "phone": "0113 496 0000"}],
            events=[
                (96, 12, 0, "letter", TO, "Sent notice of cancellation by Royal Mail Signed For", {"reference": "KF 2281 4409 6GB", "meaning": "cancellation"}),
                (94, None, 0, "delivery", TO, "Royal Mail confirms the letter was signed for", {}),
                (66, None, 0, "payment", FROM, "Direct debit of £34.99 taken after the notice ended", {"meaning": "charge", "amount": "34.99"}),
                (36, None, 0, "payment", FROM, "Another £34.99 taken", {"meaning": "charge", "amount": "34.99"}),
                (30, 18, 0, "call", TO, "Called the membership line: they say no letter was received",
                 {"meaning": "complaint", "duration_minutes": 46, "waiting_minutes": 31, "contact": "Jordan",
                  "details": "Read out the Royal Mail tracking number. Jordan said he would pass it on."}),
                (30, 18, 0, "promise", FROM, "Jordan promised to stop the debits and refund within 14 days",
                 {"meaning": "promise", "promised_in": -16, "contact": "Jordan"}),
                (6, None, 0, "payment", FROM, "A third £34.99 taken", {"meaning": "charge", "amount": "34.99"}),
                (4, 9, 0, "email", TO, "Formal complaint with the proof of delivery attached",
                 {"meaning": "formal_complaint", "contact": "Membership team"}),
            ],
            evidence=[
                ("cancellation-letter.txt", (
                    "Membership team, FitLife Gyms Ltd\nUnit 4, Riverside Park, Leeds LS11 5QS\n\n"
                    f"{day(96)}\n\nMembership 100482: notice of cancellation\n\n"
                    "I give one month's notice to cancel my membership, as clause 9 of the terms requires. "
                    "Please take no payments after the notice period ends.\n\nYours faithfully,\n"
                ).encode(), "The cancellation letter as sent", 0),
                ("proof-of-posting.png", receipt_png(["ROYAL MAIL", "SIGNED FOR 1ST CLASS", "KF 2281 4409 6GB",
                                                      "TO LS11 5QS", "£2.90", day(96)]), "Proof of posting", 0),
                ("bank-statement.csv", (
                    "date,description,amount\n"
                    + "".join(f"{(today - timedelta(days=d)).isoformat()},FITLIFE GYMS DD 100482,-34.99\n" for d in (66, 36, 6))
                ).encode(), "Bank statement lines for the three debits", 2),
            ],
        ),
        _Example(
            title=N_("Free trial that cannot be cancelled"),
            company="StreamNest Inc.",
            company_details={"address": "600 Harbor Blvd, Suite 300\nSan Diego, CA 92101", "email": "help@streamnest.example",
                             "website": "streamnest.example", "kind": "trader"},
            fields={"category": "subscription", "currency": "USD", "amount": "39.98", "jurisdiction": "US-CA",
                    "purchase": "subscription", "payment_method": "credit_card", "opened_on": today - timedelta(days=19),
                    "references": ["Account s.morgan.84"],
                    "desired_outcome": "Cancel the subscription and refund both monthly charges ($39.98)."},
            contacts=[{"name": "Help centre chat", "role": "Support chat"}],
            events=[
                (52, 21, -8, "web_form", TO, "Signed up for the 7-day free trial", {"meaning": "purchase"}),
                (45, 19, -8, "web_form", TO, "Tried to cancel: the Cancel button only leads to an offers page", {"meaning": "cancellation"}),
                (44, None, 0, "payment", FROM, "Charged $19.99 for the first month", {"meaning": "charge", "amount": "19.99"}),
                (19, 20, -8, "chat", TO, "Support chat: agent said cancellation is only possible by phone",
                 {"meaning": "cancellation", "duration_minutes": 28, "waiting_minutes": 12, "contact": "Help centre chat"}),
                (18, 9, -8, "email", TO, "Emailed written notice to cancel and a refund request", {"meaning": "complaint"}),
                (12, 14, -8, "response", FROM, "Generic reply pointing to the help page", {"meaning": "reply"}),
                (14, None, 0, "payment", FROM, "Charged $19.99 again", {"meaning": "charge", "amount": "19.99"}),
            ],
            evidence=[
                ("account-page.png", receipt_png(["STREAMNEST ACCOUNT", "PLAN: PREMIUM", "NEXT BILL $19.99",
                                                  "CANCEL: NOT AVAILABLE", "CALL 1-800 (9AM-5PM)"]), "The account page with no way to cancel", 1),
                ("chat-transcript.txt", (
                    f"StreamNest support chat, {day(19)}\n\nMe: I want to cancel my subscription.\n"
                    "Agent: I understand. For security, cancellations are handled by phone only.\n"
                    "Me: The phone line is closed whenever I call.\nAgent: Is there anything else I can help with?\n"
                ).encode(), "Chat transcript", 3),
            ],
        ),
        _Example(
            title=N_("Paid course download never delivered; PayPal dispute opened"),
            company="PixelPath Academy",
            company_details={"email": "support@pixelpath.example", "website": "pixelpath.example", "kind": "trader"},
            fields={"category": "non_delivery", "currency": "GBP", "amount": "149.00", "jurisdiction": "GB-ENG",
                    "purchase": "digital", "payment_method": "paypal", "payment_date": today - timedelta(days=75),
                    "opened_on": today - timedelta(days=70), "references": ["Invoice PPA-3391", "PayPal 9KX73412ML205"],
                    "desired_outcome": "The course files, or a full refund."},
            contacts=[{"name": "PixelPath support", "role": "Support desk", "email": "support@pixelpath.example"},
                      {"name": "PayPal Resolution Centre", "organisation": "PayPal"}],
            events=[
                (75, 13, 0, "payment", TO, "Paid £149.00 by PayPal for the illustration course", {"reference": "9KX73412ML205", "meaning": "purchase", "amount": "149.00"}),
                (73, 10, 0, "email", TO, "The download link in the receipt gives an error", {"contact": "PixelPath support", "meaning": "complaint"}),
                (71, 16, 0, "promise", FROM, "Support promised a working link within 48 hours",
                 {"meaning": "promise", "promised_in": -69, "contact": "PixelPath support"}),
                (60, 11, 0, "email", TO, "Chaser: still no link after eleven days", {"contact": "PixelPath support", "meaning": "complaint"}),
                (50, 20, 0, "web_form", TO, "Opened a PayPal dispute for an item not received",
                 {"meaning": "formal_complaint", "reference": "PP-D-40417", "contact": "PayPal Resolution Centre"}),
                (31, None, 0, "response", FROM, "PayPal decided the dispute in my favour and refunded £149.00",
                 {"meaning": "refund", "amount": "149.00", "contact": "PayPal Resolution Centre"}),
            ],
            evidence=[
                ("paypal-receipt.pdf", simple_pdf("PayPal receipt", [
                    f"Date: {day(75)}", "Paid to: PixelPath Academy", "Transaction ID: 9KX73412ML205",
                    "Item: Illustration for beginners (download)", "Amount: GBP 149.00"]), "PayPal receipt", 0),
                ("dispute-opened.txt", (
                    f"PayPal Resolution Centre\nCase PP-D-40417 opened on {day(50)}\nReason: item not received\n"
                    "Amount: GBP 149.00\nThe seller has 10 days to respond.\n").encode(), "Dispute confirmation", 4),
            ],
            status="resolved", outcome="won", recovered="149.00",
        ),
        _Example(
            title=N_("Optician lost the lenses of my glasses during a warranty repair"),
            company="ClearSight Opticians",
            company_details={"address": "12 High Street\nReading RG1 2AB", "phone": "0118 496 0123", "kind": "trader"},
            fields={"category": "warranty", "currency": "GBP", "amount": "245.00", "jurisdiction": "GB-ENG",
                    "purchase": "services", "payment_method": "debit_card", "opened_on": today - timedelta(days=31), "references": ["Job 7719"],
                    "desired_outcome": "New lenses to the same prescription at no cost, or £245.00.",
                    "impact": "Without my reading glasses I cannot work at a screen for long."},
            contacts=[{"name": "Priya Shah", "role": "Store manager", "phone": "0118 496 0123"},
                      {"name": "Front desk", "role": "Reception"}],
            events=[
                (31, 10, 1, "visit", TO, "Handed in my glasses for a frame repair under the two-year warranty",
                 {"duration_minutes": 55, "waiting_minutes": 40, "contact": "Front desk",
                  "details": "Waited 40 minutes to be seen although I had an appointment."}),
                (31, 11, 1, "promise", FROM, "Front desk promised the glasses back within 10 working days",
                 {"meaning": "promise", "promised_in": -17, "contact": "Front desk"}),
                (15, 16, 1, "call", FROM, "Shop called: the frame is fixed but the lenses were lost",
                 {"meaning": "problem", "duration_minutes": 12, "details": "They offered new lenses at half price."}),
                (8, 14, 1, "visit", TO, "Went in to complain; manager not available after a 40-minute wait",
                 {"meaning": "complaint", "duration_minutes": 50, "waiting_minutes": 40}),
                (3, 9, 1, "letter", TO, "Formal complaint to the store manager asking for lenses at no cost",
                 {"meaning": "formal_complaint", "contact": "Priya Shah"}),
            ],
            evidence=[
                ("repair-ticket.png", receipt_png(["CLEARSIGHT OPTICIANS", "REPAIR JOB 7719", "FRAME HINGE - WARRANTY",
                                                   "LENSES: CUSTOMER OWN", "READY IN 10 DAYS", day(31)]), "Repair ticket", 0),
                ("warranty-card.pdf", simple_pdf("ClearSight Opticians: warranty card", [
                    "Frames and lenses are guaranteed for two years from purchase.",
                    "Lenses: single vision, anti-reflective coating, GBP 245.00",
                    "Job 7719"]), "Warranty card", None),
            ],
            status="escalated",
        ),
        _Example(
            title=N_("Manager refused to correct a $20 overcharge"),
            company="Corner Hardware Co.",
            company_details={"address": "2150 Elm Street\nColumbus, OH 43215", "phone": "(614) 555-0142",
                             "kind": "trader"},
            fields={"category": "billing_error", "currency": "USD", "amount": "20.00", "jurisdiction": "US-OH",
                    "purchase": "goods", "payment_method": "credit_card", "card_scheme": "visa", "payment_date": today - timedelta(days=13),
                    "opened_on": today - timedelta(days=11), "references": ["Receipt 0419-2231"],
                    "desired_outcome": "A $20.00 credit to my card for the price charged above the shelf price."},
            contacts=[{"name": "Dave Miller", "role": "Store manager", "phone": "(614) 555-0142"}],
            events=[
                (13, 17, -5, "payment", TO, "Paid $52.98 by card; the shelf price of the drill was $20 lower", {"meaning": "purchase", "amount": "52.98"}),
                (11, 10, -5, "call", TO, "Called the store: the manager refused to correct the $20 overcharge",
                 {"meaning": "complaint", "duration_minutes": 22, "waiting_minutes": 9, "contact": "Dave Miller",
                  "details": "He said the shelf label was 'old' and that sale prices are not honoured after purchase."}),
                (9, 8, -5, "letter", TO, "Wrote to the store with a photo of the shelf label", {"contact": "Dave Miller", "meaning": "formal_complaint"}),
            ],
            evidence=[
                ("receipt.png", receipt_png(["CORNER HARDWARE CO.", "CORDLESS DRILL  $49.99", "TAX             $2.99",
                                             "TOTAL           $52.98", "VISA ****4417", day(13)]), "Till receipt", 0),
                ("shelf-label.png", receipt_png(["CORDLESS DRILL", "SALE $29.99", "WAS $49.99"], scale=5), "Shelf label", 0),
            ],
        ),
        _Example(
            title=N_("Pottery course transfer refused: 'all payments are final'"),
            company="Clay & Kiln Studio",
            company_details={"address": "88 Queen Street West\nToronto, ON M5H 2M9", "email": "hello@claykiln.example",
                             "kind": "trader"},
            fields={"category": "service", "currency": "CAD", "amount": "320.00", "jurisdiction": "CA-ON",
                    "purchase": "services", "payment_method": "credit_card", "payment_date": today - timedelta(days=70),
                    "opened_on": today - timedelta(days=22), "references": ["Booking CK-1187"],
                    "desired_outcome": "Move my place to the next course, or a refund of CAD 320.00."},
            contacts=[{"name": "Studio office", "email": "hello@claykiln.example"}],
            events=[
                (70, 19, -5, "payment", TO, "Booked and paid the eight-week wheel-throwing course", {"reference": "CK-1187", "meaning": "purchase", "amount": "320.00"}),
                (22, 9, -5, "email", TO, "Asked to move to the next course after surgery was scheduled",
                 {"meaning": "complaint", "contact": "Studio office", "details": "Attached the hospital letter with the surgery date."}),
                (20, 15, -5, "response", FROM, "Studio refused: 'all payments are final'", {"contact": "Studio office", "meaning": "refusal"}),
                (17, 11, -5, "email", TO, "Replied asking them to reconsider and offering to pay a transfer fee",
                 {"meaning": "complaint", "contact": "Studio office"}),
            ],
            evidence=[
                ("booking-confirmation.pdf", simple_pdf("Clay & Kiln Studio: booking confirmation", [
                    "Booking CK-1187", "Wheel throwing, eight Tuesdays from 7 pm", "Paid: CAD 320.00",
                    "All payments are final."]), "Booking confirmation", 0),
            ],
        ),
    ]


def _event_time(today: date, ago: int, hour: int | None, offset: int) -> date | datetime:
    day = today - timedelta(days=ago)
    if hour is None:
        return day
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=timezone(timedelta(hours=offset)))


def _load_one(session: Session, example: _Example, today: date, folder: Path) -> int:
    company_id = cases.find_or_create_company(session, name=example.company, **example.company_details)
    # The title in the user's language; the story itself stays English (see docs/translating.md).
    case_id = cases.open_case(session, title=_(example.title), company_id=company_id, **example.fields)
    contact_ids = {c["name"]: cases.add_contact(session, case_id=case_id, **c) for c in example.contacts}
    event_ids = []
    for ago, hour, offset, kind, direction, summary, extra in example.events:
        extra = dict(extra)
        if "contact" in extra:
            extra["contact_id"] = contact_ids[extra.pop("contact")]
        if "promised_in" in extra:
            extra["promised_by"] = today + timedelta(days=extra.pop("promised_in"))
        event_ids.append(cases.log_event(
            session, case_id=case_id, at=_event_time(today, ago, hour, offset), kind=kind,
            direction=direction, summary=summary, **extra,
        ))
    for name, content, description, event_index in example.evidence:
        path = folder / name
        path.write_bytes(content)
        linked = [event_ids[event_index]] if event_index is not None else []
        cases.attach_evidence(session, case_id=case_id, path=path, description=description, event_ids=linked)
    if example.status:
        cases.change_status(session, case_id=case_id, status=example.status, outcome=example.outcome,
                            recovered=example.recovered)
    return case_id


EXAMPLE_COUNT = 7


def load_examples(store: Store, *, progress: Callable[[int, int], Any] | None = None) -> list[int]:
    """Add the example cases to the store, each in its own transaction. Returns the new ids.

    Cases whose title is already in the store (in English or in the current language) are
    skipped, so loading twice adds nothing.
    Companies are shared with existing ones of the same name (their blank details are filled).
    """
    today = clock.today()
    examples = _examples(today)
    with store.read() as session:
        titles = {title for e in examples for title in (e.title, _(e.title))}
        existing = set(session.scalars(select(Case.title).where(Case.title.in_(titles))))
    added: list[int] = []
    with tempfile.TemporaryDirectory(prefix="docket-examples-") as tmp:
        for number, example in enumerate(examples, start=1):
            if example.title not in existing and _(example.title) not in existing:
                with store.write() as session:
                    added.append(_load_one(session, example, today, Path(tmp)))
            if progress is not None:
                progress(number, len(examples))
    return added
