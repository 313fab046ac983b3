"""One history entry: what `meta.json` in `history/<id>/` holds, and its schema migrations.

An `Entry` is the one record of a part, from the engine to the history, the service's answers
(`asdict`), the command line's `--json` and the front ends.

The folder is the source of truth. Its `meta.json` carries a schema number; an older file is
brought up to date by small numbered migrations when it is read, so entries written by an earlier
version stay readable.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from partsmith.errors import StorageError

SCHEMA = 3
META = "meta.json"
THUMBNAIL = "thumbnail.png"
HOSTS = ("cli", "blender", "freecad", "service", "eval")


@dataclass
class Entry:
    id: str
    created: float  # seconds since the epoch, UTC
    prompt: str
    status: str  # ok or failed
    host: str = "cli"
    like: str | None = None  # the entry this one was made like
    model: str = ""
    route: str = ""  # structured, code, rerun or like
    family: str | None = None  # the kit family, on the structured route
    program: dict[str, Any] | None = None  # the part program, on the structured route
    script: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    size: list[float] = field(default_factory=list)
    volume: float = 0.0
    holes: list[float] = field(default_factory=list)
    measurements: dict[str, Any] = field(default_factory=dict)  # all the sandbox measured
    sandbox_layers: dict[str, Any] = field(default_factory=dict)  # what held the script in
    warnings: list[str] = field(default_factory=list)
    # What the prompt stated and whether the part meets each (checks.facts.Fact as dicts).
    facts: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, Any] | None = None
    attempts: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    artifacts: dict[str, str] = field(default_factory=dict)  # format -> file name in the folder
    schema: int = SCHEMA

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def when(self) -> str:
        return datetime.fromtimestamp(self.created, UTC).astimezone().strftime("%Y-%m-%d %H:%M")

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, default=str)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entry:
        data = migrate(dict(data))
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in data.items() if key in known})

    @classmethod
    def read(cls, folder: Path) -> Entry:
        try:
            data = json.loads((folder / META).read_text())
        except (OSError, ValueError) as exc:
            raise StorageError(f"cannot read the history entry {folder.name}: {exc}") from None
        return cls.from_dict(data)


def new_id(now: float) -> str:
    """Sortable by time and readable: 20261121-101502-3fa9c1."""
    stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{secrets.token_hex(3)}"


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 kept the artifacts as absolute paths and had no holes or family."""
    data["artifacts"] = {fmt: Path(path).name for fmt, path in (data.get("artifacts") or {}).items()}
    data.setdefault("holes", [])
    data.setdefault("family", None)
    return data


def _v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    """Version 3 records the part program the structured route filled, every measurement and
    the sandbox layers that held the script."""
    data.setdefault("program", None)
    data.setdefault("measurements", {})
    data.setdefault("sandbox_layers", {})
    return data


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2, 2: _v2_to_v3}


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    version = int(data.get("schema", 1))
    if version > SCHEMA:
        raise StorageError(f"a history entry has schema {version}, newer than this engine's {SCHEMA}",
                           hint="update Partsmith to read it")
    while version < SCHEMA:
        data = MIGRATIONS[version](data)
        version += 1
        data["schema"] = version
    return data
