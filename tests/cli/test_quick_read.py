"""`docket show` and `docket cases` read the store without SQLAlchemy when nothing but reading
is needed, and print exactly what they printed when they read it through the models; a store
with anything to finish, upgrade or warn about is still opened the full way."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import Size, generate
from core.cli import main as cli
from core.cli.output import print_json
from core.domain.errors import StoreLockedError
from core.domain.models import Case
from core.i18n import _, current_language, ngettext, set_language
from core.journal import cases, queries
from core.journal.opening import open_store
from core.store import backup
from core.store.paths import SIDECAR
from core.store.quick import fingerprint_on, open_for_reading
from core.store.store import Store

PROBE = """
import json, sys
from core.cli.main import main
code = main(sys.argv[1:])
loaded = sorted(m for m in sys.modules if m.startswith(("sqlalchemy", "sqlcipher3", "cryptography")))
sys.stderr.write("\\nLOADED " + json.dumps({"code": code, "loaded": loaded}) + "\\n")
"""


def loaded_by(*args: str, env: dict[str, str] | None = None) -> tuple[dict[str, Any], str]:
    """Run the command line in a fresh process: what it printed and which libraries it loaded."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_") or k == "DOCKET_NO_OCR"}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120,
                          env={**base, **(env or {})}, stdin=subprocess.DEVNULL)
    line = next((ln for ln in done.stderr.splitlines() if ln.startswith("LOADED ")), None)
    assert line is not None, done.stderr
    return json.loads(line[7:]), done.stdout


# -- what `docket show` printed when it read the case through the models -----------------


def _summary_through_the_models(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "title": case.title,
        "company": case.company.name if case.company else None,
        "category": case.category,
        "status": case.status,
        "outcome": case.outcome,
        "opened_on": case.opened_on,
        "amount": None if case.amount is None else {"value": str(case.amount), "currency": case.currency},
        "recovered": None if case.recovered is None else {"value": str(case.recovered), "currency": case.currency},
        "references": case.references,
        "jurisdiction": case.jurisdiction,
        "contacts": [{"id": c.id, "name": c.name, "role": c.role, "organisation": c.organisation} for c in case.contacts],
        "events": [
            {"id": e.id, "at": e.at, "kind": e.kind, "direction": e.direction, "summary": e.summary,
             "details": e.details, "contact": e.contact.name if e.contact else None,
             "duration_minutes": e.duration_minutes, "waiting_minutes": e.waiting_minutes,
             "promised_by": e.promised_by, "evidence": [x.id for x in e.evidence]}
            for e in case.events
        ],
        "evidence": [
            {"id": x.id, "name": x.original_name, "sha256": x.sha256, "size": x.size,
             "media_type": x.media_type, "description": x.description}
            for x in case.evidence
        ],
    }


def through_the_models(data_dir: Path, case_id: int, as_json: bool) -> str:
    """The text `docket show` printed before, from the case loaded through the ORM."""
    out = io.StringIO()
    with open_store(data_dir) as store, contextlib.redirect_stdout(out):
        case = queries.load_case(store, case_id)
        if as_json:
            print_json(_summary_through_the_models(case))
            return out.getvalue()
        print(_("Case {id}: {title}").format(id=case.id, title=case.title))
        print(_("Company: {company}").format(company=case.company.name if case.company else "-") + "    "
              + _("Status: {status}").format(status=case.status))
        if case.amount is not None:
            print(_("Amount in dispute: {amount}").format(amount=f"{case.currency} {case.amount}"))
        if case.references:
            print(_("References: {references}").format(references=", ".join(case.references)))
        print(_("Time spent: {time}").format(time=queries.time_spent(store, case.id).describe()))
        print()
        for e in case.events:
            who = f" ({e.contact.name})" if e.contact else ""
            print(f"{e.at:<25} {e.kind:<9} {e.direction:<13} {e.summary}{who}")
        if case.evidence:
            print()
            for x in case.evidence:
                size = ngettext("{n:,} byte", "{n:,} bytes", x.size).format(n=x.size)
                print(_("evidence {id}: {name}").format(id=x.id, name=x.original_name) + f"  {size}  sha256 {x.sha256}")
    return out.getvalue()


def shown(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> str:
    code = cli.main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    assert code == 0 and err == "", err
    return out


def case_ids(data_dir: Path) -> list[int]:
    with open_store(data_dir) as store:
        return [row.id for row in queries.iter_cases(store)]


def opens_quickly(data_dir: Path) -> bool:
    reader = open_for_reading(data_dir)
    if reader is None:
        return False
    reader.close()
    return True


@pytest.fixture
def in_language() -> Iterator[Any]:
    before = current_language()
    yield set_language
    set_language(before)


@pytest.fixture(scope="module")
def _examples_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("examples") / "docket-data"
    assert cli.main(["--data-dir", str(folder), "demo"]) == 0
    return folder


@pytest.fixture
def examples(data_dir: Path, _examples_once: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The example cases of `docket demo` (which also makes the first automatic backup), in
    a folder of the test's own: a copy of one made once for the module."""
    capsys.readouterr()
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.copytree(_examples_once, data_dir)
    return data_dir


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated store (the benchmarks' generator, a small size): a case with many events at
    the same minutes, contacts and evidence shared by events."""
    folder = tmp_path_factory.mktemp("generated") / "docket-data"
    generate(folder, Size.scaled(60))
    assert cli.main(["--data-dir", str(folder), "cases"]) == 0  # the automatic backup, once
    return folder


def test_every_example_case_shows_the_same_text_and_json_as_through_the_models(
        examples: Path, capsys: pytest.CaptureFixture[str], in_language: Any) -> None:
    assert opens_quickly(examples)
    ids = case_ids(examples)
    assert len(ids) >= 5
    for language in ("en", "fr"):
        in_language(language)
        for case_id in ids:
            for as_json in (True, False):
                args = ["show", str(case_id)] + (["--json"] if as_json else [])
                assert shown(capsys, examples, *args) == through_the_models(examples, case_id, as_json), (language, args)


def test_a_generated_store_shows_the_same_text_and_json_as_through_the_models(
        generated: Path, capsys: pytest.CaptureFixture[str], in_language: Any) -> None:
    assert opens_quickly(generated)
    ids = case_ids(generated)
    big = json.loads(shown(capsys, generated, "show", "1", "--json"))
    assert len(big["events"]) >= 10 and any(e["evidence"] for e in big["events"])
    for case_id in ids[:25] + [1]:
        for language, as_json in (("en", True), ("en", False), ("fr", False)):
            in_language(language)
            args = ["show", str(case_id)] + (["--json"] if as_json else [])
            assert shown(capsys, generated, *args) == through_the_models(generated, case_id, as_json), (language, args)


def test_the_case_list_is_the_same_read_quickly_or_the_full_way(
        generated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert opens_quickly(generated)
    for args in (["cases", "--json"], ["cases"], ["cases", "--view", "open", "--json"]):
        quick = shown(capsys, generated, *args)
        with open_store(generated) as store:
            full = [r.id for r in queries.iter_cases(store, view=args[2] if len(args) > 2 and args[1] == "--view" else "all")]
        if "--json" in args:
            assert [c["id"] for c in json.loads(quick)] == full
        else:
            assert [int(line.split()[0]) for line in quick.splitlines()] == full


def test_showing_a_case_loads_neither_sqlalchemy_nor_the_encryption_libraries(examples: Path) -> None:
    seen, out = loaded_by("--data-dir", str(examples), "show", "1", "--json")
    assert seen == {"code": 0, "loaded": []}
    assert json.loads(out)["id"] == 1
    seen, out = loaded_by("--data-dir", str(examples), "cases")
    assert seen == {"code": 0, "loaded": []}


def test_a_case_that_does_not_exist_is_one_message(examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["--data-dir", str(examples), "show", "999"])
    _out, err = capsys.readouterr()
    assert code != 0 and err.strip() == "docket: There is no case 999."


def test_a_second_docket_on_the_same_folder_is_refused_with_the_same_words(examples: Path) -> None:
    with Store.open(examples):
        with pytest.raises(StoreLockedError, match="already open"):
            open_for_reading(examples)
        seen = subprocess.run([sys.executable, "-m", "core.cli.main", "--data-dir", str(examples), "show", "1"],
                              capture_output=True, text=True, timeout=120)
    assert seen.returncode != 0
    assert seen.stderr.strip() == f"docket: Docket is already open on {examples}. Close the other Docket window first."


def test_a_database_that_is_not_the_one_the_folder_held_still_warns(
        examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (examples / SIDECAR).write_text(json.dumps({"id": "another store", "commits": 1}), "utf-8")
    assert not opens_quickly(examples)
    code = cli.main(["--data-dir", str(examples), "show", "1", "--json"])
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out)["id"] == 1
    assert "belongs to another Docket store" in err


def test_a_store_without_a_recent_backup_is_backed_up_after_a_read_as_before(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open_store(data_dir) as store:
        cases.open_case(store, title="Parcel lost", company="Parcels Inc")
    assert not (data_dir / "backups").exists()
    assert shown(capsys, data_dir, "show", "1").startswith("Case 1: Parcel lost")
    assert [p.suffix for p in (data_dir / "backups").iterdir()].count(".sqlite3") == 1
    # Now a backup is recent: the next read opens the store the quick way and makes none.
    assert opens_quickly(data_dir)
    shown(capsys, data_dir, "cases")
    assert [p.suffix for p in (data_dir / "backups").iterdir()].count(".sqlite3") == 1


def test_a_protected_store_asks_for_its_passphrase_then_reads_quickly(examples: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("red kettle on the hill\n")
    env = {"DOCKET_NEW_PASSPHRASE_FILE": str(secret)}
    done = subprocess.run([sys.executable, "-m", "core.cli.main", "--data-dir", str(examples), "encrypt", "--written-down"],
                          capture_output=True, text=True, timeout=120, env={**os.environ, **env}, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr

    seen, _out = loaded_by("--data-dir", str(examples), "show", "1")
    assert seen["code"] == 2  # no passphrase: one message, nothing read

    seen, out = loaded_by("--data-dir", str(examples), "show", "1", "--json", env={"DOCKET_PASSPHRASE_FILE": str(secret)})
    assert seen["code"] == 0 and json.loads(out)["id"] == 1
    assert not [m for m in seen["loaded"] if m.startswith("sqlalchemy")]
    assert "sqlcipher3" in seen["loaded"]


def _age_backups(data_dir: Path) -> None:
    """Make the automatic backups look two days old (their time is in their names)."""
    for path in (data_dir / "backups").iterdir():
        stem, _sep, rest = path.name.partition("Z-")
        path.rename(path.with_name(f"docket-20000101T000000000000Z-{rest}"))


def test_the_quick_reader_fingerprints_the_data_as_the_backup_does(examples: Path, generated: Path) -> None:
    for folder in (examples, generated):
        with open_store(folder) as store:
            expected = backup.fingerprint(store)
        reader = open_for_reading(folder)
        assert reader is not None
        with reader, reader.reading() as run:
            assert fingerprint_on(run) == expected


def test_an_old_backup_of_the_same_data_needs_no_new_one_and_no_sqlalchemy(
        examples: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _age_backups(examples)
    before = sorted(p.name for p in (examples / "backups").iterdir())
    seen, out = loaded_by("--data-dir", str(examples), "show", "1", "--json")
    assert seen == {"code": 0, "loaded": []} and json.loads(out)["id"] == 1
    assert sorted(p.name for p in (examples / "backups").iterdir()) == before

    # Data written since the newest backup, which is old: a read backs it up, as before.
    with open_store(examples) as store:
        cases.open_case(store, title="Parcel lost", company="Parcels Inc")
    shown(capsys, examples, "cases")
    after = sorted(p.name for p in (examples / "backups").iterdir() if p.suffix == ".sqlite3")
    assert len(after) == len([n for n in before if n.endswith(".sqlite3")]) + 1
