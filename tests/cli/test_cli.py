"""The ``docket`` command line, as a person (or a script) uses it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core import __version__
from core.cli import main as cli
from core.domain import clock
from core.journal import cases
from core.store.store import Store


def docket(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed console script the way a user does."""
    script = shutil.which("docket")
    command = [script] if script else [sys.executable, "-m", "core.cli.main"]
    base = {k: v for k, v in os.environ.items() if k not in ("DOCKET_DATA_DIR", "DOCKET_TODAY")}
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=60, env={**base, **(env or {})})


@pytest.fixture
def filled(data_dir: Path) -> Path:
    """A data folder with two cases, closed again so the command line can open it."""
    with Store.open(data_dir) as store:
        perfume = cases.open_case(store, title="Perfume never delivered", company="Maison Example",
                                  amount="129.00", status="awaiting_reply", opened_on="2014-11-20")
        desk = cases.add_contact(store, case_id=perfume, name="Customer service")
        cases.log_event(store, case_id=perfume, at="2014-12-01", kind="promise", direction="from_company",
                        summary="Refund to card promised", contact_id=desk, promised_by="2014-12-15")
        cases.open_case(store, title="Gym still billing", company="FitCo")
    return data_dir


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version_from_the_installed_command() -> None:
    result = docket("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"Docket {__version__}"


def test_cases_lists_id_title_company_status_and_last_activity(filled: Path, capsys) -> None:
    code, out, err = run(capsys, "--data-dir", str(filled), "cases", "--json")
    assert code == 0 and err == ""
    rows = {r["title"]: r for r in json.loads(out)}
    perfume = rows["Perfume never delivered"]
    assert perfume["company"] == "Maison Example" and perfume["status"] == "awaiting_reply"
    assert perfume["last_activity"] == "2014-12-01 00:00:00"  # a date alone: that local day, before timed events
    assert perfume["amount"] == {"value": "129.00", "currency": "EUR"}
    assert rows["Gym still billing"]["last_activity"] is None

    code, out, _ = run(capsys, "--data-dir", str(filled), "cases")
    assert code == 0
    line = next(x for x in out.splitlines() if "Perfume" in x)
    assert "awaiting_reply" in line and "2014-12-01" in line and "Maison Example" in line


def test_show_prints_a_case_with_its_timeline(filled: Path, capsys) -> None:
    code, out, _ = run(capsys, "--data-dir", str(filled), "cases", "--json")
    case_id = next(r["id"] for r in json.loads(out) if r["title"].startswith("Perfume"))
    code, out, err = run(capsys, "--data-dir", str(filled), "show", str(case_id), "--json")
    assert code == 0 and err == ""
    shown = json.loads(out)
    assert shown["title"] == "Perfume never delivered" and shown["opened_on"] == "2014-11-20"
    (event,) = shown["events"]
    assert (event["kind"], event["contact"], event["promised_by"]) == ("promise", "Customer service", "2014-12-15")
    code, out, _ = run(capsys, "--data-dir", str(filled), "show", str(case_id))
    assert code == 0 and "Refund to card promised (Customer service)" in out


def test_search_finds_cases_by_any_word(filled: Path, capsys) -> None:
    code, out, err = run(capsys, "--data-dir", str(filled), "search", "refund card", "--json")
    assert code == 0 and err == ""
    (hit,) = json.loads(out)
    assert hit["title"] == "Perfume never delivered" and "[refund]" in hit["snippet"].lower()
    code, out, _ = run(capsys, "--data-dir", str(filled), "search", 'AND( "', "--json")
    assert code == 0 and json.loads(out) == []


def test_data_dir_from_the_environment(filled: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("DOCKET_DATA_DIR", str(filled))
    code, out, err = run(capsys, "cases", "--json")
    assert code == 0, err
    assert {r["title"] for r in json.loads(out)} == {"Perfume never delivered", "Gym still billing"}


def test_today_can_be_fixed_for_every_date_rule(data_dir: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps({"format": "docket-case", "version": 1, "case": {"title": "What if"}}))
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "--today", "2020-02-29", "import", str(case_file))
    assert code == 0
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "show", out.strip(), "--json")
    assert json.loads(out)["opened_on"] == "2020-02-29"

    clock.set_today(None)
    monkeypatch.setenv("DOCKET_TODAY", "2019-07-01")
    code, out, err = run(capsys, "--data-dir", str(data_dir), "import", str(case_file))
    assert code == 0, err
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "show", out.strip(), "--json")
    assert json.loads(out)["opened_on"] == "2019-07-01"


@pytest.mark.parametrize(("args", "message"), [
    (["show", "999"], "docket: There is no case 999.\n"),
    (["--today", "tomorrow", "cases"], "docket: --today: expected a date as YYYY-MM-DD, got 'tomorrow'\n"),
    (["show", "first"], "docket: argument CASE: invalid int value: 'first' (see 'docket --help')\n"),
    (["frobnicate"], "docket: argument SUBCOMMAND: invalid choice: 'frobnicate'"),
    (["export", "1", "--format", "docx", "--out", "x"], "docket: argument --format: invalid choice: 'docx'"),
    (["import", "/nonexistent/case.json"], "docket: There is no file /nonexistent/case.json.\n"),
    (["cases", "--view", "someday"], "docket: argument --view: invalid choice: 'someday'"),
])
def test_user_errors_are_one_line_and_exit_2(filled: Path, capsys, args: list[str], message: str) -> None:
    try:
        code = cli.main(["--data-dir", str(filled), *args])
    except SystemExit as exited:  # argparse stops there for a malformed command line
        code = exited.code
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(message)
    assert err.count("\n") == 1 and "Traceback" not in err


def test_an_error_from_the_installed_command_has_no_traceback(data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "case.json"
    bad.write_text("{not json")
    result = docket("--data-dir", str(data_dir), "import", str(bad))
    assert result.returncode == 2
    assert result.stderr == "docket: case.json: is not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2\n"
    assert result.stdout == ""


def test_export_hands_report_options_to_the_case_history(filled: Path, tmp_path: Path, capsys) -> None:
    data = ["--data-dir", str(filled)]
    code, out, _ = run(capsys, *data, "cases", "--json")
    case_id = str(next(r["id"] for r in json.loads(out) if r["title"].startswith("Perfume")))
    report = tmp_path / "history.md"
    code, _, err = run(capsys, *data, "export", case_id, "--format", "md", "--out", str(report),
                       "--redact", "--no-private-notes", "--from", "2014-11-01", "--to", "2014-12-31")
    assert code == 0, err
    history = report.read_text("utf-8")
    assert "Perfume never delivered" in history and "Refund to card promised" in history
    assert "Redacted copy" in history and "Private notes are left out" in history
    code, _, err = run(capsys, *data, "export", case_id, "--format", "csv", "--out", str(tmp_path / "h.csv"),
                       "--from", "2015-01-01", "--to", "2014-01-01")
    assert code == 2 and err == "docket: --from 2015-01-01 is after --to 2014-01-01.\n"
    assert not (tmp_path / "h.csv").exists()
