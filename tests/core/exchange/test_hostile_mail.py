"""Hostile mail is read or refused cleanly: codecs that are not character sets, thousands of
tiny attachments, mailboxes of thousands of messages, ``From `` lines in bodies."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from core.domain.errors import ValidationError
from core.exchange import emails
from core.journal import cases
from core.store.store import Store
from tests.hostile import emails as hostile


@pytest.mark.parametrize("charset", hostile.NOT_TEXT_CODECS)
def test_a_codec_that_is_not_a_character_set_is_read_as_plain_text(
        store: Store, tmp_path: Path, charset: str) -> None:
    path = tmp_path / "mail.eml"
    path.write_bytes(hostile.with_charset(charset))
    [item] = emails.parse_messages([path])
    assert "We will refund you by Friday." in item.body
    case_id = cases.open_case(store, title="Refund", company="Shop")
    result = emails.import_emails(store, case_id=case_id, items=[item])
    assert len(result.event_ids) == 1


@pytest.mark.slow
def test_ten_thousand_tiny_attachments_keep_the_first_hundred_and_the_whole_original(
        store: Store, tmp_path: Path) -> None:
    path = tmp_path / "receipts.eml"
    path.write_bytes(hostile.many_attachments(10_000))
    [item] = emails.parse_messages([path])
    assert len(item.attachments) == emails.MAX_ATTACHMENTS_PER_MESSAGE
    assert any("10,000 attachments" in n and "stay inside the original email" in n for n in item.notes)
    case_id = cases.open_case(store, title="Receipts", company="Shop")
    emails.import_emails(store, case_id=case_id, items=[item])
    with store.read() as session:
        kept = cases.get_case(session, case_id).evidence
        assert len(kept) == emails.MAX_ATTACHMENTS_PER_MESSAGE + 1
    assert store.evidence.path_for(hashlib.sha256(path.read_bytes()).hexdigest()).read_bytes() == path.read_bytes()


def test_a_mailbox_of_twenty_thousand_messages_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "everything.mbox"
    path.write_bytes(hostile.mbox_of(20_000))
    with pytest.raises(ValidationError) as caught:
        emails.parse_messages([path])
    assert caught.value.path == str(path)
    assert "holds 20,000 messages" in caught.value.message and "2,000" in caught.value.message


def test_too_many_messages_at_once_are_refused_before_anything_is_added(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "box.mbox"
    path.write_bytes(hostile.mbox_of(3))
    items = emails.parse_messages([path])
    case_id = cases.open_case(store, title="Refund", company="Shop")
    with pytest.raises(ValidationError, match="at most 2,000"):
        emails.import_emails(store, case_id=case_id, items=items * 700)
    with store.read() as session:
        assert cases.get_case(session, case_id).events == []


def test_from_lines_in_bodies_neither_split_messages_nor_cut_the_originals(store: Store, tmp_path: Path) -> None:
    data, originals = hostile.mbox_with_from_lines()
    path = tmp_path / "letters.mbox"
    path.write_bytes(data)
    items = emails.parse_messages([path])
    assert [i.summary for i in items] == [f"Letter {n}" for n in range(5)]
    assert [i.raw_sha256 for i in items] == [hashlib.sha256(o).hexdigest() for o in originals]
    assert "From the start you promised a refund." in items[0].body
    assert ">From your last letter" in items[1].body
    case_id = cases.open_case(store, title="Letters", company="Shop")
    emails.import_emails(store, case_id=case_id, items=items)
    for original in originals:
        assert store.evidence.path_for(hashlib.sha256(original).hexdigest()).read_bytes() == original
