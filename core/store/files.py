"""The evidence store: files kept unaltered, under their SHA-256.

A file is copied in while it is hashed (one pass, constant memory), written under a temporary
name in ``evidence/.incoming`` and renamed into place only when complete, so a crash never
leaves half a file in the store. Stored files are made read-only and never modified; the same
content is stored once however often it is attached. The user's original file name is data
only and never becomes part of a path.

In a protected store each file is sealed as it is copied in (:mod:`core.store.crypto`: AES-GCM
in 64 KiB chunks, one chunk in memory), and it keeps the SHA-256 of its *clear* content as its
name and hash, so exports, verification and the history mean the same with or without a
passphrase. Read stored files with :meth:`EvidenceStore.open` (never by path).
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from core.domain.errors import DocketError, ValidationError
from core.i18n import _
from core.store import crypto
from core.store.paths import fsync_dir, make_private_dir

CHUNK = 1024 * 1024
_HEX64 = re.compile(r"^[0-9a-f]{64}$")

# progress(done_bytes, total_bytes) -> False to cancel
Progress = Callable[[int, int], bool | None]


class Cancelled(DocketError):
    """The user cancelled a long operation; nothing was stored."""


@dataclass(frozen=True, slots=True)
class StoredFile:
    sha256: str
    size: int
    path: Path
    created: bool = False  # False when identical content was already stored


def clean_name(name: str, limit: int = 255) -> str:
    """A display name safe to keep as data: no NUL or control characters, bounded length.

    Only the final component is kept, whichever separator the sender's system used.
    """
    base = re.split(r"[\\/]", str(name))[-1]
    base = "".join(ch if ch.isprintable() else "_" for ch in base).strip() or "unnamed"
    if len(base) > limit:
        stem, dot, ext = base.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            base = stem[: limit - len(ext) - 1] + "." + ext
        else:
            base = base[:limit]
    return base


def guess_media_type(name: str) -> str:
    """The media type from the file name's extension, or ``application/octet-stream``."""
    guessed, _unused = mimetypes.guess_type(clean_name(name), strict=False)
    return guessed or "application/octet-stream"


def hash_file(path: Path, progress: Progress | None = None) -> tuple[str, int]:
    """SHA-256 and size of a file, read in chunks."""
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if progress is not None and progress(done, total) is False:
                raise Cancelled(_("Cancelled; nothing was stored."))
    return digest.hexdigest(), done


class EvidenceStore:
    """Content-addressed files under ``<data dir>/evidence``."""

    def __init__(self, root: Path, key: bytes | None = None) -> None:
        self.root = make_private_dir(root)
        self.incoming = make_private_dir(root / ".incoming")
        # The store's data key when it is protected: files are sealed with it.
        self.key = key

    @property
    def sealed(self) -> bool:
        """Whether files are kept sealed (a protected store)."""
        return self.key is not None

    def path_for(self, sha256: str) -> Path:
        if not _HEX64.match(sha256):
            raise ValidationError("sha256", _("not a SHA-256 hex digest: {sha256!r}").format(sha256=sha256))
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def clean_incoming(self) -> None:
        """Remove temporary files left by a copy that was interrupted (crash, kill)."""
        for leftover in self.incoming.iterdir():
            with contextlib.suppress(OSError):
                leftover.unlink()

    def add_file(self, source: Path, progress: Progress | None = None) -> StoredFile:
        """Copy ``source`` into the store. Raises :class:`Cancelled` if progress says so."""
        try:
            fh = open(source, "rb")
        except OSError as exc:
            raise DocketError(_("Cannot read {source}: {reason}").format(source=source, reason=exc.strerror or exc)) from None
        with fh:
            total = os.fstat(fh.fileno()).st_size
            return self.add_stream(fh, total=total, progress=progress)

    def add_stream(
        self,
        stream: BinaryIO,
        *,
        total: int = 0,
        progress: Progress | None = None,
        expected_sha256: str | None = None,
        max_size: int | None = None,
        sync: bool = True,
    ) -> StoredFile:
        """Copy a binary stream into the store, hashing as it goes.

        With ``sync=False`` the copy is not flushed to disk yet: the caller adds many files
        and then makes them durable together with :meth:`sync_files`, before its transaction
        commits (one flush of the file system's journal instead of two per file)."""
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.incoming, prefix="in-")
        tmp = Path(tmp_name)
        try:
            sealer = crypto.Sealer(self.key) if self.key is not None else None
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_size is not None and size > max_size:
                        raise ValidationError("evidence", _("file is larger than the limit of {max_size:,} bytes").format(max_size=max_size))
                    digest.update(chunk)
                    out.write(chunk if sealer is None else sealer.update(chunk))
                    if progress is not None and progress(size, total) is False:
                        raise Cancelled(_("Cancelled; nothing was stored."))
                if sealer is not None:
                    out.write(sealer.finish())
                out.flush()
                if sync:
                    os.fsync(out.fileno())
            sha = digest.hexdigest()
            if expected_sha256 is not None and sha != expected_sha256.lower():
                raise ValidationError("sha256", _("file content does not match: expected {expected_sha256}, got {sha}").format(expected_sha256=expected_sha256, sha=sha))
            final = self.path_for(sha)
            if final.exists():
                tmp.unlink()
                return StoredFile(sha, size, final, created=False)
            make_private_dir(final.parent)
            os.chmod(tmp, 0o400)
            os.replace(tmp, final)
            if sync:
                fsync_dir(final.parent)
            return StoredFile(sha, size, final, created=True)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def sync_files(self, files: Iterable[StoredFile]) -> None:
        """Make files added with ``sync=False`` durable: each new file and each folder that
        received one is flushed to disk once. Call it before the transaction that records
        them commits."""
        folders: set[Path] = set()
        for stored in files:
            if not stored.created:
                continue  # already durable: it was in the store before
            fd = os.open(stored.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            folders.add(stored.path.parent)
        for folder in sorted(folders):
            fsync_dir(folder)

    def discard(self, sha256: str) -> None:
        """Remove a file this operation just added, when its transaction rolled back."""
        path = self.path_for(sha256)
        if path.exists():
            os.chmod(path, 0o600)
            path.unlink()

    def open(self, sha256: str) -> BinaryIO:
        """The stored file's clear content (opened from its seal in a protected store)."""
        path = self.path_for(sha256)
        if self.key is not None:
            return crypto.open_sealed(path, self.key)
        return open(path, "rb")

    def read_bytes(self, sha256: str) -> bytes:
        """The whole clear content of a stored file (for small files: pictures, texts)."""
        with self.open(sha256) as fh:
            return fh.read()

    def size_of(self, sha256: str) -> int:
        """The size of the stored file's clear content, from the file's size alone."""
        path = self.path_for(sha256)
        return crypto.clear_size(path) if self.key is not None else path.stat().st_size

    @staticmethod
    def hash_sealed(path: Path, key: bytes) -> tuple[str, int]:
        """SHA-256 and size of the clear content sealed in ``path`` (read in chunks)."""
        digest = hashlib.sha256()
        done = 0
        with crypto.open_sealed(path, key) as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
                done += len(chunk)
        return digest.hexdigest(), done

    def hash_of(self, sha256: str, progress: Progress | None = None) -> tuple[str, int]:
        """SHA-256 and size of the stored file's clear content, read in chunks. In a protected
        store a file that fails to open raises :class:`core.store.crypto.DamagedFile`."""
        if self.key is None:
            return hash_file(self.path_for(sha256), progress)
        digest = hashlib.sha256()
        done = 0
        total = self.size_of(sha256)
        with self.open(sha256) as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
                done += len(chunk)
                if progress is not None and progress(done, total) is False:
                    raise Cancelled(_("Cancelled."))
        return digest.hexdigest(), done

    def all_hashes(self) -> Iterator[str]:
        """Every stored file's hash, for verification."""
        for sub in sorted(self.root.iterdir()):
            if sub.is_dir() and len(sub.name) == 2:
                for f in sorted(sub.iterdir()):
                    if _HEX64.match(f.name):
                        yield f.name


