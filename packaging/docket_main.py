"""Entry point of the packaged Docket: the same command line as the ``docket`` script."""

import sys

from gui.launch import main

if __name__ == "__main__":
    sys.exit(main())
