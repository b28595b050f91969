"""Protecting or unprotecting the data, killed at any moment, leaves the old store or the new
one, whole: never a mix of clear and sealed parts, never a lost case or evidence file.

A child process converts the store (protect when it is clear, unprotect when it is
protected); the test kills it with SIGKILL, half of the time at a random moment and half of
the time right after one of the renames of the swap, then opens the store as Docket would
and checks everything.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.domain.models import Case, Event, Evidence
from core.journal import cases
from core.journal.opening import open_store
from core.store import crypto
from core.store.backup import auto_backup, integrity_of
from core.store.store import Store, StoreLocked
from core.store.verify import verify
from tests.forking import Zygote

pytestmark = [pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX"), pytest.mark.slow]

PASSPHRASE = "seven lanterns over the harbour"
KILLS = 20  # the issue asks for at least twenty
WORDS = [b"Vermilion Kettle Ltd", b"zora.private@example.net", b"INVOICE-BODY-55821"]

# A small server that imports Docket once and forks one converting process per request (as
# tests/core/store/test_crash_safety.py does): each of the twenty kills then costs a fork, not
# a fresh interpreter's start-up. The forked process is still killed with SIGKILL in the middle
# of a real conversion. Every line is written with a single os.write, so lines from the server
# and its children never interleave.
SERVER = r"""
import os, sys, tempfile, time
from pathlib import Path
from core.journal.opening import open_store
from core.store import crypto, protection
from core.store.store import StoreLocked

# Warm up once (imports, mapper set-up) so each forked process starts converting at once.
with tempfile.TemporaryDirectory() as scratch, open_store(Path(scratch)) as warm:
    pass

def say(text):
    os.write(1, (text + "\n").encode())

def convert(data_dir, passphrase):
    real_replace = os.replace
    renames = 0

    def replace(a, b):
        nonlocal renames
        real_replace(a, b)
        renames += 1
        say(f"renamed {renames}")
        time.sleep(0.05)  # the parent kills in this pause, right after the rename

    os.replace = replace
    try:
        store = open_store(data_dir)
    except StoreLocked:
        store = open_store(data_dir, key=crypto.unlock(data_dir, passphrase))
    renames = 0
    say("ready")

    def progress(done, total, what):
        time.sleep(0.003)  # a slow disk: leaves time to be killed in the middle

    if store.key is None:
        protection.protect_store(store, passphrase=passphrase, confirmed_written_down=True,
                                 kdf=crypto.KdfParams(n=2**12), progress=progress)
    else:
        protection.unprotect_store(store, passphrase=passphrase, progress=progress)
    say("done")
    store.close()

for line in sys.stdin:
    cmd, *args = line.rstrip("\n").split("\t")
    if cmd == "reap":
        os.waitpid(int(args[0]), 0)
        say(f"reaped {args[0]}")
        continue
    pid = os.fork()
    if pid == 0:
        try:
            convert(Path(args[0]), args[1])
        finally:
            os._exit(0)
    say(f"pid {pid}")
"""


def _open(data_dir: Path) -> Store:
    try:
        return open_store(data_dir)
    except StoreLocked:
        return open_store(data_dir, key=crypto.unlock(data_dir, PASSPHRASE))


def _fill(data_dir: Path, tmp_path: Path) -> tuple[int, int, set[str]]:
    with open_store(data_dir) as store:
        for n in range(2):
            case_id = cases.open_case(store, title=f"Kettle {n}", company="Vermilion Kettle Ltd")
            cases.add_contact(store, case_id=case_id, name="Zora", email="zora.private@example.net")
            for day in range(1, 6):
                cases.log_event(store, case_id=case_id, at=f"2026-02-0{day}", kind="note", summary=f"call {day}")
            for i in range(2):
                source = tmp_path / f"invoice-{n}-{i}.txt"
                source.write_bytes(b"INVOICE-BODY-55821 " + os.urandom(150_000).hex().encode())
                cases.attach_evidence(store, case_id=case_id, path=source)
            auto_backup(store, reason=f"filled-{n}")
        with store.read() as session:
            shas = {e.sha256 for e in session.query(Evidence)}
            return session.query(Case).count(), session.query(Event).count(), shas


class Server(Zygote):
    """Forks converting processes on request and kills them with SIGKILL."""

    def __init__(self) -> None:
        super().__init__(SERVER)

    def convert(self, data_dir: Path) -> int:
        """Start converting the store in a new process; returns once it has opened the store
        and begins (after its "ready")."""
        self.send("convert", data_dir, PASSPHRASE)
        pid, ready = None, False
        while pid is None or not ready:
            line = self.line(60)
            assert line is not None, "the converting process did not start"
            if line == "ready":
                ready = True
            elif line.startswith("pid "):
                pid = int(line[4:])
        return pid


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()


def test_a_conversion_killed_at_any_moment_leaves_the_old_store_or_the_new_one(data_dir: Path, tmp_path: Path,
                                                                               server: Server) -> None:
    counts = _fill(data_dir, tmp_path)
    rng = random.Random(20)
    # How long one whole conversion takes here, to spread the random kills over it.
    started = time.monotonic()
    pid = server.convert(data_dir)
    while server.line(120) not in ("done", None):
        pass
    duration = time.monotonic() - started
    server.kill(pid)  # already finished: this only reaps it
    seen = {"protected": 0, "clear": 0}
    for attempt in range(KILLS):
        pid = server.convert(data_dir)
        if attempt % 2:
            wanted = f"renamed {rng.randint(1, 6)}"
            while server.line(60) not in (wanted, "done", None):
                pass
        else:
            time.sleep(rng.uniform(0, duration))
        server.kill(pid)

        with _open(data_dir) as store:
            protected = store.key is not None
            seen["protected" if protected else "clear"] += 1
            assert crypto.is_protected(data_dir) == protected
            assert not (data_dir / "convert-journal.json").exists()
            assert not any(p.name.startswith(".convert-") for p in data_dir.iterdir())
            with store.read() as session:
                shas = {e.sha256 for e in session.query(Evidence)}
                assert (session.query(Case).count(), session.query(Event).count(), shas) == counts
            for sha in shas:
                assert store.evidence.hash_of(sha)[0] == sha
            assert integrity_of(store.db_path, store.key) == "ok"
        if protected:
            for path in data_dir.rglob("*"):
                if path.is_file():
                    data = path.read_bytes()
                    assert not any(word in data for word in WORDS), f"{path} holds clear text"
    # Both outcomes happened: the kills fell before and after the swap.
    assert seen["protected"] and seen["clear"], seen
    with _open(data_dir) as store:
        report = verify(store)
        assert report.ok, report.text()
