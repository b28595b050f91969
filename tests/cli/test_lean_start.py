"""The command line starts light: --version and --help load no command, and a command loads
only its own module (so 'docket cases' never pays for letters, PDFs or email parsing)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from core import __version__
from core.cli import main as cli

PROBE = """
import json, sys
from core.cli.main import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
loaded = sorted(m for m in sys.modules if m.startswith(("core.cli.commands.", "sqlalchemy", "jinja2", "PySide6")))
sys.stderr.write("\\nLOADED " + json.dumps({"code": code, "loaded": loaded}) + "\\n")
"""


def started(*args: str) -> tuple[dict, str]:
    """Run the command line in a fresh process; what it printed and which modules it loaded."""
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120)
    line = next(ln for ln in result.stderr.splitlines() if ln.startswith("LOADED "))
    return json.loads(line[7:]), result.stdout


def test_version_is_answered_without_loading_any_command_or_the_database_library() -> None:
    seen, out = started("--version")
    assert out.strip() == f"Docket {__version__}"
    assert seen == {"code": 0, "loaded": []}


def test_help_lists_every_command_without_loading_them() -> None:
    seen, out = started("--help")
    assert seen == {"code": 0, "loaded": []}
    for command in ("cases", "show", "import", "export", "demo", "import-email", "letter", "due", "next",
                    "backup", "restore", "verify", "history"):
        assert f"    {command} " in out or f"    {command}\n" in out


def test_help_is_the_same_text_the_full_parser_prints() -> None:
    _, quick = started("--help")
    assert quick == cli.build_parser().format_help()


def test_a_command_loads_only_its_own_module(tmp_path: Path) -> None:
    seen, out = started("--data-dir", str(tmp_path / "data"), "cases", "--json")
    assert seen["code"] == 0 and json.loads(out) == []
    assert [m for m in seen["loaded"] if m.startswith("core.cli.commands.")] == ["core.cli.commands.cases"]
    assert not [m for m in seen["loaded"] if m.startswith(("jinja2", "PySide6"))]


def test_a_commands_own_help_and_a_mistyped_command_still_answer_as_before() -> None:
    seen, out = started("cases", "--help")
    assert seen["code"] == 0 and "--view" in out
    assert [m for m in seen["loaded"] if m.startswith("core.cli.commands.")] == ["core.cli.commands.cases"]

    result = subprocess.run([sys.executable, "-c", PROBE, "casse"], capture_output=True, text=True, timeout=120)
    assert "invalid choice: 'casse'" in result.stderr and "see 'docket --help'" in result.stderr

    result = subprocess.run([sys.executable, "-c", PROBE, "--colour"], capture_output=True, text=True, timeout=120)
    assert "unrecognized arguments: --colour" in result.stderr and '"code": 2' in result.stderr


def test_the_streamed_case_list_is_the_json_text_it_always_was(tmp_path: Path, capsys) -> None:
    from core.journal import cases
    from core.store.store import Store

    data = tmp_path / "data"
    with Store.open(data) as store:
        perfume = cases.open_case(store, title="Parfum « Nuit » never delivered", company="Maison Example",
                                  amount="129.00", currency="EUR", status="awaiting_reply")
        cases.log_event(store, case_id=perfume, at="2014-12-01", kind="email", direction="to_company",
                        summary="Asked for the refund")
        cases.open_case(store, title="Gym still billing", company=None)

    assert cli.main(["--data-dir", str(data), "cases", "--json"]) == 0
    out = capsys.readouterr().out

    rows = json.loads(out)
    assert [r["title"] for r in rows] == ["Parfum « Nuit » never delivered", "Gym still billing"]
    assert out == json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
