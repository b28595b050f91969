"""A server that imported Docket once and forks child processes on request, for the tests
that kill a writer with SIGKILL at random moments: each kill costs a fork, not an
interpreter's start-up.

The server's source reads commands from stdin, one per line, fields separated by tabs; it
answers ``pid N`` for each child it forks and ``reaped N`` once the child has been waited
for, and passes on whatever its children print."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path


class Zygote:
    """Starts children of ``source`` (Python run with ``-c``) quickly and kills them."""

    def __init__(self, source: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", source], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, cwd=Path(__file__).parents[1])
        self._buffer = b""

    def line(self, timeout: float) -> str | None:
        """The next line the server or a child printed; None when nothing came in time."""
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                return None
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode()

    def start(self, *args: object) -> tuple[int, list[str]]:
        """Fork a child for a command; returns its pid and any lines that came before it."""
        self.send(*args)
        early: list[str] = []
        while (line := self.line(30)) is not None:
            if line.startswith("pid "):
                return int(line[4:]), early
            early.append(line)
        raise AssertionError("the server stopped answering")

    def kill(self, pid: int) -> list[str]:
        """SIGKILL the child; return every line it wrote before it died."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        self.send("reap", pid)
        lines = []
        while (line := self.line(30)) is not None:
            if line == f"reaped {pid}":
                return lines
            lines.append(line)
        raise AssertionError("the server stopped answering")

    def send(self, *args: object) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(("\t".join(map(str, args)) + "\n").encode())
        self.proc.stdin.flush()

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(30)
