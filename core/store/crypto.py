"""Encryption at rest: the store's data key, the key file that keeps it, and evidence files.

A protected store has one random 256-bit *data key*. SQLCipher encrypts the database with it
(``PRAGMA key`` given the raw key, so no key derivation runs per connection), and every file
Docket keeps (evidence, backups) is sealed with keys derived from it. The data key itself
lives only in ``docket.key`` beside the database, wrapped (AES-256-GCM) by a key derived from
the passphrase with scrypt. Changing the passphrase rewraps that one key; nothing else is
rewritten. See docs/encryption.md for the formats and what they protect against.

The sealed file format (``DKTE`` version 1), the STREAM construction of Hoang, Reyhanitabar,
Rogaway and Vizár: a header, then the content in chunks of ``chunk_size`` bytes, each sealed
with AES-256-GCM under a key derived for this file (HKDF-SHA256 from the data key and the
file's random salt). Each chunk's nonce is the file's random 7-byte prefix, the chunk's
32-bit index and a final-chunk flag byte, and every chunk authenticates the header, so a
chunk moved, dropped, repeated, taken from another file, or a file cut short after a whole
chunk, fails to open. Memory stays at one chunk whatever the file's size.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from core.domain.errors import DocketError
from core.i18n import _
from core.store.paths import KEY_NAME, fsync_dir

# The cryptography package is loaded when a key is derived or a file sealed or opened, so that
# opening a store without a passphrase (most stores) does not pay for it.
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_FILE = KEY_NAME  # the wrapped data key, beside the database
KEY_BYTES = 32
KEY_FILE_FORMAT = "docket-key"
KEY_FILE_VERSION = 1

MAGIC = b"DKTE"
FILE_VERSION = 1
CHUNK_SIZE = 64 * 1024
TAG = 16
_SALT = 16
_PREFIX = 7
# magic, version, chunk size, salt, nonce prefix
_HEADER = struct.Struct(f">4sBI{_SALT}s{_PREFIX}s")
HEADER_SIZE = _HEADER.size
_MAX_CHUNK = 16 * 1024 * 1024


class WrongPassphrase(DocketError):
    """The passphrase does not open this store's key; nothing was changed."""


class DamagedFile(DocketError):
    """A sealed file failed to open: altered, cut short, or sealed with another key."""


# -- keys -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KdfParams:
    """scrypt's cost: ``n`` (CPU and memory, a power of two), ``r`` (block size), ``p``.

    The default takes 128 MiB of memory (128 * n * r bytes) and a fraction of a second,
    once per unlock: a guess at the passphrase costs an attacker as much.
    """

    n: int = 2**17
    r: int = 8
    p: int = 1

    def derive(self, passphrase: str, salt: bytes) -> bytes:
        """The 256-bit key that wraps the data key."""
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        kdf = Scrypt(salt=salt, length=KEY_BYTES, n=self.n, r=self.r, p=self.p)
        return kdf.derive(passphrase.encode("utf-8"))


DEFAULT_KDF = KdfParams()


def new_data_key() -> bytes:
    """A fresh random 256-bit data key."""
    return os.urandom(KEY_BYTES)


def key_id(data_key: bytes) -> str:
    """A short name for a data key that reveals nothing about it (archives say which key
    sealed them, so a restore can tell before it asks for a passphrase)."""
    return hmac.new(data_key, b"docket key id", hashlib.sha256).hexdigest()[:32]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


def _wrap_aad(params: KdfParams, salt: bytes) -> bytes:
    # The KDF parameters are authenticated: weakening them in the file breaks the unwrap.
    return f"{KEY_FILE_FORMAT}/{KEY_FILE_VERSION}/scrypt/{params.n}/{params.r}/{params.p}/".encode() + salt


def wrap_key(data_key: bytes, passphrase: str, params: KdfParams = DEFAULT_KDF) -> dict[str, object]:
    """The key file's content: ``data_key`` sealed by a key derived from ``passphrase``."""
    if not passphrase:
        raise DocketError(_("The passphrase is empty."))
    salt = os.urandom(_SALT)
    nonce = os.urandom(12)
    kek = params.derive(passphrase, salt)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    wrapped = AESGCM(kek).encrypt(nonce, data_key, _wrap_aad(params, salt))
    return {
        "format": KEY_FILE_FORMAT,
        "version": KEY_FILE_VERSION,
        "kdf": {"name": "scrypt", "n": params.n, "r": params.r, "p": params.p, "salt": _b64(salt)},
        "cipher": "AES-256-GCM",
        "nonce": _b64(nonce),
        "wrapped_key": _b64(wrapped),
        "key_id": key_id(data_key),
    }


def unwrap_key(content: dict[str, object], passphrase: str) -> bytes:
    """The data key from a key file's content. Raises :class:`WrongPassphrase`."""
    try:
        if content.get("format") != KEY_FILE_FORMAT or content.get("version") != KEY_FILE_VERSION:
            raise ValueError("unknown key file format")
        kdf = content["kdf"]
        if not isinstance(kdf, dict) or kdf.get("name") != "scrypt":
            raise ValueError("unknown key derivation")
        params = KdfParams(n=int(kdf["n"]), r=int(kdf["r"]), p=int(kdf["p"]))
        salt = _unb64(kdf["salt"])
        nonce = _unb64(content["nonce"])
        wrapped = _unb64(content["wrapped_key"])
    except (KeyError, ValueError, TypeError) as exc:
        raise DocketError(_("The key file is damaged ({exc}).").format(exc=exc)) from None
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        kek = params.derive(passphrase, salt)
        return AESGCM(kek).decrypt(nonce, wrapped, _wrap_aad(params, salt))
    except (InvalidTag, ValueError):
        raise WrongPassphrase("Wrong passphrase: the store stays locked and nothing was changed.") from None


def key_file(data_dir: Path) -> Path:
    """Where a store's wrapped data key is kept."""
    return data_dir / KEY_FILE


def is_protected(data_dir: Path) -> bool:
    """Whether the store in ``data_dir`` is protected with a passphrase."""
    return key_file(data_dir).is_file()


def read_key_file(path: Path) -> dict[str, object]:
    """The key file's content (not yet unwrapped)."""
    try:
        content = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise DocketError(_("Cannot read the key file {path} ({exc}).").format(path=path, exc=exc)) from None
    if not isinstance(content, dict):
        raise DocketError(_("The key file {path} is damaged.").format(path=path))
    return content


def write_key_file(path: Path, content: dict[str, object]) -> None:
    """Write the key file whole or not at all (a temporary name, synced, then renamed)."""
    tmp = path.with_name(path.name + ".tmp")
    data = (json.dumps(content, indent=2) + "\n").encode("utf-8")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def unlock(data_dir: Path, passphrase: str) -> bytes:
    """The data key of the protected store in ``data_dir``. Raises :class:`WrongPassphrase`."""
    return unwrap_key(read_key_file(key_file(data_dir)), passphrase)


def sqlcipher_key_pragma(data_key: bytes) -> str:
    """``PRAGMA key`` with the raw key: SQLCipher uses it as is, without its own KDF."""
    if len(data_key) != KEY_BYTES:
        raise ValueError("a data key has 32 bytes")
    return f"PRAGMA key = \"x'{data_key.hex()}'\""


# -- sealed files -----------------------------------------------------------------------


def _file_key(data_key: bytes, salt: bytes) -> AESGCM:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=b"docket sealed file v1")
    return AESGCM(hkdf.derive(data_key))


def _nonce(prefix: bytes, index: int, final: bool) -> bytes:
    if index >= 2**32:
        raise DocketError(_("The file is too large to seal."))
    return prefix + struct.pack(">IB", index, 1 if final else 0)


def sealed_size(clear_size: int, chunk_size: int = CHUNK_SIZE) -> int:
    """The size of a sealed file holding ``clear_size`` bytes."""
    chunks = max(1, -(-clear_size // chunk_size))
    return HEADER_SIZE + clear_size + TAG * chunks


def clear_size(path: Path) -> int:
    """The size of the content sealed in ``path``, from its size alone (nothing decrypted)."""
    total = path.stat().st_size
    with open(path, "rb") as fh:
        header = fh.read(HEADER_SIZE)
    _unused, chunk_size = _parse_header(header)
    body = total - HEADER_SIZE
    chunks = max(1, -(-body // (chunk_size + TAG)))
    return max(0, body - TAG * chunks)


def _parse_header(header: bytes) -> tuple[bytes, int]:
    if len(header) != HEADER_SIZE:
        raise DamagedFile("The file is too short to be a sealed Docket file.")
    magic, version, chunk_size, _salt, _prefix = _HEADER.unpack(header)
    if magic != MAGIC or version != FILE_VERSION or not 0 < chunk_size <= _MAX_CHUNK:
        raise DamagedFile("The file is not a sealed Docket file.")
    return header, chunk_size


class Sealer:
    """Seals a stream chunk by chunk: :meth:`update` with any amount, then :meth:`finish`.

    Each call returns the sealed bytes ready to be written; at most one chunk is held.
    """

    def __init__(self, data_key: bytes, chunk_size: int = CHUNK_SIZE) -> None:
        salt = os.urandom(_SALT)
        self._prefix = os.urandom(_PREFIX)
        self._header = _HEADER.pack(MAGIC, FILE_VERSION, chunk_size, salt, self._prefix)
        self._aead = _file_key(data_key, salt)
        self._chunk_size = chunk_size
        self._pending = bytearray()
        self._index = 0
        self._started = False
        self._finished = False

    def _seal(self, chunk: bytes, final: bool) -> bytes:
        out = self._aead.encrypt(_nonce(self._prefix, self._index, final), chunk, self._header)
        self._index += 1
        return out

    def update(self, data: bytes) -> bytes:
        """Sealed bytes for what ``data`` completes (a chunk is sealed only once it is known
        not to be the last one)."""
        out = bytearray()
        if not self._started:
            out += self._header
            self._started = True
        self._pending += data
        # Keep at least one byte back: the final chunk must be sealed as final.
        while len(self._pending) > self._chunk_size:
            out += self._seal(bytes(self._pending[: self._chunk_size]), final=False)
            del self._pending[: self._chunk_size]
        return bytes(out)

    def finish(self) -> bytes:
        """The last chunk, sealed as final."""
        if self._finished:
            raise DocketError(_("This file is already sealed."))
        out = self.update(b"")
        self._finished = True
        return out + self._seal(bytes(self._pending), final=True)


class OpenedFile(io.RawIOBase):
    """A sealed file read as its clear content, one chunk in memory at a time.

    Raises :class:`DamagedFile` when a chunk fails to authenticate, including when the file
    was cut short (the last chunk read is not marked final).
    """

    def __init__(self, raw: BinaryIO, data_key: bytes) -> None:
        super().__init__()
        self._raw = raw
        header, self._chunk_size = _parse_header(raw.read(HEADER_SIZE))
        self._header = header
        _unused, _unused, _unused, salt, self._prefix = _HEADER.unpack(header)
        self._aead = _file_key(data_key, salt)
        self._index = 0
        self._buffer = b""
        self._offset = 0
        self._next = raw.read(self._chunk_size + TAG)
        self._done = False

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        from cryptography.exceptions import InvalidTag  # loaded already by _file_key

        while self._offset >= len(self._buffer) and not self._done:
            sealed = self._next
            self._next = self._raw.read(self._chunk_size + TAG)
            final = not self._next
            try:
                self._buffer = self._aead.decrypt(_nonce(self._prefix, self._index, final), sealed, self._header)
            except InvalidTag:
                raise DamagedFile(
                    "A sealed file failed to open: it was altered, cut short or sealed with another key."
                ) from None
            self._offset = 0
            self._index += 1
            self._done = final

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        self._fill()
        view = memoryview(b).cast("B")
        n = min(len(view), len(self._buffer) - self._offset)
        view[:n] = self._buffer[self._offset : self._offset + n]
        self._offset += n
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_sealed(path: Path, data_key: bytes) -> BinaryIO:
    """The clear content of the sealed file at ``path``, as a buffered binary stream."""
    raw = open(path, "rb")
    try:
        opened = OpenedFile(raw, data_key)
    except BaseException:
        raw.close()
        raise
    return io.BufferedReader(opened, buffer_size=CHUNK_SIZE)


def seal_bytes(data: bytes, data_key: bytes) -> bytes:
    """``data`` sealed whole (settings, notes): the same format as a sealed file."""
    sealer = Sealer(data_key)
    return sealer.update(data) + sealer.finish()


def open_bytes(sealed: bytes, data_key: bytes) -> bytes:
    """The clear content of sealed bytes. Raises :class:`DamagedFile`."""
    with io.BufferedReader(OpenedFile(io.BytesIO(sealed), data_key)) as reader:
        return reader.read()


def seal_stream(source: BinaryIO, out: BinaryIO, data_key: bytes, chunk: int = CHUNK_SIZE) -> Iterator[int]:
    """Seal ``source`` into ``out``; yields the clear bytes done after each chunk."""
    sealer = Sealer(data_key)
    done = 0
    while data := source.read(chunk):
        out.write(sealer.update(data))
        done += len(data)
        yield done
    out.write(sealer.finish())
