"""`python -m partsmith`: the `partsmith` command, for environments with no script on PATH."""

from partsmith.cli import main

main()
