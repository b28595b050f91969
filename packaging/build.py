"""Build the one-folder Docket for this platform: icons, then PyInstaller.

    python packaging/build.py            # -> dist/docket/ (and dist/Docket.app on macOS)
    python packaging/build.py --dist DIR --work DIR   # elsewhere (the tests build in a temporary folder)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the one-folder Docket.")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "packaging" / "build" / "pyinstaller")
    args = parser.parse_args(argv)
    subprocess.run([sys.executable, str(ROOT / "packaging" / "make_icons.py")], check=True)
    return subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
         "--distpath", str(args.dist), "--workpath", str(args.work),
         str(ROOT / "packaging" / "docket.spec")],
        cwd=ROOT,
    ).returncode


if __name__ == "__main__":
    sys.exit(main())
