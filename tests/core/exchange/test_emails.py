"""Saved emails become timeline events with their evidence: real messages built with the
``email`` package, written to real files, imported into a real store."""

from __future__ import annotations

import hashlib
import mailbox
import os
import struct
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core.cli.main import main
from core.domain.errors import DocketError, ValidationError
from core.domain.models import Contact, Event, Evidence
from core.exchange import emails as email_import
from core.exchange.emails import import_emails, parse_messages, read_outlook
from core.journal import cases, queries, settings
from core.store.files import Cancelled
from core.store.store import Store

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def message(*, subject: str = "Your refund", sender: str = "Acme Support <support@acme.example>",
            to: str = "Pat Doe <pat@home.example>", date: str | None = "Tue, 05 Mar 2024 09:15:00 +0200",
            body: str = "We will refund you within 14 days.", charset: str = "utf-8",
            cte: str | None = None, message_id: str | None = "<r1@acme.example>") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    if date is not None:
        msg["Date"] = date
    if message_id is not None:
        msg["Message-ID"] = message_id
    msg.set_content(body, charset=charset, cte=cte)
    return msg


def save(tmp_path: Path, name: str, msg: EmailMessage | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(msg if isinstance(msg, bytes) else msg.as_bytes(policy=policy.SMTP))
    return path


@pytest.fixture
def case_id(store: Store) -> int:
    settings.update(store, your_email="pat@home.example")
    return cases.open_case(store, title="Refund never paid", company="Acme")


def stored_bytes(store: Store, sha: str) -> bytes:
    with store.evidence.open(sha) as fh:
        return fh.read()


def evidence_files(store: Store) -> set[str]:
    return set(store.evidence.all_hashes())


# -- one email ------------------------------------------------------------------------------
def test_an_email_from_the_company_becomes_an_event_with_the_original_kept(store, case_id, tmp_path):
    path = save(tmp_path, "refund.eml", message(body="Dear Pat,\nwe will refund you — soon.", cte="quoted-printable"))
    original = path.read_bytes()

    items = parse_messages([path])
    result = import_emails(store, case_id=case_id, items=items)

    case = queries.load_case(store, case_id)
    (event,) = case.events
    assert result.event_ids == [event.id]
    assert event.kind == "email"
    assert event.at == "2024-03-05T09:15:00+02:00"
    assert event.direction == "from_company"
    assert event.summary == "Your refund"
    assert "we will refund you — soon." in event.details
    assert event.reference == "Message-ID: <r1@acme.example>"
    assert event.contact is not None and event.contact.name == "Acme Support"
    assert event.contact.email == "support@acme.example"
    (kept,) = event.evidence
    assert kept.original_name == "refund.eml"
    assert kept.media_type == "message/rfc822"
    assert stored_bytes(store, kept.sha256) == original
    assert path.read_bytes() == original  # the user's file is untouched


def test_an_email_i_sent_goes_to_the_company_and_matches_an_existing_contact(store, case_id, tmp_path):
    contact_id = cases.add_contact(store, case_id=case_id, name="Complaints team", email="Complaints@Acme.example")
    path = save(tmp_path, "sent.eml", message(subject="Formal complaint", sender="Pat Doe <PAT@home.example>",
                                              to="Acme Complaints <complaints@acme.example>"))

    import_emails(store, case_id=case_id, items=parse_messages([path]))

    (event,) = queries.load_case(store, case_id).events
    assert event.direction == "to_company"
    assert event.contact_id == contact_id
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 1  # no new contact


@pytest.mark.parametrize(("charset", "cte", "text"), [
    ("utf-8", "base64", "Remboursement refusé : 120 €, merci."),
    ("iso-8859-1", "quoted-printable", "Réclamation reçue, numéro 4411. Grüße"),
    ("windows-1252", "quoted-printable", "We’ll credit €49.99 – “soon”."),
    ("shift_jis", "base64", "返金は14日以内に行います。"),
])
def test_bodies_in_common_character_sets_read_as_written(tmp_path, charset, cte, text):
    path = save(tmp_path, f"{charset}.eml", message(body=text, charset=charset, cte=cte,
                                                     subject=f"Re: {text[:10]}"))
    (item,) = parse_messages([path])
    assert text in item.body
    assert item.subject == f"Re: {text[:10]}"
    assert not [n for n in item.notes if "character" in n]


def test_a_bad_charset_label_still_gives_the_text_and_says_so(tmp_path):
    raw = (b"From: Acme <support@acme.example>\r\nTo: pat@home.example\r\n"
           b"Subject: =?x-klingon?q?Caf=E9?=\r\nDate: Wed, 06 Mar 2024 10:00:00 +0000\r\n"
           b"Content-Type: text/plain; charset=\"x-klingon\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
           b"Your refund of 50 \xe2\x82\xac is on its way. Caf\xe9\r\n")
    (item,) = parse_messages([save(tmp_path, "klingon.eml", raw)])
    assert "Your refund of 50 € is on its way. Café" in item.body
    assert any("x-klingon" in n and "unknown" in n for n in item.notes)
    assert item.at == "2024-03-06T10:00:00+00:00"


def test_invalid_bytes_in_a_declared_charset_are_replaced_and_noted(tmp_path):
    raw = (b"From: support@acme.example\r\nSubject: broken\r\nDate: Wed, 06 Mar 2024 10:00:00 +0000\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
           b"ok then \xff\xfe bad bytes\r\n")
    (item,) = parse_messages([save(tmp_path, "bad.eml", raw)])
    assert "ok then" in item.body and "bad bytes" in item.body
    assert any("not valid utf-8" in n for n in item.notes)


def test_missing_and_malformed_dates_fall_back_to_the_file_date_with_a_note(tmp_path):
    missing = save(tmp_path, "nodate.eml", message(date=None, message_id="<a@x>"))
    # the email package refuses to write a bad date, so the raw header is put in by hand
    raw = message(date=None, message_id="<b@x>").as_bytes(policy=policy.SMTP)
    garbled = save(tmp_path, "garbled.eml", b"Date: the 32nd of Smarch\r\n" + raw)
    stamp = datetime(2023, 11, 20, 12, 0).timestamp()
    for p in (missing, garbled):
        os.utime(p, (stamp, stamp))

    items = {i.source.name: i for i in parse_messages([missing, garbled])}

    for item in items.values():
        assert item.at == "2023-11-20"
        assert not item.date_known
        assert any("modification date (2023-11-20)" in n for n in item.notes)
    assert any("no Date header" in n for n in items["nodate.eml"].notes)
    # the user sets the right date in the preview: the guess and its note go
    items["nodate.eml"].set_date("2023-11-18T16:05:00+00:00")
    assert items["nodate.eml"].date_known
    assert not any("modification date" in n for n in items["nodate.eml"].notes)
    with pytest.raises(ValidationError, match="nodate.eml.date"):
        items["nodate.eml"].set_date("18/11/2023")
    assert any("the 32nd of Smarch" in n for n in items["garbled.eml"].notes)


def test_impossible_dates_are_flagged_not_trusted(tmp_path):
    raw = message(date=None).as_bytes(policy=policy.SMTP)
    overflow = save(tmp_path, "overflow.eml", b"Date: Fri, 31 Dec 9999 23:59:59 -0100\r\n" + raw)
    epoch = save(tmp_path, "epoch.eml", b"Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n" + raw)
    items = {i.source.name: i for i in parse_messages([overflow, epoch])}
    assert any("out of range" in n for n in items["overflow.eml"].notes)
    assert not items["overflow.eml"].date_known
    assert items["epoch.eml"].at == "1970-01-01T00:00:00+00:00"
    assert any("1970-01-01, which looks wrong" in n for n in items["epoch.eml"].notes)


def test_html_only_mail_becomes_text_without_scripts_and_remote_images_are_not_fetched(tmp_path):
    msg = message(body="x")
    msg.set_content(
        "<html><head><style>p{color:red}</style><script>alert('x')</script></head><body>"
        "<p>Your claim was <b>rejected</b>.</p><img src='https://tracker.example/open.gif' alt=''>"
        "<p>Appeal <a href='https://acme.example/appeal'>here</a>.</p></body></html>",
        subtype="html",
    )
    (item,) = parse_messages([save(tmp_path, "html.eml", msg)])
    assert "Your claim was rejected." in item.body
    assert "here (https://acme.example/appeal)" in item.body
    assert "alert" not in item.body and "color" not in item.body
    assert any("1 remote image; it was not fetched" in n for n in item.notes)


def test_an_empty_plain_alternative_gives_way_to_the_html_text(tmp_path):
    msg = message(body="\n")
    msg.add_alternative("<p>Your complaint reference is <b>C-2291</b>.</p>", subtype="html")
    (item,) = parse_messages([save(tmp_path, "empty-plain.eml", msg)])
    assert item.body == "Your complaint reference is C-2291."
    assert not any("no readable text" in n for n in item.notes)


def test_a_message_with_no_text_at_all_says_so(tmp_path):
    msg = message(body="x")
    msg.clear_content()
    msg.set_content(PDF, maintype="application", subtype="pdf", filename="scan.pdf")
    (item,) = parse_messages([save(tmp_path, "scan-only.eml", msg)])
    assert item.body == ""
    assert [a.name for a in item.attachments] == ["scan.pdf"]
    assert any("no readable text" in n for n in item.notes)


def nested_message() -> EmailMessage:
    """mixed( related( alternative(plain, html), inline png ), pdf with a path, forwarded msg )"""
    msg = message(subject="Photos of the damage", body="See the photo below.")
    msg.add_alternative("<p>See the photo below.</p><img src='cid:photo1'>", subtype="html")
    html_part = msg.get_payload()[1]
    html_part.add_related(PNG, maintype="image", subtype="png", cid="<photo1>")
    msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="C:\\Users\\pat\\..\\invoice 42.pdf")
    forwarded = message(subject="Order confirmation", sender="orders@acme.example",
                        message_id="<order@acme.example>", body="Order 42 confirmed.")
    msg.add_attachment(forwarded)
    return msg


def test_nested_parts_inline_images_forwarded_messages_and_attachment_paths(store, case_id, tmp_path):
    path = save(tmp_path, "damage.eml", nested_message())

    (item,) = parse_messages([path])
    names = [a.name for a in item.attachments]
    assert names == ["inline-1.png", "invoice 42.pdf", "Order confirmation.eml"]
    assert item.attachments[0].inline
    assert "See the photo below." in item.body
    assert "[Forwarded message attached: Order confirmation from orders@acme.example]" in item.body
    assert any("folders" in n and "invoice 42.pdf" in n for n in item.notes)

    import_emails(store, case_id=case_id, items=[item])

    (event,) = queries.load_case(store, case_id).events
    kept = {e.original_name: e for e in event.evidence}
    assert set(kept) == {"damage.eml", "inline-1.png", "invoice 42.pdf", "Order confirmation.eml"}
    assert stored_bytes(store, kept["invoice 42.pdf"].sha256) == PDF
    assert stored_bytes(store, kept["inline-1.png"].sha256) == PNG
    assert kept["invoice 42.pdf"].media_type == "application/pdf"
    assert b"Order 42 confirmed." in stored_bytes(store, kept["Order confirmation.eml"].sha256)
    assert "Notes from the import:" in event.details


def test_a_huge_attachment_stays_inside_the_kept_original(store, case_id, tmp_path, monkeypatch):
    monkeypatch.setattr(email_import, "MAX_ATTACHMENT_BYTES", 1000)
    msg = message()
    msg.add_attachment(b"\x00" * 5000, maintype="application", subtype="octet-stream", filename="disk.img")
    msg.add_attachment(b"small", maintype="text", subtype="plain", filename="note.txt")
    path = save(tmp_path, "big.eml", msg)

    (item,) = parse_messages([path])
    assert [a.stored for a in item.attachments] == [False, True]
    result = import_emails(store, case_id=case_id, items=[item])

    (event,) = queries.load_case(store, case_id).events
    assert sorted(e.original_name for e in event.evidence) == ["big.eml", "note.txt"]
    assert any("disk.img" in n and "larger than the limit" in n for n in result.notes)


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(noise=st.binary(max_size=2000), at=st.integers(min_value=0, max_value=3000))
def test_damaged_mail_still_gives_an_event_and_is_kept_whole(store, case_id, tmp_path, noise, at):
    raw = nested_message().as_bytes(policy=policy.SMTP)
    path = tmp_path / "damaged.eml"
    path.write_bytes(raw[:at] + noise + raw[at:])

    (item,) = parse_messages([path])
    result = import_emails(store, case_id=case_id, items=[item])

    if result.event_ids:
        event = next(e for e in queries.load_case(store, case_id).events if e.id == result.event_ids[0])
        assert event.summary
        assert stored_bytes(store, event.evidence[0].sha256) == path.read_bytes()
    else:  # the Message-ID survived the damage, or the same bytes came twice: already there
        assert result.skipped_duplicates == [item]


def test_a_message_too_large_to_read_is_kept_as_evidence_only(store, case_id, tmp_path, monkeypatch):
    monkeypatch.setattr(email_import, "MAX_MESSAGE_BYTES", 500)
    path = save(tmp_path, "huge.eml", message(body="x" * 2000))
    (item,) = parse_messages([path])
    assert not item.readable and item.subject == ""
    assert any("too large to read" in n for n in item.notes)
    import_emails(store, case_id=case_id, items=[item])
    (event,) = queries.load_case(store, case_id).events
    assert event.summary == "Email: huge.eml (no subject)"
    assert stored_bytes(store, event.evidence[0].sha256) == path.read_bytes()


# -- several, mbox, duplicates -----------------------------------------------------------------
def write_mbox(path: Path, messages: list[EmailMessage]) -> list[bytes]:
    box = mailbox.mbox(path)
    for m in messages:
        box.add(m)
    box.flush()
    raws = [box.get_bytes(k) for k in box.iterkeys()]
    box.close()
    return raws


def three_messages() -> list[EmailMessage]:
    return [
        message(subject="Second reply", date="Fri, 08 Mar 2024 16:00:00 -0500", message_id="<m2@acme.example>"),
        message(subject="First complaint", sender="pat@home.example", to="support@acme.example",
                date="Mon, 04 Mar 2024 08:00:00 +0000", message_id="<m1@home.example>"),
        message(subject="Final answer", date="Tue, 12 Mar 2024 11:30:00 +0100", message_id="<m3@acme.example>"),
    ]


def test_an_mbox_of_three_becomes_three_events_in_date_order(store, case_id, tmp_path):
    path = tmp_path / "acme.mbox"
    raws = write_mbox(path, three_messages())

    items = parse_messages([path])
    assert [i.subject for i in items] == ["First complaint", "Second reply", "Final answer"]
    import_emails(store, case_id=case_id, items=items)

    events = queries.load_case(store, case_id).events
    assert [e.summary for e in events] == ["First complaint", "Second reply", "Final answer"]
    assert [e.direction for e in events] == ["to_company", "from_company", "from_company"]
    assert events[1].at == "2024-03-08T16:00:00-05:00"
    # the first message gives the company's address alone; a later one gives its name
    assert {e.contact.name for e in events} == {"Acme Support"}
    assert len(queries.list_contacts(store, case_id)) == 1
    # each message's own bytes are kept as its own .eml
    assert stored_bytes(store, events[0].evidence[0].sha256) == raws[1]
    assert events[0].evidence[0].original_name == "acme message 2.eml"


def test_the_same_messages_dropped_twice_are_not_duplicated(store, case_id, tmp_path):
    path = tmp_path / "acme.mbox"
    write_mbox(path, three_messages())
    import_emails(store, case_id=case_id, items=parse_messages([path]))
    # the same message saved again separately: other bytes, same Message-ID
    again = save(tmp_path, "again.eml", three_messages()[0])
    # a message without a Message-ID, dropped twice: same bytes
    plain = save(tmp_path, "plain.eml", message(message_id=None, subject="No id"))
    first = import_emails(store, case_id=case_id, items=parse_messages([plain]))
    assert len(first.event_ids) == 1
    assert email_import.already_imported(store, case_id=case_id, items=parse_messages([again, plain])) == [True, True]

    result = import_emails(store, case_id=case_id, items=parse_messages([path, again, plain]))

    assert result.event_ids == []
    assert len(result.skipped_duplicates) == 5
    assert len(queries.load_case(store, case_id).events) == 4


def test_the_preview_suggests_direction_and_contact_and_says_what_the_case_has(store, case_id, tmp_path):
    contact_id = cases.add_contact(store, case_id=case_id, name="Support", email="support@acme.example")
    had = save(tmp_path, "had.eml", message(message_id="<had@acme.example>"))
    import_emails(store, case_id=case_id, items=parse_messages([had]))
    sent = save(tmp_path, "sent.eml", message(subject="Formal complaint", sender="Pat Doe <pat@home.example>",
                                              to="Acme Support <support@acme.example>", message_id="<new@home.example>",
                                              date="Wed, 06 Mar 2024 10:00:00 +0000"))
    before = snapshot(store)

    preview = email_import.preview_emails(store, case_id=case_id, paths=[had, sent])

    assert [i.summary for i in preview.items] == ["Your refund", "Formal complaint"]
    assert preview.already_imported == [True, False]
    assert [(i.direction, i.contact_id) for i in preview.items] == [("from_company", contact_id), ("to_company", contact_id)]
    assert preview.own_addresses == {"pat@home.example"}
    assert snapshot(store) == before  # reading a preview changes nothing


def test_a_message_twice_in_one_batch_is_added_once(store, case_id, tmp_path):
    a = save(tmp_path, "a.eml", message())
    b = save(tmp_path, "b.eml", message())
    result = import_emails(store, case_id=case_id, items=parse_messages([a, b]))
    assert len(result.event_ids) == 1 and len(result.skipped_duplicates) == 1


# -- nothing half done --------------------------------------------------------------------------
def snapshot(store: Store) -> tuple[int, int, int, set[str]]:
    with store.read() as session:
        counts = tuple(session.scalar(select(func.count()).select_from(t)) for t in (Event, Evidence, Contact))
    return (*counts, evidence_files(store))


def test_a_bad_edit_in_the_second_message_leaves_the_store_as_it_was(store, case_id, tmp_path):
    good = save(tmp_path, "good.eml", nested_message())
    bad = save(tmp_path, "bad.eml", message(subject="Later", date="Sat, 01 Jun 2024 10:00:00 +0000",
                                            message_id="<later@x>"))
    items = parse_messages([good, bad])
    items[1].summary = "   "
    before = snapshot(store)

    with pytest.raises(ValidationError) as err:
        import_emails(store, case_id=case_id, items=items)

    assert "bad.eml" in str(err.value) and "summary" in str(err.value)
    assert snapshot(store) == before


def test_cancelling_adds_nothing(store, case_id, tmp_path):
    path = tmp_path / "acme.mbox"
    write_mbox(path, three_messages())
    before = snapshot(store)
    with pytest.raises(Cancelled):
        import_emails(store, case_id=case_id, items=parse_messages([path]), progress=lambda done, total: done < 2)
    assert snapshot(store) == before


def test_reading_reports_progress_and_can_be_cancelled(tmp_path):
    path = tmp_path / "acme.mbox"
    write_mbox(path, three_messages())
    seen: list[tuple[int, int]] = []
    parse_messages([path], progress=lambda done, total: seen.append((done, total)))
    size = path.stat().st_size
    assert len(seen) == 3 and {total for _, total in seen} == {size}
    done = [d for d, _ in seen]
    assert done == sorted(set(done)) and 0 < done[-1] <= size
    with pytest.raises(Cancelled):
        parse_messages([path], progress=lambda done, total: False)


def test_a_file_changed_after_the_preview_stops_the_import(store, case_id, tmp_path):
    path = save(tmp_path, "refund.eml", message())
    items = parse_messages([path])
    path.write_bytes(path.read_bytes() + b"tampered\r\n")
    with pytest.raises(DocketError, match="changed since it was read"):
        import_emails(store, case_id=case_id, items=items)
    assert queries.load_case(store, case_id).events == []


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ValidationError, match="nowhere.eml: no such file"):
        parse_messages([tmp_path / "nowhere.eml"])


def test_garbage_that_is_not_mail_still_gets_an_event_and_is_kept(store, case_id, tmp_path):
    junk = save(tmp_path, "junk.msg", os.urandom(3000))
    (item,) = parse_messages([junk])
    assert not item.readable
    assert any("could not be read as an Outlook message" in n for n in item.notes)
    import_emails(store, case_id=case_id, items=[item])
    (event,) = queries.load_case(store, case_id).events
    assert event.summary == "Email: junk.msg (no subject)"
    assert stored_bytes(store, event.evidence[0].sha256) == junk.read_bytes()


# -- a real Outlook .msg, written byte by byte (no library writes them) ------------------------
ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def compound_file(tree: dict) -> bytes:
    """An OLE compound file (version 3) holding ``tree``: name -> bytes (a stream) or a dict
    (a storage). Each storage's children form a sorted chain of right siblings."""
    names, kinds, datas, child, right = [], [], [], [], []

    def add(name, node):
        i = len(names)
        names.append(name)
        kinds.append(1 if isinstance(node, dict) else 2)
        datas.append(b"" if isinstance(node, dict) else bytes(node))
        child.append(NOSTREAM)
        right.append(NOSTREAM)
        if isinstance(node, dict):
            kids = sorted((add(k, v) for k, v in node.items()), key=lambda j: (len(names[j]), names[j].upper()))
            if kids:
                child[i] = kids[0]
            for a, b in zip(kids, kids[1:], strict=False):
                right[a] = b
        return i

    add("Root Entry", tree)
    kinds[0] = 5
    mini, minifat, starts = bytearray(), [], {}
    big = [i for i in range(len(names)) if kinds[i] == 2 and len(datas[i]) >= 4096]
    for i in range(len(names)):
        if kinds[i] == 2 and 0 < len(datas[i]) < 4096:
            first, n = len(mini) // 64, (len(datas[i]) + 63) // 64
            minifat += [first + k + 1 for k in range(n - 1)] + [ENDOFCHAIN]
            mini += datas[i].ljust(n * 64, b"\0")
            starts[i] = first
    sectors = lambda size: (size + 511) // 512  # noqa: E731
    runs = [("dir", sectors(len(names) * 128)), ("minifat", sectors(len(minifat) * 4)), ("mini", sectors(len(mini)))]
    runs += [(i, sectors(len(datas[i]))) for i in big]
    used = sum(n for _, n in runs)
    fat_n = 1
    while used + fat_n > fat_n * 128:
        fat_n += 1
    runs.append(("fat", fat_n))
    at, fat = {}, [FREESECT] * (fat_n * 128)
    pos = 0
    for key, n in runs:
        at[key] = pos if n else ENDOFCHAIN
        for k in range(n):
            fat[pos + k] = FATSECT if key == "fat" else (pos + k + 1 if k < n - 1 else ENDOFCHAIN)
        pos += n
    for i in big:
        starts[i] = at[i]
    body = bytearray()
    for i, name in enumerate(names):
        enc = name.encode("utf-16-le") + b"\0\0"
        if kinds[i] == 5:
            start, size = (at["mini"] if mini else ENDOFCHAIN), len(mini)
        elif kinds[i] == 2:
            start, size = starts.get(i, ENDOFCHAIN), len(datas[i])
        else:
            start, size = 0, 0
        body += struct.pack("<64sHBBIII16sIQQIQ", enc.ljust(64, b"\0"), len(enc), kinds[i], 1,
                            NOSTREAM, right[i], child[i], b"\0" * 16, 0, 0, 0, start, size)
    out = bytearray()
    out += body.ljust(sectors(len(body)) * 512, b"\0")
    out += struct.pack(f"<{len(minifat)}I", *minifat).ljust(sectors(len(minifat) * 4) * 512, b"\xff")
    out += bytes(mini).ljust(sectors(len(mini)) * 512, b"\0")
    for i in big:
        out += datas[i].ljust(sectors(len(datas[i])) * 512, b"\0")
    out += struct.pack(f"<{len(fat)}I", *fat)
    difat = [at["fat"] + k for k in range(fat_n)] + [FREESECT] * (109 - fat_n)
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", bytes.fromhex("d0cf11e0a1b11ae1"), b"\0" * 16, 0x3E, 3, 0xFFFE,
                         9, 6, b"\0" * 6, 0, fat_n, at["dir"], 0, 4096,
                         at["minifat"] if minifat else ENDOFCHAIN, sectors(len(minifat) * 4), ENDOFCHAIN, 0)
    header += struct.pack("<109I", *difat)
    return header + bytes(out)


def prop_stream(props: list[tuple[int, int, bytes]], header: bytes) -> bytes:
    """A MAPI property stream: the header, then 16 bytes per property (tag, flags, value)."""
    return header + b"".join(struct.pack("<II", tag, flags) + value.ljust(8, b"\0") for tag, flags, value in props)


def s(text: str) -> bytes:
    """A MAPI unicode string stream."""
    return text.encode("utf-16-le")


def outlook_msg(*, subject: str, sender_name: str, sender_email: str, to: str, date: datetime,
                message_id: str, body: str, attachments: tuple = ()) -> bytes:
    """A real Outlook .msg (MS-OXMSG): message properties, transport headers, one recipient,
    attachments by value."""
    headers = (f"From: {sender_name} <{sender_email}>\r\nTo: {to}\r\nSubject: {subject}\r\n"
               f"Date: {date.strftime('%a, %d %b %Y %H:%M:%S %z')}\r\nMessage-ID: {message_id}\r\n\r\n")
    filetime = int((date.astimezone(UTC).timestamp() + 11644473600) * 10_000_000)
    strings = {0x001A: "IPM.Note", 0x0037: subject, 0x1000: body, 0x0C1A: sender_name, 0x0C1F: sender_email,
               0x5D01: sender_email, 0x0E04: to, 0x1035: message_id, 0x007D: headers, 0x0042: sender_name}
    tree = {f"__substg1.0_{pid:04X}001F": s(v) for pid, v in strings.items()}
    props = [((pid << 16) | 0x001F, 6, struct.pack("<I", len(s(v)) + 2)) for pid, v in strings.items()]
    props += [(0x00390040, 6, struct.pack("<Q", filetime)), (0x0E060040, 6, struct.pack("<Q", filetime))]
    tree["__properties_version1.0"] = prop_stream(props, struct.pack("<8xIIII8x", 1, len(attachments), 1, len(attachments)))
    tree["__recip_version1.0_#00000000"] = {
        "__substg1.0_3001001F": s(to), "__substg1.0_3003001F": s(to), "__substg1.0_39FE001F": s(to),
        "__properties_version1.0": prop_stream([(0x0C150003, 6, struct.pack("<I", 1)),
                                                (0x3001001F, 6, struct.pack("<I", len(s(to)) + 2))], b"\0" * 8),
    }
    for n, (name, mime, data) in enumerate(attachments):
        tree[f"__attach_version1.0_#{n:08X}"] = {
            "__substg1.0_3707001F": s(name), "__substg1.0_3704001F": s(name[:12]),
            "__substg1.0_370E001F": s(mime), "__substg1.0_37010102": data,
            "__properties_version1.0": prop_stream([(0x37050003, 6, struct.pack("<I", 1)),
                                                    (0x0E200003, 6, struct.pack("<I", len(data))),
                                                    (0x37010102, 6, struct.pack("<I", len(data)))], b"\0" * 8),
        }
    tree["__nameid_version1.0"] = {"__substg1.0_00020102": b"", "__substg1.0_00030102": b"", "__substg1.0_00040102": b""}
    return compound_file(tree)


# -- Outlook ------------------------------------------------------------------------------------
def test_outlook_fields_map_to_the_same_preview(tmp_path):
    """Cases the small .msg writer below does not produce (an HTML-only body, an embedded
    Outlook item, a path in a name), fed as an object shaped like extract_msg's Message."""
    nested = SimpleNamespace(subject="Original order")
    msg = SimpleNamespace(
        subject="RE: Refund 42", sender="Acme Billing <billing@acme.example>",
        to="Pat Doe <pat@home.example>; Sam <sam@home.example>", cc=None,
        date=datetime.fromisoformat("2024-04-02T10:20:00+01:00"), messageId="<outlook-1@acme.example>",
        body="", htmlBody=b"<p>We have <i>declined</i> your refund.</p><img src='http://x.example/t.gif'>",
        attachments=[
            SimpleNamespace(longFilename="..\\..\\statement.pdf", shortFilename="STATEM~1.PDF",
                            mimetype="application/pdf", data=PDF),
            SimpleNamespace(longFilename=None, shortFilename=None, name=None, mimetype=None, data=nested),
        ],
    )
    notes: list[str] = []
    read = read_outlook(msg, notes)
    assert read.fields["subject"] == "RE: Refund 42"
    assert read.fields["sender"] == email_import.Address("Acme Billing", "billing@acme.example")
    assert [a.email for a in read.fields["to"]] == ["pat@home.example", "sam@home.example"]
    assert read.fields["when"].iso() == "2024-04-02T10:20:00+01:00"
    assert read.fields["body"] == "We have declined your refund."
    assert [a.name for a in read.fields["attachments"]] == ["statement.pdf", "embedded-2.msg"]
    assert read.payloads[0]() == PDF and read.payloads[1] is None
    assert any("remote image" in n for n in notes)
    assert any("Original order" in n for n in notes)


# -- command line -------------------------------------------------------------------------------
def test_import_email_command(store, case_id, tmp_path, capsys):
    data_dir = store.data_dir
    store.close()
    path = tmp_path / "acme.mbox"
    write_mbox(path, three_messages())

    assert main(["--data-dir", str(data_dir), "import-email", str(case_id), str(path)]) == 0
    out = capsys.readouterr().out
    assert "Added 3 emails to case" in out and "Final answer" in out
    assert main(["--data-dir", str(data_dir), "import-email", str(case_id), str(path)]) == 0
    assert "already in this case" in capsys.readouterr().out
    assert main(["--data-dir", str(data_dir), "import-email", str(case_id), str(tmp_path / "nope.eml")]) == 2
    assert "nope.eml: no such file" in capsys.readouterr().err
    with Store.open(data_dir) as reopened:
        assert len(queries.load_case(reopened, case_id).events) == 3


def test_hash_of_kept_original_matches_the_file(store, case_id, tmp_path):
    path = save(tmp_path, "refund.eml", message())
    (item,) = parse_messages([path])
    assert item.raw_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_real_outlook_msg_file_becomes_an_event_with_its_attachment(store, case_id, tmp_path):
    big = os.urandom(9000)  # over 4 KB: kept in the compound file's own sectors, not the mini stream
    path = tmp_path / "declined.msg"
    path.write_bytes(outlook_msg(
        subject="RE: Refund 42", sender_name="Acme Billing", sender_email="billing@acme.example",
        to="pat@home.example", date=datetime.fromisoformat("2024-04-02T10:20:00+01:00"),
        message_id="<outlook-1@acme.example>", body="We have declined your refund.\r\nRegards",
        attachments=(("statement.pdf", "application/pdf", PDF), ("photo.jpg", "image/jpeg", big)),
    ))
    original = path.read_bytes()

    (item,) = parse_messages([path])
    assert item.source_kind == "msg" and item.readable
    assert item.at == "2024-04-02T10:20:00+01:00"
    assert item.subject == "RE: Refund 42"
    assert item.sender == email_import.Address("Acme Billing", "billing@acme.example")
    import_emails(store, case_id=case_id, items=[item])

    (event,) = queries.load_case(store, case_id).events
    assert (event.direction, event.summary, event.contact.name) == ("from_company", "RE: Refund 42", "Acme Billing")
    assert "We have declined your refund." in event.details
    kept = {e.original_name: e for e in event.evidence}
    assert kept["declined.msg"].media_type == "application/vnd.ms-outlook"
    assert stored_bytes(store, kept["declined.msg"].sha256) == original
    assert stored_bytes(store, kept["statement.pdf"].sha256) == PDF
    assert stored_bytes(store, kept["photo.jpg"].sha256) == big

    # The same message saved from another program as .eml is recognised by its Message-ID.
    twin = save(tmp_path, "declined.eml", message(subject="RE: Refund 42", message_id="<outlook-1@acme.example>"))
    result = import_emails(store, case_id=case_id, items=parse_messages([path, twin]))
    assert result.event_ids == [] and len(result.skipped_duplicates) == 2


# -- a whole mailbox at once ------------------------------------------------------------------
def test_a_mailbox_of_many_messages_is_recorded_whole_in_the_history_and_verifies_clean(store, case_id, tmp_path):
    """A mailbox's messages are written together (one flush, files made durable together):
    every message still becomes its event with its original and attachment linked, in date
    order, the history records each row, the text is searchable, and `docket verify` finds
    nothing changed outside Docket."""
    from core.store.verify import verify

    box = mailbox.mbox(tmp_path / "exported.mbox")
    for n in range(30):
        msg = message(subject=f"Reply number {n}", body=f"About order {1000 + n}: we are checking.",
                      date=f"Tue, {1 + n % 28:02d} Oct 2024 09:{n:02d}:00 +0000", message_id=f"<m{n}@acme.example>")
        if n % 10 == 0:
            msg.add_attachment(PDF + str(n).encode(), maintype="application", subtype="pdf", filename=f"invoice-{n}.pdf")
        box.add(msg)
    box.flush()

    result = import_emails(store, case_id=case_id, items=parse_messages([tmp_path / "exported.mbox"]))

    case = queries.load_case(store, case_id)
    assert len(result.event_ids) == 30 == len(case.events)
    # Events in date order are the messages in date order, whatever the mailbox's order.
    assert [e.summary for e in case.events] == [f"Reply number {n}" for n in sorted(
        range(30), key=lambda n: (1 + n % 28, n))]
    by_summary = {e.summary: e for e in case.events}
    assert sorted(x.media_type for x in by_summary["Reply number 10"].evidence) == ["application/pdf", "message/rfc822"]
    assert all(any(x.media_type == "message/rfc822" for x in e.evidence) for e in case.events)
    assert len(evidence_files(store)) == 33
    with store.read() as session:
        actions = [tuple(r) for r in session.connection().exec_driver_sql(
            "SELECT entity, action FROM revisions WHERE case_id = ?", (case_id,))]
    assert actions.count(("event", "insert")) == 30
    assert actions.count(("evidence", "insert")) == 33
    assert actions.count(("event_evidence", "link")) == 33
    assert {h.case_id for h in queries.search(store, "1017")} == {case_id}
    report = verify(store)
    assert [f for f in report.findings if f.severity != "notice"] == []
