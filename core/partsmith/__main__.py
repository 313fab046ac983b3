"""`python -m partsmith`: the `partsmith` command, for environments with no script on PATH."""

from partsmith.cli.main import main

main()
