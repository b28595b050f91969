"""Build the one-folder Docket (unless told not to) and prove it runs on its own.

    python packaging/check_bundle.py [--no-build] [--dist DIR] [--work DIR]

The resources and the migrations must travel as files inside the bundle; then, with a
temporary data directory, the bundle's ``docket`` must report the version in
``pyproject.toml``, load the example cases (migrations and resources found inside the
bundle), export a case history as a PDF that a PDF reader opens, and speak French with
``DOCKET_LANGUAGE=fr`` (its compiled catalogs travelled with it).

This is the packaging check ``.ci/run`` runs after the test suite (a build takes minutes, so it
is not a unit test).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def executable(dist: Path) -> Path:
    return dist / "docket" / ("docket.exe" if os.name == "nt" else "docket")


def run(exe: Path, *args: str, data_dir: Path, language: str = "en") -> str:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DOCKET_LANGUAGE=language)
    # The bundle must not lean on the checkout: run it from elsewhere, with nothing on the path.
    env.pop("PYTHONPATH", None)
    out = subprocess.run([str(exe), "--data-dir", str(data_dir), *args], capture_output=True, text=True,
                         env=env, cwd=data_dir.parent, timeout=300)
    if out.returncode != 0:
        raise SystemExit(f"docket {' '.join(args)} failed ({out.returncode}): {out.stderr.strip()}")
    return out.stdout


def check(dist: Path = ROOT / "dist") -> str:
    """Run the bundle in ``dist`` with a temporary data directory; returns a summary line."""
    exe = executable(dist)
    # The resources travelled as files beside the program, not as part of the checkout.
    internal = dist / "docket" / "_internal"
    for needed in (internal / "resources" / "rules" / "GB.json", internal / "core" / "store" / "migrations" / "versions"):
        assert needed.exists(), f"{needed.relative_to(dist)} is missing from the bundle"
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    with tempfile.TemporaryDirectory(prefix="docket-bundle-") as tmp:
        data = Path(tmp) / "data"
        shown = run(exe, "--version", data_dir=data).strip()
        assert shown == f"Docket {version}", f"--version says {shown!r}, pyproject says {version}"
        run(exe, "demo", data_dir=data)
        cases = run(exe, "cases", data_dir=data)
        assert cases.strip(), "demo loaded no cases"
        first = cases.split()[0]
        pdf = Path(tmp) / "case.pdf"
        run(exe, "export", first, "--format", "pdf", "--out", str(pdf), data_dir=data)
        head = pdf.read_bytes()[:5]
        assert head == b"%PDF-", f"{pdf} is not a PDF (starts {head!r})"
        french = speaks(exe, "fr", data_dir=data)
        return (f"bundle ok: {shown}; {len(cases.splitlines())} example cases; PDF of case {first}: "
                f"{pdf.stat().st_size:,} bytes; {french}")


def _translations(language: str) -> dict[str, str]:
    """The translated strings of ``language``'s catalog in the checkout (source -> translation)."""
    from babel.messages.pofile import read_po

    with (ROOT / "resources" / "locale" / language / "LC_MESSAGES" / "docket.po").open("rb") as handle:
        catalog = read_po(handle)
    return {m.id: m.string for m in catalog
            if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy}


def speaks(exe: Path, language: str, *, data_dir: Path) -> str:
    """The bundle carries ``language``'s compiled catalog and answers in it: every translated
    string ``docket --help`` shows in English appears translated."""
    internal = exe.parent / "_internal"
    # Every catalog of the checkout (the window's docket.po, the letters' letters.po) travelled
    # compiled.
    for po in sorted((ROOT / "resources" / "locale" / language / "LC_MESSAGES").glob("*.po")):
        mo = internal / "resources" / "locale" / language / "LC_MESSAGES" / f"{po.stem}.mo"
        assert mo.is_file(), f"{mo.relative_to(exe.parent.parent)} is missing from the bundle"
    # argparse wraps the help text: compare with every run of white space as one space.
    english = " ".join(run(exe, "--help", data_dir=data_dir).split())
    local = " ".join(run(exe, "--help", data_dir=data_dir, language=language).split())
    shown = {" ".join(source.split()): " ".join(target.split())
             for source, target in _translations(language).items()
             if " " in source.strip() and " ".join(source.split()) in english and source != target}
    missing = [target for target in shown.values() if target not in local]
    assert not missing, f"docket --help with DOCKET_LANGUAGE={language} lacks {missing[:3]}"
    return (f"DOCKET_LANGUAGE={language}: catalog in the bundle, {len(shown)} translated strings "
            f"of --help shown")


def main() -> int:
    parser = argparse.ArgumentParser(description="Build Docket and prove the bundle runs on its own.")
    parser.add_argument("--no-build", action="store_true", help="check an existing build")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "packaging" / "build" / "pyinstaller",
                        help="PyInstaller's working folder")
    args = parser.parse_args()
    if not args.no_build:
        subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--dist", str(args.dist),
                        "--work", str(args.work)], check=True)
    print(check(args.dist))
    return 0


if __name__ == "__main__":
    sys.exit(main())
