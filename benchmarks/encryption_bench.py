"""Encryption at rest against clear, on the same store (measures; asserts nothing).

    python -m benchmarks.encryption_bench [--cases 10000] [--store DIR] [--file-mb 300] [--reps 5]

A generated store (``benchmarks.generate``) is copied and the copy protected with a
passphrase (``core.store.protection.protect_store``, timed too). Then, on each of the two:

- opening the store (the unlock's scrypt counted apart: it runs once per start) and reading
  the case list's first page;
- search as you type (p95 over every keystroke of a few words);
- opening the case with the most events;
- attaching a file of ``--file-mb`` MB (copied, hashed and, when protected, sealed), with the
  peak of Python's allocations while it runs (tracemalloc: flat means one chunk at a time).

Each figure is the protected store's median over the clear store's, measured in the same run.
:func:`bench_encryption` is what ``benchmarks/run.py`` runs (``--only encryption``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PASSPHRASE = "benchmark passphrase, not a secret"
TYPED = ["refund", "washing machine", "supervisor", "Dubois", "recorded letter", "engineer"]


def _ms(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _big_file(path: Path, mb: int) -> Path:
    block = os.urandom(1024 * 1024)  # a new file's content differs from every earlier one
    with open(path, "wb") as fh:
        for i in range(mb):
            fh.write(block[i % 7:] + block[: i % 7])  # not one block repeated: no shortcut anywhere
    return path


def measure(stores: dict[str, tuple[Path, bytes | None]], reps: int, file_mb: int, work: Path) -> dict[str, dict[str, Any]]:
    """Timings (ms) of the everyday actions on each store, taken in turns (clear, protected,
    clear...) so that the machine's ups and downs fall on both alike."""
    from core.journal import cases, queries
    from core.journal.opening import open_store

    found: dict[str, dict[str, Any]] = {name: {"open_and_first_page": [], "search": [], "open_case": []}
                                        for name in stores}
    for folder, key in stores.values():  # a first pass warms the disk cache for both
        with open_store(folder, key=key) as store:
            queries.search(store, "refund", limit=50)
            queries.load_case(store, 1)
    for _ in range(reps):
        for name, (folder, key) in stores.items():
            def open_and_list(folder: Path = folder, key: bytes | None = key) -> None:
                with open_store(folder, key=key) as store:
                    queries.list_cases(store, limit=200)

            found[name]["open_and_first_page"].append(_ms(open_and_list))
    prefixes = [word[:i] for word in TYPED for i in range(2, len(word) + 1)]
    opened = {name: open_store(folder, key=key) for name, (folder, key) in stores.items()}
    try:
        for _ in range(reps):
            for prefix in prefixes:
                for name, store in opened.items():
                    found[name]["search"].append(_ms(lambda s=store, p=prefix: queries.search(s, p, limit=50)))
            for name, store in opened.items():
                found[name]["open_case"].append(
                    _ms(lambda s=store: (queries.load_case(s, 1), queries.time_spent(s, 1))))
        for name in opened:
            found[name]["attach"] = []
            found[name]["attach_peak_growth_mb"] = 0.0
        for _ in range(min(reps, 3)):
            for name, store in opened.items():
                big = _big_file(work / f"big-{name}.bin", file_mb)  # new content each time: always copied
                tracemalloc.start()
                found[name]["attach"].append(_ms(lambda s=store, b=big: cases.attach_evidence(
                    s, case_id=2, path=b, original_name="video.bin")))
                peak = round(tracemalloc.get_traced_memory()[1] / (1024 * 1024), 1)
                found[name]["attach_peak_growth_mb"] = max(found[name]["attach_peak_growth_mb"], peak)
                tracemalloc.stop()
                big.unlink()
    finally:
        for store in opened.values():
            store.close()
    return found


def _summary(protected: list[float], clear: list[float], p95: bool = False) -> dict[str, Any]:
    def stat(values: list[float]) -> float:
        if p95:
            ordered = sorted(values)
            return round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 2)
        return round(statistics.median(values), 2)

    a, b = stat(protected), stat(clear)
    return {"protected_ms": a, "clear_ms": b, "ratio": round(a / max(b, 1e-9), 2)}


def bench_encryption(data_dir: Path, reps: int, work: Path, file_mb: int) -> dict[str, Any]:
    """Copy the store at ``data_dir``, protect the copy, and compare the two."""
    from core.journal.opening import open_store
    from core.store import crypto, protection

    clear_dir = work / "clear"
    protected_dir = work / "protected"
    for target in (clear_dir, protected_dir):
        shutil.copytree(data_dir, target, ignore=shutil.ignore_patterns("docket.lock", "backups"))
    with open_store(protected_dir) as store:
        started = time.perf_counter()
        protection.protect_store(store, passphrase=PASSPHRASE, confirmed_written_down=True)
        convert_s = time.perf_counter() - started
    unlock_ms = [_ms(lambda: crypto.unlock(protected_dir, PASSPHRASE)) for _ in range(min(reps, 3))]
    key = crypto.unlock(protected_dir, PASSPHRASE)
    both = measure({"clear": (clear_dir, None), "protected": (protected_dir, key)}, reps, file_mb, work)
    clear, protected = both["clear"], both["protected"]
    sizes = {name: sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) // (1024 * 1024)
             for name, folder in (("clear_mb", clear_dir), ("protected_mb", protected_dir))}
    return {
        "convert_to_protected_s": round(convert_s, 1),
        "unlock_ms": round(statistics.median(unlock_ms), 1),
        "open_and_first_page": _summary(protected["open_and_first_page"], clear["open_and_first_page"]),
        "search_p95": _summary(protected["search"], clear["search"], p95=True),
        "search_median": _summary(protected["search"], clear["search"]),
        "open_case": _summary(protected["open_case"], clear["open_case"]),
        f"attach_{file_mb}mb": _summary(protected["attach"], clear["attach"]),
        "attach_peak_memory_growth_mb": {"protected": protected["attach_peak_growth_mb"],
                                         "clear": clear["attach_peak_growth_mb"]},
        "data_folder": sizes,
        "raw": both,
    }


def results(data_dir: Path, reps: int, work: Path, file_mb: int) -> list[Any]:
    """The comparison as ``benchmarks.run`` results: each the protected store's runs against
    the clear store's as baseline, so the report shows the ratio."""
    from benchmarks.run import Result

    folder = work / "encryption"
    folder.mkdir()
    figures = bench_encryption(data_dir, reps, folder, file_mb)
    raw = figures["raw"]
    made = []
    for name, key, what in (
        ("enc_open", "open_and_first_page", "protected store: open it and read the case list's first page"),
        ("enc_search", "search", "protected store: search as you type (p95)"),
        ("enc_open_case", "open_case", "protected store: open the case with the most events"),
        ("enc_attach", "attach", f"protected store: attach a {file_mb} MB file"),
    ):
        result = Result(name, what, "within 1.3x of clear", runs=raw["protected"][key],
                        baseline_runs=raw["clear"][key], baseline="the same store in clear")
        if key == "search":
            result.p95 = round(sorted(result.runs)[max(0, round(0.95 * len(result.runs)) - 1)], 2)
        made.append(result)
    made[-1].note = (f"peak Python memory while attaching: {raw['protected']['attach_peak_growth_mb']} MB protected, "
                     f"{raw['clear']['attach_peak_growth_mb']} MB clear; converting took "
                     f"{figures['convert_to_protected_s']} s, unlocking {figures['unlock_ms']} ms")
    return made


def main(argv: list[str] | None = None) -> int:
    from benchmarks.generate import Size, generate

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--store", type=Path, help="a generated store to use (made if missing)")
    parser.add_argument("--file-mb", type=int, default=300)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="docket-enc-bench-") as tmp:
        work = Path(tmp)
        store = args.store or work / "generated"
        if not (store / "docket.sqlite3").exists():
            print(json.dumps({"generated": generate(store, Size.scaled(args.cases))}), flush=True)
        figures = bench_encryption(store, args.reps, work, args.file_mb)
    figures.pop("raw")
    print(json.dumps({"cases": args.cases, **figures}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
