"""Expressiveness: a hand-written program for each CadQueryEval task (test fixtures only, never
shown to a model), compiled and built, judged by CadQueryEval's own criteria against the
reference part: bounding box within 1 mm, volume within 2 %, component count."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from partsmith.evaluate.score import score
from partsmith.evaluate.tasks import Task, from_cadqueryeval
from partsmith.program import compile_program, parse
from tests.program.build import run_script

FIXTURES = Path(__file__).parent / "fixtures" / "cadqueryeval"
# What the criteria miss, and why. task7's reference is a hollow torus; the task expects two
# components (the mesh's two shells, outer and inner), the scorer counts solids: one.
KNOWN = {"task7": "components"}


@cache
def tasks() -> dict[str, Task]:
    root = Path(__file__).resolve().parents[2]
    for base in (root, *root.parents):
        folder = base / "shared" / "evals" / "cadqueryeval"
        if folder.is_dir():
            return {task.id: task for task in from_cadqueryeval(folder)}
    raise AssertionError(f"no shared/evals/cadqueryeval beside {root} or above it")


@pytest.mark.parametrize("task_id", [f"task{n}" for n in range(1, 26)])
def test_program_meets_the_tasks_criteria(task_id: str) -> None:
    task = tasks()[task_id]
    program = parse(json.loads((FIXTURES / f"{task_id}.json").read_text()))
    made = run_script(compile_program(program))
    result = score({"size": made.size, "volume": made.volume, "solids": made.solids}, task.reference_stl,
                   task.bounding_box, task.components)
    missed = {name for name, ok in (("bbox", result.bbox_ok), ("volume", result.volume_ok),
                                    ("components", result.components_ok is not False)) if not ok}
    assert missed == ({KNOWN[task_id]} if task_id in KNOWN else set()), (result.size, result.reference_size)


def test_at_least_twenty_of_twenty_five_are_said() -> None:
    assert len(list(FIXTURES.glob("task*.json"))) == 25 and 25 - len(KNOWN) >= 20
