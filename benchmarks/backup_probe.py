"""Child processes for the backup benchmarks, so that each reports its own peak memory.

    python -m benchmarks.backup_probe plain DATA_DIR OUT_DIR    # sqlite3 backup + evidence file copies
    python -m benchmarks.backup_probe auto DATA_DIR             # one automatic backup (then removed)
    python -m benchmarks.backup_probe archive DATA_DIR OUT.zip  # a whole archive
    python -m benchmarks.backup_probe members OUT.zip           # the archive read back

Each prints one JSON line: the milliseconds the operation took (the interpreter's start and
imports not counted), the peak resident memory of the process, and the bytes written.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import time
from pathlib import Path

from benchmarks.probe import _rss_mb


def plain(data_dir: Path, out_dir: Path) -> dict[str, float]:
    """What a careful person would do by hand: SQLite's backup API, then copy every file."""
    out_dir.mkdir(parents=True)
    start = time.perf_counter()
    source = sqlite3.connect(data_dir / "docket.sqlite3")
    copy = sqlite3.connect(out_dir / "docket.sqlite3")
    source.backup(copy)
    copy.close()
    source.close()
    db_ms = (time.perf_counter() - start) * 1000
    written = (out_dir / "docket.sqlite3").stat().st_size
    for sub in sorted((data_dir / "evidence").iterdir()):
        if sub.is_dir() and len(sub.name) == 2:
            (out_dir / sub.name).mkdir()
            for f in sub.iterdir():
                shutil.copyfile(f, out_dir / sub.name / f.name)
                written += f.stat().st_size
    return {"ms": (time.perf_counter() - start) * 1000, "db_ms": db_ms, "bytes": written}


def auto(data_dir: Path) -> dict[str, float]:
    from core.store import backup
    from core.store.store import Store

    with Store.open(data_dir) as store:
        start = time.perf_counter()
        path = backup._make_backup(store, "benchmark", backup.fingerprint(store))
        ms = (time.perf_counter() - start) * 1000
        size = path.stat().st_size
        path.unlink()
        path.with_suffix(".json").unlink()
    return {"ms": ms, "bytes": size}


def archive(data_dir: Path, out: Path) -> dict[str, float]:
    from core.store import backup
    from core.store.store import Store

    with Store.open(data_dir) as store:
        start = time.perf_counter()
        summary = backup.backup_archive(store, out)
        ms = (time.perf_counter() - start) * 1000
    return {"ms": ms, "bytes": summary.bytes}


def members(out: Path) -> dict[str, float]:
    """The archive's directory read back by Python's zipfile: how many members, and whether
    it needed the ZIP64 end record (65,535 members or more)."""
    import zipfile

    with zipfile.ZipFile(out) as zf:
        count = len(zf.infolist())
    with open(out, "rb") as fh:
        fh.seek(max(0, out.stat().st_size - 128))
        zip64 = b"PK\x06\x06" in fh.read()
    return {"members": count, "zip64": zip64}


if __name__ == "__main__":
    mode, data = sys.argv[1], Path(sys.argv[2])
    if mode == "plain":
        result = plain(data, Path(sys.argv[3]))
    elif mode == "auto":
        result = auto(data)
    elif mode == "members":
        result = members(data)
    else:
        result = archive(data, Path(sys.argv[3]))
    print(json.dumps({**result, "rss_mb": _rss_mb()}), flush=True)
