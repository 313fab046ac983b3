"""The discovery file: how front ends find the running engine with no configuration.

`<data folder>/engine.json` holds the port, the token, the pid and the version. It is created
readable by the user only (0600) before anything is written into it, and removed at shutdown.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

FILE = "engine.json"


def path(home: Path) -> Path:
    return home / FILE


def write(home: Path, info: dict[str, Any]) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    target = path(home)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(info, handle)
    partial.replace(target)
    return target


def read(home: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path(home).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def remove(home: Path, pid: int) -> None:
    """Remove the file if it is still this process's (a newer engine may have replaced it)."""
    current = read(home)
    if current is not None and current.get("pid") == pid:
        path(home).unlink(missing_ok=True)
