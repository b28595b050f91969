"""The archive's zip writer: an ordinary zip that any tool reads, written without keeping
anything per member in memory, in its ZIP64 form when the archive is that large."""

from __future__ import annotations

import os
import shutil
import subprocess
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from core.journal import cases, queries
from core.store import backup
from core.store.store import Store
from core.store.zipwriter import DEFLATED, STORED, StreamingZipWriter

_ZIP64_END = b"PK\x06\x06"  # the ZIP64 end-of-central-directory record's signature


def _tested_by_unzip(path: Path) -> None:
    if shutil.which("unzip") is None:
        return
    done = subprocess.run(["unzip", "-tq", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def _write_some(path: Path, folder: Path, writer: type[StreamingZipWriter] = StreamingZipWriter) -> None:
    photo = folder / "photo.jpg"
    photo.write_bytes(os.urandom(5000))
    os.chmod(photo, 0o400)
    with writer(path, directory=folder) as zf:
        zf.write_file("evidence/photo.jpg", photo, method=STORED)
        zf.write_bytes("settings.json", b'{"name": "Ann"}' * 100, method=DEFLATED)
        zf.write_bytes("templates/r\u00e9clamation.txt", "Objet : r\u00e9clamation".encode())
        with zf.open_member("manifest.json") as manifest:
            manifest.write(b'{"files": [')
            manifest.write(b"]}")


def test_a_zip_written_member_by_member_reads_back_everywhere(tmp_path: Path) -> None:
    out = tmp_path / "all.zip"
    _write_some(out, tmp_path)

    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
        assert zf.namelist() == ["evidence/photo.jpg", "settings.json", "templates/r\u00e9clamation.txt", "manifest.json"]
        assert zf.read("evidence/photo.jpg") == (tmp_path / "photo.jpg").read_bytes()
        assert zf.getinfo("evidence/photo.jpg").compress_type == zipfile.ZIP_STORED
        assert zf.getinfo("evidence/photo.jpg").external_attr >> 16 & 0o777 == 0o400
        settings = zf.getinfo("settings.json")
        assert settings.compress_type == zipfile.ZIP_DEFLATED and settings.compress_size < settings.file_size / 4
        assert zf.read("templates/r\u00e9clamation.txt") == "Objet : r\u00e9clamation".encode()
        assert zf.read("manifest.json") == b'{"files": []}'
    assert _ZIP64_END not in out.read_bytes()  # small archives keep the classic end record
    _tested_by_unzip(out)
    done = subprocess.run(["python3", "-m", "zipfile", "-t", str(out)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Done testing" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.zip", "photo.jpg"]  # no temporary file left


class _TinyLimits(StreamingZipWriter):
    """The ZIP64 forms from the third member and past 64 bytes, as a large archive has them
    past 65,535 members and 2 GiB."""

    zip64_limit = 64
    count_limit = 3


def test_a_zip_past_the_classic_limits_is_written_in_its_zip64_form(tmp_path: Path) -> None:
    out = tmp_path / "large.zip"
    _write_some(out, tmp_path, _TinyLimits)

    raw = out.read_bytes()
    assert _ZIP64_END in raw
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
        assert len(zf.infolist()) == 4
        offsets = [info.header_offset for info in zf.infolist()]
        assert offsets[0] == 0 and all(o > 64 for o in offsets[1:])  # read from ZIP64 extra fields
        assert zf.read("settings.json") == b'{"name": "Ann"}' * 100
    _tested_by_unzip(out)


def test_writing_many_members_keeps_nothing_per_member_in_memory(tmp_path: Path) -> None:
    members = 5000
    tracemalloc.start()
    try:
        with StreamingZipWriter(tmp_path / "many.zip", directory=tmp_path) as zf:
            zf.write_bytes("first", b"x")
            before = tracemalloc.get_traced_memory()[0]
            for i in range(members):
                zf.write_bytes(f"evidence/{i:02x}/{i:064x}", b"a receipt", method=STORED)
            grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()

    # zipfile.ZipFile keeps a ZipInfo of about 0.6 KB per member: 3 MB here.
    assert grown < 100_000
    with zipfile.ZipFile(tmp_path / "many.zip") as zf:
        assert len(zf.infolist()) == members + 1


def test_a_store_archive_in_its_zip64_form_restores(store: Store, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # A store whose archive has more than 65,535 members takes minutes to make; the same
    # records are written here from the third member on.
    monkeypatch.setattr(StreamingZipWriter, "zip64_limit", 64)
    monkeypatch.setattr(StreamingZipWriter, "count_limit", 3)
    for i in range(4):
        case_id = cases.open_case(store, title=f"Refund {i} never paid", company="Shop", amount="40.00")
        receipt = tmp_path / f"receipt-{i}.txt"
        receipt.write_text(f"Receipt {i}\n")
        cases.attach_evidence(store, case_id=case_id, path=receipt)
    summary = backup.backup_archive(store, tmp_path / "all.zip")
    assert _ZIP64_END in summary.path.read_bytes()
    _tested_by_unzip(summary.path)

    restored = tmp_path / "restored"
    shutil.copytree(store.data_dir, restored, ignore=shutil.ignore_patterns("*.lock"))
    with Store.open(restored) as other:
        cases.open_case(other, title="Made after the archive", company="Shop")
        backup.restore_archive(other, summary.path)
        titles = sorted(c.title for c in queries.list_cases(other))
        assert titles == [f"Refund {i} never paid" for i in range(4)]
        assert len(list(other.evidence.all_hashes())) == 4
