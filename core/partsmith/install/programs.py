"""What both installers share: the engine command to write into the front end's settings, finding
a program (an explicit path, PATH, the usual install folders), and running it with a time limit."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from partsmith.install.errors import InstallError

TIMEOUT_S = 180.0


@dataclass(frozen=True)
class Program:
    """An installed Blender or FreeCAD: its executable and version."""

    name: str
    path: Path
    version: tuple[int, ...]

    @property
    def version_text(self) -> str:
        return ".".join(str(part) for part in self.version)

    def __str__(self) -> str:
        return f"{self.name} {self.version_text} ({self.path})"


def engine_command() -> str:
    """How the front end starts this environment's engine: the absolute path of its `partsmith`
    (next to this Python), so that no PATH set-up is needed; `python -m partsmith` without one."""
    folder = Path(sys.executable).parent
    for name in ("partsmith", "partsmith.exe"):
        script = folder / name
        if script.is_file() and os.access(script, os.X_OK):
            return f"{shlex.quote(str(script.absolute()))} serve"
    return f"{shlex.quote(str(Path(sys.executable).absolute()))} -m partsmith serve"


def candidates(explicit: Path | None, names: Iterable[str], patterns: Iterable[str]) -> list[Path]:
    """Executables to try, best first: the explicit path alone when given, else PATH, then the
    usual install folders (glob patterns, newest version last in sort order, so reversed)."""
    if explicit is not None:
        path = explicit.expanduser()
        if path.is_dir():
            inside = [path / name for name in names if (path / name).is_file()]
            if not inside:
                raise InstallError(f"{path} holds none of {', '.join(names)}")
            path = inside[0]
        if not path.is_file():
            raise InstallError(f"{path} does not exist")
        if not os.access(path, os.X_OK):
            raise InstallError(f"{path} is not a program (not executable)")
        return [path.absolute()]
    found: list[Path] = []
    for name in names:
        where = shutil.which(name)
        if where:
            found.append(Path(where).absolute())
    for pattern in patterns:
        wanted = Path(pattern).expanduser()
        anchor = Path(wanted.anchor or ".")
        found += sorted(anchor.glob(str(wanted.relative_to(anchor))), reverse=True)
    unique: list[Path] = []
    for path in found:
        known = {p.resolve() for p in unique}
        if path.is_file() and os.access(path, os.X_OK) and path.resolve() not in known:
            unique.append(path)
    return unique


def version_of(text: str, name: str) -> tuple[int, ...] | None:
    """The version in a program's `--version` answer ("Blender 3.4.1", "FreeCAD 0.20.2, Libs...")."""
    found = re.search(rf"{name}\s+(\d+(?:\.\d+)+)", text, re.IGNORECASE)
    return tuple(int(part) for part in found.group(1).split(".")) if found else None


def run(command: list[str], what: str, env: dict[str, str] | None = None,
        timeout_s: float = TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    """Run a program to completion; a clear error when it cannot start, hangs or fails."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False,
                              env=env, stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise InstallError(f"cannot run {command[0]}: {exc.strerror}") from None
    except subprocess.TimeoutExpired:
        raise InstallError(f"{what} did not finish within {timeout_s:.0f} s",
                           hint=f"run it by hand to see why: {shlex.join(command)}") from None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise InstallError(f"{what} failed (exit code {done.returncode}): {' / '.join(tail) or 'no output'}",
                           hint=f"run it by hand to see why: {shlex.join(command)}")
    return done


def read_report(path: Path, what: str, output: str) -> dict[str, object]:
    """The JSON a script inside the program wrote; a clear error with its output when it wrote none."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        tail = " / ".join(output.strip().splitlines()[-6:])
        raise InstallError(f"{what} gave no report: {tail or 'no output'}") from None
    if not isinstance(data, dict):
        raise InstallError(f"{what} gave an unreadable report")
    if data.get("error"):
        raise InstallError(f"{what}: {data['error']}")
    return data


def writable(folder: Path) -> None:
    """Fail clearly when `folder` (or the first existing folder above it) cannot be written."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not os.access(probe, os.W_OK):
        raise InstallError(f"the folder {folder} is not writable", hint="check its owner and permissions")
