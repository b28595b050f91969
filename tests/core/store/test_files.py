"""The evidence store keeps each file unaltered, once, under its SHA-256; a file's name is data."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from core.domain.errors import ValidationError
from core.journal import cases
from core.store.files import CHUNK, Cancelled, EvidenceStore
from core.store.store import Store


def stored_files(store: Store) -> list[Path]:
    return sorted(p for p in store.evidence.root.rglob("*") if p.is_file())


def evidence_rows(store: Store) -> int:
    with store.read() as session:
        return session.execute(text("SELECT count(*) FROM evidence")).scalar_one()


class RecordingStream(io.BytesIO):
    """A file-like object that remembers how much each read asked for."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.asked: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        self.asked.append(-1 if size is None else size)
        return super().read(size)


class FailingStream(io.BytesIO):
    """A disk that fails half way through a copy."""

    def read(self, size: int | None = -1) -> bytes:
        if self.tell() >= CHUNK:
            raise OSError(5, "Input/output error")
        return super().read(size)


def test_a_large_file_is_hashed_while_it_is_copied_in_chunks(store: Store) -> None:
    data = os.urandom(3 * CHUNK + 12345)
    stream = RecordingStream(data)
    seen: list[tuple[int, int]] = []
    stored = store.evidence.add_stream(stream, total=len(data), progress=lambda d, t: seen.append((d, t)))
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == len(data)
    assert stored.path.read_bytes() == data
    # Never the whole file at once: memory stays constant however large the file is.
    assert all(0 < n <= CHUNK for n in stream.asked)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and seen[-1] == (len(data), len(data))
    assert stored.path == store.evidence.root / stored.sha256[:2] / stored.sha256


def test_the_same_file_attached_twice_is_stored_once(store: Store, tmp_path: Path) -> None:
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 the receipt")
    first = cases.open_case(store, title="Refund", company="Shop")
    second = cases.open_case(store, title="Another refund", company="Shop")
    ids = [cases.attach_evidence(store, case_id=c, path=receipt) for c in (first, first, second)]
    assert len(set(ids)) == 3
    assert stored_files(store) == [store.evidence.path_for(hashlib.sha256(receipt.read_bytes()).hexdigest())]


def test_stored_evidence_is_read_only_and_unaltered(store: Store, tmp_path: Path) -> None:
    photo = tmp_path / "damage.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + os.urandom(5000))
    case_id = cases.open_case(store, title="Sofa arrived broken")
    cases.attach_evidence(store, case_id=case_id, path=photo)
    photo.write_bytes(b"the user edits their own copy later")
    (kept,) = stored_files(store)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o400
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == kept.name


@pytest.mark.parametrize(("given", "kept"), [
    ("../../x", "x"),
    ("..\\..\\boot.ini", "boot.ini"),
    ("C:\\x", "x"),
    ("/etc/passwd", "passwd"),
    ("CON", "CON"),
    ("report\x00.exe.pdf", "report_.exe.pdf"),
    ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ("..", ".."),
    ("   ", "unnamed"),
    ("", "upload.bin"),  # no name given: the source file's own name
])
def test_a_hostile_file_name_is_kept_as_data_and_never_becomes_a_path(
        store: Store, tmp_path: Path, given: str, kept: str) -> None:
    source = tmp_path / "upload.bin"
    source.write_bytes(f"content for {given!r}".encode())
    case_id = cases.open_case(store, title="Names")
    evidence_id = cases.attach_evidence(store, case_id=case_id, path=source, original_name=given)
    with store.read() as session:
        item = cases.get_evidence(session, evidence_id)
        assert item.original_name == kept
        assert len(item.original_name) <= 255
    # The only file written is the one named by its hash, inside the evidence folder.
    assert stored_files(store) == [store.evidence.path_for(item.sha256)]
    assert not (tmp_path / "x").exists() and not (store.data_dir.parent / "x").exists()
    assert {p.name for p in store.data_dir.iterdir()} <= {
        "docket.sqlite3", "docket.sqlite3-wal", "docket.sqlite3-shm", "docket.lock", "docket.identity", "evidence",
            "backups"}


def test_a_copy_that_fails_half_way_leaves_no_half_file(store: Store) -> None:
    with pytest.raises(OSError, match="Input/output error"):
        store.evidence.add_stream(FailingStream(os.urandom(3 * CHUNK)))
    assert stored_files(store) == []


def test_a_cancelled_attachment_stores_nothing(store: Store, tmp_path: Path) -> None:
    video = tmp_path / "unboxing.mp4"
    video.write_bytes(os.urandom(3 * CHUNK))
    case_id = cases.open_case(store, title="Phone missing from the box")
    with pytest.raises(Cancelled, match="Cancelled; nothing was stored"):
        cases.attach_evidence(store, case_id=case_id, path=video, progress=lambda done, total: done < CHUNK * 2)
    assert stored_files(store) == []
    assert evidence_rows(store) == 0


def test_a_file_that_does_not_match_its_expected_hash_is_not_kept(store: Store) -> None:
    with pytest.raises(ValidationError, match="sha256: file content does not match"):
        store.evidence.add_stream(io.BytesIO(b"tampered"), expected_sha256="0" * 64)
    with pytest.raises(ValidationError, match="larger than the limit of 4 bytes"):
        store.evidence.add_stream(io.BytesIO(b"too big"), max_size=4)
    assert stored_files(store) == []


def test_files_copied_for_a_failed_transaction_are_removed_but_older_ones_stay(store: Store, tmp_path: Path) -> None:
    old = tmp_path / "old.pdf"
    old.write_bytes(b"already kept")
    new = tmp_path / "new.pdf"
    new.write_bytes(b"copied during the failed change")
    case_id = cases.open_case(store, title="Billing error")
    cases.attach_evidence(store, case_id=case_id, path=old)
    before = stored_files(store)
    with pytest.raises(ValidationError), store.write() as session:
        cases.attach_evidence(session, case_id=case_id, path=old)
        cases.attach_evidence(session, case_id=case_id, path=new)
        cases.log_event(session, case_id=case_id, at="not a date", kind="call", summary="x")
    assert stored_files(store) == before
    assert evidence_rows(store) == 1


def test_leftovers_of_an_interrupted_copy_are_cleared_when_docket_starts(data_dir: Path) -> None:
    with Store.open(data_dir) as store:
        leftover = store.evidence.incoming / "in-crashed"
        leftover.write_bytes(b"half a file")
    with Store.open(data_dir) as store:
        assert list(store.evidence.incoming.iterdir()) == []


def test_a_missing_source_file_gets_a_clear_message(store: Store, tmp_path: Path) -> None:
    case_id = cases.open_case(store, title="Missing file")
    with pytest.raises(Exception, match=r"Cannot read .*gone\.pdf: No such file"):
        cases.attach_evidence(store, case_id=case_id, path=tmp_path / "gone.pdf")


def test_only_hashes_name_stored_files(tmp_path: Path) -> None:
    evidence = EvidenceStore(tmp_path / "evidence")
    for bad in ("../../etc/passwd", "ABC", "g" * 64, ""):
        with pytest.raises(ValidationError, match="not a SHA-256 hex digest"):
            evidence.path_for(bad)


def test_a_failed_attachment_keeps_a_file_that_another_case_recorded_meanwhile(store, tmp_path) -> None:
    """Copies happen outside the write lock: when one attachment's transaction fails, the
    clean-up must not delete content that another attachment has recorded since."""
    from core.domain.errors import ValidationError
    from core.journal import cases
    from core.store.unit_of_work import unit_of

    first = cases.open_case(store, title="Parcel lost", company="Parcels Ltd")
    second = cases.open_case(store, title="Refund refused", company="Shop Ltd")
    receipt = tmp_path / "receipt.txt"
    receipt.write_text("Receipt 42: GBP 20.00")
    stored = store.evidence.add_file(receipt)
    assert stored.created
    try:
        with store.write() as session:
            unit_of(session).new_evidence_files.append(stored.sha256)
            # Meanwhile the same content is recorded on another case and committed.
            with store.writer.connect() as conn:
                conn.exec_driver_sql(
                    "INSERT INTO evidence (case_id, sha256, original_name, media_type, size, added_at, description) "
                    "VALUES (?, ?, 'receipt.txt', 'text/plain', ?, '2026-11-23 10:00:00', '')",
                    (second, stored.sha256, stored.size),
                )
                conn.commit()
            raise ValidationError("evidence.description", "made to fail")
    except ValidationError:
        pass
    assert store.evidence.has(stored.sha256)
    assert first != second
