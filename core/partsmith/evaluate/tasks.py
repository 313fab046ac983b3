"""Tasks to evaluate: CadQueryEval's format (a folder of task YAML files with reference STLs) and a
simple JSONL format, one task a line: `id`, `prompt`, and `reference_stl` and / or
`reference_script` (paths relative to the JSONL file; the script may also be the code itself)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from partsmith.errors import InputError


@dataclass(frozen=True)
class Task:
    id: str
    prompt: str
    reference_stl: Path | None = None
    reference_script: str | None = None
    bounding_box: tuple[float, ...] | None = None  # the task's own target, when it states one
    components: int | None = None


def _number(text: str) -> tuple[int, str]:
    digits = "".join(c for c in text if c.isdigit())
    return (int(digits) if digits else 0, text)


def from_cadqueryeval(folder: Path) -> list[Task]:
    tasks_dir = folder / "tasks" if (folder / "tasks").is_dir() else folder
    tasks = []
    for path in sorted(tasks_dir.glob("*.yaml"), key=lambda p: _number(p.stem)):
        data = yaml.safe_load(path.read_text())
        requirements = data.get("requirements") or {}
        reference = data.get("reference_stl")
        stl = None
        if reference:
            for base in (tasks_dir, tasks_dir.parent):
                candidate = (base / reference).resolve()
                if candidate.is_file():
                    stl = candidate
                    break
        box = requirements.get("bounding_box")
        topology = requirements.get("topology_requirements") or {}
        tasks.append(Task(
            id=str(data.get("task_id") or path.stem), prompt=str(data["description"]).strip(),
            reference_stl=stl, bounding_box=tuple(float(v) for v in box) if box else None,
            components=topology.get("expected_component_count"),
        ))
    return tasks


def from_jsonl(path: Path) -> list[Task]:
    tasks = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError:
            raise InputError(f"{path}:{number} is not JSON") from None
        if "id" not in data or "prompt" not in data:
            raise InputError(f"{path}:{number} needs `id` and `prompt`")
        stl = (path.parent / data["reference_stl"]).resolve() if data.get("reference_stl") else None
        script = data.get("reference_script")
        if script and "\n" not in script and script.endswith(".py"):
            script = (path.parent / script).read_text()
        tasks.append(Task(id=str(data["id"]), prompt=str(data["prompt"]), reference_stl=stl,
                          reference_script=script,
                          bounding_box=tuple(data["bounding_box"]) if data.get("bounding_box") else None,
                          components=data.get("components")))
    return tasks


def load(source: Path) -> list[Task]:
    """A CadQueryEval folder or a JSONL file."""
    if source.is_dir():
        found = from_cadqueryeval(source)
    elif source.suffix == ".jsonl":
        found = from_jsonl(source)
    else:
        raise InputError(f"{source} is neither a CadQueryEval folder nor a .jsonl file")
    if not found:
        raise InputError(f"no tasks in {source}")
    return found
