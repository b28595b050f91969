"""The ``docket`` program: the command line, which opens the window when no subcommand is given.

The window is imported only when it is wanted, so ``docket --version`` and every subcommand
start without Qt.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def _open_window(data_dir: str | None) -> int:
    from gui.shell.app import run

    return run(data_dir=data_dir)


def main(argv: Sequence[str] | None = None) -> int:
    from core.cli.main import main as cli_main

    return cli_main(argv, open_window=_open_window)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
