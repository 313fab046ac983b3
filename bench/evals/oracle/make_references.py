"""Write each task's reference STL by running its reference_script through the sandbox once.

    python bench/evals/oracle/make_references.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

from partsmith.evaluate.tasks import from_jsonl
from partsmith.sandbox import SandboxPool

HERE = Path(__file__).resolve().parent


def main() -> None:
    with SandboxPool() as pool:
        for task in from_jsonl(HERE / "tasks.jsonl"):
            assert task.reference_script and task.reference_stl
            made = pool.run(task.reference_script)
            shutil.copyfile(made.artifacts["stl"], task.reference_stl)
            print(task.id, [round(v, 2) for v in made.measurements["size"]], task.reference_stl.name)


if __name__ == "__main__":
    main()
