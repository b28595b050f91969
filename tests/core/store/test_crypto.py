"""The data key, its key file, and sealed files: a lost laptop's files say nothing without
the passphrase, and any change to a sealed file is noticed."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from core.store import crypto

FAST = crypto.KdfParams(n=2**12, r=8, p=1)


def test_the_passphrase_opens_the_key_and_a_wrong_one_says_so(tmp_path: Path) -> None:
    key = crypto.new_data_key()
    content = crypto.wrap_key(key, "correct horse battery staple", FAST)
    crypto.write_key_file(tmp_path / crypto.KEY_FILE, content)
    assert key.hex() not in (tmp_path / crypto.KEY_FILE).read_text()
    assert crypto.unlock(tmp_path, "correct horse battery staple") == key
    with pytest.raises(crypto.WrongPassphrase, match="Wrong passphrase"):
        crypto.unlock(tmp_path, "correct horse battery stapler")


def test_weakening_the_kdf_in_the_key_file_breaks_the_unwrap() -> None:
    key = crypto.new_data_key()
    content = crypto.wrap_key(key, "pass phrase", FAST)
    kdf = dict(content["kdf"])  # type: ignore[call-overload]
    kdf["n"] = 2**10
    with pytest.raises(crypto.WrongPassphrase):
        crypto.unwrap_key({**content, "kdf": kdf}, "pass phrase")


def test_a_new_passphrase_wraps_the_same_data_key() -> None:
    key = crypto.new_data_key()
    first = crypto.wrap_key(key, "old one", FAST)
    second = crypto.wrap_key(crypto.unwrap_key(first, "old one"), "new one", FAST)
    assert crypto.unwrap_key(second, "new one") == key
    assert first["key_id"] == second["key_id"] == crypto.key_id(key)
    with pytest.raises(crypto.WrongPassphrase):
        crypto.unwrap_key(second, "old one")


@pytest.mark.parametrize("size", [0, 1, crypto.CHUNK_SIZE - 1, crypto.CHUNK_SIZE, 3 * crypto.CHUNK_SIZE, 3 * crypto.CHUNK_SIZE + 7])
def test_a_sealed_file_opens_to_its_content_whatever_its_size(tmp_path: Path, size: int) -> None:
    key = crypto.new_data_key()
    content = os.urandom(size)
    path = tmp_path / "sealed"
    with open(path, "wb") as out:
        list(crypto.seal_stream(io.BytesIO(content), out, key, chunk=10_000))
    assert path.stat().st_size == crypto.sealed_size(size)
    assert crypto.clear_size(path) == size
    with crypto.open_sealed(path, key) as opened:
        assert opened.read() == content
    if size >= 64:
        assert content[:64] not in path.read_bytes()


def _sealed(tmp_path: Path, key: bytes, content: bytes) -> Path:
    path = tmp_path / "sealed"
    path.write_bytes(crypto.seal_bytes(content, key))
    return path


def test_a_file_cut_short_after_a_whole_chunk_is_noticed(tmp_path: Path) -> None:
    key = crypto.new_data_key()
    path = _sealed(tmp_path, key, os.urandom(3 * crypto.CHUNK_SIZE + 100))
    data = path.read_bytes()
    path.write_bytes(data[: crypto.HEADER_SIZE + 2 * (crypto.CHUNK_SIZE + crypto.TAG)])
    with pytest.raises(crypto.DamagedFile), crypto.open_sealed(path, key) as opened:
        opened.read()


def test_chunks_swapped_or_a_byte_changed_are_noticed(tmp_path: Path) -> None:
    key = crypto.new_data_key()
    content = os.urandom(3 * crypto.CHUNK_SIZE + 100)
    data = crypto.seal_bytes(content, key)
    step = crypto.CHUNK_SIZE + crypto.TAG
    h = crypto.HEADER_SIZE
    swapped = data[:h] + data[h + step : h + 2 * step] + data[h : h + step] + data[h + 2 * step :]
    with pytest.raises(crypto.DamagedFile):
        crypto.open_bytes(swapped, key)
    flipped = bytearray(data)
    flipped[-5] ^= 1
    with pytest.raises(crypto.DamagedFile):
        crypto.open_bytes(bytes(flipped), key)
    with pytest.raises(crypto.DamagedFile):
        crypto.open_bytes(data, crypto.new_data_key())
    assert crypto.open_bytes(data, key) == content


def test_a_large_file_is_read_one_chunk_at_a_time(tmp_path: Path) -> None:
    """A 40 MB file seals and opens through a stream; its SHA-256 is the clear file's."""
    key = crypto.new_data_key()
    clear = tmp_path / "clear"
    with open(clear, "wb") as fh:
        for _ in range(40):
            fh.write(os.urandom(1024 * 1024))
    sealed = tmp_path / "sealed"
    with open(clear, "rb") as src, open(sealed, "wb") as out:
        list(crypto.seal_stream(src, out, key))
    digest = hashlib.sha256()
    with crypto.open_sealed(sealed, key) as opened:
        while chunk := opened.read(1024 * 1024):
            digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(clear.read_bytes()).hexdigest()
