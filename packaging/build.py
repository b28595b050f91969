"""Build the one-folder Docket for this platform: icons, then PyInstaller.

    python packaging/build.py            # -> dist/docket/ (and dist/Docket.app on macOS)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    subprocess.run([sys.executable, str(ROOT / "packaging" / "make_icons.py")], check=True)
    return subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
         "--distpath", str(ROOT / "dist"), "--workpath", str(ROOT / "packaging" / "build" / "pyinstaller"),
         str(ROOT / "packaging" / "docket.spec")],
        cwd=ROOT,
    ).returncode


if __name__ == "__main__":
    sys.exit(main())
