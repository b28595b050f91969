"""The packaged Docket runs on its own: built with PyInstaller on this machine, then run
from a temporary folder with a temporary data directory (version, examples, a PDF export).

This is the slowest test (about two minutes): it builds the real bundle users install.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

import check_bundle  # noqa: E402  (packaging/ is scripts, not a package)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="the bundle check runs on Linux; other platforms build by hand")
def test_the_linux_bundle_runs_version_demo_and_pdf_export_on_its_own(tmp_path: Path) -> None:
    dist, work = tmp_path / "dist", tmp_path / "work"
    build = subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--dist", str(dist), "--work", str(work)],
                           capture_output=True, text=True, timeout=900)
    assert build.returncode == 0, build.stderr[-3000:]
    summary = check_bundle.check(dist)
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert summary.startswith(f"bundle ok: Docket {version};"), summary
    # The resources travelled as files beside the program, not as part of the checkout.
    internal = dist / "docket" / "_internal"
    assert (internal / "resources" / "rules" / "GB.json").is_file()
    assert (internal / "core" / "migrations" / "versions").is_dir()
