"""`python -m partsmith.training STEP`: the training steps' command (see `commands.py`)."""

import sys

from partsmith.training.commands import main

if __name__ == "__main__":
    sys.exit(main())
