"""Machine output of the command line."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def print_json(data: Any) -> None:
    """Write JSON to stdout, dates and decimals as text."""
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


# Without indent, json encodes in C; the layout of json.dump(indent=2) is added by
# print_json_records, since the pure-Python indenting encoder takes most of the time of
# printing thousands of records.
_encode = json.JSONEncoder(ensure_ascii=False, default=str).encode


def _record(item: dict[str, Any]) -> str:
    """One record of a list as json.dump(list, indent=2) lays it out (two levels deep)."""
    if not item:
        return "  {}"
    lines = []
    for key, value in item.items():
        if isinstance(value, dict) and value and not any(isinstance(v, dict | list) for v in value.values()):
            inner = ",\n".join(f"      {_encode(k)}: {_encode(v)}" for k, v in value.items())
            lines.append(f"    {_encode(key)}: {{\n{inner}\n    }}")
        elif isinstance(value, dict | list) and value:
            nested = json.dumps(value, indent=2, ensure_ascii=False, default=str).replace("\n", "\n    ")
            lines.append(f"    {_encode(key)}: {nested}")
        else:
            lines.append(f"    {_encode(key)}: {_encode(value)}")
    return "  {\n" + ",\n".join(lines) + "\n  }"


def print_json_records(records: Iterable[dict[str, Any]]) -> None:
    """Write a list of records to stdout as :func:`print_json` writes it, character for
    character, a record at a time (quicker for thousands of records)."""
    out = sys.stdout
    out.write("[")
    count = 0
    for count, item in enumerate(records, 1):
        out.write(("," if count > 1 else "") + "\n" + _record(item))
    out.write("\n]\n" if count else "]\n")


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
