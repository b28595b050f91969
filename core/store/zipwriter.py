"""A zip writer whose memory does not grow with the number of members.

Python's :class:`zipfile.ZipFile` keeps a ``ZipInfo`` for every member (about 0.6 KB each)
until it writes the central directory at close: 120 MB for an archive of 200,000 evidence
files. This writer writes each member's central-directory record to a temporary file as soon
as the member is complete and keeps only counts; at close the records are copied after the
last member, followed by the end-of-central-directory record (with its ZIP64 form when the
archive has 65,535 members or more, or offsets past 2 GiB, as Python's zipfile does).

What it writes is an ordinary zip (PKWARE APPNOTE 6.3): each member's local header carries
a ZIP64 extra field with its sizes, rewritten in place once the member is written (the output
must be seekable), so there are no data descriptors; members are stored or deflated. Python's
zipfile, ``unzip`` and Docket's own restore read it.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

STORED = 0
DEFLATED = 8

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END64 = struct.Struct("<IQHHIIQQQQ")
_LOCATOR64 = struct.Struct("<IIQI")
_END = struct.Struct("<IHHHHIIH")
_ZIP64_EXTRA = struct.Struct("<HHQQ")  # the local header's: uncompressed and compressed size

_VERSION = 45  # 4.5: ZIP64 (every local header carries its extra field)
_MADE_BY = (3 << 8) | _VERSION  # made on Unix: external attributes are a Unix mode
_UTF8 = 0x800
_FFFF, _FFFFFFFF = 0xFFFF, 0xFFFFFFFF
_CHUNK = 1024 * 1024

_Sink = Callable[[bytes], object]  # sees each chunk of a member as it is written (to hash it)


def _dos_time(mtime: float) -> tuple[int, int]:
    """A zip's (time, date) fields for a moment in local time (zip times have no zone)."""
    t = time.localtime(max(mtime, 315532800.0 + 86400))  # zip dates start in 1980
    return ((t.tm_hour << 11) | (t.tm_min << 5) | (t.tm_sec // 2),
            ((min(t.tm_year, 2107) - 1980) << 9) | (t.tm_mon << 5) | t.tm_mday)


class StreamingZipWriter:
    """Write a zip file member by member, keeping no per-member state in memory.

    ``directory`` is the folder for the temporary file of central-directory records (about
    100 bytes a member); it defaults to the system's temporary folder. Members' names must be
    unique: the writer does not remember them to check.
    """

    # ZIP64 forms are used past these, as Python's zipfile does (2 GiB rather than 4: some
    # readers take the 32-bit fields as signed). Lowered only by tests, to reach those paths.
    zip64_limit = (1 << 31) - 1
    count_limit = _FFFF

    def __init__(self, path: Path | str, *, directory: Path | str | None = None) -> None:
        self._out: BinaryIO = open(path, "wb")  # noqa: SIM115 - closed by close()
        try:
            self._records: BinaryIO = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115
        except BaseException:
            self._out.close()
            raise
        self._count = 0
        self._records_size = 0
        self._open = False
        self._closed = False

    @property
    def count(self) -> int:
        """How many members have been written."""
        return self._count

    def __enter__(self) -> StreamingZipWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is None:
            self.close()
        else:
            self.abandon()

    def write_file(self, name: str, source: Path, *, method: int = STORED, level: int = 1,
                   sink: _Sink | None = None) -> int:
        """Add the file at ``source`` as ``name`` (its modification time and Unix mode kept);
        each chunk read is also passed to ``sink`` (to hash it). Returns its size in bytes."""
        with open(source, "rb") as fh:
            st = os.fstat(fh.fileno())
            return self._write(name, fh, method=method, level=level, mtime=st.st_mtime,
                               mode=st.st_mode & 0xFFFF, sink=sink)

    def write_bytes(self, name: str, data: bytes, *, method: int = DEFLATED, level: int = 1,
                    mtime: float | None = None) -> int:
        """Add ``data`` as the member ``name`` (mode 0600, modified now unless ``mtime``)."""
        return self._write(name, io.BytesIO(data), method=method, level=level,
                           mtime=time.time() if mtime is None else mtime, mode=0o100600, sink=None)

    def open_member(self, name: str, *, method: int = DEFLATED, level: int = 1,
                    mtime: float | None = None) -> _Member:
        """A member to write piece by piece (``write``, then ``close``); one at a time."""
        return _Member(self, name, method, level, time.time() if mtime is None else mtime, 0o100600)

    # -- the members ------------------------------------------------------------------------
    def _write(self, name: str, src: BinaryIO, *, method: int, level: int, mtime: float,
               mode: int, sink: _Sink | None) -> int:
        member = _Member(self, name, method, level, mtime, mode)
        try:
            while chunk := src.read(_CHUNK):
                if sink is not None:
                    sink(chunk)
                member.write(chunk)
        except BaseException:
            member.abandon()
            raise
        member.close()
        return member.size

    def _begin(self, name: bytes, flags: int, method: int, dos: tuple[int, int]) -> int:
        if self._closed:
            raise ValueError("the zip is closed")
        if self._open:
            raise ValueError("a member is still being written")
        self._open = True
        offset = self._out.tell()
        self._out.write(self._local_header(name, flags, method, dos, 0, 0, 0))
        return offset

    @staticmethod
    def _local_header(name: bytes, flags: int, method: int, dos: tuple[int, int], crc: int,
                      size: int, packed: int) -> bytes:
        extra = _ZIP64_EXTRA.pack(1, 16, size, packed)
        return (_LOCAL.pack(0x04034B50, _VERSION, flags, method, dos[0], dos[1], crc,
                            _FFFFFFFF, _FFFFFFFF, len(name), len(extra)) + name + extra)

    def _end(self, name: bytes, flags: int, method: int, dos: tuple[int, int], mode: int,
             offset: int, crc: int, size: int, packed: int) -> None:
        self._open = False
        end = self._out.tell()
        self._out.seek(offset)
        self._out.write(self._local_header(name, flags, method, dos, crc, size, packed))
        self._out.seek(end)
        limit = self.zip64_limit
        extra_fields = [v for v in (size, packed, offset) if v > limit]
        extra = struct.pack(f"<HH{len(extra_fields)}Q", 1, 8 * len(extra_fields), *extra_fields) if extra_fields else b""
        record = _CENTRAL.pack(
            0x02014B50, _MADE_BY, _VERSION, flags, method, dos[0], dos[1], crc,
            _FFFFFFFF if packed > limit else packed, _FFFFFFFF if size > limit else size,
            len(name), len(extra), 0, 0, 0, (mode & 0xFFFF) << 16,
            _FFFFFFFF if offset > limit else offset) + name + extra
        self._records.write(record)
        self._records_size += len(record)
        self._count += 1

    def _abandon_member(self) -> None:
        self._open = False

    # -- the end ----------------------------------------------------------------------------
    def close(self) -> None:
        """Write the central directory and its end records, and close the file."""
        if self._closed:
            return
        if self._open:
            raise ValueError("a member is still being written")
        try:
            out = self._out
            start = out.tell()
            self._records.seek(0)
            shutil.copyfileobj(self._records, out, _CHUNK)
            size, count, limit = self._records_size, self._count, self.zip64_limit
            if count >= self.count_limit or start > limit or size > limit:
                # The ZIP64 end record and its locator hold the real figures; the classic
                # record's fields that do not fit say so with all ones.
                end64 = out.tell()
                out.write(_END64.pack(0x06064B50, _END64.size - 12, _MADE_BY, _VERSION, 0, 0,
                                      count, count, size, start))
                out.write(_LOCATOR64.pack(0x07064B50, 0, end64, 1))
                count = _FFFF if count >= self.count_limit else count
                size = _FFFFFFFF if size > limit else size
                start = _FFFFFFFF if start > limit else start
            out.write(_END.pack(0x06054B50, 0, 0, count, count, size, start, 0))
            out.flush()
        finally:
            self._closed = True
            self._records.close()
            self._out.close()

    def abandon(self) -> None:
        """Close without finishing: the file is left incomplete (the caller removes it)."""
        self._closed = True
        self._records.close()
        self._out.close()


class _Member:
    """One member being written: its bytes go straight to the file (compressed if deflated)."""

    def __init__(self, zip_: StreamingZipWriter, name: str, method: int, level: int,
                 mtime: float, mode: int) -> None:
        if method not in (STORED, DEFLATED):
            raise ValueError(f"unsupported compression method {method}")
        self._zip = zip_
        self._name = name.encode("utf-8")
        self._flags = 0 if name.isascii() else _UTF8
        self._method = method
        self._dos = _dos_time(mtime)
        self._mode = mode
        self._crc = 0
        self.size = 0
        self._packed = 0
        self._compressor = zlib.compressobj(level, zlib.DEFLATED, -15) if method == DEFLATED else None
        self._offset = zip_._begin(self._name, self._flags, method, self._dos)

    def write(self, data: bytes) -> int:
        self._crc = zlib.crc32(data, self._crc)
        self.size += len(data)
        if self._compressor is not None:
            data = self._compressor.compress(data)
        self._packed += len(data)
        self._zip._out.write(data)
        return len(data)

    def close(self) -> None:
        if self._compressor is not None:
            tail = self._compressor.flush()
            self._packed += len(tail)
            self._zip._out.write(tail)
            self._compressor = None
        self._zip._end(self._name, self._flags, self._method, self._dos, self._mode,
                       self._offset, self._crc, self.size, self._packed)

    def abandon(self) -> None:
        self._zip._abandon_member()

    def __enter__(self) -> _Member:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is None:
            self.close()
        else:
            self.abandon()
