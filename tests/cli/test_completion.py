"""Shell completion, generated from the parser: subcommands, flags, choices, case numbers
with titles and template ids."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import main as cli
from core.cli.commands import completion
from core.journal import cases
from core.store.store import Store


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def two_cases(data_dir: Path) -> Path:
    with Store.open(data_dir) as store:
        cases.open_case(store, title="Perfume never arrived", company="Maison Parfum Paris")
        cases.open_case(store, title="Gym   still\tbilling", company="FitCo")
    return data_dir


def test_case_numbers_come_with_their_titles_even_while_the_store_is_open(two_cases: Path, capsys) -> None:
    with Store.open(two_cases):  # the window has it open: completion reads without the lock
        code, out, err = run(capsys, "--data-dir", str(two_cases), "_complete", "cases")
    assert code == 0 and err == ""
    assert out.splitlines() == ["1\tPerfume never arrived", "2\tGym still billing"]


def test_template_ids_are_listed(data_dir: Path, capsys) -> None:
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "_complete", "templates")
    ids = [line.split("\t")[0] for line in out.splitlines()]
    assert code == 0 and {"chaser", "chargeback_request", "formal_complaint"} <= set(ids)


def test_the_helper_is_not_in_the_help(capsys) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out, _ = capsys.readouterr()
    assert "completion" in out and "_complete" not in out


def test_every_subcommand_and_flag_is_in_every_script(capsys) -> None:
    described = completion.describe()
    assert {"new", "log", "attach", "edit", "edit-event", "status", "company", "contact", "remind", "snooze",
            "done", "dismiss", "completion", "next"} <= set(described.verbs)
    assert "_complete" not in described.verbs
    for shell in completion.SHELLS:
        code, script, _ = run(capsys, "completion", shell)
        assert code == 0
        for verb, command in described.verbs.items():
            assert verb in script, (shell, verb)
            for flag in command.options:
                if flag.startswith("--"):
                    assert flag[2:] in script, (shell, verb, flag)
    _, zsh, _ = run(capsys, "completion", "zsh")
    assert "bashcompinit" in zsh


BASH = shutil.which("bash")


def complete_in_bash(script: Path, data_dir: Path, *words: str) -> list[str]:
    """What bash offers after ``words`` (the last one being typed)."""
    docket_dir = script.parent / "bin"
    docket_dir.mkdir(exist_ok=True)
    shim = docket_dir / "docket"
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -m core.cli.main \"$@\"\n")
    shim.chmod(0o755)
    line = " ".join(f"'{w}'" for w in ("docket", "--data-dir", str(data_dir), *words))
    program = (f"source {script}\nCOMP_WORDS=({line})\nCOMP_CWORD=$((${{#COMP_WORDS[@]}}-1))\n"
               "_docket\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    env = {"PATH": f"{docket_dir}:/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[2])}
    result = subprocess.run([BASH, "-c", program], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    return [w for w in result.stdout.splitlines() if w]


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
def test_bash_completes_commands_flags_choices_cases_and_templates(two_cases: Path, tmp_path: Path, capsys) -> None:
    _, script, _ = run(capsys, "completion", "bash")
    path = tmp_path / "docket.bash"
    path.write_text(script)
    assert complete_in_bash(path, two_cases, "ne") == ["new", "next"]
    assert complete_in_bash(path, two_cases, "new", "--paid-o") == ["--paid-on"]
    assert "card:credit" in complete_in_bash(path, two_cases, "new", "--paid-by", "")
    assert complete_in_bash(path, two_cases, "show", "") == ["1", "2"]
    assert complete_in_bash(path, two_cases, "status", "1", "res") == ["resolved"]
    assert complete_in_bash(path, two_cases, "company", "") == ["list", "show", "edit"]
    assert complete_in_bash(path, two_cases, "letter", "1", "--template", "cha") == ["chargeback_request", "chaser"]
    receipt = tmp_path / "receipt.pdf"
    receipt.write_text("x")
    assert complete_in_bash(path, two_cases, "attach", "1", str(tmp_path / "rec")) == [str(receipt)]


def test_the_readme_and_the_guide_name_every_command_with_an_example() -> None:
    root = Path(__file__).parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    guide = (root / "docs" / "cli.md").read_text(encoding="utf-8")
    for verb, command in completion.describe().verbs.items():
        assert f"| `{verb}`" in readme, verb
        assert f"docket {verb}" in guide or f"docket --today 2027-02-10 {verb}" in guide, verb
        for sub in command.verbs:
            assert f"docket {verb} {sub}" in guide, (verb, sub)
