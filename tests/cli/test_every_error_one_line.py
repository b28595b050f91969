"""Every error is one line and exit 2: each subcommand against a relative data folder, a full
disk, a read-only folder, a locked database, a deleted lock file and a 20-digit id, with no
traceback and no half-written output file."""

from __future__ import annotations

import argparse
import builtins
import errno
import io
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.cli.main import build_parser, main
from core.journal import cases
from core.store import store as store_module
from core.store.store import Store

HUGE = "12345678901234567890"  # beyond SQLite's 64-bit integers
EMAIL = (b"From: Shop <help@shop.example>\r\nTo: me@example.org\r\nSubject: Your refund\r\n"
         b"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\nMessage-ID: <1@shop.example>\r\n\r\nWe will refund you.\r\n")
CASE_FILE = ('{"format": "docket-case", "version": 2, "case": {"title": "Imported", "company": {"name": "Shop"},'
             ' "events": [{"at": "2026-03-01", "kind": "note", "summary": "x"}]}}')


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    with Store.open(data) as store:
        case_id = cases.open_case(store, title="Refund", company="Shop", amount="20.00", currency="GBP")
        cases.log_event(store, case_id=case_id, at="2026-03-01", kind="note", summary="Asked for a refund")
    (tmp_path / "mail.eml").write_bytes(EMAIL)
    (tmp_path / "case.json").write_text(CASE_FILE, "utf-8")
    (tmp_path / "out").mkdir()
    return data


def _curated(tmp: Path, case: str) -> list[list[str]]:
    """The invocations that matter most, with each output format of the commands that write files."""
    out = tmp / "out"
    return [
        ["cases"], ["show", case], ["search", "refund"], ["import", str(tmp / "case.json")],
        ["export", case, "--format", "json", "--out", str(out / "c.json")],
        ["export", case, "--format", "zip", "--out", str(out / "c.zip")],
        ["export", case, "--format", "pdf", "--out", str(out / "c.pdf")],
        ["export", case, "--format", "md", "--out", str(out / "c.md")],
        ["export", case, "--format", "csv", "--out", str(out / "c.csv")],
        ["demo"], ["import-email", case, str(tmp / "mail.eml")],
        ["letter", case, "--template", "stop_billing", "--out", str(out / "l.txt")],
        ["letter", case, "--template", "stop_billing", "--out", str(out / "l.pdf")],
        ["due", "--case", case], ["next", case], ["export-reminders", "--out", str(out / "r.ics"), "--case", case],
        ["backup", str(out / "all.zip")], ["restore", str(out / "all.zip")], ["verify"], ["backups"], ["history", case],
        ["new", "--title", "Kettle", "--company", "Shop"], ["edit", case, "--title", "Refund of the kettle"], ["edit-event", case, "--summary", "Asked again"],
        ["company", "edit", "1", "--phone", "0100 000000"], ["contact", "edit", "1", "--role", "Manager"],
    ]


def every_command() -> list[tuple[str, ...]]:
    """Every subcommand the parser knows (verbs of a group such as 'company list' included)."""
    found: list[tuple[str, ...]] = []

    def walk(words: tuple[str, ...], parser: argparse.ArgumentParser) -> None:
        groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not groups:
            found.append(words)
            return
        for name, sub in groups[0].choices.items():
            walk((*words, name), sub)

    walk((), build_parser())
    return found


def _value(action: argparse.Action, tmp: Path, case: str) -> list[str]:
    """A plausible value for one argument, read from its name, type and choices."""
    if action.choices:
        return [str(next(iter(action.choices)))]
    if action.type is int:
        return [case]
    dest = action.dest
    if dest == "out":
        return [str(tmp / "out" / "generated.out")]
    if dest in ("file", "files"):
        return [str(tmp / "case.json")]
    if dest in ("on", "until"):
        return ["2030-04-01"]
    if dest == "reminder":
        return [f"{case}:follow-up"]
    return ["Refund"]


def commands(tmp: Path, case: str = "1") -> list[list[str]]:
    """The curated invocations, then one for every other subcommand the parser knows, its
    required arguments filled in: a command added later is covered without editing this list."""
    found = _curated(tmp, case)
    covered = {tuple(args[:2]) if tuple(args[:2]) in set(every_command()) else (args[0],) for args in found}
    parser = build_parser()
    for words in every_command():
        if words in covered:
            continue
        sub = parser
        for word in words:
            sub = next(a for a in sub._actions if isinstance(a, argparse._SubParsersAction)).choices[word]
        args = list(words)
        for action in sub._actions:
            if action.option_strings and action.required:
                args += [action.option_strings[0], *_value(action, tmp, case)]
            elif not action.option_strings and action.nargs != argparse.SUPPRESS:
                args += _value(action, tmp, case)
        found.append(args)
    return found


def _run(data: Path | str, args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line_exit_2(code: int, err: str, args: list[str]) -> None:
    assert code == 2, (args, err)
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if not line.startswith("docket: warning:")]
    assert len(lines) == 1 and lines[0].startswith("docket: "), (args, err)


def _no_output_files(tmp: Path) -> None:
    assert sorted(p.name for p in (tmp / "out").iterdir()) == []


def test_a_relative_data_folder_is_the_one_in_the_current_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "mail.eml").write_bytes(EMAIL)
    (tmp_path / "case.json").write_text(CASE_FILE, "utf-8")
    (tmp_path / "out").mkdir()
    with Store.open(tmp_path / "data") as store:
        cases.open_case(store, title="Refund", company="Shop")
    monkeypatch.chdir(tmp_path)
    curated = _curated(tmp_path, "1")
    for args in commands(tmp_path):
        code, _out, err = _run("data", args, capsys)
        assert "Traceback" not in err, (args, err)
        if args in curated:
            assert code in (0, 1), (args, err)
        elif code == 2:  # a generated invocation may name something that is not there
            _one_line_exit_2(code, err, args)
    assert (tmp_path / "data" / "docket.sqlite3").is_file()
    monkeypatch.setenv("DOCKET_DATA_DIR", "data")
    capsys.readouterr()
    assert main(["show", "1"]) == 0
    assert "Refund" in capsys.readouterr().out


def test_20_digit_ids_are_one_line(filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args in commands(tmp_path, case=HUGE):
        if HUGE not in args:
            continue
        code, _out, err = _run(filled, args, capsys)
        if args[0] in ("due", "export-reminders") and code == 0:
            (tmp_path / "out" / "r.ics").unlink(missing_ok=True)
            continue  # a filter that matches nothing is not an error
        _one_line_exit_2(code, err, args)
    _no_output_files(tmp_path)


@pytest.fixture
def full_disk_for_files(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every file opened for writing outside the database says the disk is full at its first write."""
    real_open, real_fdopen = builtins.open, os.fdopen

    class Full:
        def __init__(self, raw: Any) -> None:
            self.raw = raw

        def write(self, *_a: Any) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name: str) -> Any:
            return getattr(self.raw, name)

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> None:
            self.raw.close()

    def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        return Full(handle) if any(m in mode for m in "wxa") and "sqlite3" not in str(file) else handle

    def fake_fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_fdopen(fd, mode, *args, **kwargs)
        return Full(handle) if any(m in mode for m in "wxa") else handle

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)
    monkeypatch.setattr(os, "fdopen", fake_fdopen)
    yield


def test_a_full_disk_while_writing_a_file_is_one_line_and_leaves_no_file(
        filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], full_disk_for_files: None) -> None:
    for args in commands(tmp_path):
        if "--out" not in args and args[0] != "backup":
            continue
        code, _out, err = _run(filled, args, capsys)
        _one_line_exit_2(code, err, args)
        assert any(w in err for w in ("disk is full", "No space left", "could not be written")), (args, err)
        _no_output_files(tmp_path)


def test_a_full_disk_under_the_database_is_one_line(
        filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    real = store_module._set_pragmas

    def no_room(conn: sqlite3.Connection, record: object) -> None:
        real(conn, record)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite then says: database or disk is full

    monkeypatch.setattr(store_module, "_set_pragmas", no_room)
    code, _out, err = _run(filled, ["demo"], capsys)
    _one_line_exit_2(code, err, ["demo"])
    assert "disk is full" in err


def test_a_database_locked_by_another_program_is_one_line(
        filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 100)
    other = sqlite3.connect(filled / "docket.sqlite3", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        for args in (["demo"], ["import", str(tmp_path / "case.json")], ["import-email", "1", str(tmp_path / "mail.eml")]):
            code, _out, err = _run(filled, args, capsys)
            _one_line_exit_2(code, err, args)
            assert "locked by another program" in err
    finally:
        other.rollback()
        other.close()


def test_a_second_writer_after_the_lock_file_was_deleted_is_one_line(
        filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 100)
    with Store.open(filled) as first:
        (filled / "docket.lock").unlink()
        with first.writer.connect() as conn:
            raw = conn.connection.driver_connection
            raw.execute("BEGIN IMMEDIATE")  # the first Docket is in the middle of a write
            try:
                code, _out, err = _run(filled, ["import", str(tmp_path / "case.json")], capsys)
            finally:
                raw.execute("ROLLBACK")
    _one_line_exit_2(code, err, ["import"])


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_data_folder_is_one_line(filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.chmod(filled, 0o500)
    try:
        code, _out, err = _run(filled, ["demo"], capsys)
        _one_line_exit_2(code, err, ["demo"])
    finally:
        os.chmod(filled, 0o700)


def test_a_read_only_output_folder_is_one_line(
        filled: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import tempfile

    def refused(*_a: Any, **_k: Any) -> Any:
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "out"))

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    for args in commands(tmp_path):
        if "--out" not in args:
            continue
        code, _out, err = _run(filled, args, capsys)
        _one_line_exit_2(code, err, args)
    _no_output_files(tmp_path)
