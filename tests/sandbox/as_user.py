"""Run a command as an unprivileged user, from root, where the interpreter and the checkout may sit
in folders others cannot enter (a CI machine's /root, with pyenv under it).

    unshare --mount --propagation private python as_user.py UID STASH PATH[,PATH...] -- COMMAND...

In its own mount namespace (nothing here touches the machine's mounts), each folder on the way to
a PATH that others may not enter is covered by an empty tmpfs that they may, with the PATH bound
back into it (STASH, an empty folder others may enter, holds them meanwhile): the user reaches
exactly the PATHs, and nothing else of those folders. Then it becomes UID (no groups, no
capabilities) and runs COMMAND.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def closed_folders(path: Path) -> list[Path]:
    """The folders above `path` that others may not enter, the outermost first."""
    return [folder for folder in reversed(path.parents) if not folder.stat().st_mode & 0o001]


def mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True)


def open_paths(paths: list[Path], stash: Path) -> None:
    covered: set[Path] = set()
    for number, path in enumerate(paths):
        closed = [c for c in closed_folders(path) if not any(c.is_relative_to(done) for done in covered)]
        if not closed:
            continue
        keep = stash / str(number)
        keep.mkdir()
        mount("--bind", str(path), str(keep))
        # Everything else needed under this folder is kept too before it is covered.
        kept = [(other, stash / f"{number}-{n}") for n, other in enumerate(paths)
                if other != path and other.is_relative_to(closed[0])]
        for other, place in kept:
            place.mkdir()
            mount("--bind", str(other), str(place))
        mount("-t", "tmpfs", "-o", "mode=755", "tmpfs", str(closed[0]))
        covered.add(closed[0])
        for target, source in [(path, keep), *kept]:
            target.mkdir(parents=True, exist_ok=True)
            mount("--bind", str(source), str(target))


def main() -> None:
    uid, stash = int(sys.argv[1]), Path(sys.argv[2])
    paths = [Path(p).resolve() for p in sys.argv[3].split(",") if p]
    command = sys.argv[sys.argv.index("--") + 1:]
    open_paths(sorted(paths), stash)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main()
