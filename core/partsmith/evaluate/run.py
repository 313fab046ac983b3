"""Run tasks through the real pipeline (or, in oracle mode, their reference scripts through the
sandbox), score each, and keep every finished task in `results.jsonl` so a stopped run resumes
where it left off."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from partsmith.errors import PartsmithError
from partsmith.evaluate.score import score
from partsmith.evaluate.tasks import Task
from partsmith.generate.pipeline import Attempt, Generator
from partsmith.sandbox import JobResult, SandboxPool

RESULTS = "results.jsonl"


def done_ids(out: Path) -> set[str]:
    path = out / RESULTS
    if not path.exists():
        return set()
    found = set()
    for line in path.read_text().splitlines():
        try:
            found.add(json.loads(line)["id"])
        except (ValueError, KeyError):
            continue  # a line cut short by a killed run: that task runs again
    return found


def read_rows(out: Path) -> list[dict[str, Any]]:
    rows = {}
    for line in (out / RESULTS).read_text().splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        rows[row["id"]] = row
    return list(rows.values())


def _made(result: JobResult, keep: Path) -> dict[str, Any]:
    keep.mkdir(parents=True, exist_ok=True)
    stl = keep / "model.stl"
    shutil.copyfile(result.artifacts["stl"], stl)
    shutil.copyfile(result.artifacts["step"], keep / "model.step")
    (keep / "script.py").write_text(result.script)
    shutil.rmtree(result.job_dir, ignore_errors=True)  # the copies above are what the scores need
    return {**result.measurements, "stl": str(stl)}


def programs(attempts: list[Attempt], script: str | None) -> dict[str, Any]:
    """The part programs the model wrote, one per structured attempt, and the one whose part was
    kept (`program`; None when the kept part came from code or nothing was made)."""
    written = [a.answer for a in attempts if a.route == "structured"]
    kept = next((a.answer for a in attempts if a.route == "structured" and script is not None
                 and a.script == script), None)
    return {"program": kept, "programs": written}


def run_task(task: Task, *, pool: SandboxPool, generator: Generator | None, out: Path) -> dict[str, Any]:
    started = time.perf_counter()
    row: dict[str, Any] = {"id": task.id, "error": None, "route": "oracle" if generator is None else None,
                           "attempts": 0}
    made = None
    try:
        if generator is None:
            if not task.reference_script:
                raise PartsmithError(f"task {task.id} has no reference_script for the oracle")
            made = _made(pool.run(task.reference_script), out / "parts" / task.id)
            row["attempts"] = 1
        else:
            generation = generator.generate(task.prompt)
            row["route"] = generation.route
            row["attempts"] = len(generation.attempts)
            row.update(programs(generation.attempts, generation.script))
            made = _made(generation.result, out / "parts" / task.id)
    except PartsmithError as exc:
        row["error"] = exc.message[:300]
        row["attempts"] = len(getattr(exc, "attempts", [])) or row["attempts"]
        row.update(programs(getattr(exc, "attempts", []), None))
    row["seconds"] = round(time.perf_counter() - started, 2)
    row.update(score(made, task.reference_stl, task.bounding_box, task.components).to_dict())
    return row


def evaluate(tasks: list[Task], out: Path, *, pool: SandboxPool, generator: Generator | None,
             on_row: Callable[[dict[str, Any]], None] = lambda row: None) -> list[dict[str, Any]]:
    out.mkdir(parents=True, exist_ok=True)
    finished = done_ids(out)
    with (out / RESULTS).open("a") as results:
        for task in tasks:
            if task.id in finished:
                continue
            row = run_task(task, pool=pool, generator=generator, out=out)
            results.write(json.dumps(row) + "\n")
            results.flush()
            on_row(row)
    wanted = {t.id for t in tasks}
    return [row for row in read_rows(out) if row["id"] in wanted]
