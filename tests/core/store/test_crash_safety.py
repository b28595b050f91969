"""Docket killed at any moment loses nothing it said was saved, and leaves no half file.

A child process writes transactions through core (``log_event``) and reports each one after its
commit returns. The test kills it with SIGKILL at random points, again and again, then checks
that every reported commit is in the store and that SQLite finds the file intact.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.journal import cases, queries
from core.store.files import hash_file
from core.store.store import Store
from core.store.verify import verify
from tests.forking import Zygote

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork are POSIX")

# Fifty kills and more, each after a few commits: what is checked is every kill, not how many
# commits come between two of them (each commit is synced to disk, the slow part here).
TRANSACTIONS = 400
MIN_KILLS = 50


# A small server that imports Docket once and forks one writer per request: a kill then costs
# milliseconds instead of a fresh interpreter's start-up. Every line is written with a single
# os.write, so lines from the server and its children never interleave.
ZYGOTE = r"""
import os, sys, tempfile, time
from core.journal import cases
from core.store import revisions as history
from core.escalation import reminders
from core.store.store import Store

# Warm up once (imports, mapper set-up, compiled statements) so each forked child starts fast.
with tempfile.TemporaryDirectory() as scratch, Store.open(scratch) as warm:
    warm_case = cases.open_case(warm, title="warm-up", company="warm-up")
    cases.log_event(warm, case_id=warm_case, at="2026-03-01", kind="note", summary="warm-up")

def say(text):
    os.write(1, (text + "\n").encode())

def writer(data_dir, case_id, start, total):
    store = Store.open(data_dir)
    for i in range(start, total):
        cases.log_event(store, case_id=case_id, at="2026-03-01T10:00:00+00:00", kind="note",
                        summary=f"commit {i}")
        say(f"ack {i}")

def copier(data_dir, case_id, source):
    store = Store.open(data_dir)
    def progress(done, total):
        say(f"copied {done}")
        time.sleep(0.005)  # a slow disk: leaves time to be killed in the middle
        return True
    cases.attach_evidence(store, case_id=case_id, path=source, progress=progress)
    say("done")

for line in sys.stdin:
    cmd, *args = line.split("\t")
    args = [a.strip() for a in args]
    if cmd == "reap":
        os.waitpid(int(args[0]), 0)
        say(f"reaped {args[0]}")
        continue
    pid = os.fork()
    if pid == 0:
        try:
            if cmd == "write":
                writer(args[0], int(args[1]), int(args[2]), int(args[3]))
            else:
                copier(args[0], int(args[1]), args[2])
        finally:
            os._exit(0)
    say(f"pid {pid}")
"""


@pytest.fixture
def zygote() -> Iterator[Zygote]:
    server = Zygote(ZYGOTE)
    yield server
    server.close()


def _acks(lines: list[str]) -> set[int]:
    return {int(line[4:]) for line in lines if line.startswith("ack ")}


@pytest.mark.slow
def test_every_acknowledged_commit_survives_sigkill(data_dir: Path, zygote: Zygote) -> None:
    with Store.open(data_dir) as store:
        case_id = cases.open_case(store, title="Refund never paid", company="Globex Travel")
    rng = random.Random(7)
    acked: set[int] = set()
    kills = 0
    start = 0
    while start < TRANSACTIONS:
        pid, early = zygote.start("write", data_dir, case_id, start, TRANSACTIONS)
        acked |= _acks(early)
        if rng.random() < 0.1:
            time.sleep(rng.uniform(0, 0.05))  # while it opens the store
        else:
            wanted, got = rng.randint(1, 10), 0
            while got < wanted and (line := zygote.line(10)) is not None:
                acked |= _acks([line])
                got += 1
            time.sleep(rng.uniform(0, 0.004))  # often in the middle of the next commit
        acked |= _acks(zygote.kill(pid))
        kills += 1
        start = max(acked) + 1 if acked else 0
    print(f"{kills} kills, {len(acked)} acknowledged commits")
    assert kills >= MIN_KILLS
    assert len(acked) == TRANSACTIONS

    with Store.open(data_dir) as store:
        summaries = {e.summary for e in queries.load_case(store, case_id).events}
        report = verify(store)
    missing = [i for i in sorted(acked) if f"commit {i}" not in summaries]
    assert missing == [], f"acknowledged but lost after a kill: {missing[:10]}"
    conn = sqlite3.connect(data_dir / "docket.sqlite3")
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    assert report.ok, report.text()  # the history chain survived every kill too


def test_killed_while_copying_a_large_file_leaves_no_half_file(data_dir: Path, tmp_path: Path,
                                                                 zygote: Zygote) -> None:
    big = tmp_path / "scan.tiff"
    with open(big, "wb") as fh:
        for i in range(24):
            fh.write(bytes([i]) * 1024 * 1024)
    with Store.open(data_dir) as store:
        case_id = cases.open_case(store, title="Sofa arrived broken", company="Wayne Furniture")
    pid, _ = zygote.start("copy", data_dir, case_id, big)
    copied = 0
    while copied < 8 * 1024 * 1024 and (line := zygote.line(20)) is not None:
        copied = int(line.split()[1])
    assert 0 < copied < big.stat().st_size
    zygote.kill(pid)

    incoming = data_dir / "evidence" / ".incoming"
    assert any(incoming.iterdir())  # the half copy is there, but only under its temporary name
    stored = [p for p in (data_dir / "evidence").glob("??/*") if p.is_file()]
    assert all(hash_file(p)[0] == p.name for p in stored)
    with Store.open(data_dir) as store:
        assert list(incoming.iterdir()) == []  # cleaned when Docket opens the store again
        assert queries.load_case(store, case_id).evidence == []
        assert verify(store).ok
