"""``python -m otdiv``: the same command as the ``otdiv`` console script."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
