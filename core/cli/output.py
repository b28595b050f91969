"""Machine output of the command line."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any


def print_json(data: Any) -> None:
    """Write JSON to stdout, dates and decimals as text."""
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def write_text_atomically(out: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``out`` so that the file appears only when complete: a full
    disk or a kill leaves no half file behind."""
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
